"""Which links may reach an output: one whitelist, read the way a browser reads a URL.

A link's scheme is decided after the text is decoded as a browser decodes it (leading
and trailing C0 controls and spaces removed, tabs and line breaks inside removed), never
by a prefix of the raw text: ``java&#9;script:`` is ``javascript:``, ``httpx:`` is not
``http:``. What may reach an output:

* ``#fragment`` links inside the document;
* ``http``, ``https`` and ``mailto`` links, and the identifiers ``doi`` and ``urn``
  (they name, they do not fetch);
* ``//host/path`` becomes ``https://host/path`` (a protocol-relative link would otherwise
  be read against ``file:`` in a PDF and reveal the build's folders);
* relative links to other files, only in a book, which maps them to its chapters or
  turns them into text (:mod:`exporter.book`).

Everything else — ``javascript:``, ``data:``, ``file:``, local paths — is not a link.
"""

from __future__ import annotations

import re
import urllib.parse

from exporter.model import LINK_SCHEMES

__all__ = ["scheme_of", "normalized", "allowed_link", "web_url", "WEB_SCHEMES"]

WEB_SCHEMES = frozenset({"http", "https"})
_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_INSIDE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def normalized(url: str) -> str:
    """The URL as a browser reads the attribute: C0 controls and spaces around it
    removed, tabs and line breaks inside it removed."""
    return _INSIDE.sub("", _EDGES.sub("", url))


def scheme_of(url: str) -> str:
    """The URL's scheme in lower case; '' for a relative reference."""
    match = _SCHEME.match(normalized(url))
    return match.group(1).lower() if match else ""


def web_url(value: str | None) -> str | None:
    """``value`` when it is an ``http(s)`` URL with a host, else None."""
    if not value:
        return None
    url = normalized(value)
    if scheme_of(url) not in WEB_SCHEMES:
        return None
    try:
        return url if urllib.parse.urlsplit(url).netloc else None
    except ValueError:
        return None


def allowed_link(href: str, *, documents: bool = False) -> str | None:
    """The href the model keeps for ``href``, or None when it may not be a link.

    ``documents``: relative links to other files are kept (a book's articles)."""
    url = normalized(href)
    if not url:
        return None
    if url.startswith("#"):
        return url if len(url) > 1 else None
    if url.startswith(("//", "\\\\", "/\\", "\\/")):
        return web_url("https:" + url.replace("\\", "/"))
    scheme = scheme_of(url)
    if scheme in WEB_SCHEMES:
        return web_url(url)
    if scheme in LINK_SCHEMES:
        return url
    if scheme or not documents or url.startswith(("/", "\\")) or "\\" in url:
        return None
    try:
        urllib.parse.urlsplit(url)
    except ValueError:
        return None
    return url

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

What is kept is a valid URL (RFC 3986, which EPUBCheck, the Nu checker and PDF readers
hold it to): characters a URL may not hold as they are — a space (``…pid= S1607``),
``"``, ``<``, ``>``, ``{``, ``|``, a ``%`` that starts no escape, letters outside ASCII
in a path — are percent-encoded (UTF-8), and a host outside ASCII is written in its
IDNA form. What cannot be made a URL (a host with a space, a port that is no number)
is not a link.
"""

from __future__ import annotations

import re
import urllib.parse

from exporter.model import LINK_SCHEMES

__all__ = ["scheme_of", "normalized", "allowed_link", "web_url", "encoded", "WEB_SCHEMES"]

WEB_SCHEMES = frozenset({"http", "https"})
_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_INSIDE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: what RFC 3986 lets stand unencoded besides letters, digits and "-._~" (and "%" for escapes)
_SUB_DELIMS = "!$&'()*+,;="
_PATH_SAFE = _SUB_DELIMS + ":@/%"
_QUERY_SAFE = _PATH_SAFE + "?"
_HOST = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=%-]*$")


def normalized(url: str) -> str:
    """The URL as a browser reads the attribute: C0 controls and spaces around it
    removed, tabs and line breaks inside it removed."""
    return _INSIDE.sub("", _EDGES.sub("", url))


def scheme_of(url: str) -> str:
    """The URL's scheme in lower case; '' for a relative reference."""
    match = _SCHEME.match(normalized(url))
    return match.group(1).lower() if match else ""


def _quote(part: str, safe: str) -> str:
    return urllib.parse.quote(_LONE_PERCENT.sub("%25", part), safe=safe)


def _host(netloc: str) -> str | None:
    """``[user@]host[:port]`` as a URL may hold it, or None when it cannot be a host."""
    user, at, hostport = netloc.rpartition("@")
    host, port = hostport, ""
    if not hostport.startswith("["):
        host, colon, port = hostport.partition(":")
        if colon and not (port == "" or port.isdigit() and int(port) < 65536):
            return None
    elif not re.fullmatch(r"\[[0-9A-Fa-f:.]+\](:\d{1,5})?", hostport):
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if not hostport.startswith("[") and not _HOST.match(host):
        return None
    user = _quote(user, _SUB_DELIMS + ":%") + at if at else ""
    return user + (hostport if hostport.startswith("[") else host + (f":{port}" if port else ""))


def encoded(url: str) -> str | None:
    """``url`` as a valid URL: the characters it may not hold percent-encoded, the host in
    ASCII; None when it cannot be a URL (an unparsable address, a host or port that
    cannot be one). A URL that is valid already is returned unchanged."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    netloc: str | None = parts.netloc
    if netloc or url[len(parts.scheme) + 1 if parts.scheme else 0:].startswith("//"):
        netloc = _host(parts.netloc)
        if netloc is None:
            return None
    path = _quote(parts.path, _PATH_SAFE)
    query = _quote(parts.query, _QUERY_SAFE)
    fragment = _quote(parts.fragment, _QUERY_SAFE)
    head = url[:len(parts.scheme) + 1] if parts.scheme else ""  # the scheme as written
    if parts.netloc or url[len(head):].startswith("//"):
        head += f"//{netloc}"
    return head + path + (f"?{query}" if query or "?" in url else "") + (
        f"#{fragment}" if fragment or url.endswith("#") else "")


def web_url(value: str | None) -> str | None:
    """``value`` as an ``http(s)`` URL with a host (see :func:`encoded`), else None."""
    if not value:
        return None
    url = normalized(value)
    if scheme_of(url) not in WEB_SCHEMES:
        return None
    web = encoded(url)
    try:
        return web if web and urllib.parse.urlsplit(web).netloc else None
    except ValueError:
        return None


def allowed_link(href: str, *, documents: bool = False) -> str | None:
    """The href the model keeps for ``href``, or None when it may not be a link.

    ``documents``: relative links to other files are kept (a book's articles)."""
    url = normalized(href)
    if not url:
        return None
    if url.startswith("#"):
        return "#" + _quote(url[1:], _QUERY_SAFE) if len(url) > 1 else None
    if url.startswith(("//", "\\\\", "/\\", "\\/")):
        return web_url("https:" + url.replace("\\", "/"))
    scheme = scheme_of(url)
    if scheme in WEB_SCHEMES:
        return web_url(url)
    if scheme in LINK_SCHEMES:
        kept = encoded(url)
        return kept if kept and len(kept) > len(scheme) + 1 else None
    if scheme or not documents or url.startswith(("/", "\\")) or "\\" in url:
        return None
    return encoded(url)

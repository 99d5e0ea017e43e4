"""Defence in depth: every HTML output says what the browser may do with it.

The sanitiser and the model's validation keep scripts and remote resources out of the
outputs; should anything ever slip past them, the outputs themselves forbid what it
could do. Each print HTML file and each EPUB content document carries a
Content-Security-Policy (``<meta http-equiv>``, first in ``<head>`` after the character
set):

* the print HTML is self-contained: nothing may load but ``data:`` images and fonts and
  its own inline style sheet; no script at all, no frame, no form, no ``<base>``;
* an EPUB document may load the publication's own files (``'self'``: styles, fonts,
  images inside the container) and ``data:`` images, and nothing else: no remote load of
  any kind (images, styles, fonts, scripts, ``fetch``, frames), no plug-in, no form, no
  ``<base>``. Inline scripts are not forbidden there, because reading systems and
  accessibility checkers (DAISY Ace, which injects axe-core as an inline script) run
  their own in the publication's documents; a script that slipped in could still
  reach nothing outside the book. exporter's EPUBs contain no script (the model has
  none, and the security suite checks every EPUB for one).
"""

from __future__ import annotations

from lxml import etree

__all__ = ["PRINT_HTML", "EPUB", "add_policy"]

_CLOSED = "script-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; base-uri 'none'; " \
          "form-action 'none'"
#: the print HTML: one file, everything inlined
PRINT_HTML = f"default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; {_CLOSED}"
#: EPUB content documents: the publication's own resources only
EPUB = ("default-src 'self' data:; style-src 'self' 'unsafe-inline' data:; script-src 'self' 'unsafe-inline'; "
        "object-src 'none'; frame-src 'none'; worker-src 'none'; base-uri 'none'; form-action 'none'")


def add_policy(root: etree._Element, policy: str) -> None:
    """Put the policy ``<meta>`` in the page's ``<head>`` (XHTML or HTML elements)."""
    prefix = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    head = root.find(f"{prefix}head")
    if head is None:
        head = etree.Element(f"{prefix}head")
        root.insert(0, head)
    for old in head.findall(f"{prefix}meta"):
        if (old.get("http-equiv") or "").lower() == "content-security-policy":
            head.remove(old)
    meta = etree.Element(f"{prefix}meta", {"http-equiv": "Content-Security-Policy", "content": policy})
    charset = next((i for i, el in enumerate(head) if el.tag == f"{prefix}meta" and el.get("charset")), None)
    meta.tail = head.text if charset is None else head[charset].tail
    head.insert(0 if charset is None else charset + 1, meta)

"""The only place exporter makes WeasyPrint objects.

WeasyPrint silently falls back to its default URL fetcher (any local file, the
network, redirects) for every ``HTML`` or ``CSS`` object built without
``url_fetcher=``, and embeds in the PDF any file that an ``<a rel="attachment">`` or
``<link rel="attachment">`` points at. So:

* :func:`html` and :func:`css` are the factory for every WeasyPrint object, and they
  refuse to build one without the document's :class:`~exporter.safety.fetch.ConfinedFetcher`
  (a test checks that no other module constructs ``weasyprint.HTML``/``CSS``, and
  spies on WeasyPrint's default fetcher during builds: it is never called);
* :func:`render` lays the document out and then removes every attachment that did not
  come from exporter itself (sources lose ``rel="attachment"`` in
  :func:`exporter.transforms.drop_attachment_links` already; this is the backstop for
  anything else, such as a theme's template). Files exporter means to attach are
  passed to ``write_pdf(attachments=…)`` by the PDF writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import weasyprint

from exporter.diagnostics import Diagnostics
from exporter.safety.fetch import ConfinedFetcher

__all__ = ["html", "css", "render", "drop_attachments"]


def _require(fetcher: object) -> ConfinedFetcher:
    if not isinstance(fetcher, ConfinedFetcher):
        raise TypeError("WeasyPrint objects are built only with the document's ConfinedFetcher")
    return fetcher


def html(string: str, *, base_url: str, fetcher: ConfinedFetcher) -> weasyprint.HTML:
    return weasyprint.HTML(string=string, base_url=base_url, url_fetcher=_require(fetcher))


def css(string: str, *, base_url: str, fetcher: ConfinedFetcher, **options: Any) -> weasyprint.CSS:
    """A stylesheet; ``options`` are WeasyPrint's other CSS arguments (``font_config``, …)."""
    return weasyprint.CSS(string=string, base_url=base_url, url_fetcher=_require(fetcher), **options)


def drop_attachments(document: weasyprint.Document, diagnostics: Diagnostics | None = None,
                     source: str | Path | None = None) -> int:
    """Remove attachments (document-level and link annotations) from a rendered document."""
    dropped = [a.source if hasattr(a, "source") else a for a in document.metadata.attachments]
    document.metadata.attachments = []
    for page in document.pages:
        kept = []
        for link in page.links:
            if link[0] == "attachment":
                dropped.append(link[1])
            else:
                kept.append(link)
        page.links = kept
    if dropped and diagnostics is not None:
        diagnostics.add("S010", f"{len(dropped)} attachment link(s) removed from the PDF", file=source,
                        hint="only exporter attaches files; check the theme's template for rel=\"attachment\"")
    return len(dropped)


def render(document: weasyprint.HTML, stylesheets: list[weasyprint.CSS], *, diagnostics: Diagnostics | None = None,
           source: str | Path | None = None, **options: Any) -> weasyprint.Document:
    """Lay ``document`` out in pages with no attachment that exporter did not make."""
    _require(document.url_fetcher)
    for sheet in stylesheets:
        if not isinstance(sheet, weasyprint.CSS):
            raise TypeError("stylesheets must come from exporter.safety.weasy.css")
    rendered = document.render(stylesheets=stylesheets, **options)
    drop_attachments(rendered, diagnostics, source)
    return rendered

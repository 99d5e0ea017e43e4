"""Writers: one module per output format, each a function ``render(ctx) -> bytes``
listed in :data:`WRITERS`. The HTML writer builds *the* page; the PDF writer renders
that page with WeasyPrint and the EPUB writer packages it (after Pandoc, whose EPUB
writer calls its HTML writer rather than inheriting from it).
"""

from __future__ import annotations

from collections.abc import Callable

from exporter.settings import SUFFIXES, Context
from exporter.writers import epub, html, pdf

Writer = Callable[[Context], bytes]

#: format name -> (file suffix, writer)
WRITERS: dict[str, tuple[str, Writer]] = {
    "epub": (SUFFIXES["epub"], epub.render),
    "pdf": (SUFFIXES["pdf"], pdf.render),
    "html": (SUFFIXES["html"], html.render),
}

"""PDF: WeasyPrint rendering the print page of :mod:`exporter.writers.html`.

Every WeasyPrint ``HTML`` and ``CSS`` object is made here, and each gets the
document's confined fetcher (WeasyPrint would otherwise fall back to its default
fetcher, which reads any file and the network). The theme's ``paged.css`` adds what
only a paged-media engine understands (page footnotes, PDF bookmarks) on top of the
``print.css`` that browsers also read.

Output is tagged PDF/UA-1 with the document's language and title; dates come from
the build clock (``SOURCE_DATE_EPOCH``) and the file identifier from the content, so
the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import logging

import weasyprint

from .. import weasy
from ..settings import Context
from . import html

__all__ = ["render", "print_document", "layout", "PDF_OPTIONS"]

#: WeasyPrint options for exporter's PDFs (layout and writing use the same ones)
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "custom_metadata": True}


class _Capture(logging.Handler):
    """Turn WeasyPrint's log records for one render into diagnostics."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(logging.WARNING)
        self.ctx = ctx

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().splitlines()[0][:300]
        self.ctx.diagnostics.add("P001", message, file=self.ctx.article.source,
                                 hint="the PDF was made without this; check the source and theme")


def print_document(ctx: Context) -> tuple[weasyprint.HTML, list[weasyprint.CSS], bytes]:
    """The print page as WeasyPrint objects (all fetching confined), and its HTML bytes."""
    pg = html.page(ctx, "print")
    for img in pg.images:
        img.set("src", ctx.url_for(img.get("src", "")))
    page_bytes = html.to_html5(pg.root)
    base_url = ctx.article.source.resolve().as_uri()
    document = weasy.html(page_bytes.decode("utf-8"), base_url=base_url, fetcher=ctx.fetcher)
    stylesheets = []
    for name in ("print.css", "paged.css"):
        for path in ctx.theme.css_files(name):
            stylesheets.append(weasy.css(path.read_text(encoding="utf-8"), base_url=path.resolve().as_uri(),
                                         fetcher=ctx.fetcher))
    return document, stylesheets, page_bytes


class _captured:
    """Context manager: WeasyPrint's log records become the document's diagnostics."""

    def __init__(self, ctx: Context) -> None:
        self.handler = _Capture(ctx)

    def __enter__(self):
        weasyprint.LOGGER.addHandler(self.handler)

    def __exit__(self, *exc):
        weasyprint.LOGGER.removeHandler(self.handler)


def layout(ctx: Context):
    """The print page laid out in pages (a ``weasyprint.Document``), once per document.

    Both the PDF writer and anything that needs to know where pages break (the EPUB
    page list) use this, so a build of several formats lays the page out only once.
    Returns ``(document, identifier)``; the identifier is a content hash for the PDF.
    """
    if "layout" not in ctx.cache:
        with _captured(ctx):
            html_doc, stylesheets, page_bytes = print_document(ctx)
            document = weasy.render(html_doc, stylesheets, diagnostics=ctx.diagnostics,
                                    source=ctx.article.source, **PDF_OPTIONS)
        css = "".join(p.read_text(encoding="utf-8") for n in ("print.css", "paged.css") for p in ctx.theme.css_files(n))
        identifier = hashlib.sha256(page_bytes + css.encode("utf-8")).hexdigest()[:32]
        ctx.cache["layout"] = (document, identifier)
    return ctx.cache["layout"]


def render(ctx: Context) -> bytes:
    document, identifier = layout(ctx)
    with _captured(ctx):
        return document.write_pdf(pdf_identifier=identifier.encode("ascii"), **PDF_OPTIONS)

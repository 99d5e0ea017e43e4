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

from ..settings import Context
from . import html

__all__ = ["render", "print_document"]


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
    document = weasyprint.HTML(string=page_bytes.decode("utf-8"), base_url=base_url,
                               url_fetcher=ctx.fetcher)
    stylesheets = []
    for name in ("print.css", "paged.css"):
        for path in ctx.theme.css_files(name):
            stylesheets.append(weasyprint.CSS(string=path.read_text(encoding="utf-8"),
                                              base_url=path.resolve().as_uri(), url_fetcher=ctx.fetcher))
    return document, stylesheets, page_bytes


def render(ctx: Context) -> bytes:
    handler = _Capture(ctx)
    logger = weasyprint.LOGGER
    logger.addHandler(handler)
    try:
        document, stylesheets, page_bytes = print_document(ctx)
        identifier = hashlib.sha256(page_bytes + ctx.theme.css("print.css").encode()).hexdigest()[:32]
        return document.write_pdf(
            stylesheets=stylesheets,
            pdf_variant="pdf/ua-1",
            pdf_tags=True,
            pdf_identifier=identifier.encode("ascii"),
            custom_metadata=True,
            uncompressed_pdf=False,
        )
    finally:
        logger.removeHandler(handler)

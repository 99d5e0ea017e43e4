"""A book's PDF: the book's print page (:mod:`.book_html`) through the PDF writer.

The whole book is one print page, so the PDF writer (:mod:`.pdf`) does for a book what
it does for an article (tagging, page footnotes, tables fitted to their column,
metadata, PDF/UA or PDF/A) with the book's metadata, and ``book-paged.css`` adds
what a book needs: page numbers running on through every article, running heads per
article, the contents with leaders and page numbers (``target-counter``), and
bookmarks "Title — Author" per article, under their parts.

Long books are laid out in groups of chapters joined afterwards (:mod:`.book_parts`)
to bound memory; ``[build] pdf_layout`` in ``exporter.toml`` chooses (``auto``: in
groups when the book has more than :data:`WHOLE_LIMIT` characters of text, some 270
pages; laid out whole, 480 pages took about 600 MB: bench/ANTHOLOGY.md).
"""

from __future__ import annotations

from lxml import etree

from exporter.book import Book
from exporter.book import parts as book_parts
from exporter.book.html import BOOK_PAGED_CSS, blocks, print_root
from exporter.book.parts import absolute_images, attachments
from exporter.pagesetup import Resolved
from exporter.writers import pdf

__all__ = ["render", "layout_mode", "absolute_images", "attachments", "WHOLE_LIMIT"]

#: books with more text than this (characters) are laid out in parts when pdf_layout = "auto"
WHOLE_LIMIT = 1_000_000


def layout_mode(book: Book) -> str:
    """"whole" or "parts", as the project asks (``auto``: by the length of the text)."""
    mode = book.project.pdf_layout
    if mode != "auto":
        return mode
    size = sum(len(block) for block in book.text_blocks())
    return "parts" if size > WHOLE_LIMIT else "whole"


def render(book: Book) -> bytes:
    if layout_mode(book) == "parts":
        return book_parts.render(book)

    def page() -> tuple[etree._Element, Resolved]:
        return print_root(book, blocks(book), images=absolute_images)

    pdf.layout(book.ctx, page=page, extra_css=BOOK_PAGED_CSS)
    return pdf.render(book.ctx, attachments=attachments(book))

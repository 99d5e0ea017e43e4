"""``.xhtml`` sources: the canonical model file, or any other XHTML page.

A document whose ``<body>`` is exactly one ``<article>`` is the model file
(:mod:`.model`). Anything else — an e-book chapter, a page saved as XHTML — is read as
XML (named entities of XHTML 1.x DTDs resolved from the bundled set, see
:mod:`.entities`) and imported like a web page (:mod:`.html`). A page that is not
well-formed XML is an error with its line (a model file being edited must not be guessed
at); inside an EPUB, such a document is read with the HTML5 parser instead (S029).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.importers import html
from exporter.importers import model as model_importer
from exporter.importers._common import read_source
from exporter.model import Article, unqualify
from exporter.model.file import is_model_document

if TYPE_CHECKING:
    from exporter.settings import Settings

__all__ = ["read", "parse_xhtml"]


def parse_xhtml(data: bytes, path: Path, diagnostics: Diagnostics, *, lenient: bool = False) -> etree._Element:
    """An XHTML document as a tree of un-namespaced HTML elements (MathML, SVG keep theirs).

    A document that cannot be read as XML is an error (with its line), unless ``lenient``
    (documents inside an e-book): then it is read with the HTML5 parser, with S029.
    """
    from exporter.importers.entities import parse_with_entities

    try:
        root = parse_with_entities(data, path, diagnostics).getroot()
    except SourceError as error:
        if not lenient:
            raise
        # e-books in the wild: tag soup, or HTML entities without a DTD. The HTML5 parser
        # reads both (and never expands entities a document declares itself).
        diagnostics.add("S029", f"{error.message}; read as HTML instead", file=path, line=error.line,
                        hint="fix the markup to keep it XHTML")
        from exporter.importers._common import clean_text
        from exporter.importers.htmlparse import decode_html, parse_html
        from exporter.importers.rawhtml import confine_page

        text = clean_text(decode_html(data, path, diagnostics), path, diagnostics)
        return parse_html(confine_page(text, path, diagnostics))
    return unqualify(root)


def read(path: Path, diagnostics: Diagnostics, settings: Settings | None = None) -> Article:
    data = read_source(path)
    if is_model_document(data):
        return model_importer.read(path, diagnostics, settings)
    return html.read_tree(parse_xhtml(data, path, diagnostics), path, diagnostics, settings)

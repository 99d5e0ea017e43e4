"""Shared pieces of the JATS importer: names, element sets and small tree helpers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from exporter.model import MATHML_NS, normalize_space

if TYPE_CHECKING:
    from exporter.diagnostics import Diagnostics
    from exporter.importers.assets import Assets

XLINK = "{http://www.w3.org/1999/xlink}"
M = f"{{{MATHML_NS}}}"
ARTICLE = re.compile(rb"<(?:\w+:)?article[\s>]")

INLINE = {"italic": "i", "bold": "b", "sup": "sup", "sub": "sub", "monospace": "code", "underline": "u",
          "strike": "s", "sc": ("span", "smallcaps"), "abbrev": "abbr", "ruby": "ruby", "rb": "rb", "rt": "rt",
          "rp": "rp", "code": "code", "preformat": "code", "def": "dfn"}
UNWRAP = {"named-content", "styled-content", "roman", "sans-serif", "overline", "num", "x", "kwd",
          "textual-form", "funding-source", "award-id", "institution", "institution-wrap", "addr-line",
          "country", "city", "state", "postal-code", "label", "string-name", "name", "surname", "given-names",
          "suffix", "prefix", "collab", "year", "month", "day", "source", "article-title", "volume", "issue",
          "fpage", "lpage", "publisher-name", "publisher-loc", "comment", "chem-struct", "phone", "fax",
          "private-char", "glyph-data", "term", "price", "std", "std-organization", "season", "edition",
          "fn-group", "person-group", "etal", "sig", "sig-block", "attrib", "related-object",
          "inline-supplementary-material", "role", "element-citation", "mixed-citation", "citation-alternatives",
          "target", "hr", "index-term", "index-term-range-end", "milestone-start", "milestone-end",
          "conf-name", "conf-loc", "conf-date", "date-in-citation", "chapter-title", "part-title", "data-title",
          "version", "uri", "trans-title", "trans-source", "object-id", "elocation-id", "issn", "isbn",
          "patent", "series", "size", "page-range", "supplement", "volume-series", "issue-title"}
SKIP = {"object-id", "permissions", "alt-text", "long-desc", "sec-meta", "counts", "custom-meta-group",
        "institution-id",
        "processing-meta", "index-term", "alternatives-meta", "glyph-data", "glyph-ref"}
BLOCK = {"p", "sec", "list", "def-list", "fig", "fig-group", "table-wrap", "table-wrap-group", "boxed-text",
         "disp-quote", "disp-formula", "disp-formula-group", "code", "preformat", "speech", "verse-group",
         "statement", "supplementary-material", "media", "graphic", "table", "array", "chem-struct-wrap",
         "ack", "ref-list", "app-group", "app", "glossary", "notes", "fn-group", "title", "question-wrap",
         "answer", "question", "explanation", "block-alternatives", "alternatives"}


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def text(el: etree._Element | None) -> str:
    return normalize_space("".join(el.itertext())) if el is not None else ""


class Converter:
    """The JATS converter as its mixins (:mod:`.inline`, :mod:`.floats`) see it: its
    state, and the methods one part calls on another (declared for the type checker;
    ``exporter.importers.jats._Jats`` and the mixins define them)."""

    path: Path
    diagnostics: Diagnostics
    assets: Assets
    root: etree._Element
    ids: set[str]
    notes: list[etree._Element]
    licences: list[tuple[str, str, int | None]]
    note_ids: set[str]

    if TYPE_CHECKING:
        def inline(self, source: etree._Element, target: etree._Element) -> None: ...
        def blocks(self, source: etree._Element, target: etree._Element, level: int) -> None: ...
        def block(self, el: etree._Element, target: etree._Element, level: int) -> None: ...
        def _heading(self, source: etree._Element, target: etree._Element, level: int) -> None: ...
        def _best(self, el: etree._Element) -> etree._Element | None: ...
        def _formula(self, el: etree._Element, target: etree._Element, display: bool) -> None: ...
        def note(self, fn: etree._Element) -> None: ...
        def fn_paragraph(self, fn: etree._Element, target: etree._Element) -> None: ...
        def report(self, code: str, key: str, message: str, line: int | None, hint: str) -> None: ...

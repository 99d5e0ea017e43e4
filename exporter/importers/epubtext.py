"""What the documents of an EPUB say about themselves: the language and direction each
content document declares, settled against the package's (:func:`settle_language`), and
the pages of the spine that are SVG drawings (:func:`svg_page`). A part of
:mod:`exporter.importers.epub`."""

from __future__ import annotations

import posixpath
from collections import Counter
from pathlib import Path

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.importers.sanitize import SVG_NS
from exporter.model import XML_LANG, Metadata, direction_of, normalize_space, valid_language
from exporter.safety.xml import parse_xml

__all__ = ["declared", "same_language", "settle_language", "svg_page"]


def same_language(a: str, b: str) -> bool:
    """``en`` and ``en-GB`` name the same language (one tag refines the other)."""
    a, b = a.lower(), b.lower()
    return a == b or a.startswith(b + "-") or b.startswith(a + "-")


def declared(tree: etree._Element, body: etree._Element) -> tuple[str, str]:
    """(language, direction) a content document declares on its body, else its root."""
    language = direction = ""
    for el in (body, tree):
        value = (el.get(XML_LANG) or el.get("lang") or "").strip()
        if not language and value and valid_language(value):
            language = value
        value = (el.get("dir") or "").strip().lower()
        if not direction and value in ("ltr", "rtl"):
            direction = value
    return language, direction


def settle_language(meta: Metadata, chapters: list[tuple[etree._Element, str, str]],
                    progression: tuple[str, int | None], diagnostics: Diagnostics, opf_label: Path) -> None:
    """Language and direction come from the content documents first (``lang``/``xml:lang``
    and ``dir`` on ``html`` or ``body``), the package second (``dc:language``): the book's
    are what most documents declare, and a chapter that declares others keeps them.
    ``chapters``: each chapter with the (language, direction) its document declares.
    ``page-progression-direction`` orders pages; it does not make text right-to-left (a
    Japanese book set vertically is right-to-left in pages, left-to-right in text)."""
    languages = [language for _, language, _ in chapters if language]
    directions = [direction for _, _, direction in chapters if direction]
    package = meta.language
    if languages:
        most = Counter(languages).most_common(1)[0][0]
        if not package or not same_language(package, most):
            meta.language = most
        if package and not same_language(package, most):
            diagnostics.add("S029", f"the package's language '{package}' is not its documents' ('{most}'); "
                            "the documents' is used", file=opf_label, hint="make dc:language the language of the text")
    meta.direction = Counter(directions).most_common(1)[0][0] if directions else None
    for chapter, language, direction in chapters:
        if language and not same_language(language, meta.language) and not chapter.get("lang"):
            chapter.set("lang", language)
        shown = direction or (direction_of(language) if language else "")
        if shown and shown != meta.dir and not chapter.get("dir"):
            chapter.set("dir", shown)
    order, line = progression
    if order == "rtl" and meta.dir == "ltr":
        diagnostics.add("S033", "page-progression-direction 'rtl' not followed: the text is left-to-right "
                        f"(language '{meta.language or 'unknown'}', no dir='rtl' in its documents)",
                        file=opf_label, line=line, hint="exporter sets text horizontally; pages follow the text's direction")


def svg_page(data: bytes, name: str, label: Path, line: int | None, diagnostics: Diagnostics,
             opf_label: Path) -> etree._Element:
    """An SVG document of the spine as a page holding it as an image (the image is
    cleaned by :mod:`exporter.safety.svg` when the writers fetch it); its ``<title>``
    (else ``<desc>``) is the text alternative."""
    alt = ""
    try:
        drawing = parse_xml(data, label).getroot()
        for tag in ("title", "desc"):
            found = drawing.find(f"{{{SVG_NS}}}{tag}")
            if found is not None and normalize_space("".join(found.itertext())):
                alt = normalize_space("".join(found.itertext()))
                break
    except SourceError as error:
        diagnostics.add("S035", f"'{name}' is not a readable SVG document: {error.message}",
                        file=opf_label, line=line, hint="")
    page = etree.Element("html")
    body = etree.SubElement(page, "body")
    img = etree.SubElement(etree.SubElement(body, "figure"), "img", src=posixpath.basename(name), alt=alt)
    img.sourceline = line
    return page

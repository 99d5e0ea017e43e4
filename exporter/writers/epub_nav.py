"""Navigation: the EPUB 3 navigation document (table of contents, landmarks, page
list) and the NCX that older reading systems read (navMap and pageList)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from lxml import etree

from ..model import EPUB_NS, XHTML_NS, XML_LANG, normalize_space
from .epub_pages import Marker
from .epub_semantics import EPUB_TYPE

__all__ = ["Entry", "toc_entries", "nav_document", "ncx_document", "xhtml_bytes"]

X = f"{{{XHTML_NS}}}"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
N = f"{{{NCX_NS}}}"


@dataclass(frozen=True)
class Entry:
    level: int  #: 1 for the article's title, 2 for h2, 3 for h3
    href: str  #: relative to the package folder
    text: str


def _heading_text(heading: etree._Element) -> str:
    """A heading's text without its note references."""
    parts = [heading.text or ""]
    for child in heading:
        if child.get("role") != "doc-noteref" and child.get("role") != "doc-pagebreak":
            parts.append(_heading_text(child))
        parts.append(child.tail or "")
    return normalize_space("".join(parts))


def toc_entries(root: etree._Element, document: str, title: str) -> list[Entry]:
    """The title, then the page's h2/h3 headings (the notes heading included)."""
    entries = [Entry(1, document, title)]
    for heading in root.iter(f"{X}h2", f"{X}h3"):
        parent = heading.getparent()
        key = heading.get("id") or parent.get("id")
        if not key or any(a.tag == f"{X}nav" for a in heading.iterancestors()):
            continue
        if parent.get("role") == "doc-endnotes":
            key = parent.get("id") or key
        text = _heading_text(heading)
        if text:
            entries.append(Entry(int(heading.tag[-1]), f"{document}#{key}", text))
    return entries


def xhtml_bytes(root: etree._Element) -> bytes:
    return (b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
            + etree.tostring(root, encoding="utf-8") + b"\n")


def _rel(href: str, base: str) -> str:
    path, _, fragment = href.partition("#")
    rel = posixpath.relpath(path, posixpath.dirname(base) or ".")
    return rel + (f"#{fragment}" if fragment else "")


def nav_document(*, href: str, lang: str, direction: str, title: str, css: str, words: dict[str, str],
                 entries: list[Entry], landmarks: list[tuple[str, str, str]], pages: list[Marker],
                 page_document: str) -> etree._Element:
    """The navigation document (serialise it with :func:`xhtml_bytes`)."""
    root = etree.Element(f"{X}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    root.set("lang", lang)
    root.set(XML_LANG, lang)
    root.set("dir", direction)
    head = etree.SubElement(root, f"{X}head")
    etree.SubElement(head, f"{X}meta", charset="utf-8")
    etree.SubElement(head, f"{X}title").text = title
    etree.SubElement(head, f"{X}link", rel="stylesheet", href=_rel(css, href))
    body = etree.SubElement(root, f"{X}body", {"class": "nav-page"})

    toc = etree.SubElement(body, f"{X}nav", {EPUB_TYPE: "toc", "id": "toc", "role": "doc-toc",
                                             "aria-labelledby": "toc-title"})
    etree.SubElement(toc, f"{X}h2", id="toc-title").text = words["contents"]
    ol = etree.SubElement(toc, f"{X}ol")
    open_items: dict[int, etree._Element] = {}
    for entry in entries:
        holder_level = max((lvl for lvl in open_items if lvl < entry.level), default=None)
        if holder_level is None:
            parent_list = ol
        else:
            holder = open_items[holder_level]
            parent_list = holder.find(f"{X}ol")
            if parent_list is None:
                parent_list = etree.SubElement(holder, f"{X}ol")
        li = etree.SubElement(parent_list, f"{X}li")
        etree.SubElement(li, f"{X}a", href=_rel(entry.href, href)).text = entry.text
        open_items[entry.level] = li
        for deeper in [lvl for lvl in open_items if lvl > entry.level]:
            del open_items[deeper]

    nav = etree.SubElement(body, f"{X}nav", {EPUB_TYPE: "landmarks", "id": "landmarks", "hidden": "hidden",
                                             "aria-labelledby": "landmarks-title"})
    etree.SubElement(nav, f"{X}h2", id="landmarks-title").text = words["landmarks"]
    ol = etree.SubElement(nav, f"{X}ol")
    for kind, target, text in landmarks:
        li = etree.SubElement(ol, f"{X}li")
        etree.SubElement(li, f"{X}a", {EPUB_TYPE: kind, "href": _rel(target, href)}).text = text

    if pages:
        nav = etree.SubElement(body, f"{X}nav", {EPUB_TYPE: "page-list", "id": "page-list", "role": "doc-pagelist",
                                                 "hidden": "hidden", "aria-labelledby": "page-list-title"})
        etree.SubElement(nav, f"{X}h2", id="page-list-title").text = words["pages"]
        ol = etree.SubElement(nav, f"{X}ol")
        for marker in pages:
            li = etree.SubElement(ol, f"{X}li")
            etree.SubElement(li, f"{X}a", href=_rel(f"{page_document}#{marker.id}", href)).text = marker.label
    return root


def ncx_document(*, href: str, identifier: str, lang: str, title: str, authors: list[str],
                 entries: list[Entry], pages: list[Marker], page_document: str, order,
                 pages_label: str = "Pages") -> bytes:
    """The NCX. ``order(href)`` gives a target's position in reading order (for playOrder)."""
    root = etree.Element(f"{N}ncx", nsmap={None: NCX_NS}, version="2005-1")
    root.set(XML_LANG, lang)
    head = etree.SubElement(root, f"{N}head")
    numbers = [int(m.label) for m in pages if m.label.isdigit()]
    for name, content in (("dtb:uid", identifier), ("dtb:depth", str(max(e.level for e in entries))),
                          ("dtb:totalPageCount", str(len(pages))),
                          ("dtb:maxPageNumber", str(max(numbers, default=0)))):
        etree.SubElement(head, f"{N}meta", name=name, content=content)
    etree.SubElement(etree.SubElement(root, f"{N}docTitle"), f"{N}text").text = title
    for author in authors:
        etree.SubElement(etree.SubElement(root, f"{N}docAuthor"), f"{N}text").text = author

    targets = [e.href for e in entries] + [f"{page_document}#{m.id}" for m in pages]
    positions = sorted(set(targets), key=order)
    play = {target: str(i) for i, target in enumerate(positions, start=1)}

    nav_map = etree.SubElement(root, f"{N}navMap")
    parents: dict[int, etree._Element] = {}
    for i, entry in enumerate(entries, start=1):
        holder = parents.get(max((lvl for lvl in parents if lvl < entry.level), default=0), nav_map)
        point = etree.SubElement(holder, f"{N}navPoint", id=f"nav-{i}", playOrder=play[entry.href])
        etree.SubElement(etree.SubElement(point, f"{N}navLabel"), f"{N}text").text = entry.text
        etree.SubElement(point, f"{N}content", src=_rel(entry.href, href))
        parents[entry.level] = point
        for deeper in [lvl for lvl in parents if lvl > entry.level]:
            del parents[deeper]
    if pages:
        page_list = etree.SubElement(root, f"{N}pageList")
        etree.SubElement(etree.SubElement(page_list, f"{N}navLabel"), f"{N}text").text = pages_label
        for marker in pages:
            target = f"{page_document}#{marker.id}"
            item = etree.SubElement(page_list, f"{N}pageTarget", id=f"pt-{marker.id}", type="normal",
                                    value=marker.label, playOrder=play[target])
            etree.SubElement(etree.SubElement(item, f"{N}navLabel"), f"{N}text").text = marker.label
            etree.SubElement(item, f"{N}content", src=_rel(target, href))
    return (b'<?xml version="1.0" encoding="utf-8"?>\n'
            + etree.tostring(root, encoding="utf-8") + b"\n")

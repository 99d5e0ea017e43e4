"""Navigation: the EPUB 3 navigation document (table of contents, landmarks, page
list), and what the NCX for older reading systems needs beyond what EbookLib writes.

EbookLib writes the NCX's head, title and navMap from the table of contents
(:func:`toc_tree`); :func:`complete_ncx` adds the language, the depth and page
counts, the authors, a ``playOrder`` that follows the reading order (page targets
among the headings) and the ``pageList``. The navigation document is exporter's own:
EbookLib's has no landmarks beyond the EPUB 2 guide, no ARIA roles or labels, and
takes its page list from its own page-break markup."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from exporter.model import EPUB_NS, XHTML_NS, XML_LANG, normalize_space
from exporter.writers.epub.pages import Marker
from exporter.writers.epub.semantics import EPUB_TYPE
from exporter.writers.policy import EPUB, add_policy

__all__ = ["Entry", "Node", "toc_entries", "toc_tree", "nav_document", "complete_ncx", "xhtml_bytes"]

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


#: an entry of the table of contents and the entries nested under it
Node = tuple[Entry, list["Node"]]


def toc_tree(entries: list[Entry]) -> list[Node]:
    """The entries nested by level: each under the nearest entry before it with a
    lower level (an h3 straight after the title goes under the title)."""
    top: list[Node] = []
    open_nodes: list[Node] = []
    for entry in entries:
        while open_nodes and open_nodes[-1][0].level >= entry.level:
            open_nodes.pop()
        node: Node = (entry, [])
        (open_nodes[-1][1] if open_nodes else top).append(node)
        open_nodes.append(node)
    return top


def xhtml_bytes(root: etree._Element) -> bytes:
    """An EPUB content document's bytes, with its Content-Security-Policy (:mod:`.policy`)."""
    add_policy(root, EPUB)
    text: bytes = etree.tostring(root, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + text + b"\n"


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

    def add_list(holder: etree._Element, nodes: list[Node]) -> None:
        ol = etree.SubElement(holder, f"{X}ol")
        for entry, children in nodes:
            li = etree.SubElement(ol, f"{X}li")
            etree.SubElement(li, f"{X}a", href=_rel(entry.href, href)).text = entry.text
            if children:
                add_list(li, children)
    add_list(toc, toc_tree(entries))

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


def complete_ncx(root: etree._Element, *, lang: str, authors: list[str], pages: list[Marker],
                 page_document: str, order: Callable[[str], tuple[int, int]], pages_label: str = "Pages") -> None:
    """Complete the NCX tree EbookLib wrote (head, docTitle, navMap): its language,
    ``dtb:depth`` and the page counts, a ``docAuthor`` for each author, ``playOrder``
    in reading order (``order(href)`` gives a target's position) and the ``pageList``.
    Targets are relative to the package folder, where the NCX is."""
    root.set(XML_LANG, lang)
    points = list(root.iter(f"{N}navPoint"))
    depth = max((sum(1 for _ in point.iterancestors(f"{N}navPoint")) + 1 for point in points), default=0)
    numbers = [int(m.label) for m in pages if m.label.isdigit()]
    values = {"dtb:depth": depth, "dtb:totalPageCount": len(pages), "dtb:maxPageNumber": max(numbers, default=0)}
    for meta in root.iterfind(f"{N}head/{N}meta"):
        if meta.get("name") in values:
            meta.set("content", str(values[meta.get("name")]))
    anchor = root.find(f"{N}docTitle")
    for author in reversed(authors):
        doc_author = etree.Element(f"{N}docAuthor")
        etree.SubElement(doc_author, f"{N}text").text = author
        anchor.addnext(doc_author)

    for i, point in enumerate(points, start=1):
        point.set("id", f"nav-{i}")
    if pages:
        page_list = etree.SubElement(root, f"{N}pageList")
        etree.SubElement(etree.SubElement(page_list, f"{N}navLabel"), f"{N}text").text = pages_label
        for marker in pages:
            item = etree.SubElement(page_list, f"{N}pageTarget", id=f"pt-{marker.id}", type="normal",
                                    value=marker.label)
            etree.SubElement(etree.SubElement(item, f"{N}navLabel"), f"{N}text").text = marker.label
            etree.SubElement(item, f"{N}content", src=f"{page_document}#{marker.id}")

    targets = list(root.iter(f"{N}navPoint", f"{N}pageTarget"))
    sources = [target.find(f"{N}content").get("src") for target in targets]
    play = {src: str(i) for i, src in enumerate(sorted(set(sources), key=order), start=1)}
    for target, src in zip(targets, sources):
        target.set("playOrder", play[src])

"""Print page numbers in the e-book: where each page of the PDF begins, marked in the
EPUB's text with ``epub:type="pagebreak"`` / ``role="doc-pagebreak"``.

The PDF writer lays the print page out once per build (:func:`pdf.layout`); this
module reads that layout. For every page it finds the first piece of content in the
page's flow (a line of text, or an image) and the element it belongs to, and how
many characters of that element's own text earlier pages already hold. The print
page and the e-book page come from the same render step (:func:`html.page`), so
their elements correspond one to one (an alignment of the two element trees absorbs what the
HTML parser adds, such as ``<tbody>``, and notes the PDF moves to the page foot); the marker goes into the
e-book element at the same character, moved to the end of a word that a page break
hyphenated. Running heads, footnote areas and generated content (list markers,
footnote calls) are not part of the flow and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from lxml import etree

from exporter.model import MATHML_NS, XHTML_NS
from exporter.settings import Context
from exporter.writers.epub.semantics import EPUB_TYPE

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

__all__ = ["Marker", "mark"]

X = f"{{{XHTML_NS}}}"
#: an element of the print tree (WeasyPrint parses it with xml.etree) or of the e-book page (lxml)
_Element: TypeAlias = "ET.Element | etree._Element"
#: characters a renderer inserts where it hyphenates (not in the source text)
_HYPHENS = frozenset("\u2010\u2011\u00ad-")
#: elements whose content may hold a marker between blocks
_FLOW = frozenset({"body", "article", "section", "div", "blockquote", "aside", "header", "footer", "li",
                   "dd", "td", "th", "nav", "main"})


@dataclass(frozen=True)
class Marker:
    label: str  #: the printed page number
    id: str  #: the marker's id in the content document


@dataclass
class _Start:
    number: int
    element: ET.Element | None = None  # the print tree's element (xml.etree) holding the first content
    rendered: str = ""  # its own text on earlier pages, as rendered (no whitespace)
    replaced: bool = False  # an image: the marker goes before the element


def mark(ctx: Context, root: etree._Element) -> list[Marker]:
    """Insert a marker for every page of the PDF into the e-book page ``root``."""
    from exporter.writers import pdf

    document, _ = pdf.layout(ctx)
    starts = _page_starts(document)
    if not starts:
        return []
    print_body = _body_of(document)
    epub_body = root.find(f"{X}body")
    mapping = _align(print_body, epub_body)
    used = {el.get("id") for el in root.iter(etree.Element) if el.get("id")}
    markers: list[Marker] = []
    pending: list[etree._Element] = []
    last: etree._Element | None = None
    for start in starts:
        span = _marker(start.number, used)
        target = mapping.get(id(start.element)) if start.element is not None else None
        if target is None:
            if start.element is not None:
                ctx.diagnostics.add("E007", f"the start of print page {start.number} could not be found in the "
                                    "e-book; its marker follows the previous page's", file=ctx.article.source)
            pending.append(span)
            markers.append(Marker(str(start.number), span.get("id")))
            continue
        _place(span, target, start)
        if last is not None and _before(span, last, epub_body):
            span.getparent().remove(span)  # a layout out of source order: keep the list in order
            _after(last, span)
        for earlier in pending:
            span.addprevious(earlier)
        pending.clear()
        last = span
        markers.append(Marker(str(start.number), span.get("id")))
    if pending:
        holder = epub_body.find(f".//{X}article") if epub_body.find(f".//{X}article") is not None else epub_body
        for span in pending:
            if last is not None:
                _after(last, span)
            else:
                holder.append(span)
            last = span
    return markers


# -- the layout ------------------------------------------------------------------------

def _walk(box: Any) -> Iterator[Any]:
    """A WeasyPrint box (untyped) and every box inside it."""
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _walk(child)


def _root_box(page: Any) -> Any:
    for child in page._page_box.children:
        if getattr(child, "element_tag", None) == "html":
            return child
    return page._page_box.children[0] if page._page_box.children else None


def _body_of(document: Any) -> ET.Element:
    root: ET.Element = _root_box(document.pages[0]).element
    return next((child for child in root if child.tag == "body"), root)


def _page_starts(document: Any) -> list[_Start]:
    from weasyprint.formatting_structure import boxes

    seen: dict[int, list[str]] = {}  # element -> its own text rendered so far (no whitespace)
    starts: list[_Start] = []
    for number, page in enumerate(document.pages, start=1):
        start = _Start(number)
        box_root = _root_box(page)
        for box in _walk(box_root) if box_root is not None else ():
            element = getattr(box, "element", None)
            if element is None or "::" in (getattr(box, "element_tag", "") or ""):
                continue
            if isinstance(box, boxes.TextBox):
                text = "".join(box.text.split())
                if not text or _repeated(element, seen.get(id(element), ())):
                    continue  # a table header repeated on a new page is not where the page starts
                if start.element is None:
                    start.element, start.rendered = element, "".join(seen.get(id(element), ()))
                seen.setdefault(id(element), []).append(text)
            elif isinstance(box, boxes.ReplacedBox) and start.element is None:
                start.element, start.replaced = element, True
        starts.append(start)
    return starts


def _repeated(element: ET.Element, seen: Sequence[str]) -> bool:
    """True when the element's own text has all been set already (a repeated header)."""
    if not seen:
        return False
    own = (element.text or "") + "".join(child.tail or "" for child in element)

    def letters(text: str) -> int:  # renderers add hyphens where they break words
        return sum(1 for char in text if not char.isspace() and char not in _HYPHENS)
    return sum(letters(part) for part in seen) >= letters(own)


# -- the two trees -----------------------------------------------------------------------

def _local(element: _Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _token(element: _Element) -> tuple[str, str]:
    return _local(element), element.get("class", "")


def _align(print_body: ET.Element, epub_body: etree._Element, lookahead: int = 60) -> dict[int, etree._Element]:
    """Print element (by id()) -> the corresponding e-book element.

    The two trees come from one render step, so they agree but for local differences:
    elements the HTML parser inserts (``<tbody>``), notes the PDF moves to the foot of
    the page. Walking both in document order and skipping the fewest elements where
    they differ matches them in linear time.
    """
    ours = [el for el in print_body.iter() if isinstance(el.tag, str)]
    theirs = [el for el in epub_body.iter(etree.Element) if isinstance(el.tag, str)]
    a, b = [_token(e) for e in ours], [_token(e) for e in theirs]
    mapping: dict[int, etree._Element] = {}
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            mapping[id(ours[i])] = theirs[j]
            i, j = i + 1, j + 1
            continue
        skip = next(((di, d - di) for d in range(1, lookahead) for di in range(d + 1)
                     if i + di < len(a) and j + d - di < len(b) and a[i + di] == b[j + d - di]), None)
        if skip is None:
            i, j = i + 1, j + 1
        else:
            i, j = i + skip[0], j + skip[1]
    return mapping


# -- placing a marker --------------------------------------------------------------------

def _marker(number: int, used: set[str]) -> etree._Element:
    base = f"page-{number}"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return etree.Element(f"{X}span", {"id": candidate, "role": "doc-pagebreak", EPUB_TYPE: "pagebreak",
                                      "aria-label": str(number)})


def _is_marker(element: etree._Element | None) -> bool:
    return element is not None and element.get("role") == "doc-pagebreak"


def _place(span: etree._Element, target: etree._Element, start: _Start) -> None:
    math = next((a for a in target.iterancestors() if a.tag == f"{{{MATHML_NS}}}math"), None)
    if target.tag.startswith(f"{{{MATHML_NS}}}"):
        target, start = (math if math is not None else target), _Start(start.number, replaced=True)
    if start.replaced:
        _before_element(span, target)
        return
    position = _source_offset(target, start.rendered)
    if position == 0:
        _before_element(span, target, inside=True)
        return
    _insert_in_text(span, target, position)


def _own_segments(element: etree._Element) -> list[tuple[etree._Element | None, str]]:
    """The element's own text: (None, text) then (child, child's tail) for each child."""
    segments = [(None, element.text or "")]
    segments += [(child, child.tail or "") for child in element]
    return segments


def _source_offset(element: etree._Element, rendered: str) -> int:
    """How many non-space characters of ``element``'s own text ``rendered`` covers."""
    if not rendered:
        return 0
    source = "".join("".join(text.split()) for _, text in _own_segments(element))
    i = 0
    for char in rendered:
        if i >= len(source):
            break
        if char == source[i] or char.casefold() == source[i].casefold():
            i += 1
        elif char in _HYPHENS:
            continue
        else:  # a renderer's substitution (e.g. a ligature or case mapping): keep in step
            i += 1
    return i


def _insert_in_text(span: etree._Element, element: etree._Element, offset: int) -> None:
    """Put ``span`` after the ``offset``-th non-space character of the element's own
    text, moved forward to the end of the word if that falls inside one."""
    count = 0
    for child, text in _own_segments(element):
        for index, char in enumerate(text):
            if char.isspace():
                continue
            if count == offset:
                while index > 0 and index < len(text) and not text[index].isspace() and not text[index - 1].isspace():
                    index += 1
                _split(span, element, child, text, index)
                return
            count += 1
    last_child, last_text = _own_segments(element)[-1]
    _split(span, element, last_child, last_text, len(last_text))


def _split(span: etree._Element, element: etree._Element, child: etree._Element | None, text: str,
           index: int) -> None:
    span.tail = text[index:] or None
    if child is None:
        element.text = text[:index] or None
        element.insert(0, span)
    else:
        child.tail = text[:index] or None
        child.addnext(span)


def _before_element(span: etree._Element, element: etree._Element, inside: bool = False) -> None:
    """Put ``span`` just before ``element``, as high up as it stays before the same content."""
    node = element
    while True:
        parent = node.getparent()
        if parent is None:
            break
        if _local(parent) in _FLOW:
            node.addprevious(span)
            return
        previous = node.getprevious()
        while _is_marker(previous):
            previous = previous.getprevious()
        if (parent.text or "").strip() or previous is not None:
            break
        node = parent
    if inside and _local(element) not in ("img", "math"):
        span.tail = element.text
        element.text = None
        element.insert(0, span)
    else:
        element.addprevious(span)


def _before(a: etree._Element, b: etree._Element, body: etree._Element) -> bool:
    """True when ``a`` comes before ``b`` in document order."""
    for element in body.iter(etree.Element):
        if element is a:
            return True
        if element is b:
            return False
    return False


def _after(anchor: etree._Element, span: etree._Element) -> None:
    span.tail = anchor.tail
    anchor.tail = None
    anchor.addnext(span)

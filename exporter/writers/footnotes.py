"""Page footnotes for the PDF, made from the page's one note model.

:func:`exporter.writers.html.page` collects an article's notes into a numbered
``section.notes`` list with links both ways; the EPUB shows them as pop-up notes and
the browser page as endnotes. For the PDF, :func:`move_to_call_sites` moves each note
body next to its first reference as a ``span.footnote`` that ``paged.css`` floats to
the foot of the page (``float: footnote``). The reference itself stays a link with the
note's number, so numbering is the same in every format; WeasyPrint's own footnote call
is switched off in CSS and its marker shows ``data-n``.

A note body sits inside a paragraph once moved, so its blocks become spans that CSS
sets as blocks (the HTML parser would otherwise close the paragraph). A note that
holds what cannot be set at the foot of a page (a table, figure, code block, math) or
that is never referenced stays in the notes list at the end, keeping its number.
"""

from __future__ import annotations

from lxml import etree

from exporter.model.tree import remove_keep_tail

__all__ = ["move_to_call_sites", "label_headings"]

#: note blocks that can be set as spans inside a paragraph: tag -> class
_BLOCKS = {"p": "fn-p", "blockquote": "fn-quote", "ul": "fn-list", "ol": "fn-list fn-ol", "li": "fn-li",
           "div": "fn-p", "h2": "fn-h", "h3": "fn-h", "h4": "fn-h", "h5": "fn-h", "h6": "fn-h", "dl": "fn-list",
           "dt": "fn-dt", "dd": "fn-dd", "hr": "fn-hr"}
_KEEP_AT_END = {"table", "figure", "pre", "math", "aside", "section", "img"}


def _classes(element: etree._Element) -> list[str]:
    classes: list[str] = element.get("class", "").split()
    return classes


def move_to_call_sites(root: etree._Element) -> int:
    """Turn the page's endnotes into footnotes at their first reference; return how many.
    A page holding several articles (a book) has a notes list in each: each article's
    notes go to the references in that article."""
    moved = 0
    for section in [s for s in root.iter("section") if "notes" in _classes(s)]:
        scope = next((a for a in section.iterancestors("article")), root)
        moved += _move_section(scope, section)
    return moved


def _move_section(root: etree._Element, section: etree._Element) -> int:
    ol = section.find("ol")
    if ol is None:
        return 0
    first_refs: dict[str, etree._Element] = {}
    for a in root.iter("a"):
        if "noteref" in _classes(a) and not _inside(a, section):
            key = a.get("href", "")[1:]
            first_refs.setdefault(key, a)
    moved = 0
    for number, li in enumerate(list(ol.findall("li")), start=1):
        number = int(li.get("value", number))
        key = li.get("id")
        ref = first_refs.get(key)
        if ref is None or any(el.tag in _KEEP_AT_END for el in li.iter(etree.Element)):
            li.set("value", str(number))  # keeps its number when notes before it move out
            continue
        footnote = _footnote(li, number)
        footnote.tail, ref.tail = ref.tail, None
        ref.addnext(footnote)
        ol.remove(li)
        moved += 1
    if not len(ol):
        parent = section.getparent()
        remove_keep_tail(section, keep_blank=False)
        if parent is not None and parent.tag == "div" and not len(parent) and not (parent.text or "").strip():
            remove_keep_tail(parent, keep_blank=False)
    return moved


def _inside(element: etree._Element, ancestor: etree._Element) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def _footnote(li: etree._Element, number: int) -> etree._Element:
    footnote = etree.Element("span", {"class": "footnote", "id": li.get("id"), "data-n": str(number)})
    if li.get("lang"):
        footnote.set("lang", li.get("lang"))
    for backlink in [a for a in li.iter("a") if "backlink" in _classes(a)]:
        remove_keep_tail(backlink, keep_blank=False)
    footnote.text = (li.text or "").strip() or None
    for child in list(li):
        footnote.append(child)
    for el in footnote.iter(etree.Element):
        if el is not footnote and el.tag in _BLOCKS:
            el.set("class", " ".join([_BLOCKS[el.tag], *_classes(el)]))
            el.tag = "span"
            # white space between blocks would become text next to the note's marker
            if el.tail is not None and not el.tail.strip():
                el.tail = None
            if el.text is not None and not el.text.strip() and len(el):
                el.text = None
    _trim_end(footnote)
    return footnote


def _trim_end(element: etree._Element) -> None:
    """Drop the space left at the end where the backlink was."""
    while len(element):
        last = element[-1]
        if last.tail and last.tail.strip():
            last.tail = last.tail.rstrip()
            return
        last.tail = None
        element = last
    if element.text:
        element.text = element.text.rstrip()


def label_headings(root: etree._Element) -> None:
    """Give headings that hold a note call a ``data-bookmark`` without it (and without
    the footnote), which ``paged.css`` uses as the PDF bookmark's label."""
    def text(element: etree._Element) -> str:
        parts = [element.text or ""]
        for child in element:
            if not {"noteref", "footnote"} & set(_classes(child)):
                parts.append(text(child))
            parts.append(child.tail or "")
        return "".join(parts)

    for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        if any({"noteref", "footnote"} & set(_classes(el)) for el in heading.iter(etree.Element)):
            heading.set("data-bookmark", " ".join(text(heading).split()))

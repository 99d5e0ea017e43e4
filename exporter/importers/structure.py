"""Make an imported body follow the model's content rules (``docs/model.md``).

Importers map elements one by one; what comes out may still break the vocabulary's
nesting rules, because real sources do (text loose in a ``<div>``, a ``<div>`` inside
a ``<p>``, a list item outside a list). :func:`finish` repairs the whole body in one
pass, the way a careful copy editor would, without losing text:

* loose text and inline elements in block containers are wrapped in paragraphs
  (split where a ``<br>`` separates lines, as in pages written with ``<br>`` breaks);
* a block inside a paragraph or heading splits it; a block inside an inline element
  is unwrapped; list items, rows and cells get the parents they need;
* a paragraph that holds only an image becomes a figure;
* headings are renumbered so the top level is ``h2`` (the title is ``h1``);
* ids become valid XML names, duplicates are renamed (M003) and links follow them;
* note references must point at a note, else they become plain links;
* empty paragraphs and inline elements, and stray ``<br>`` at the edges of a block, go.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.model import BLOCKS, ELEMENTS, MATHML_NS, PHRASING, tree
from exporter.model.tree import append_text, remove_keep_tail

__all__ = ["walk_fix", "wrap_inline", "unwrap", "TEXT_CONTAINERS", "is_block", "is_inline", "NCNAME"]

M = f"{{{MATHML_NS}}}"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: block containers whose loose inline content becomes paragraphs
PARAGRAPH_HOSTS = {"article", "section", "blockquote", "aside", "div", "figure"}
#: elements that hold inline content only (a block inside splits them or is unwrapped)
TEXT_CONTAINERS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "dt"}
_SPACE = re.compile(r"[ \t\n\r\f]+")
NCNAME = re.compile(r"^[^\W\d][\w.\-\u00b7\u0300-\u036f\u203f\u2040\u200c\u200d]*$")


def _tag(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return "math" if tag == f"{M}math" else tag


def is_block(el: etree._Element) -> bool:
    """A block-level element of the model (math counts as inline: it may sit in text)."""
    tag = _tag(el)
    return tag != "math" and (tag in BLOCKS or tag in ("li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
                                                        "tfoot", "caption", "figcaption", "h1"))


def is_inline(el: etree._Element) -> bool:
    tag = _tag(el)
    return tag in PHRASING or tag == "math" or tag in ("rb", "rt", "rp")


# ---------------------------------------------------------------------------------
# small tree helpers
# ---------------------------------------------------------------------------------

def unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content (text, children and tail kept in place). An id it
    carried moves to its first child element, or stays as an empty ``span`` anchor."""
    parent = el.getparent()
    if parent is None:
        return
    if el.get("id"):
        first = next((c for c in el if isinstance(c.tag, str) and not c.tag.startswith("{")), None)
        if first is not None and not first.get("id"):
            first.set("id", el.get("id"))
        else:
            anchor = etree.Element("span", id=el.get("id"))
            anchor.tail = el.text
            el.text = None
            el.insert(0, anchor)
    tree.unwrap(el)


def _new(tag: str, like: etree._Element, **attrs: str) -> etree._Element:
    el = etree.Element(tag, **attrs)
    if like.sourceline:
        el.sourceline = like.sourceline
    return el


# ---------------------------------------------------------------------------------
# wrapping loose inline content
# ---------------------------------------------------------------------------------

def wrap_inline(container: etree._Element, wrapper: str = "p", split_br: bool = True,
                keep: frozenset[str] | set[str] = frozenset()) -> None:
    """Wrap runs of text and inline children of ``container`` in ``wrapper`` elements.

    With ``split_br``, a ``<br>`` between inline runs ends a paragraph (pages written
    with ``<br>`` line breaks instead of paragraphs). Children whose tag is in ``keep``
    stay where they are.
    """
    items: list[tuple[str, Any]] = []  # sequence of ("text", str) / ("el", element)
    if container.text:
        items.append(("text", container.text))
    for child in list(container):
        items.append(("el", child))
        if child.tail:
            items.append(("text", child.tail))
        child.tail = None
        container.remove(child)
    container.text = None
    run: etree._Element | None = None

    def close() -> None:
        nonlocal run
        if run is not None:
            if not _has_content(run):
                container.remove(run)
            run = None

    for kind, value in items:
        if kind == "text":
            if not value.strip(" \t\n\r\f"):
                if run is not None:
                    append_text(run, value)
                continue
            if run is None:
                run = _new(wrapper, container)
                container.append(run)
            append_text(run, value)
            continue
        el = value
        if not isinstance(el.tag, str):  # comments and processing instructions
            continue
        if is_inline(el) and _tag(el) not in keep:
            if _tag(el) == "br" and split_br:
                close()
                continue
            if run is None:
                run = _new(wrapper, el)
                container.append(run)
            run.append(el)
        else:
            close()
            container.append(el)
    close()


def _has_content(el: etree._Element) -> bool:
    if (el.text or "").strip(" \t\n\r\f"):
        return True
    for child in el:
        if not isinstance(child.tag, str):
            if (child.tail or "").strip(" \t\n\r\f"):
                return True
            continue
        if _tag(child) not in ("br", "wbr") or (child.tail or "").strip(" \t\n\r\f"):
            return True
    return False


# ---------------------------------------------------------------------------------
# the repair pass
# ---------------------------------------------------------------------------------

def _split_around_blocks(p: etree._Element) -> None:
    """A text block (p, h2…) with block children: split it around them."""
    parent = p.getparent()
    if not any(is_block(c) for c in p):
        return
    index = parent.index(p)
    pieces: list[etree._Element] = []
    current = _new(p.tag, p, **dict(p.attrib))
    current.text = p.text
    for child in list(p):
        tail = child.tail
        child.tail = None
        if is_block(child):
            pieces.append(current)
            pieces.append(child)
            current = _new(p.tag, p, **{k: v for k, v in p.attrib.items() if k != "id"})
            current.text = tail
        else:
            current.append(child)
            child.tail = tail
    pieces.append(current)
    p.tail, tail = None, p.tail
    parent.remove(p)
    kept = [piece for piece in pieces if piece is not None and (piece.tag not in TEXT_CONTAINERS or _has_content(piece)
                                                                or piece.get("id"))]
    for offset, piece in enumerate(kept):
        parent.insert(index + offset, piece)
    if kept:
        kept[-1].tail = tail


def _fix_children(el: etree._Element, diagnostics: Diagnostics, source: Path) -> None:
    tag = _tag(el)
    rule = ELEMENTS.get(tag)
    if rule is None or tag == "math":
        return
    # 1. blocks inside text blocks split them (done from the parent, which can hold blocks)
    for child in list(el):
        if _tag(child) in TEXT_CONTAINERS and tag not in TEXT_CONTAINERS:
            _split_around_blocks(child)
    # 2. loose inline content in block-only containers
    if not rule.text:
        loose = (el.text or "").strip(" \t\n\r\f") or any(
            is_inline(c) and _tag(c) not in rule.children
            for c in el if isinstance(c.tag, str)) or any((c.tail or "").strip(" \t\n\r\f") for c in el)
        if loose:
            if tag in PARAGRAPH_HOSTS:
                wrap_inline(el, "p", keep=rule.children)
            elif tag in ("ul", "ol"):
                wrap_inline(el, "li", split_br=False)
            elif tag == "dl":
                wrap_inline(el, "dd", split_br=False)
            elif tag in ("tr",):
                wrap_inline(el, "td", split_br=False)
            elif tag in ("thead", "tbody", "tfoot", "table"):
                _drop_loose_text(el, diagnostics, source)
            else:
                _drop_loose_text(el, diagnostics, source)
        else:
            el.text = None
            for child in el:
                child.tail = None
    # 3. children the element may not hold
    for child in list(el):
        ctag = _tag(child)
        if not isinstance(child.tag, str):
            continue
        if child.tag.startswith("{") and ctag != "math":
            remove_keep_tail(child)
            continue
        if ctag in rule.children:
            continue
        if tag in TEXT_CONTAINERS and is_block(child) and el.getparent() is not None:
            continue  # the parent splits this paragraph around the block
        _misplaced(el, child, diagnostics, source)


def _drop_loose_text(el: etree._Element, diagnostics: Diagnostics, source: Path) -> None:
    text = " ".join(filter(None, [(el.text or "").strip()] + [(c.tail or "").strip() for c in el]))
    if text:
        diagnostics.add("S020", f"text '{text[:60]}' directly inside <{el.tag}> has no place in the model; "
                        "it was moved into a cell" if el.tag == "tr" else
                        f"text '{text[:60]}' directly inside <{el.tag}> was dropped",
                        file=source, line=el.sourceline, hint="put the text inside a cell or a caption")
    el.text = None
    for child in el:
        child.tail = None


def _misplaced(parent: etree._Element, child: etree._Element, diagnostics: Diagnostics, source: Path) -> None:
    ptag, ctag = _tag(parent), _tag(child)
    if ctag == "li":
        if ptag in ("ul", "ol"):
            return
        child.tag = "p" if ptag in PARAGRAPH_HOSTS or ptag in ("li", "dd") else "span"
        return
    if ctag in ("dt", "dd") and ptag != "dl":
        child.tag = "p" if ptag in PARAGRAPH_HOSTS or ptag in ("li", "dd") else "span"
        return
    if ctag == "tr" and ptag == "table":
        return
    if ptag == "table" and ctag == "col":  # JATS and old HTML put col right in the table
        previous = child.getprevious()
        if previous is not None and _tag(previous) == "colgroup" and previous.get("span") is None:
            previous.append(child)
        else:
            group = _new("colgroup", child)
            parent.replace(child, group)
            group.append(child)
        return
    if ptag == "table":
        if ctag in ("td", "th"):
            row = _new("tr", child)
            parent.replace(child, row)
            row.append(child)
            return
        _move_after(parent, child)
        return
    if ptag in ("thead", "tbody", "tfoot") and ctag in ("td", "th"):
        row = _new("tr", child)
        parent.replace(child, row)
        row.append(child)
        return
    if ptag in ("ul", "ol"):
        item = _new("li", child)
        parent.replace(child, item)
        item.append(child)
        return
    if ptag == "dl":
        if ctag == "div":
            unwrap(child)
            return
        item = _new("dd", child)
        parent.replace(child, item)
        item.append(child)
        return
    if ptag == "tr":
        cell = _new("td", child)
        parent.replace(child, cell)
        cell.append(child)
        return
    if ctag == "h1":
        child.tag = "h2"
        return
    if ctag == "a" and ptag == "a" or ctag in ("div", "section", "aside", "blockquote", "figure", "header"):
        unwrap(child)
        return
    if ptag == "pre":
        unwrap(child)
        return
    if ptag == "figure":
        if ctag in ("ul", "ol", "dl", "hr", "h2", "h3", "h4", "h5", "h6", "section"):
            _move_after(parent, child)
        elif ctag == "figcaption":
            return
        else:
            unwrap(child)
        return
    if ctag in ("ul", "ol", "dl", "table", "pre", "hr") and ptag in ("td", "th") and ctag in ("ul", "ol"):
        return
    if ctag == "table":
        diagnostics.add("S040", f"a table inside <{ptag}> was flattened to its text", file=source,
                        line=child.sourceline, hint="avoid tables nested in cells or paragraphs")
        for cell in child.iter("td", "th"):
            cell.tail = (cell.tail or "") + " "
        for part in list(child.iter("caption", "thead", "tbody", "tfoot", "tr", "td", "th", "colgroup", "col")):
            if part.tag in ("colgroup", "col"):
                remove_keep_tail(part)
        for part in reversed(list(child.iter("caption", "thead", "tbody", "tfoot", "tr", "td", "th"))):
            unwrap(part)
        unwrap(child)
        return
    if ctag == "hr":
        remove_keep_tail(child)
        return
    if ctag in ("ul", "ol", "dl"):
        for item in child.iter("li", "dt", "dd"):
            item.tail = (item.tail or "") + " "
        for item in reversed(list(child.iter("li", "dt", "dd"))):
            unwrap(item)
        unwrap(child)
        return
    if ctag == "figcaption" or ctag == "caption":
        unwrap(child)
        return
    if ctag in ("p", "h2", "h3", "h4", "h5", "h6", "pre", "dt"):
        # block text in an inline context or a cell: keep the text, separate it
        child.tail = " " + (child.tail or "")
        unwrap(child)
        return
    if ctag == "img" and ptag == "figure":
        return
    if ctag in ("rb", "rt", "rp") and ptag != "ruby":
        unwrap(child) if ctag != "rp" else remove_keep_tail(child)
        return
    unwrap(child)


def _move_after(parent: etree._Element, child: etree._Element) -> None:
    tail = child.tail
    child.tail = None
    parent.remove(child)
    holder = parent.getparent()
    holder.insert(holder.index(parent) + 1, child)
    child.tail = parent.tail
    parent.tail = None
    if tail and tail.strip():
        append_text(parent, tail)


def walk_fix(el: etree._Element, diagnostics: Diagnostics, source: Path) -> None:
    for child in list(el):
        if isinstance(child.tag, str) and not child.tag.startswith("{"):
            walk_fix(child, diagnostics, source)
    if el.getparent() is not None or el.tag == "article":
        _fix_children(el, diagnostics, source)

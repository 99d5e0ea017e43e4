"""Tidying an imported body after its nesting is repaired (:mod:`.structure`): figures
from lone images, whitespace, empty elements, heading levels, valid and unique ids with
links that follow them, notes that must be referenced, wrapper divs that add nothing."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.importers.structure import (
    HEADINGS,
    NCNAME,
    PARAGRAPH_HOSTS,
    TEXT_CONTAINERS,
    M,
    _has_content,
    _tag,
    is_block,
    unwrap,
)
from exporter.model import (
    ELEMENTS,
    GLOBAL_ATTRS,
    NUMBER_RANGES,
    attribute_rule,
    is_noteref,
    note_numbers,
    table_order_ok,
    valid_attribute,
)
from exporter.model.dates import HINT, html_datetime
from exporter.model.links import allowed_link
from exporter.model.tree import append_text, remove_keep_tail, text_before

_SPACE = re.compile(r"[ \t\n\r\f]+")


def figures_from_images(body: etree._Element) -> None:
    """A paragraph holding only an image (and perhaps a line break) becomes a figure."""
    for p in list(body.iter("p")):
        imgs = [c for c in p if isinstance(c.tag, str)]
        if len(imgs) != 1 or imgs[0].tag != "img" or (p.text or "").strip() or (imgs[0].tail or "").strip():
            continue
        parent = p.getparent()
        if parent is None or _tag(parent) not in PARAGRAPH_HOSTS or _tag(parent) == "figure":
            continue
        p.tag = "figure"
        for name in list(p.attrib):
            if name not in ("id", "lang", "dir", "title"):
                del p.attrib[name]
        p.text = None
        imgs[0].tail = None


def tidy(body: etree._Element) -> None:
    for el in list(body.iter(etree.Element)):
        if not isinstance(el.tag, str):
            continue
        tag = _tag(el)
        if tag in ("pre",) or tag == "math" or el.tag.startswith("{") or any(
                a.tag == "pre" for a in el.iterancestors()):
            continue
        rule = ELEMENTS.get(tag)
        if rule is None:
            continue
        if not rule.text:
            el.text = None if not (el.text or "").strip(" \t\n\r\f") else el.text
            for child in el:
                if not (child.tail or "").strip(" \t\n\r\f"):
                    child.tail = None
        if el.text:
            el.text = _SPACE.sub(" ", el.text)
        for child in el:
            if child.tail:
                child.tail = _SPACE.sub(" ", child.tail)
    for el in body.iter(*TEXT_CONTAINERS, "li", "dd", "td", "th", "figcaption", "caption"):
        # no stray breaks or spaces at the edges of a block
        while len(el) and el[-1].tag == "br" and not (el[-1].tail or "").strip(" \t\n\r\f"):
            el.remove(el[-1])
        while len(el) and el[0].tag == "br" and not (el.text or "").strip(" \t\n\r\f"):
            tail = el[0].tail
            el.remove(el[0])
            el.text = tail
        if el.text:
            el.text = el.text.lstrip(" \t\n\r\f") or None
        last = el[-1] if len(el) else None
        if last is not None:
            if last.tail:
                last.tail = last.tail.rstrip(" \t\n\r\f") or None
        elif el.text:
            el.text = el.text.rstrip(" \t\n\r\f") or None


def fix_definition_lists(body: etree._Element) -> None:
    """Make every <dl> groups of terms followed by descriptions, as HTML requires.

    A list of terms only (a table of contents made with <dl>, as DocBook does) becomes a
    <ul>; terms at the end with no description get an empty one; descriptions before the
    first term get an empty term."""
    for dl in list(body.iter("dl")):
        items = [child for child in dl if isinstance(child.tag, str)]
        if items and all(child.tag == "dt" for child in items):
            dl.tag = "ul"
            for child in items:
                child.tag = "li"
            continue
        if items and items[0].tag == "dd":
            dl.insert(dl.index(items[0]), etree.Element("dt"))
        if items and items[-1].tag == "dt":
            items[-1].addnext(etree.Element("dd"))


def drop_empty(body: etree._Element) -> None:
    changed = True
    while changed:
        changed = False
        for el in list(body.iter(etree.Element)):
            tag = _tag(el)
            if el is body or not tag or tag == "math" or el.tag.startswith("{"):
                continue
            if tag in ("br", "wbr", "hr", "img", "col", "td", "th", "colgroup") or el.get("id") or (
                    tag == "a" and "noteref" in (el.get("class") or "")):
                continue
            if tag == "li" and _tag(el.getparent()) == "ol":
                continue  # an empty item still has its number: the items after it keep theirs
            if tag in ("p", "span", "em", "strong", "b", "i", "u", "s", "small", "sub", "sup", "mark", "cite",
                       "code", "q", "abbr", "dfn", "kbd", "samp", "var", "bdi", "ins", "del", "li", "dt", "dd",
                       "ul", "ol", "dl", "div", "blockquote", "aside", "figcaption", "caption", "tr", "thead",
                       "tbody", "tfoot", "table", "section", "figure", "a", "time", "ruby", "rb", "rt",
                       "h2", "h3", "h4", "h5", "h6", "pre"):
                if not _has_content(el) and not any(isinstance(c.tag, str) and _tag(c) in ("img", "math", "hr", "br")
                                                    for c in el.iter() if c is not el):
                    if tag == "td" or tag == "tr" and el.getparent() is not None and len(el.getparent()) == 1:
                        continue
                    remove_keep_tail(el)
                    changed = True


def normalize_headings(body: etree._Element) -> None:
    """Renumber headings so the shallowest is ``h2``, keeping their relative depth (max h6)."""
    levels = [int(h.tag[1]) for h in body.iter(*HEADINGS)]
    if not levels:
        return
    shift = min(levels) - 2
    if shift == 0:
        return
    for heading in body.iter(*HEADINGS):
        heading.tag = f"h{max(2, min(6, int(heading.tag[1]) - shift))}"


def close_heading_gaps(body: etree._Element) -> None:
    """No heading deeper than one level below the one before it (h2 → h4 becomes h2 → h3):
    outlines, tables of contents and accessibility checkers need an unbroken outline."""
    previous = 1  # the title
    for heading in body.iter(*HEADINGS):
        level = min(int(heading.tag[1]), previous + 1)
        heading.tag = f"h{max(level, 2)}"
        previous = max(level, 2)


def fix_datetimes(body: etree._Element, diagnostics: Diagnostics, source: Path) -> None:
    """``datetime`` of ``time``, ``del`` and ``ins`` as HTML allows it: a date in the
    model's form (``2017/01/19`` → ``2017-01-19``); one that is no date, time or
    duration, or an impossible date, is S026 and dropped (the element and its text stay)."""
    for el in body.iter("time", "del", "ins"):
        value = el.get("datetime")
        if value is None:
            continue
        fixed = html_datetime(value)
        if fixed is None:
            del el.attrib["datetime"]
            diagnostics.add("S026", f"datetime='{value}' is not a date, time or duration; dropped", file=source,
                            line=el.sourceline, hint=HINT)
        else:
            el.set("datetime", fixed)


def fix_ids(body: etree._Element, diagnostics: Diagnostics, source: Path) -> None:
    renamed: dict[str, str] = {}
    used: set[str] = set()
    for el in body.iter(etree.Element):
        if not isinstance(el.tag, str):
            continue
        value = el.get("id")
        if value is None:
            continue
        if el.tag.startswith(M):
            del el.attrib["id"]
            continue
        new = value.strip()
        if not NCNAME.match(new):
            new = re.sub(r"[^\w.\-\u00b7\u200c\u200d]", "-", new)
            new = new if new and NCNAME.match(new) else "id-" + new
        base, n = new, 2
        while new in used:
            new, n = f"{base}-{n}", n + 1
        if new != value and value in used:
            diagnostics.add("M003", f"duplicate id '{value}' renamed to '{new}'", file=source, line=el.sourceline,
                            hint="ids must be unique in the article")
        used.add(new)
        if value not in renamed:
            renamed[value] = new
        el.set("id", new)
    for a in body.iter("a"):
        href = a.get("href")
        if href and href.startswith("#"):
            target = urllib.parse.unquote(href[1:])
            a.set("href", "#" + renamed.get(target, renamed.get(href[1:], target)))


def fix_links(body: etree._Element, diagnostics: Diagnostics, source: Path) -> None:
    """Every link's address written as a valid URL (:mod:`exporter.model.links`), whichever
    importer made it; one that cannot be a URL is no link, its text kept (S025)."""
    for a in list(body.iter("a")):
        href = a.get("href")
        if href is None or href.startswith("#"):
            continue
        kept = allowed_link(href, documents=True)  # relative links are here only where a book allows them
        if kept == href:
            continue
        if kept is not None:
            a.set("href", kept)
            continue
        diagnostics.add("S025", f"link '{href[:80]}' cannot be a valid address; its text is kept", file=source,
                        line=a.sourceline or None, hint="fix the address")
        a.tag = "span"
        for name in list(a.attrib):
            if name not in ("id", "lang", "dir", "title"):
                del a.attrib[name]


#: values that say what HTML says in other words
_SYNONYMS = {"scope": {"column": "col", "columns": "col", "cols": "col", "rows": "row", "columngroup": "colgroup",
                       "rowgroups": "rowgroup", "colgroups": "colgroup"}}


def fix_attributes(body: etree._Element, diagnostics: Diagnostics, source: Path) -> None:
    """Every attribute value one HTML allows (:func:`~exporter.model.valid_attribute`):
    numbers out of range are brought into it, other words for a value become its name
    (``scope="column"`` is ``col``, ``reversed="yes"`` is ``reversed``), and what still
    is not a value HTML allows is dropped (S026, once per attribute name)."""
    reported: set[str] = set()
    for el in body.iter(etree.Element):
        tag = el.tag
        if not isinstance(tag, str) or tag.startswith("{") or tag not in ELEMENTS:
            continue
        allowed = GLOBAL_ATTRS | ELEMENTS[tag].attrs
        for name, value in list(el.attrib.items()):
            if name not in allowed or valid_attribute(tag, name, value):
                continue
            fixed = value.strip()
            if name in NUMBER_RANGES and re.fullmatch(r"[+-]?[0-9]+", fixed):
                least, greatest = NUMBER_RANGES[name]
                fixed = str(max(least, min(int(fixed), greatest)))
            elif name == "reversed":
                fixed = "reversed"  # a boolean attribute: there is the value
            elif name in ("scope", "dir"):
                fixed = fixed.lower()
                fixed = _SYNONYMS.get(name, {}).get(fixed, fixed)
            if valid_attribute(tag, name, fixed):
                el.set(name, fixed)
                continue
            del el.attrib[name]
            if name not in reported:
                reported.add(name)
                diagnostics.add("S026", f"{name}='{value[:40]}' on <{tag}> is not a value HTML allows; dropped",
                                file=source, line=el.sourceline or None, hint=f"{name} holds {attribute_rule(name)}")


_PART_RANK = {"caption": 0, "colgroup": 1, "thead": 2, "tbody": 3, "tr": 3, "tfoot": 4}


def fix_tables(body: etree._Element) -> None:
    """Tables in HTML's content model, whatever order the source gave (JATS may put
    ``tfoot`` first): one caption, then column groups (loose ``col`` gathered into one),
    one ``thead``, the bodies (rows beside ``tbody`` elements get one of their own), one
    ``tfoot``. A ``headers`` attribute keeps only the header cells of its own table."""
    for table in list(body.iter("table")):
        parts = [c for c in table if isinstance(c.tag, str)]
        if not table_order_ok(table) or any(c.tag == "col" for c in parts):
            _order_table(table, parts)
        for colgroup in table.findall("colgroup"):
            if colgroup.find("col") is not None:
                colgroup.attrib.pop("span", None)
        heads = {th.get("id") for th in table.iter("th") if th.get("id")}
        for cell in table.iter("td", "th"):
            if cell.get("headers") is None or next(cell.iterancestors("table")) is not table:
                continue
            kept = [key for key in cell.get("headers").split() if key in heads]
            if kept:
                cell.set("headers", " ".join(kept))
            else:
                del cell.attrib["headers"]


def _order_table(table: etree._Element, parts: list[etree._Element]) -> None:
    caption = thead = tfoot = colgroup = None
    bodies: list[etree._Element] = []
    rows: etree._Element | None = None  # the tbody gathering loose rows
    loose_rows = any(c.tag == "tr" for c in parts) and any(c.tag in ("tbody", "thead", "tfoot") for c in parts)
    for part in parts:
        table.remove(part)
        tag = part.tag
        if tag == "caption" and caption is not None:
            append_text(caption, " ")
            _move_content(part, caption)
        elif tag == "caption":
            caption = part
        elif tag == "col":
            if colgroup is None:
                colgroup = etree.Element("colgroup")
                bodies.append(colgroup)
            colgroup.append(part)
            continue
        elif tag in ("thead", "tfoot") and (thead if tag == "thead" else tfoot) is not None:
            target: etree._Element | None = thead if tag == "thead" else tfoot
            assert target is not None  # the condition above
            for row in part.findall("tr"):
                target.append(row)
        elif tag == "thead":
            thead = part
        elif tag == "tfoot":
            tfoot = part
        elif tag == "tr" and loose_rows:
            if rows is None:
                rows = etree.Element("tbody")
                bodies.append(rows)
            rows.append(part)
            continue
        else:
            bodies.append(part)
        if tag != "tr":
            rows = None
    ordered = sorted(bodies, key=lambda part: _PART_RANK.get(part.tag, 3))  # stable: bodies keep their order
    for part in [caption] + [p for p in ordered if p.tag == "colgroup"] + [thead] + [
            p for p in ordered if p.tag != "colgroup"] + [tfoot]:
        if part is not None:
            part.tail = None
            table.append(part)


def _move_content(source: etree._Element, target: etree._Element) -> None:
    append_text(target, source.text)
    for child in list(source):
        target.append(child)


def dissolve_wrappers(body: etree._Element) -> None:
    """Plain divs (no class, id, lang, dir) that only wrap blocks add nothing: unwrap them."""
    for div in reversed(list(body.iter("div"))):
        if div.attrib or (div.text or "").strip(" \t\n\r\f"):
            continue
        if all(isinstance(c.tag, str) and is_block(c) and not (c.tail or "").strip(" \t\n\r\f") for c in div):
            parent = div.getparent()
            if parent is not None and "div" in ELEMENTS.get(_tag(parent), ELEMENTS["p"]).children:
                unwrap(div)


def fix_notes(body: etree._Element) -> None:
    notes = {el.get("id") for el in body.iter("aside") if "note" in el.get("class", "").split() and el.get("id")}
    for aside in body.iter("aside"):
        classes = aside.get("class", "").split()
        if "note" in classes and not aside.get("id"):
            aside.set("class", " ".join(c for c in classes if c != "note") or "sidebar")
    for a in body.iter("a"):
        classes = a.get("class", "").split()
        if "noteref" in classes and (a.get("href", "")[1:] not in notes or not a.get("href", "").startswith("#")):
            rest = [c for c in classes if c != "noteref"]
            if rest:
                a.set("class", " ".join(rest))
            else:
                a.attrib.pop("class", None)
            if not (a.text or len(a)):
                a.text = "*"
        elif "noteref" in classes:
            parent = a.getparent()
            if parent.tag in ("sup", "sub") and len(parent) == 1 and not (parent.text or "").strip() and not (
                    a.tail or "").strip():
                a.tail = None
                unwrap(parent)
    _mark_references(body)


#: what a note reference shows when it is only a marker: 1, [1], (2), [1:1], *, †, a, iv …
_MARKER = re.compile(r"^[\[(]?\s*(\d+|[*†‡§¶‖#]+|[A-Za-z]|[ivxlcdmIVXLCDM]+)(:\d+)?\s*[\])]?$")


def _mark_references(body: etree._Element) -> None:
    """Every note reference shows the number every writer gives its note
    (:func:`~exporter.model.note_numbers`), so the model and the outputs read the same.
    A reference written as words (``<a epub:type="noteref">Smith 1989</a>``) keeps its
    words in the text, before the number."""
    numbers = note_numbers(body)
    for a in list(body.iter("a")):
        key = (a.get("href") or "")[1:]
        if not is_noteref(a) or key not in numbers:
            continue
        shown = " ".join("".join(a.itertext()).split())
        if shown and not _MARKER.match(shown):
            text_before(a, a.text or "")
            for child in list(a):
                a.addprevious(child)
        for child in list(a):
            a.remove(child)
        a.text = str(numbers[key])

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
from exporter.model import ELEMENTS
from exporter.model.dates import HINT, html_datetime
from exporter.model.tree import remove_keep_tail

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

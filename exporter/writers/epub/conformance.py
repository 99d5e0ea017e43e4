"""The rules behind the accessibility conformance claim that exporter can check itself,
on an e-book's documents as they are packaged.

One implementation for the writer, which claims EPUB Accessibility 1.1 / WCAG 2.2
Level AA only when :func:`shortfalls` finds none (:mod:`.a11y`), and for ``exporter
check`` (:mod:`exporter.checks.claims`), which reads the same documents back from the
EPUB and fails one that claims conformance and breaks a rule.

The rules, each reported in plain words when broken:

* every image has a text alternative (``alt``; ``alt=""`` marks a decorative image);
* every formula has a text alternative (``alttext`` or an annotation);
* every table has header cells;
* the publication and every document declare their language;
* language of parts: text in a script the language around it is not written in
  carries a ``lang`` (or is inside an element that does); Latin letters are not
  judged (names, technical terms and code are written in them in every language),
  nor Greek runs shorter than four letters (symbols);
* a table of contents, in reading order (its entries follow the spine and each
  document's order);
* a page list with live targets whenever a ``pageBreakSource`` is declared;
* heading levels do not skip (``role="heading"`` with its ``aria-level`` counts), and
  no heading is empty;
* every link has text (its own, an image's alternative, or an ``aria-label``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from exporter.model import EPUB_NS, MATHML_NS, XHTML_NS, XML_LANG
from exporter.model.scripts import CJK_FAMILY, runs, scripts_of

__all__ = ["Publication", "shortfalls", "unlabelled_passages"]

X = f"{{{XHTML_NS}}}"
M = f"{{{MATHML_NS}}}"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
_HEADINGS = tuple(f"{X}h{n}" for n in range(1, 7))
#: elements whose text is not running text in a language (code, formulas)
_NOT_PROSE = {f"{X}{name}" for name in ("code", "pre", "kbd", "samp", "var", "script", "style")}


@dataclass
class Publication:
    """What the rules look at: the package's language, the documents of the spine in
    reading order (package-relative href, parsed document) and the navigation document."""

    language: str
    documents: list[tuple[str, etree._Element]]
    nav_href: str
    nav: etree._Element
    page_break_source: bool = False


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _all(pub: Publication, *tags: str) -> list[etree._Element]:
    return [el for _, root in pub.documents for el in root.iter(*tags)]


def shortfalls(pub: Publication) -> list[str]:
    """Every rule the publication breaks, in plain words (empty: all hold)."""
    found: list[str] = []
    images = [img for img in _all(pub, f"{X}img") if img.get("alt") is None
              and img.get("role") not in ("presentation", "none")]
    if images:
        found.append(_count(len(images), "image", "images") + " without alternative text")
    maths = [m for m in _all(pub, f"{M}math") if not (m.get("alttext") or "").strip()
             and m.find(f".//{M}annotation") is None]
    if maths:
        found.append(_count(len(maths), "formula", "formulas") + " without a text alternative")
    headless = [t for t in _all(pub, f"{X}table") if t.find(f".//{X}th") is None]
    if headless:
        found.append(_count(len(headless), "table", "tables") + " without header cells")
    found += _language(pub)
    found += _navigation(pub)
    found += _headings(pub)
    empty = [a for a in _all(pub, f"{X}a") if a.get("href") is not None and not _has_name(a)]
    if empty:
        found.append(_count(len(empty), "link", "links") + " without text")
    return found


def _lang(el: etree._Element) -> str | None:
    value = el.get(XML_LANG) or el.get("lang")
    return str(value) if value else None


def _language(pub: Publication) -> list[str]:
    if not pub.language.strip():
        return ["no publication language"]
    unset = [href for href, root in pub.documents if not _lang(root)]
    if unset:
        return [_count(len(unset), "document", "documents") + " without a language"]
    passages = [text for _, root in pub.documents for text in unlabelled_passages(root)]
    if passages:
        first = passages[0] if len(passages[0]) <= 30 else passages[0][:29] + "…"
        return [_count(len(passages), "passage", "passages") + f" in another script without a language "
                f"(the first: “{first}”)"]
    return []


def _texts(el: etree._Element, lang: str | None) -> Iterator[tuple[str, str | None]]:
    """(text, its language) for the running text below ``el``."""
    lang = _lang(el) or lang
    if el.tag in _NOT_PROSE or el.tag == f"{M}math":
        return
    if el.text:
        yield el.text, lang
    for child in el:
        if isinstance(child.tag, str):
            yield from _texts(child, lang)
        if child.tail:
            yield child.tail, lang


def unlabelled_passages(root: etree._Element) -> list[str]:
    """Passages in a script that the language around them is not written in, with no
    ``lang`` of their own (Latin letters and short Greek runs are not judged)."""
    body = root.find(f"{X}body")
    if body is None:
        return []
    found: list[str] = []
    for text, lang in _texts(body, _lang(root)):
        allowed = scripts_of(lang)
        if allowed is None:
            continue
        for run in runs(text, CJK_FAMILY):
            if run.scripts <= allowed or run.letters < 2 or (run.scripts == {"Greek"} and run.letters < 4):
                continue
            found.append(text[run.start:run.end])
    return found


def _navigation(pub: Publication) -> list[str]:
    found: list[str] = []
    base = posixpath.dirname(pub.nav_href)
    spine = {href: i for i, (href, _) in enumerate(pub.documents)}
    positions = {href: {el.get("id"): n for n, el in enumerate(root.iter(etree.Element)) if el.get("id")}
                 for href, root in pub.documents}

    def targets(kind: str) -> list[str] | None:
        for nav in pub.nav.iter(f"{X}nav"):
            if kind in (nav.get(EPUB_TYPE) or "").split():
                return [posixpath.normpath(posixpath.join(base, a.get("href", ""))) for a in nav.iter(f"{X}a")]
        return None

    toc = targets("toc")
    if not toc:
        found.append("no table of contents")
    else:
        keys = []
        for href in toc:
            document, _, fragment = href.partition("#")
            if document not in spine or (fragment and fragment not in positions[document]):
                found.append("the table of contents points outside the reading order")
                break
            keys.append((spine[document], positions[document][fragment] if fragment else -1))
        else:
            if keys != sorted(keys):
                found.append("the table of contents is not in reading order")
    if pub.page_break_source:
        pages = targets("page-list")
        if not pages:
            found.append("a pageBreakSource is declared without a page list")
        else:
            dead = [h for h in pages if h.partition("#")[0] not in spine
                    or h.partition("#")[2] not in positions[h.partition("#")[0]]]
            if dead:
                found.append(_count(len(dead), "page list entry", "page list entries") + " without a target")
    return found


def _headings(pub: Publication) -> list[str]:
    skipped = empty = 0
    for _, root in pub.documents:
        last = 0
        for heading in root.iter(etree.Element):
            if heading.tag in _HEADINGS:
                level = int(heading.tag[-1])
            elif heading.get("role") == "heading" and (heading.get("aria-level") or "").isdigit():
                level = int(heading.get("aria-level", ""))
            else:
                continue
            if last and level > last + 1:
                skipped += 1
            last = level
            if not _has_name(heading):
                empty += 1
    found = []
    if skipped:
        found.append(_count(skipped, "heading skips", "headings skip") + " a level")
    if empty:
        found.append(_count(empty, "empty heading", "empty headings"))
    return found


def _has_name(el: etree._Element) -> bool:
    """Whether an element has an accessible name: text, an image's alternative text, a label."""
    if (el.get("aria-label") or "").strip() or el.get("aria-labelledby") or (el.get("title") or "").strip():
        return True
    if "".join(el.itertext()).strip():
        return True
    return any((img.get("alt") or "").strip() for img in el.iter(f"{X}img")) or any(
        (m.get("alttext") or "").strip() for m in el.iter(f"{M}math"))

"""Poems and verse quotations in HTML-like sources, made the model's verse: stanzas
(one per paragraph or ``stanza`` block) of verse lines (one per ``<br>``-separated line).

A part of :class:`exporter.importers.sanitize.Sanitizer`, which calls it for elements
whose semantics say verse (``z3998:poem``, ``z3998:verse``, ``stanza``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from exporter.model import ELEMENTS

if TYPE_CHECKING:
    from exporter.model import Rule

__all__ = ["Verse"]


class Verse:
    """The verse methods of the sanitiser (it provides ``_attributes`` and ``_content``)."""

    if TYPE_CHECKING:
        def _attributes(self, el: etree._Element, out: etree._Element, rule: Rule) -> None: ...
        def _content(self, source: etree._Element, target: etree._Element, verse: bool | str) -> None: ...

    def _verse(self, el: etree._Element, name: str, tokens: set[str], target: etree._Element) -> None:
        """A poem or a verse quotation: stanzas (one per paragraph) of verse lines."""
        if name == "blockquote":
            out = etree.SubElement(target, "blockquote", {"class": "verse"})
        elif name in ("article", "section"):
            out = etree.SubElement(target, "section")
        elif "stanza" in tokens and name != "p":
            out = etree.SubElement(target, "div", {"class": "stanza"})
        elif name == "p":
            self._stanza(el, target)
            return
        else:
            out = etree.SubElement(target, "div", {"class": "verse"})
        if el.sourceline:
            out.sourceline = el.sourceline
        self._attributes(el, out, ELEMENTS[out.tag])
        self._content(el, out, verse="line" if out.get("class") == "stanza" else True)
        if out.tag == "section":  # group the stanzas in one div.verse below the heading
            stanzas = [c for c in out if c.tag == "div" and c.get("class") == "stanza"]
            if stanzas:
                holder = etree.Element("div", {"class": "verse"})
                out.insert(out.index(stanzas[0]), holder)
                for stanza in stanzas:
                    holder.append(stanza)

    def _stanza(self, el: etree._Element, target: etree._Element, lines_only: bool = False) -> None:
        if lines_only:
            stanza = target
        else:
            stanza = etree.SubElement(target, "div", {"class": "stanza"})
            if el.sourceline:
                stanza.sourceline = el.sourceline
            self._attributes(el, stanza, ELEMENTS["div"])
        scratch = etree.Element("p")
        self._content(el, scratch, verse=False)
        line = etree.SubElement(stanza, "p", {"class": "verse-line"})
        line.text = scratch.text
        for child in list(scratch):
            if child.tag == "br":
                line.tail = None
                line = etree.SubElement(stanza, "p", {"class": "verse-line"})
                line.text = child.tail
                continue
            line.append(child)
        for verse_line in stanza:
            # a line wrapped in one span (Standard Ebooks) is just the line
            kids = [c for c in verse_line if isinstance(c.tag, str)]
            if len(kids) == 1 and kids[0].tag == "span" and not kids[0].get("class") and not (
                    verse_line.text or "").strip() and not (kids[0].tail or "").strip():
                span = kids[0]
                verse_line.text = span.text
                for name in ("lang", "dir", "id"):
                    if span.get(name):
                        verse_line.set(name, span.get(name))
                for c in list(span):
                    verse_line.append(c)
                verse_line.remove(span)
        for verse_line in list(stanza):
            if not "".join(verse_line.itertext()).strip() and not len(verse_line):
                stanza.remove(verse_line)
            elif len(verse_line) == 1 and verse_line[0].tag == "img" and not "".join(verse_line.itertext()).strip():
                verse_line.tag = "figure"
                del verse_line.attrib["class"]

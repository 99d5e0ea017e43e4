"""JATS inline content: emphasis, links and cross-references, inline formulas and
graphics, inline footnotes. A mixin of the JATS converter (:mod:`.jats`)."""

from __future__ import annotations

import re

from lxml import etree

from exporter.importers.jats.base import BLOCK, INLINE, SKIP, UNWRAP, XLINK, Converter, M, local, text
from exporter.importers.mathml import clean_math
from exporter.model.links import allowed_link, scheme_of
from exporter.model.tree import append_text


class Inline(Converter):
    def inline(self, source: etree._Element, target: etree._Element) -> None:
        """Append the inline content of ``source`` to the model element ``target``."""
        append_text(target, source.text)
        for child in source:
            if isinstance(child.tag, str):
                self._inline_element(child, target)
            append_text(target, child.tail)

    def _inline_element(self, el: etree._Element, target: etree._Element) -> None:
        tag = local(el)
        line = el.sourceline
        if el.tag == f"{M}math":
            target.append(clean_math(el, display=False))
            return
        mapped = INLINE.get(tag)
        if mapped is not None:
            name, cls = mapped if isinstance(mapped, tuple) else (mapped, None)
            out = etree.SubElement(target, name)
            if cls:
                out.set("class", cls)
            self.inline(el, out)
            return
        if tag == "xref":
            self._xref(el, target)
        elif tag in ("ext-link", "uri", "self-uri"):
            href = (el.get(f"{XLINK}href") or text(el)).strip()
            kind = el.get("ext-link-type", "")
            if kind == "doi" and scheme_of(href) not in ("http", "https"):
                href = "https://doi.org/" + href.removeprefix("doi:")
            elif href.startswith("www."):
                href = "https://" + href
            elif kind in ("pmid",) or not re.match(r"^(https?|ftp|mailto|doi|urn):", href):
                href = ""
            kept = allowed_link(href) or "" if href else ""
            if href and not kept:
                self.report("S025", f"bad-link-{line}", f"link '{href[:80]}' cannot be a valid address; its text "
                            "is kept", line, "fix the address")
            href = kept
            a = etree.SubElement(target, "a" if href else "span")
            if href:
                a.set("href", href)
            self.inline(el, a)
            if not (a.text or len(a)):
                a.text = href
        elif tag == "email":
            address = text(el)
            a = etree.SubElement(target, "a", href=f"mailto:{address}")
            a.text = address
        elif tag == "inline-formula":
            self._formula(el, target, display=False)
        elif tag in ("disp-formula",):
            self._formula(el, target, display=True)
        elif tag == "inline-graphic":
            src = self.assets.image(el.get(f"{XLINK}href"), line, what="inline graphic")
            if src is not None:
                img = etree.SubElement(target, "img", {"src": src, "class": "inline",
                                                       "alt": text(el.find("alt-text"))})
                img.sourceline = line
        elif tag == "break":
            etree.SubElement(target, "br")
        elif tag == "fn":
            if el.get("id"):
                self.note(el)
                etree.SubElement(target, "a", {"class": "noteref", "href": f"#{el.get('id')}"}).text = "*"
            else:
                key = f"inline-fn-{len(self.notes) + 1}"
                el.set("id", key)
                self.note(el)
                etree.SubElement(target, "a", {"class": "noteref", "href": f"#{key}"}).text = "*"
        elif tag == "target" and el.get("id"):
            span = etree.SubElement(target, "span", id=el.get("id"))
            self.inline(el, span)
        elif tag in ("label",) and el.getparent() is not None and local(el.getparent()) in ("aff", "fn"):
            return
        elif tag == "alternatives":
            best = self._best(el)
            if best is not None:
                self._inline_element(best, target)
        elif tag in SKIP:
            return
        elif tag in UNWRAP:
            self.inline(el, target)
        elif tag in BLOCK or tag in ("tex-math",):
            self.block(el, target, 4)
        else:
            self.report("S020", f"inline-{tag}", f"<{tag}> is not mapped to the model; its text is kept", line,
                        "see docs/importers.md for the JATS elements exporter maps")
            self.inline(el, target)

    def _xref(self, el: etree._Element, target: etree._Element) -> None:
        rids = [r for r in (el.get("rid") or "").split() if r]
        kind = el.get("ref-type", "")
        first = next((r for r in rids if r in self.ids), None)
        if first is not None and first in self.note_ids:
            a = etree.SubElement(target, "a", {"class": "noteref", "href": f"#{first}"})
            a.text = text(el) or "*"
            return
        if first is None or kind in ("aff", "corresp", "author-notes"):
            span = etree.SubElement(target, "span")
            self.inline(el, span)
            if not (span.text or len(span)):
                target.remove(span)
            return
        a = etree.SubElement(target, "a", href=f"#{first}")
        a.sourceline = el.sourceline
        self.inline(el, a)
        if not (a.text or len(a)):
            a.text = first


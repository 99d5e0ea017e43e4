"""JATS floats and lists: lists, tables (with their foot notes), figures (graphic,
caption, attribution, permissions), supplementary material and media, formulas and
references. A mixin of the JATS converter (:mod:`.jats`)."""

from __future__ import annotations

from lxml import etree

from exporter.importers.jats import front as jats_front
from exporter.importers.jats import refs as jats_refs
from exporter.importers.jats.base import XLINK, Converter, M, local, text
from exporter.importers.mathml import clean_math
from exporter.model import Metadata
from exporter.model.tree import append_text


class Floats(Converter):
    def _list(self, el: etree._Element, target: etree._Element, level: int) -> None:
        kind = (el.get("list-type") or "").lower()
        ordered = kind in ("order", "alpha-lower", "alpha-upper", "roman-lower", "roman-upper", "arabic")
        self._heading(el, target, level)
        out = etree.SubElement(target, "ol" if ordered else "ul")
        out.sourceline = el.sourceline
        types = {"alpha-lower": "a", "alpha-upper": "A", "roman-lower": "i", "roman-upper": "I"}
        if kind in types:
            out.set("type", types[kind])
        if el.get("id"):
            out.set("id", el.get("id"))
        for item in el.findall("list-item"):
            li = etree.SubElement(out, "li")
            li.sourceline = item.sourceline
            if item.get("id"):
                li.set("id", item.get("id"))
            self.blocks(item, li, level)
            label = item.find("label")
            if label is not None and text(label) and kind in ("simple", ""):
                first = li[0] if len(li) and li[0].tag == "p" and not (li.text or "").strip() else li
                first.text = text(label) + " " + (first.text or "")

    def _table_wrap(self, el: etree._Element, target: etree._Element, level: int) -> None:
        figure = _figure_for(el, target)
        self._caption(el, figure)
        tables = [c for c in el if local(c) in ("table", "alternatives", "graphic", "array")]
        for child in tables:
            chosen = self._best(child) if local(child) == "alternatives" else child
            if chosen is None:
                continue
            if local(chosen) == "table":
                self._table(chosen, figure)
            elif local(chosen) == "array":
                inner = chosen.find("table")
                if inner is not None:
                    self._table(inner, figure)
            elif local(chosen) == "graphic":
                self._graphic(chosen, figure)
        foot = el.find("table-wrap-foot")
        if foot is not None:
            for child in foot:
                if local(child) == "fn-group":
                    for fn in child.findall("fn"):
                        self.fn_paragraph(fn, figure)
                elif local(child) == "fn":
                    self.fn_paragraph(child, figure)
                elif local(child) == "title":
                    self.inline(child, etree.SubElement(figure, "p"))
                elif isinstance(child.tag, str):
                    holder = etree.Element("div")
                    self.block(child, holder, level)
                    for part in holder:
                        figure.append(part)
        self._licence(el, figure)
        self._alt_from_caption(figure)

    def _table(self, table: etree._Element, target: etree._Element) -> None:
        out = etree.SubElement(target, "table")
        out.sourceline = table.sourceline
        for part in table:
            tag = local(part)
            if tag in ("thead", "tbody", "tfoot"):
                section = etree.SubElement(out, tag)
                for row in part.findall("tr"):
                    self._row(row, section, header=tag == "thead")
            elif tag == "tr":
                self._row(part, out, header=False)
            elif tag in ("colgroup", "col"):
                col = etree.SubElement(out, tag)
                if (part.get("span") or "").isdigit() and part.find("col") is None:
                    col.set("span", part.get("span"))
                for sub in part.findall("col"):
                    inner = etree.SubElement(col, "col")
                    if (sub.get("span") or "").isdigit():
                        inner.set("span", sub.get("span"))

    def _row(self, row: etree._Element, target: etree._Element, header: bool) -> None:
        tr = etree.SubElement(target, "tr")
        tr.sourceline = row.sourceline
        for cell in row:
            tag = local(cell)
            if tag not in ("td", "th"):
                continue
            out = etree.SubElement(tr, "th" if tag == "th" or header else "td")
            for name in ("colspan", "rowspan"):
                value = (cell.get(name) or "").strip()
                if value.isdigit() and int(value) > 1:
                    out.set(name, str(min(int(value), 1000)))
            if out.tag == "th" and header:
                out.set("scope", "col")
            self.inline(cell, out)

    # -- figures, graphics, supplements, formulas -----------------------------------
    def _caption(self, el: etree._Element, figure: etree._Element) -> None:
        label = el.find("label")
        caption = el.find("caption")
        if label is None and caption is None:
            return
        figcaption = etree.SubElement(figure, "figcaption")
        first = etree.SubElement(figcaption, "p")
        if label is not None and text(label):
            b = etree.SubElement(first, "b")
            b.text = text(label)
            b.tail = " "
        if caption is not None:
            title = caption.find("title")
            if title is not None:
                b = etree.SubElement(first, "b")
                self.inline(title, b)
                b.tail = " "
            for child in caption:
                if local(child) == "title":
                    continue
                if local(child) == "p":
                    p = first if first is not None else etree.SubElement(figcaption, "p")
                    self.inline(child, p)
                    first = None
                elif local(child) in ("supplementary-material", "media"):
                    holder = etree.Element("div")
                    self._supplement(child, holder, 6)
                    for part in holder.iter("figcaption"):
                        moved = list(part)
                        if moved and child.get("id"):
                            moved[0].set("id", child.get("id"))
                        for p in moved:
                            figcaption.append(p)
                elif isinstance(child.tag, str):
                    holder = etree.Element("div")
                    self.block(child, holder, 6)
                    for part in holder:
                        figcaption.append(part)
        for attrib in el.findall("attrib"):
            p = etree.SubElement(figcaption, "p")
            span = etree.SubElement(p, "span", {"class": "credit"})
            self.inline(attrib, span)

    def _licence(self, el: etree._Element, figure: etree._Element) -> None:
        """The object's own permissions (there may be several, e.g. one per panel) in its caption."""
        for permissions in el.findall("permissions"):
            url, statement = jats_front.license_of(permissions)
            figcaption = figure.find("figcaption")
            if figcaption is None:
                figcaption = etree.SubElement(figure, "figcaption")
            p = etree.SubElement(figcaption, "p")
            span = etree.SubElement(p, "small")  # copyright and licence: HTML's "small print"
            span.text = statement
            for licence in permissions.iter("license-p"):
                append_text(span, " ")
                self.inline(licence, span)
            if not (span.text or len(span)) and url:
                span.text = url
            self.licences.append((el.get("id") or local(el), url or statement or "", permissions.sourceline))

    def check_licences(self, meta: Metadata) -> None:
        for key, licence, line in self.licences:
            if licence and licence != meta.license:
                self.diagnostics.add("S038", f"{key} is under its own terms ('{licence[:80]}'), not the "
                                     f"article's licence ({meta.license or 'none'})", file=self.path, line=line,
                                     hint="check the rights before reusing this figure or table")

    def _figure(self, el: etree._Element, target: etree._Element, level: int) -> None:
        figure = _figure_for(el, target)
        for child in el:
            tag = local(child)
            if tag == "graphic":
                self._graphic(child, figure)
            elif tag == "alternatives":
                best = self._best(child)
                if best is not None and local(best) == "graphic":
                    self._graphic(best, figure)
                elif best is not None and local(best) == "table":
                    self._table(best, figure)
            elif tag in ("table",):
                self._table(child, figure)
            elif tag in ("media",):
                self._missing_file(child, "media")
        self._caption(el, figure)
        # the caption goes first
        caption = figure.find("figcaption")
        if caption is not None and figure.index(caption) != 0:
            figure.remove(caption)
            figure.insert(0, caption) if figure.find("table") is not None else figure.append(caption)
        self._licence(el, figure)
        self._alt_from_caption(figure)
        for child in el:
            if local(child) in ("disp-formula", "chem-struct", "preformat", "code"):
                self.block(child, figure, level)

    def _graphic(self, el: etree._Element, figure: etree._Element) -> None:
        href = el.get(f"{XLINK}href") or ""
        alt = text(el.find("alt-text")) or None
        if href.startswith("info:doi/"):
            self.diagnostics.add("S022", f"graphic '{href}' is a DOI reference, not a file", file=self.path,
                                 line=el.sourceline, hint="put the image file next to the article and refer to it")
            src = None
        else:
            src = self.assets.image(href, el.sourceline, what="graphic")
        if src is None:
            return
        img = etree.SubElement(figure, "img", src=src)
        img.sourceline = el.sourceline
        if alt:
            img.set("alt", alt)

    @staticmethod
    def _alt_from_caption(figure: etree._Element) -> None:
        """Images without alt text take their caption's first sentence (the caption is next to them)."""
        caption = figure.find("figcaption")
        words = " ".join("".join(caption.itertext()).split()) if caption is not None else ""
        for img in figure.findall("img"):
            if img.get("alt") is None:
                img.set("alt", (words[:240].rsplit(" ", 1)[0] + "…") if len(words) > 240 else words)

    def _missing_file(self, el: etree._Element, what: str) -> None:
        href = el.get(f"{XLINK}href") or ""
        self.diagnostics.add("S032", f"{what} file '{href or '(none)'}' is not included; its caption is kept",
                             file=self.path, line=el.sourceline,
                             hint="EPUB and PDF carry the text; publish the file alongside if readers need it")

    def _supplement(self, el: etree._Element, target: etree._Element, level: int) -> None:
        figure = _figure_for(el, target)
        self._caption(el, figure)
        for child in el:
            if local(child) in ("p",):
                holder = figure.find("figcaption")
                if holder is None:
                    holder = etree.SubElement(figure, "figcaption")
                self.inline(child, etree.SubElement(holder, "p"))
        self._licence(el, figure)
        self._missing_file(el, local(el).replace("-", " "))
        for media in el.iter("media"):
            if media is not el:
                self._missing_file(media, "media")
        if not len(figure):
            target.remove(figure)

    def _formula(self, el: etree._Element, target: etree._Element, display: bool) -> None:
        math = el if el.tag == f"{M}math" else None
        tex = el if local(el) == "tex-math" else None
        graphic = None
        for child in el.iter():
            if math is None and child.tag == f"{M}math":
                math = child
            elif tex is None and local(child) == "tex-math":
                tex = child
            elif graphic is None and local(child) == "graphic":
                graphic = child
        label = text(el.find("label")) if el.find("label") is not None else ""
        if math is not None:
            content = clean_math(math, display=display)
        elif tex is not None:
            self.diagnostics.add("S031", "formula has only TeX source; it is shown as TeX", file=self.path,
                                 line=el.sourceline, hint="add MathML (mml:math) to the formula")
            content = etree.Element("code")
            content.text = "".join(tex.itertext()).strip()
        elif graphic is not None:
            holder = etree.Element("figure")
            self._graphic(graphic, holder)
            content = holder.find("img")
            if content is None:
                self.diagnostics.add("S031", "formula image is missing and there is no MathML", file=self.path,
                                     line=el.sourceline, hint="add MathML (mml:math) to the formula")
                content = etree.Element("span")
                content.text = text(el) or "[formula]"
            else:
                self.diagnostics.add("S031", "formula is only an image", file=self.path, line=el.sourceline,
                                     hint="add MathML (mml:math) so the formula can be read and searched")
        else:
            content = etree.Element("span")
            self.inline(el, content)
        if not display:
            target.append(content)
            return
        if label or el.get("id"):
            figure = _figure_for(el, target)
            if content.tag in ("code", "span"):
                p = etree.SubElement(figure, "p")
                p.append(content)
            else:
                figure.append(content)
            if label:
                etree.SubElement(figure, "figcaption").text = label
        else:
            if content.tag in ("code", "span", "img"):
                p = etree.SubElement(target, "p")
                p.append(content)
            else:
                target.append(content)

    def _references(self, el: etree._Element, target: etree._Element, level: int) -> None:
        section = etree.SubElement(target, "section", {"class": "references"})
        section.sourceline = el.sourceline
        if el.get("id"):
            section.set("id", el.get("id"))
        if el.find("title") is None:
            etree.SubElement(section, f"h{min(level, 6)}").text = "References"
        else:
            self._heading(el, section, level)
        for child in el:
            if local(child) == "p":
                self.block(child, section, level)
        refs = el.findall("ref")
        if refs:
            ol = etree.SubElement(section, "ol", {"class": "references"})
            for ref in refs:
                li = etree.SubElement(ol, "li")
                li.sourceline = ref.sourceline
                if ref.get("id"):
                    li.set("id", ref.get("id"))
                label = text(ref.find("label"))
                if label and not label.rstrip(".").isdigit():
                    b = etree.SubElement(li, "b")
                    b.text = label
                    b.tail = " "
                citations = [c for c in ref if local(c) in ("mixed-citation", "element-citation", "citation",
                                                              "nlm-citation")]
                alternatives = ref.find("citation-alternatives")
                if not citations and alternatives is not None:
                    citations = [c for c in alternatives if local(c) in ("mixed-citation", "element-citation")][:1]
                for index, cit in enumerate(citations):
                    if index:
                        append_text(li, " ")
                    jats_refs.citation(cit, li, self.inline)
                for note in ref.findall("note"):
                    append_text(li, " ")
                    span = etree.SubElement(li, "span")
                    self.inline(note, span)
        for child in el:
            if local(child) == "ref-list":
                self._references(child, section, level + 1)


def _figure_for(el: etree._Element, target: etree._Element) -> etree._Element:
    """A new <figure> in ``target`` standing for the JATS float ``el`` (its line and id)."""
    figure = etree.SubElement(target, "figure")
    figure.sourceline = el.sourceline
    if el.get("id"):
        figure.set("id", el.get("id"))
    return figure

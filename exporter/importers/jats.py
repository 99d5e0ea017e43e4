"""JATS XML importer (JATS 1.x Archiving/Publishing/Authoring and the older NLM 3.0).

* **front** → metadata (:mod:`.jats_front`); abstracts (and eLife digests) open the
  body as ``section.abstract``; affiliations, author notes, dates, funding, licence
  text and keywords close it as "Article information".
* **body** → sections with numbered headings, paragraphs, lists, definition lists,
  quotes (``disp-quote`` with its attribution), boxed text (``aside.sidebar``), code,
  verse, figures (graphic, label, caption, attribution as ``span.credit``, and the
  figure's own licence — a different one is warning S038), tables (with colspans,
  rowspans and their ``table-wrap-foot`` notes), formulas (MathML kept with alt text;
  TeX-only or image-only formulas are S031), supplementary material and media
  (caption kept, file not included: S032).
* **xref** → links (``#target``); ``xref`` to a footnote → a note reference and the
  ``fn`` → ``aside.note``; ``ext-link``/``uri``/``email`` → links.
* **back** → acknowledgements, appendices, glossary, notes, references
  (:mod:`.jats_refs`); ``sub-article``/``response`` (decision letters, author
  responses, translations) → ``section.sub-article``, headings one level down.
* Named entities resolve through the bundled entity set (:mod:`.entities`); graphics
  are looked up next to the source, with or without extension (S022 when missing).

Anything else is unwrapped with its text kept (S020, once per element name).
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..diagnostics import Diagnostics
from ..errors import SourceError
from ..model import MATHML_NS, XML_LANG, Article, new_article, normalize_space, valid_language
from . import jats_front, jats_refs
from ._common import read_source
from .assets import Assets
from .entities import parse_with_entities
from .mathml import clean_math
from .structure import finish

__all__ = ["read", "looks_like_jats"]

XLINK = "{http://www.w3.org/1999/xlink}"
M = f"{{{MATHML_NS}}}"
_ARTICLE = re.compile(rb"<(?:\w+:)?article[\s>]")

INLINE = {"italic": "i", "bold": "b", "sup": "sup", "sub": "sub", "monospace": "code", "underline": "u",
          "strike": "s", "sc": ("span", "smallcaps"), "abbrev": "abbr", "ruby": "ruby", "rb": "rb", "rt": "rt",
          "rp": "rp", "code": "code", "preformat": "code", "def": "dfn"}
UNWRAP = {"named-content", "styled-content", "roman", "sans-serif", "overline", "num", "x", "kwd",
          "textual-form", "funding-source", "award-id", "institution", "institution-wrap", "addr-line",
          "country", "city", "state", "postal-code", "label", "string-name", "name", "surname", "given-names",
          "suffix", "prefix", "collab", "year", "month", "day", "source", "article-title", "volume", "issue",
          "fpage", "lpage", "publisher-name", "publisher-loc", "comment", "chem-struct", "phone", "fax",
          "private-char", "glyph-data", "term", "price", "std", "std-organization", "season", "edition",
          "fn-group", "person-group", "etal", "sig", "sig-block", "attrib", "related-object",
          "inline-supplementary-material", "role", "element-citation", "mixed-citation", "citation-alternatives",
          "target", "hr", "index-term", "index-term-range-end", "milestone-start", "milestone-end",
          "conf-name", "conf-loc", "conf-date", "date-in-citation", "chapter-title", "part-title", "data-title",
          "version", "uri", "trans-title", "trans-source", "object-id", "elocation-id", "issn", "isbn",
          "patent", "series", "size", "page-range", "supplement", "volume-series", "issue-title"}
SKIP = {"object-id", "permissions", "alt-text", "long-desc", "sec-meta", "counts", "custom-meta-group",
        "institution-id",
        "processing-meta", "index-term", "alternatives-meta", "glyph-data", "glyph-ref"}
BLOCK = {"p", "sec", "list", "def-list", "fig", "fig-group", "table-wrap", "table-wrap-group", "boxed-text",
         "disp-quote", "disp-formula", "disp-formula-group", "code", "preformat", "speech", "verse-group",
         "statement", "supplementary-material", "media", "graphic", "table", "array", "chem-struct-wrap",
         "ack", "ref-list", "app-group", "app", "glossary", "notes", "fn-group", "title", "question-wrap",
         "answer", "question", "explanation", "block-alternatives", "alternatives"}


def looks_like_jats(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return bool(_ARTICLE.search(head))


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _text(el) -> str:
    return normalize_space("".join(el.itertext())) if el is not None else ""


def _add(target: etree._Element, text: str | None) -> None:
    if not text:
        return
    if len(target):
        target[-1].tail = (target[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text


def read(path: Path, diagnostics: Diagnostics, settings=None) -> Article:
    data = read_source(path)
    root = parse_with_entities(data, path, diagnostics).getroot()
    if _local(root) != "article":
        raise SourceError(f"not a JATS article: the root element is <{_local(root)}>", file=path,
                          line=root.sourceline, hint="exporter reads JATS/NLM <article> documents from .xml files")
    converter = _Jats(path, diagnostics, Assets(path, path.parent, diagnostics, settings=settings), root)
    meta = jats_front.metadata(root)
    if not meta.language:
        meta.language = "en"
    body = converter.article()
    meta.subjects = meta.subjects[:40]
    info = jats_front.info_section(root, meta, converter.inline, converter.fn_paragraph, converter.note_ids)
    if info is not None:
        body.append(info)
    converter.check_licences(meta)
    for note in converter.notes:
        body.append(note)
    finish(body, diagnostics, path, headings=False)
    return Article(meta=meta, body=body, source=path, root=path.parent, diagnostics=diagnostics)


class _Jats:
    def __init__(self, path: Path, diagnostics: Diagnostics, assets: Assets, root: etree._Element) -> None:
        self.path = path
        self.diagnostics = diagnostics
        self.assets = assets
        self.root = root
        self.ids = {el.get("id") for el in root.iter(etree.Element) if el.get("id")}
        self.notes: list[etree._Element] = []
        self.reported: set[str] = set()
        self.licences: list[tuple[str, str, int | None]] = []
        front = root.find("front")
        # fn elements referenced from the text (not from the front matter) become notes
        self.note_ids: set[str] = set()
        fns = {el.get("id") for el in root.iter("fn") if el.get("id")}
        for xref in root.iter("xref"):
            if front is not None and any(a is front for a in xref.iterancestors()):
                continue
            if any(_local(a) in ("table-wrap", "front-stub") for a in xref.iterancestors()):
                continue
            for rid in (xref.get("rid") or "").split():
                if rid in fns and not any(_local(a) == "table-wrap-foot" for a in self._by_id(rid).iterancestors()):
                    self.note_ids.add(rid)

    def _by_id(self, key: str) -> etree._Element:
        return next(el for el in self.root.iter(etree.Element) if el.get("id") == key)

    def report(self, code: str, key: str, message: str, line: int | None, hint: str) -> None:
        if key in self.reported:
            return
        self.reported.add(key)
        self.diagnostics.add(code, message, file=self.path, line=line, hint=hint)

    # -- the document ---------------------------------------------------------------
    def article(self) -> etree._Element:
        body = new_article()
        self._abstracts(self.root, body, level=2)
        main = self.root.find("body")
        if main is not None:
            self.blocks(main, body, level=2)
        floats = self.root.find("floats-group")
        if floats is not None:
            self._floats(floats, body)
        back = self.root.find("back")
        if back is not None:
            self.blocks(back, body, level=2)
        for sub in self.root.findall("sub-article") + self.root.findall("response"):
            self._sub_article(sub, body, level=2)
        return body

    def _abstracts(self, article: etree._Element, body: etree._Element, level: int) -> None:
        front = article.find("front") if article.find("front") is not None else article.find("front-stub")
        info = front.find("article-meta") if front is not None and front.find("article-meta") is not None else front
        if info is None:
            return
        for abstract in info.findall("abstract") + info.findall("trans-abstract"):
            section = etree.SubElement(body, "section", {"class": "abstract"})
            section.sourceline = abstract.sourceline
            self._lang(abstract, section)
            if abstract.get("id"):
                section.set("id", abstract.get("id"))
            self._heading(abstract, section, level)
            if abstract.find("title") is None:
                kind = abstract.get("abstract-type")
                etree.SubElement(section, f"h{level}").text = (
                    "Abstract" if kind in (None, "abstract") else kind.replace("-", " ").capitalize())
            self.blocks(abstract, section, level)

    def _sub_article(self, sub: etree._Element, body: etree._Element, level: int) -> None:
        section = etree.SubElement(body, "section", {"class": "sub-article"})
        section.sourceline = sub.sourceline
        if sub.get("id"):
            section.set("id", sub.get("id"))
        self._lang(sub, section)
        stub = sub.find("front-stub")
        if stub is None:
            stub = sub.find("front/article-meta")
        title = stub.find("title-group/article-title") if stub is not None else None
        heading = etree.SubElement(section, f"h{level}")
        if title is not None:
            self.inline(title, heading)
        else:
            heading.text = (sub.get("article-type") or "Sub-article").replace("-", " ").capitalize()
        if stub is not None:
            people = []
            for contrib in stub.iter("contrib"):
                name, _ = jats_front.person_name(contrib)
                role = _text(contrib.find("role"))
                affs = "; ".join(_text(a) for a in contrib.findall("aff"))
                if name:
                    people.append(name + (f", {role}" if role else "") + (f" ({affs})" if affs else ""))
            if people:
                p = etree.SubElement(section, "p")
                p.text = "; ".join(people)
            for article_id in stub.findall("article-id"):
                if article_id.get("pub-id-type") == "doi":
                    p = etree.SubElement(section, "p")
                    p.text = "DOI: "
                    a = etree.SubElement(p, "a", href=f"https://doi.org/{_text(article_id)}")
                    a.text = f"https://doi.org/{_text(article_id)}"
        self._abstracts(sub, section, level + 1)
        for part in ("body", "back"):
            el = sub.find(part)
            if el is not None:
                self.blocks(el, section, level + 1)
        for inner in sub.findall("sub-article") + sub.findall("response"):
            self._sub_article(inner, section, level + 1)

    def _floats(self, floats: etree._Element, body: etree._Element) -> None:
        """Figures and tables of a floats-group go after the paragraph that first cites them."""
        for el in floats:
            holder = etree.Element("div")
            self.block(el, holder, 3)
            key = el.get("id")
            anchor = next((a for a in body.iter("a") if key and a.get("href") == f"#{key}"), None)
            if anchor is None:
                for child in list(holder):
                    body.append(child)
                continue
            block = anchor
            while block.getparent() is not None and block.getparent().tag not in ("article", "section", "aside",
                                                                                    "div", "blockquote", "li"):
                block = block.getparent()
            parent = block.getparent()
            index = parent.index(block)
            for offset, child in enumerate(list(holder)):
                parent.insert(index + 1 + offset, child)

    # -- blocks ---------------------------------------------------------------------
    def blocks(self, source: etree._Element, target: etree._Element, level: int) -> None:
        for child in source:
            if isinstance(child.tag, str):
                self.block(child, target, level)

    def _lang(self, source: etree._Element, target: etree._Element) -> None:
        language = source.get(XML_LANG)
        if language and valid_language(language):
            target.set("lang", language)

    def _heading(self, source: etree._Element, target: etree._Element, level: int) -> None:
        label = source.find("label")
        title = source.find("title")
        if not _text(title) and not _text(label):
            return
        heading = etree.SubElement(target, f"h{min(level, 6)}")
        heading.sourceline = (title if title is not None else label).sourceline
        if label is not None and _text(label):
            heading.text = _text(label) + " "
        if title is not None:
            self.inline(title, heading)

    def block(self, el: etree._Element, target: etree._Element, level: int) -> None:
        tag = _local(el)
        line = el.sourceline
        if tag in SKIP or tag in ("label", "title", "caption") and el.getparent() is not None and _local(
                el.getparent()) in ("sec", "app", "ack", "boxed-text", "ref-list", "glossary", "notes", "abstract",
                                    "fig", "table-wrap", "statement", "fn-group", "def-list", "list",
                                    "supplementary-material", "media", "disp-formula", "app-group", "trans-abstract",
                                    "question-wrap", "fig-group", "table-wrap-group", "verse-group", "caption"):
            return
        if tag == "p":
            p = etree.SubElement(target, "p")
            p.sourceline = line
            self._lang(el, p)
            if el.get("id"):
                p.set("id", el.get("id"))
            self.inline(el, p)
        elif tag in ("sec", "app", "ack", "glossary", "notes", "bio"):
            classes = {"ack": "acknowledgments", "app": "appendix", "glossary": "glossary"}
            section = etree.SubElement(target, "section")
            section.sourceline = line
            if tag in classes:
                section.set("class", classes[tag])
            if el.get("id"):
                section.set("id", el.get("id"))
            self._lang(el, section)
            if tag == "ack" and el.find("title") is None:
                etree.SubElement(section, f"h{min(level, 6)}").text = "Acknowledgements"
            self._heading(el, section, level)
            self.blocks(el, section, level + 1)
        elif tag == "app-group":
            self._heading(el, target, level)
            self.blocks(el, target, level + (1 if el.find("title") is not None else 0))
        elif tag == "ref-list":
            self._references(el, target, level)
        elif tag == "fn-group":
            kept = [fn for fn in el.findall("fn") if fn.get("id") not in self.note_ids]
            if kept:
                self._heading(el, target, level)
            for fn in el.findall("fn"):
                if fn.get("id") in self.note_ids:
                    self.note(fn)
                else:
                    self.fn_paragraph(fn, target)  # competing interests, contributions…: printed in place
        elif tag == "fn":
            if el.get("id") in self.note_ids or not el.get("id"):
                self.note(el) if el.get("id") else self.fn_paragraph(el, target)
            else:
                self.fn_paragraph(el, target)
        elif tag == "list":
            self._list(el, target, level)
        elif tag == "def-list":
            self._heading(el, target, level)
            dl = etree.SubElement(target, "dl")
            dl.sourceline = line
            for item in el.findall("def-item"):
                dt = etree.SubElement(dl, "dt")
                term = item.find("term")
                key = item.get("id") or (term.get("id") if term is not None else None)
                if key:
                    dt.set("id", key)
                if term is not None:
                    self.inline(term, dt)
                for definition in item.findall("def"):
                    dd = etree.SubElement(dl, "dd")
                    self.blocks(definition, dd, level)
        elif tag in ("fig", "chem-struct-wrap"):
            self._figure(el, target, level)
        elif tag in ("fig-group", "table-wrap-group", "disp-formula-group"):
            self._heading(el, target, level)
            caption = el.find("caption")
            if caption is not None:
                self.blocks(caption, target, level)
            self.blocks(el, target, level)
        elif tag == "table-wrap":
            self._table_wrap(el, target, level)
        elif tag in ("table", "array"):
            self._table(el.find("table") if tag == "array" and el.find("table") is not None else el, target)
        elif tag == "boxed-text":
            aside = etree.SubElement(target, "aside", {"class": "sidebar"})
            aside.sourceline = line
            if el.get("id"):
                aside.set("id", el.get("id"))
            caption = el.find("caption")
            if caption is not None and caption.find("title") is not None:
                self._heading(caption, aside, level)
            self._heading(el, aside, level)
            inner = level + 1 if len(aside) else level  # a box without a heading adds no depth
            if caption is not None:
                self.blocks(caption, aside, inner)
            self.blocks(el, aside, inner)
        elif tag == "disp-quote":
            quote = etree.SubElement(target, "blockquote")
            quote.sourceline = line
            if el.get("id"):
                quote.set("id", el.get("id"))
            for child in el:
                if _local(child) == "attrib":
                    p = etree.SubElement(quote, "p", {"class": "attribution"})
                    self.inline(child, p)
                elif isinstance(child.tag, str):
                    self.block(child, quote, level)
            if not len(quote) and _text(el):
                self.inline(el, etree.SubElement(quote, "p"))
        elif tag == "disp-formula":
            self._formula(el, target, display=True)
        elif tag in ("code", "preformat"):
            pre = etree.SubElement(target, "pre")
            pre.sourceline = line
            if el.get("id"):
                pre.set("id", el.get("id"))
            code = etree.SubElement(pre, "code")
            code.text = "".join(el.itertext())
        elif tag == "verse-group":
            verse = etree.SubElement(target, "div", {"class": "verse"})
            self._heading(el, verse, level + 1)
            stanza = etree.SubElement(verse, "div", {"class": "stanza"})
            for child in el:
                if _local(child) == "verse-line":
                    self.inline(child, etree.SubElement(stanza, "p", {"class": "verse-line"}))
                elif _local(child) == "verse-group":
                    stanza = etree.SubElement(verse, "div", {"class": "stanza"})
                    for line_el in child.findall("verse-line"):
                        self.inline(line_el, etree.SubElement(stanza, "p", {"class": "verse-line"}))
                elif _local(child) == "attrib":
                    self.inline(child, etree.SubElement(verse, "p", {"class": "attribution"}))
        elif tag in ("speech",):
            div = etree.SubElement(target, "div")
            speaker = el.find("speaker")
            for index, p_el in enumerate(el.findall("p")):
                p = etree.SubElement(div, "p")
                if index == 0 and speaker is not None:
                    b = etree.SubElement(p, "b")
                    self.inline(speaker, b)
                    b.tail = " "
                self.inline(p_el, p)
        elif tag in ("statement", "question-wrap", "question", "answer", "explanation"):
            box = etree.SubElement(target, "div", {"class": "box"})
            box.sourceline = line
            if el.get("id"):
                box.set("id", el.get("id"))
            label = _text(el.find("label"))
            title = el.find("title")
            if label or title is not None:
                p = etree.SubElement(box, "p")
                b = etree.SubElement(p, "b")
                b.text = label + (" " if label and title is not None else "")
                if title is not None:
                    self.inline(title, b)
            self.blocks(el, box, level + 1)
        elif tag in ("supplementary-material", "media"):
            self._supplement(el, target, level)
        elif tag == "graphic":
            figure = etree.SubElement(target, "figure")
            figure.sourceline = line
            self._graphic(el, figure)
            if not len(figure):
                target.remove(figure)
        elif tag in ("alternatives", "block-alternatives"):
            best = self._best(el)
            if best is not None:
                self.block(best, target, level)
        elif tag == "title":
            heading = etree.SubElement(target, f"h{min(level, 6)}")
            self.inline(el, heading)
        elif tag == "caption":
            self.blocks(el, target, level)
        elif tag in ("label",):
            p = etree.SubElement(target, "p")
            self.inline(el, p)
        elif tag == "sub-article":
            self._sub_article(el, target, level)
        elif tag in ("tex-math",) or el.tag == f"{M}math":
            self._formula(el, target, display=True)
        elif tag in UNWRAP or tag in INLINE or tag in ("xref", "ext-link", "email", "inline-formula",
                                                       "inline-graphic", "break"):
            p = etree.SubElement(target, "p")
            p.sourceline = line
            holder = etree.Element("span")
            holder.append(el.__copy__())
            self.inline(holder, p)
        else:
            self.report("S020", f"block-{tag}", f"<{tag}> is not mapped to the model; its content is kept",
                        line, "see docs/importers.md for the JATS elements exporter maps")
            self.blocks(el, target, level) if len(el) else self.inline(el, etree.SubElement(target, "p"))

    def _best(self, el: etree._Element) -> etree._Element | None:
        children = [c for c in el if isinstance(c.tag, str)]
        for wanted in (f"{M}math", "table", "tex-math", "graphic", "media"):
            for child in children:
                if child.tag == wanted or _local(child) == wanted:
                    return child
        return children[0] if children else None

    # -- notes ----------------------------------------------------------------------
    def note(self, fn: etree._Element) -> None:
        if any(n.get("id") == fn.get("id") for n in self.notes):
            return
        aside = etree.Element("aside", {"class": "note", "id": fn.get("id")})
        aside.sourceline = fn.sourceline
        self._lang(fn, aside)
        label = fn.find("label")
        for child in fn:
            if _local(child) == "label":
                continue
            if isinstance(child.tag, str):
                self.block(child, aside, 3)  # notes go under the writers' "Notes" heading (h2)
        if label is not None and _text(label) and not _text(label).isdigit() and len(aside) and aside[0].tag == "p":
            b = etree.Element("b")
            b.text = _text(label) + " "
            b.tail = aside[0].text
            aside[0].text = None
            aside[0].insert(0, b)
        if not len(aside):
            self.inline(fn, etree.SubElement(aside, "p"))
        self.notes.append(aside)

    def fn_paragraph(self, fn: etree._Element, target: etree._Element) -> None:
        """A footnote that is not referenced from the text: its paragraphs, label in bold."""
        label = _text(fn.find("label"))
        paragraphs = fn.findall("p")
        if not paragraphs:
            p = etree.SubElement(target, "p")
            if fn.get("id"):
                p.set("id", fn.get("id"))
            self.inline(fn, p)
            return
        for index, source in enumerate(paragraphs):
            p = etree.SubElement(target, "p")
            p.sourceline = source.sourceline
            if index == 0:
                if fn.get("id"):
                    p.set("id", fn.get("id"))
                if label:
                    b = etree.SubElement(p, "b")
                    b.text = label
                    b.tail = " "
            self.inline(source, p)

    # -- lists and tables -----------------------------------------------------------
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
            label = item.find("label")
            if label is not None and _text(label) and kind in ("simple", ""):
                li.text = _text(label) + " "
            self.blocks(item, li, level)

    def _table_wrap(self, el: etree._Element, target: etree._Element, level: int) -> None:
        figure = etree.SubElement(target, "figure")
        figure.sourceline = el.sourceline
        if el.get("id"):
            figure.set("id", el.get("id"))
        self._caption(el, figure)
        tables = [c for c in el if _local(c) in ("table", "alternatives", "graphic", "array")]
        for child in tables:
            chosen = self._best(child) if _local(child) == "alternatives" else child
            if chosen is None:
                continue
            if _local(chosen) == "table":
                self._table(chosen, figure)
            elif _local(chosen) == "array":
                inner = chosen.find("table")
                if inner is not None:
                    self._table(inner, figure)
            elif _local(chosen) == "graphic":
                self._graphic(chosen, figure)
        foot = el.find("table-wrap-foot")
        if foot is not None:
            for child in foot:
                if _local(child) == "fn-group":
                    for fn in child.findall("fn"):
                        self.fn_paragraph(fn, figure)
                elif _local(child) == "fn":
                    self.fn_paragraph(child, figure)
                elif _local(child) == "title":
                    self.inline(child, etree.SubElement(figure, "p"))
                elif isinstance(child.tag, str):
                    holder = etree.Element("div")
                    self.block(child, holder, level)
                    for part in holder:
                        figure.append(part)
        self._licence(el, figure)

    def _table(self, table: etree._Element, target: etree._Element) -> None:
        out = etree.SubElement(target, "table")
        out.sourceline = table.sourceline
        for part in table:
            tag = _local(part)
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
            tag = _local(cell)
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
        if label is not None and _text(label):
            b = etree.SubElement(first, "b")
            b.text = _text(label)
            b.tail = " "
        if caption is not None:
            title = caption.find("title")
            if title is not None:
                b = etree.SubElement(first, "b")
                self.inline(title, b)
                b.tail = " "
            for child in caption:
                if _local(child) == "title":
                    continue
                if _local(child) == "p":
                    p = first if first is not None else etree.SubElement(figcaption, "p")
                    self.inline(child, p)
                    first = None
                elif _local(child) in ("supplementary-material", "media"):
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
            span = etree.SubElement(p, "span", {"class": "credit"})
            span.text = statement
            for licence in permissions.iter("license-p"):
                _add(span, " ")
                self.inline(licence, span)
            if not (span.text or len(span)) and url:
                span.text = url
            self.licences.append((el.get("id") or _local(el), url or statement or "", permissions.sourceline))

    def check_licences(self, meta) -> None:
        for key, licence, line in self.licences:
            if licence and licence != meta.license:
                self.diagnostics.add("S038", f"{key} is under its own terms ('{licence[:80]}'), not the "
                                     f"article's licence ({meta.license or 'none'})", file=self.path, line=line,
                                     hint="check the rights before reusing this figure or table")

    def _figure(self, el: etree._Element, target: etree._Element, level: int) -> None:
        figure = etree.SubElement(target, "figure")
        figure.sourceline = el.sourceline
        if el.get("id"):
            figure.set("id", el.get("id"))
        for child in el:
            tag = _local(child)
            if tag == "graphic":
                self._graphic(child, figure)
            elif tag == "alternatives":
                best = self._best(child)
                if best is not None and _local(best) == "graphic":
                    self._graphic(best, figure)
                elif best is not None and _local(best) == "table":
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
        for child in el:
            if _local(child) in ("disp-formula", "chem-struct", "preformat", "code"):
                self.block(child, figure, level)

    def _graphic(self, el: etree._Element, figure: etree._Element) -> None:
        href = el.get(f"{XLINK}href") or ""
        alt = _text(el.find("alt-text")) or None
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
        caption = figure.getparent() is not None and figure.find("figcaption")
        img.set("alt", alt or "")

    def _missing_file(self, el: etree._Element, what: str) -> None:
        href = el.get(f"{XLINK}href") or ""
        self.diagnostics.add("S032", f"{what} file '{href or '(none)'}' is not included; its caption is kept",
                             file=self.path, line=el.sourceline,
                             hint="EPUB and PDF carry the text; publish the file alongside if readers need it")

    def _supplement(self, el: etree._Element, target: etree._Element, level: int) -> None:
        figure = etree.SubElement(target, "figure")
        figure.sourceline = el.sourceline
        if el.get("id"):
            figure.set("id", el.get("id"))
        self._caption(el, figure)
        for child in el:
            if _local(child) in ("p",):
                holder = figure.find("figcaption")
                if holder is None:
                    holder = etree.SubElement(figure, "figcaption")
                self.inline(child, etree.SubElement(holder, "p"))
        self._licence(el, figure)
        self._missing_file(el, _local(el).replace("-", " "))
        for media in el.iter("media"):
            if media is not el:
                self._missing_file(media, "media")
        if not len(figure):
            target.remove(figure)

    def _formula(self, el: etree._Element, target: etree._Element, display: bool) -> None:
        math = el if el.tag == f"{M}math" else None
        tex = el if _local(el) == "tex-math" else None
        graphic = None
        for child in el.iter():
            if math is None and child.tag == f"{M}math":
                math = child
            elif tex is None and _local(child) == "tex-math":
                tex = child
            elif graphic is None and _local(child) == "graphic":
                graphic = child
        label = _text(el.find("label")) if el.find("label") is not None else ""
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
                content.text = _text(el) or "[formula]"
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
            figure = etree.SubElement(target, "figure")
            figure.sourceline = el.sourceline
            if el.get("id"):
                figure.set("id", el.get("id"))
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
            if _local(child) == "p":
                self.block(child, section, level)
        refs = el.findall("ref")
        if refs:
            ol = etree.SubElement(section, "ol", {"class": "references"})
            for ref in refs:
                li = etree.SubElement(ol, "li")
                li.sourceline = ref.sourceline
                if ref.get("id"):
                    li.set("id", ref.get("id"))
                label = _text(ref.find("label"))
                if label and not label.rstrip(".").isdigit():
                    b = etree.SubElement(li, "b")
                    b.text = label
                    b.tail = " "
                citations = [c for c in ref if _local(c) in ("mixed-citation", "element-citation", "citation",
                                                              "nlm-citation")]
                alternatives = ref.find("citation-alternatives")
                if not citations and alternatives is not None:
                    citations = [c for c in alternatives if _local(c) in ("mixed-citation", "element-citation")][:1]
                for index, cit in enumerate(citations):
                    if index:
                        _add(li, " ")
                    jats_refs.citation(cit, li, self.inline)
                for note in ref.findall("note"):
                    _add(li, " ")
                    span = etree.SubElement(li, "span")
                    self.inline(note, span)
        for child in el:
            if _local(child) == "ref-list":
                self._references(child, section, level + 1)

    # -- inline ---------------------------------------------------------------------
    def inline(self, source: etree._Element, target: etree._Element) -> None:
        """Append the inline content of ``source`` to the model element ``target``."""
        _add(target, source.text)
        for child in source:
            if isinstance(child.tag, str):
                self._inline_element(child, target)
            _add(target, child.tail)

    def _inline_element(self, el: etree._Element, target: etree._Element) -> None:
        tag = _local(el)
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
            href = (el.get(f"{XLINK}href") or _text(el)).strip()
            kind = el.get("ext-link-type", "")
            if kind == "doi" and not href.startswith("http"):
                href = "https://doi.org/" + href.removeprefix("doi:")
            elif href.startswith("www."):
                href = "https://" + href
            elif kind in ("pmid",) or not re.match(r"^(https?|ftp|mailto|doi|urn):", href):
                href = ""
            if href.startswith("ftp:"):
                href = ""
            a = etree.SubElement(target, "a" if href else "span")
            if href:
                a.set("href", href)
            self.inline(el, a)
            if not (a.text or len(a)):
                a.text = href
        elif tag == "email":
            address = _text(el)
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
                                                       "alt": _text(el.find("alt-text"))})
                img.sourceline = line
        elif tag == "break":
            etree.SubElement(target, "br")
        elif tag == "fn":
            if el.get("id"):
                self.note(el)
                etree.SubElement(target, "a", {"class": "noteref", "href": f"#{el.get('id')}"})
            else:
                key = f"inline-fn-{len(self.notes) + 1}"
                el.set("id", key)
                self.note(el)
                etree.SubElement(target, "a", {"class": "noteref", "href": f"#{key}"})
        elif tag == "target" and el.get("id"):
            span = etree.SubElement(target, "span", id=el.get("id"))
            self.inline(el, span)
        elif tag in ("label",) and el.getparent() is not None and _local(el.getparent()) in ("aff", "fn"):
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
            a.text = _text(el) or "*"
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

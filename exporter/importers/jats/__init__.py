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

from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.importers._common import read_source
from exporter.importers.assets import Assets
from exporter.importers.entities import parse_with_entities
from exporter.importers.finish import finish
from exporter.importers.jats import front as jats_front
from exporter.importers.jats.base import ARTICLE, INLINE, SKIP, UNWRAP, M, local, text
from exporter.importers.jats.floats import Floats
from exporter.importers.jats.inline import Inline
from exporter.model import XML_LANG, Article, new_article, valid_language
from exporter.model.dates import DateError

if TYPE_CHECKING:
    from exporter.settings import Settings

__all__ = ["read", "looks_like_jats"]


def looks_like_jats(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return bool(ARTICLE.search(head))


def read(path: Path, diagnostics: Diagnostics, settings: Settings | None = None) -> Article:
    data = read_source(path)
    root = parse_with_entities(data, path, diagnostics).getroot()
    if local(root) != "article":
        raise SourceError(f"not a JATS article: the root element is <{local(root)}>", file=path,
                          line=root.sourceline, hint="exporter reads JATS/NLM <article> documents from .xml files")
    converter = _Jats(path, diagnostics, Assets(path, path.parent, diagnostics, settings=settings), root)
    def bad_date(el: etree._Element, error: DateError) -> None:
        diagnostics.add("S026", f"{error.message}; left out", file=path, line=el.sourceline, hint=error.hint)

    meta = jats_front.metadata(root, bad_date)
    if not meta.language:
        meta.language = "en"
    body = converter.article()
    meta.subjects = meta.subjects[:40]
    info = jats_front.info_section(root, meta, converter.inline, converter.fn_paragraph, converter.note_ids,
                                   block=converter.block)
    if info is not None:
        body.append(info)
    converter.check_licences(meta)
    for note in converter.notes:
        body.append(note)
    finish(body, diagnostics, path, headings=False)
    return Article(meta=meta, body=body, source=path, root=path.parent, diagnostics=diagnostics)


class _Jats(Inline, Floats):
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
            if any(local(a) in ("table-wrap", "front-stub") for a in xref.iterancestors()):
                continue
            for rid in (xref.get("rid") or "").split():
                if rid in fns and not any(local(a) == "table-wrap-foot" for a in self._by_id(rid).iterancestors()):
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
            inner = level + 1
            if abstract.find("title") is None:
                kind = abstract.get("abstract-type")
                etree.SubElement(section, f"h{level}").text = (
                    "Abstract" if kind in (None, "abstract") else kind.replace("-", " ").capitalize())
            self.blocks(abstract, section, inner)

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
                role = text(contrib.find("role"))
                affs = "; ".join(text(a) for a in contrib.findall("aff"))
                if name:
                    people.append(name + (f", {role}" if role else "") + (f" ({affs})" if affs else ""))
            if people:
                p = etree.SubElement(section, "p")
                p.text = "; ".join(people)
            for article_id in stub.findall("article-id"):
                if article_id.get("pub-id-type") == "doi":
                    p = etree.SubElement(section, "p")
                    p.text = "DOI: "
                    a = etree.SubElement(p, "a", href=f"https://doi.org/{text(article_id)}")
                    a.text = f"https://doi.org/{text(article_id)}"
        self._abstracts(sub, section, level + 1)
        for part in ("body", "back"):
            el = sub.find(part)
            if el is not None:
                self.blocks(el, section, level + 1)
        for inner in sub.findall("sub-article") + sub.findall("response"):
            self._sub_article(inner, section, level + 1)

    def _floats(self, floats: etree._Element, body: etree._Element) -> None:
        """Figures and tables of a floats-group go after the paragraph that first cites them."""
        placed: dict[etree._Element, etree._Element] = {}  # paragraph -> the last float put after it (floats keep their order)
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
            after = placed.get(block, block)
            for child in list(holder):
                after.addnext(child)
                after = child
            placed[block] = after

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
        if not text(title) and not text(label):
            return
        heading = etree.SubElement(target, f"h{min(level, 6)}")
        heading.sourceline = (title if title is not None else label).sourceline
        if label is not None and text(label):
            heading.text = text(label) + " "
        if title is not None:
            self.inline(title, heading)

    def block(self, el: etree._Element, target: etree._Element, level: int) -> None:
        tag = local(el)
        line = el.sourceline
        if tag in SKIP or tag in ("label", "title", "caption") and el.getparent() is not None and local(
                el.getparent()) in ("sec", "app", "ack", "boxed-text", "ref-list", "glossary", "notes", "abstract",
                                    "fig", "table-wrap", "statement", "fn-group", "def-list", "list",
                                    "supplementary-material", "media", "disp-formula", "app-group", "trans-abstract",
                                    "question-wrap", "fig-group", "table-wrap-group", "verse-group", "caption",
                                    "list-item"):
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
                if local(child) == "attrib":
                    p = etree.SubElement(quote, "p", {"class": "attribution"})
                    self.inline(child, p)
                elif isinstance(child.tag, str):
                    self.block(child, quote, level)
            if not len(quote) and text(el):
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
                if local(child) == "verse-line":
                    self.inline(child, etree.SubElement(stanza, "p", {"class": "verse-line"}))
                elif local(child) == "verse-group":
                    stanza = etree.SubElement(verse, "div", {"class": "stanza"})
                    for line_el in child.findall("verse-line"):
                        self.inline(line_el, etree.SubElement(stanza, "p", {"class": "verse-line"}))
                elif local(child) == "attrib":
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
            label = text(el.find("label"))
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
                if child.tag == wanted or local(child) == wanted:
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
            if local(child) == "label":
                continue
            if isinstance(child.tag, str):
                self.block(child, aside, 3)  # notes go under the writers' "Notes" heading (h2)
        if label is not None and text(label) and not text(label).isdigit() and len(aside) and aside[0].tag == "p":
            b = etree.Element("b")
            b.text = text(label) + " "
            b.tail = aside[0].text
            aside[0].text = None
            aside[0].insert(0, b)
        if not len(aside):
            self.inline(fn, etree.SubElement(aside, "p"))
        self.notes.append(aside)

    def fn_paragraph(self, fn: etree._Element, target: etree._Element) -> None:
        """A footnote that is not referenced from the text: its paragraphs, label in bold."""
        label = text(fn.find("label"))
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
            if source.get("id"):  # links may point at the paragraph rather than the note (table notes)
                if p.get("id"):
                    etree.SubElement(p, "span", id=source.get("id"))
                else:
                    p.set("id", source.get("id"))
            self.inline(source, p)

"""A book's pages: each chapter's page (:func:`html.page`, the render step every format
uses) made part of the book, the book's own matter, and the print-ready HTML file.

A chapter's page is the article's page with

* every id prefixed with the chapter's key (``c3-notes``, ``c3-ref-n1``) and the
  ``<article>`` itself given the key (``c3``), so ids are unique across the book;
  links inside the article follow, and links to other chapters go to their targets
  (``#c5-question-2`` in the one print page, ``c05-interview.xhtml#c5-question-2`` in the
  EPUB);
* the article's identifier (a DOI as its link) and licence added to its byline, where
  the theme's header does not already show them (authors and date are there already);
* for print, the running head's author (``data-running-author``, set as a running
  string by ``book-paged.css``) and the PDF bookmark's label, "Title — Author".

The book's own matter (title page, imprint with the sources of the texts, the printed
contents, part title pages) is made here too, as model-free HTML elements that
:mod:`.epub_book` qualifies for the e-book. The print page of the book is one HTML
document: the matter, then every chapter's ``<article>``, in reading order, as
*blocks* that the PDF writer can also lay out in groups (:mod:`.book_pdf`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from exporter.book import Book, Chapter, Part, running_author
from exporter.model import XHTML_NS
from exporter.pagesetup import Resolved, page_css, resolve
from exporter.writers import html

__all__ = ["Block", "blocks", "chapter_page", "title_page", "imprint", "contents", "part_page", "print_root",
           "render", "licence_label", "doi_link", "IDREF_ATTRIBUTES"]

X = f"{{{XHTML_NS}}}"
#: attributes whose value is one id or a list of ids (prefixed with the ids they name)
IDREF_ATTRIBUTES = ("aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "aria-details",
                    "headers", "for")
BOOK_CSS = ("book.css",)
BOOK_PAGED_CSS = ("book.css", "book-paged.css")


@dataclass(frozen=True)
class Block:
    """One piece of the book in reading order: front matter, a part's title page or a chapter."""

    kind: str  #: "title-page", "imprint", "contents", "part", "chapter"
    key: str  #: its id in the print page
    chapter: Chapter | None = None
    part: Part | None = None


def blocks(book: Book) -> list[Block]:
    """The book in reading order."""
    found = []
    project = book.project
    if project.title_page:
        found.append(Block("title-page", "title-page"))
    if project.imprint:
        found.append(Block("imprint", "imprint"))
    if project.contents:
        found.append(Block("contents", "contents"))
    seen: set[int] = set()
    for chapter in book.chapters:
        if chapter.part is not None and chapter.part.number not in seen:
            seen.add(chapter.part.number)
            found.append(Block("part", chapter.part.key, part=chapter.part))
        found.append(Block("chapter", chapter.key, chapter=chapter))
    return found


# -- small helpers --------------------------------------------------------------------------

def licence_label(value: str) -> str:
    """A short name for a licence URL (Creative Commons: "CC BY 4.0"), else the value."""
    match = re.match(r"^https?://creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d+(\.\d+)?)", value)
    if not match:
        return value
    kind, name, version = match.group(1), match.group(2), match.group(3)
    if kind == "publicdomain":
        return {"zero": f"CC0 {version}", "mark": f"Public Domain Mark {version}"}.get(name, value)
    return f"CC {name.upper()} {version}"


def doi_link(identifier: str) -> tuple[str, str | None]:
    """(text, href) for an identifier: a DOI becomes its https://doi.org/ link."""
    text = identifier.strip()
    lowered = text.lower()
    if lowered.startswith("doi:"):
        doi = text[4:].strip()
        return doi, f"https://doi.org/{doi}"
    for prefix in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "https://dx.doi.org/"):
        if lowered.startswith(prefix):
            return text[len(prefix):], "https://doi.org/" + text[len(prefix):]
    if re.match(r"^10\.\d{4,}/\S+$", text):
        return text, f"https://doi.org/{text}"
    return text, text if text.startswith(("http://", "https://")) else None


def _is_doi(identifier: str) -> bool:
    return doi_link(identifier)[1] is not None and "doi.org/" in (doi_link(identifier)[1] or "")


class _Maker:
    """Makes elements for a target: plain HTML for print, XHTML for the e-book."""

    def __init__(self, target: str) -> None:
        self.prefix = X if target == "epub" else ""

    def __call__(self, tag: str, attrs: dict[str, str | None] | None = None, text: str | None = None,
                 parent: etree._Element | None = None) -> etree._Element:
        attrs = {k: v for k, v in (attrs or {}).items() if v is not None}
        el = (etree.SubElement(parent, self.prefix + tag, attrs) if parent is not None
              else etree.Element(self.prefix + tag, attrs))
        el.text = text
        return el

    def local(self, element: etree._Element) -> str:
        return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _names(names: list[str], words: dict[str, str]) -> str:
    return html._join(names, words["and"])


# -- a chapter's page -------------------------------------------------------------------------

def chapter_page(book: Book, chapter: Chapter, target: str, *, hrefs: Callable[[Chapter, str], str]) -> html.Page:
    """The chapter's page for ``target`` made part of the book (see the module
    documentation). ``hrefs(target_chapter, id)`` makes the href of a link to an id in
    another (or the same) chapter."""
    ctx = chapter.ctx
    if target == "print":
        pg, _ = html.print_page(ctx)
    else:
        pg = html.page(ctx, "epub")
    make = _Maker(target)
    article = next(el for el in pg.root.iter(make.prefix + "article"))
    _prefix_ids(article, book, chapter, hrefs)
    article.set("id", chapter.key)
    _complete_byline(book, chapter, article, make)
    if target == "print":
        author = running_author(chapter.meta, chapter.meta.language) or book.meta.title
        header = next((el for el in article.iter("header")), article)
        header.set("data-running-author", author)
        title = article.find(".//h1")
        if title is not None:
            label = " ".join("".join(title.itertext()).split())
            title.set("data-bookmark", f"{label} \u2014 {author}" if author != book.meta.title else label)
    classes = article.get("class", "").split()
    article.set("class", " ".join([*classes, "chapter", *(["introduction"] if chapter.kind == "introduction" else [])]))
    return pg


def _prefix_ids(article: etree._Element, book: Book, chapter: Chapter,
                hrefs: Callable[[Chapter, str], str]) -> None:
    key = chapter.key
    by_key = {c.key: c for c in book.chapters}
    for el in article.iter(etree.Element):
        if el.get("id"):
            el.set("id", f"{key}-{el.get('id')}")
        for name in IDREF_ATTRIBUTES:
            if el.get(name):
                el.set(name, " ".join(f"{key}-{token}" for token in el.get(name).split()))
        href = el.get("href")
        if href is None or etree.QName(el).localname != "a":
            continue
        if href.startswith("#") and len(href) > 1:
            el.set("href", hrefs(chapter, f"{key}-{href[1:]}"))
        elif href in chapter.links:
            target_id = chapter.links[href]
            el.set("href", hrefs(by_key[target_id.split("-", 1)[0]], target_id))


def _complete_byline(book: Book, chapter: Chapter, article: etree._Element, make: _Maker) -> None:
    """The identifier (DOI) and licence in the article's byline, unless the theme's header
    already shows the identifier."""
    meta = chapter.meta
    words = book.words
    header = next((el for el in article.iter(make.prefix + "header")), None)
    if header is None:
        return
    byline = next((el for el in header.iter(make.prefix + "div") if "byline" in el.get("class", "").split()), None)
    if byline is None and (meta.license or meta.identifier):
        byline = make("div", {"class": "byline"})
        heads = [el for el in header if make.local(el) == "h1" or "subtitle" in el.get("class", "").split()]
        if heads:
            heads[-1].addnext(byline)
        else:
            header.append(byline)
    dateline = next((el for el in byline if "dateline" in el.get("class", "").split()), None) \
        if byline is not None else None

    def new_line(cls: str) -> etree._Element:  # the article's lines go before the date, which themes set apart
        made = make("p", {"class": f"byline-line {cls}"})
        if dateline is not None:
            dateline.addprevious(made)
        else:
            assert byline is not None  # made above when there is a line to add
            byline.append(made)
        return made
    theme_shows_identifier = bool(chapter.ctx.theme.setting("header", default={}).get("identifier"))
    if meta.identifier and not theme_shows_identifier:
        text, href = doi_link(meta.identifier)
        line = new_line("article-identifier")
        label = words["doi"] if _is_doi(meta.identifier) else words["identifier"]
        line.text = f"{label} "
        if href:
            make("a", {"href": href}, text, parent=line)
        else:
            line.text += text
    if meta.license:
        line = new_line("article-licence")
        line.text = f"{words['licence']}: "
        if meta.license.startswith(("http://", "https://")):
            make("a", {"href": meta.license, "rel": "license"}, licence_label(meta.license), parent=line)
        else:
            line.text += meta.license


# -- the book's own matter -----------------------------------------------------------------------

def title_page(book: Book, target: str) -> etree._Element:
    make = _Maker(target)
    meta, words = book.meta, book.words
    section = make("section", {"class": "title-page", "id": "title-page", "aria-label": words["title_page"]})
    if meta.collection:
        make("p", {"class": "book-series"}, meta.collection, parent=section)
    make("p", {"class": "book-title"}, meta.title, parent=section)
    if meta.subtitle:
        make("p", {"class": "book-subtitle"}, meta.subtitle, parent=section)
    for line in html.byline(book.ctx.article):
        make("p", {"class": "book-byline"}, line, parent=section)
    if meta.publisher:
        make("p", {"class": "book-publisher"}, meta.publisher, parent=section)
    return section


def imprint(book: Book, target: str, *, chapter_href: Callable[[Chapter], str]) -> etree._Element:
    """The imprint: the book's rights, licence, publisher, date and identifier, the
    project's own text, and where each text comes from (its metadata, kept)."""
    make = _Maker(target)
    meta, words = book.meta, book.words
    section = make("section", {"class": "imprint", "id": "imprint", "aria-labelledby": "imprint-title"})
    make("h2", {"id": "imprint-title", "class": "imprint-title"}, words["imprint"], parent=section)
    make("p", {"class": "imprint-book"}, meta.title + (f": {meta.subtitle}" if meta.subtitle else ""), parent=section)
    for line in html.byline(book.ctx.article):
        make("p", {"class": "imprint-line"}, line, parent=section)
    if meta.publisher or meta.date:
        published = [p for p in (meta.publisher, html.format_date(meta.date, meta.language) if meta.date else None) if p]
        make("p", {"class": "imprint-line"}, f"{words['published_by']} " + ", ".join(published)
             if meta.publisher else ", ".join(published), parent=section)
    if meta.identifier:
        text, href = doi_link(meta.identifier)
        line = make("p", {"class": "imprint-line"}, f"{words['identifier']}: ", parent=section)
        if href:
            make("a", {"href": href}, text, parent=line)
        else:
            line.text += text
    if meta.rights:
        make("p", {"class": "imprint-rights"}, meta.rights, parent=section)
    if meta.license:
        line = make("p", {"class": "imprint-line"}, f"{words['licence']}: ", parent=section)
        if meta.license.startswith(("http://", "https://")):
            make("a", {"href": meta.license, "rel": "license"}, licence_label(meta.license), parent=line)
        else:
            line.text += meta.license
    for paragraph in re.split(r"\n\s*\n", book.project.imprint_text or ""):
        if paragraph.strip():
            make("p", {"class": "imprint-text"}, " ".join(paragraph.split()), parent=section)
    make("h3", {"class": "imprint-credits-title", "id": "imprint-credits"}, words["credits"], parent=section)
    credits = make("ul", {"class": "imprint-credits"}, parent=section)
    for chapter in book.chapters:
        item = make("li", parent=credits)
        _credit(book, chapter, item, make, chapter_href(chapter))
    return section


def _credit(book: Book, chapter: Chapter, item: etree._Element, make: _Maker, href: str) -> None:
    meta, words = chapter.meta, book.words
    make("a", {"href": href}, f"\u201c{meta.title}\u201d", parent=item).tail = ""
    parts = list(html.byline(chapter.article))
    first: list[str] = []
    if meta.publication:
        first.append(f"{words['in']} {meta.publication}")
    if meta.date:
        first.append(html.format_date(meta.date, meta.language))
    if first:
        parts.append(f"{words['first_published']} " + ", ".join(first))
    if meta.identifier:
        parts.append(f"{words['doi'] if _is_doi(meta.identifier) else words['identifier']} "
                     f"{doi_link(meta.identifier)[0]}")
    if meta.rights:
        parts.append(meta.rights)
    if meta.license:
        parts.append(f"{words['licence']}: {licence_label(meta.license)}")
    text = ". ".join(p.rstrip(".") for p in parts if p)
    item[-1].tail = (". " + text + "." if text else "")


def toc_entries(book: Book) -> list[tuple[int, Chapter | Part]]:
    """(level, chapter or part) in reading order: parts at level 1 with their chapters at 2."""
    entries: list[tuple[int, Chapter | Part]] = []
    seen: set[int] = set()
    for chapter in book.chapters:
        if chapter.part is not None:
            if chapter.part.number not in seen:
                seen.add(chapter.part.number)
                entries.append((1, chapter.part))
            entries.append((2, chapter))
        else:
            entries.append((1, chapter))
    return entries


def contents(book: Book, *, pages: dict[str, int] | None = None) -> etree._Element:
    """The printed table of contents (print target). Page numbers come from the layout:
    ``target-counter`` in ``book-paged.css``, or ``pages`` (id -> page) when the PDF is
    laid out in parts (``data-page``)."""
    make = _Maker("print")
    words = book.words
    nav = make("nav", {"class": "toc", "id": "contents", "role": "doc-toc", "aria-labelledby": "contents-title"})
    make("h2", {"id": "contents-title", "class": "toc-title"}, words["contents"], parent=nav)
    top = make("ol", {"class": "toc-list"}, parent=nav)
    holder = top
    for level, item in toc_entries(book):
        parent = top if level == 1 else holder
        if isinstance(item, Part):
            li = make("li", {"class": "toc-part"}, parent=parent)
            link = make("a", {"href": f"#{item.key}"}, parent=li)
            make("span", {"class": "toc-label"}, _part_label(book, item), parent=link).tail = " "
            make("span", {"class": "toc-text"}, item.title, parent=link)
            holder = make("ol", parent=li)
        else:
            li = make("li", {"class": "toc-chapter" + (" toc-introduction" if item.kind == "introduction" else "")},
                      parent=parent)
            link = make("a", {"href": f"#{item.key}"}, parent=li)
            make("span", {"class": "toc-text"}, item.meta.title, parent=link)
            author = running_author(item.meta, item.meta.language)
            if author:
                make("span", {"class": "toc-byline"}, author, parent=li)
        if pages is not None:
            key = link.get("href")[1:]
            link.set("data-page", str(pages.get(key, "")))
    return nav


def _part_label(book: Book, part: Part) -> str:
    return f"{book.words['part']} {part.number}"


def part_page(book: Book, part: Part, target: str) -> etree._Element:
    make = _Maker(target)
    section = make("section", {"class": "part", "id": part.key, "aria-labelledby": f"{part.key}-title"})
    make("p", {"class": "part-label"}, _part_label(book, part), parent=section)
    heading = make("h1", {"class": "part-title", "id": f"{part.key}-title"}, part.title, parent=section)
    heading.set("data-bookmark", part.title)
    if part.subtitle:
        make("p", {"class": "part-subtitle"}, part.subtitle, parent=section)
    return section


# -- the print page of the book -----------------------------------------------------------------

def print_href(chapter: Chapter, target_id: str) -> str:
    return f"#{target_id}"


def print_root(book: Book, selected: list[Block], *, images: Callable[[Chapter, html.Page], None],
               pages: dict[str, int] | None = None) -> tuple[etree._Element, Resolved]:
    """The print page holding ``selected`` blocks (all of them: the whole book).
    ``images(chapter, page)`` maps each chapter page's image sources (inlined for the
    HTML file, absolute for the PDF)."""
    resolved = resolve(book.settings.page, book.theme)
    meta = book.meta
    root = etree.Element("html", {"lang": meta.language, "dir": meta.dir, "class": f"page-{resolved.paper.key} book"})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "meta", charset="utf-8")
    etree.SubElement(head, "title").text = meta.title
    etree.SubElement(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    for name, content in html.print_head_meta(meta, book.ctx.time):
        etree.SubElement(head, "meta", name=name, content=content)
    classes = ["book", f"theme-{book.theme.name}"] + (["book-with-parts"] if book.parts else [])
    body = etree.SubElement(root, "body", {"class": " ".join(classes)})
    for block in selected:
        if block.kind == "title-page":
            body.append(title_page(book, "print"))
        elif block.kind == "imprint":
            body.append(imprint(book, "print", chapter_href=lambda c: f"#{c.key}"))
        elif block.kind == "contents":
            body.append(contents(book, pages=pages))
        elif block.kind == "part":
            assert block.part is not None  # a part's block holds its part
            body.append(part_page(book, block.part, "print"))
        else:
            assert block.chapter is not None  # a chapter's block holds its chapter
            pg = chapter_page(book, block.chapter, "print", hrefs=print_href)
            images(block.chapter, pg)
            article = next(pg.root.iter("article"))
            if article.get("lang") is None and block.chapter.meta.language != meta.language:
                article.set("lang", block.chapter.meta.language)
            if block.chapter.meta.dir != meta.dir:
                article.set("dir", block.chapter.meta.dir)
            body.append(article)
    return root, resolved


def render(book: Book) -> bytes:
    """The book's print-ready HTML: one self-contained file (CSS inlined, images as data:
    URLs), like an article's (:func:`html.render`)."""
    def inline(chapter: Chapter, pg: html.Page) -> None:
        html.inline_images(chapter.ctx, pg)

    root, resolved = print_root(book, blocks(book), images=inline)
    css = "\n".join([book.theme.css("print.css"), *(book.theme.css(name) for name in BOOK_CSS)])
    html.add_style(root, css + "\n" + page_css(resolved))
    return html.to_html5(root)

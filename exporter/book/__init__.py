"""A book made of articles: the project file (:mod:`exporter.book.project`) read, every
article loaded as a chapter, and the links between them resolved.

Each chapter is an ordinary article: imported, given its sidecar metadata, validated
and transformed by the same pipeline as a single article, with its own context (its
own confined fetcher: a chapter reads only from its own folder) and its own
diagnostics. The book adds:

* **ids unique across the book**: chapter *n* is ``c<n>`` and every id of its page
  becomes ``c<n>-<id>`` (notes, note references, headings, figures), so the one print
  page of the whole book and the EPUB's chapters share one set of ids;
* **links between chapters**: a link in one article to another article's source file
  (``other.md``, ``../b/interview.txt#question-2``) goes to that chapter, or to the
  element with that id in it; a link to a document that is not in the book keeps its
  text (S036), and one to an id the other article does not have goes to the
  chapter's start (M004);
* the book's own metadata, from ``[book]`` (and the command line's metadata options),
  held as an article of its own (:attr:`Book.ctx`) so that every writer's metadata code
  serves the book as it serves an article.

The writers are :mod:`exporter.book.html` (the book's pages and print HTML),
:mod:`exporter.book.pdf` and :mod:`exporter.book.epub`; :func:`render` runs the ones the
settings ask for.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from exporter.book.project import Entry, Project, read_project
from exporter.diagnostics import Diagnostics, Severity
from exporter.errors import SourceError
from exporter.model import Article, Metadata, new_article
from exporter.safety.fetch import ConfinedFetcher
from exporter.settings import Context, Settings, build_time
from exporter.themes import Theme
from exporter.transforms import apply, finish_metadata
from exporter.writers.labels import book_labels

__all__ = ["Book", "Chapter", "Part", "load_book", "render", "running_author"]


@dataclass
class Part:
    number: int
    title: str
    subtitle: str | None = None
    chapters: list[Chapter] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"part-{self.number}"


@dataclass
class Chapter:
    number: int  #: 1, 2, … in reading order
    kind: str  #: "introduction" or "article"
    ctx: Context  #: the article's own context
    entry: Entry
    part: Part | None = None
    #: the chapter's model hrefs that lead to other chapters -> the book-wide target id
    links: dict[str, str] = field(default_factory=dict)

    @property
    def article(self) -> Article:
        return self.ctx.article

    @property
    def meta(self) -> Metadata:
        return self.ctx.article.meta

    @property
    def key(self) -> str:
        """The chapter's id (its ``<article>``); every id in it starts with ``key-``."""
        return f"c{self.number}"

    @property
    def file_name(self) -> str:
        """The chapter's document in the EPUB: ``c03-harbour-ledger.xhtml``."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.article.stem.lower()).strip("-")[:40] or "chapter"
        return f"c{self.number:02d}-{slug}.xhtml"


@dataclass
class Book:
    project: Project
    ctx: Context  #: the book's own: book metadata, a fetcher over the chapters' folders
    chapters: list[Chapter]
    parts: list[Part]
    words: dict[str, str]

    @property
    def meta(self) -> Metadata:
        return self.ctx.article.meta

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def theme(self) -> Theme:
        return self.ctx.theme

    @property
    def name(self) -> str:
        return self.project.name

    @property
    def introduction(self) -> Chapter | None:
        return next((c for c in self.chapters if c.kind == "introduction"), None)

    def diagnostics(self) -> Diagnostics:
        """The book's diagnostics, then each chapter's (each names its own file)."""
        merged = Diagnostics()
        merged.extend(self.ctx.diagnostics)
        for chapter in self.chapters:
            merged.extend(chapter.article.diagnostics)
        return merged

    def text_blocks(self) -> list[str]:
        """Every text block of every chapter (what completeness looks for in each output)."""
        return [block for chapter in self.chapters for block in chapter.article.text_blocks()]


def running_author(meta: Metadata, language: str) -> str:
    """The names a running head shows for an article: its authors, else the people of
    an interview, else whoever is credited."""
    from exporter.writers.html import _join

    words = book_labels(language)
    for roles in (("aut", "cre"), ("ive", "ivr"), ("edt", "trl", "com")):
        names = meta.names(*roles)
        if names:
            return _join(names, words["and"])
    return _join([c.name for c in meta.contributors], words["and"])


# -- loading ------------------------------------------------------------------------------

def load_book(project_file: Path, settings: Settings, theme: Theme) -> Book:
    """Read the project and load, validate and transform every chapter."""
    from exporter.importers.load import load

    project = read_project(Path(project_file), settings.allow_read)
    time = build_time()
    chapter_settings = dataclasses.replace(settings, metadata=None, link_documents=True)
    meta = dataclasses.replace(project.meta, contributors=list(project.meta.contributors),
                               subjects=list(project.meta.subjects))
    if settings.metadata is not None:
        meta.update(settings.metadata)
    holder = Article(meta=meta, body=new_article(), source=project.file, root=project.root, name=project.name)
    finish_metadata(holder)

    chapters: list[Chapter] = []

    def add(entry: Entry, kind: str, part: Part | None) -> None:
        article = load(entry.path, chapter_settings)
        ctx = Context(settings=chapter_settings, article=article, theme=theme, time=time)
        apply(ctx)
        chapter = Chapter(number=len(chapters) + 1, kind=kind, ctx=ctx, entry=entry, part=part)
        chapters.append(chapter)
        if part is not None:
            part.chapters.append(chapter)

    if project.introduction is not None:
        add(project.introduction, "introduction", None)
    parts: list[Part] = []
    for spec in project.parts:
        part = None
        if spec.title is not None:
            part = Part(number=len(parts) + 1, title=spec.title, subtitle=spec.subtitle)
            parts.append(part)
        for entry in spec.articles:
            add(entry, "article", part)

    ctx = Context(settings=settings, article=holder, theme=theme, time=time)
    roots = list(dict.fromkeys([project.root, *(c.article.root for c in chapters)]))
    ctx.fetcher = ConfinedFetcher(
        [*roots, *settings.allow_read, *theme.dirs], holder.diagnostics, source=str(project.file), allow_hosts=settings.allow_hosts,
        max_resource_bytes=settings.max_resource_bytes, max_document_bytes=settings.max_document_bytes,
        max_image_pixels=settings.max_image_pixels)
    book = Book(project=project, ctx=ctx, chapters=chapters, parts=parts, words=book_labels(meta.language))
    _resolve_links(book)
    return book


def _document_link(href: str) -> tuple[str, str] | None:
    """(path, fragment) for a relative link to another document, else None."""
    if not href or href.startswith(("#", "/")):
        return None
    try:
        parts = urllib.parse.urlsplit(href)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return urllib.parse.unquote(parts.path), urllib.parse.unquote(parts.fragment)


def _resolve_links(book: Book) -> None:
    """Map every link between chapters to its target; unwrap links to documents outside
    the book (S036) and point links to missing ids at the chapter's start (M004)."""
    by_source = {c.article.source.resolve(): c for c in book.chapters}
    ids = {c.number: {el.get("id") for el in c.article.body.iter(etree.Element) if el.get("id")}
           for c in book.chapters}
    for chapter in book.chapters:
        for a in list(chapter.article.body.iter("a")):
            href = a.get("href", "")
            if "noteref" in a.get("class", "").split():
                continue
            found = _document_link(href)
            if found is None:
                continue
            path, fragment = found
            target = by_source.get((chapter.article.source.parent / path).resolve())
            if target is None:
                chapter.ctx.diagnostics.add(
                    "S036", f"link to '{href[:80]}', which is not in the book: its text is kept",
                    file=chapter.article.source, line=a.sourceline,
                    hint="add that document to exporter.toml, or link to its web address")
                del a.attrib["href"]
                a.attrib.pop("rel", None)
                a.attrib.pop("hreflang", None)
                a.tag = "span"
                continue
            if fragment and fragment not in ids[target.number]:
                chapter.ctx.diagnostics.add(
                    "M004", f"link to '{href[:80]}': '{target.article.source.name}' has no id '{fragment}'; "
                    "the link goes to the start of that chapter", file=chapter.article.source, line=a.sourceline,
                    hint="fix the id after '#'")
                fragment = ""
            chapter.links[href] = f"{target.key}-{fragment}" if fragment else target.key


# -- rendering ------------------------------------------------------------------------------

def render(project_file: Path, settings: Settings, theme: Theme
           ) -> tuple[str, dict[str, bytes], Diagnostics, Path]:
    """Load the book and render every requested format in memory: (name, {format: bytes},
    diagnostics, the folder the book reads from). Raises :class:`SourceError` when the
    diagnostics fail the book."""
    import importlib

    book = load_book(project_file, settings, theme)
    rendered = {name: importlib.import_module(f"exporter.book.{name}").render(book)
                for name in settings.formats}
    diagnostics = book.diagnostics()
    failing = diagnostics.at_least(Severity.WARNING if settings.strict else Severity.ERROR)
    if failing:
        first = failing[0]
        raise SourceError(
            f"{'warnings' if settings.strict else 'errors'} while building the book; no output written: "
            f"{first.message}", file=first.file or project_file, line=first.line,
            hint="fix the problems listed above" + (" or build without --strict" if settings.strict else ""))
    return book.name, rendered, diagnostics, book.project.root

"""A book's EPUB: one content document per chapter, the book's own matter, and each
article's metadata kept.

Every chapter is the article's e-book page (:func:`html.page` for ``"epub"``, with its
EPUB semantics) made part of the book by :func:`.book_html.chapter_page`: ids prefixed
with the chapter's key, links to other chapters pointing at their documents, the DOI and
licence in the byline. Around them:

* the cover (``[book] cover``, or generated from the book's metadata), a title page,
  the imprint with the sources of the texts, the navigation document in the reading
  order as the contents, and a title page for every part;
* **each article's metadata in its own document's head** (``<meta name="author">``,
  ``dcterms.date``, ``dcterms.identifier``, ``dcterms.rights``, ``dcterms.isPartOf``,
  ``<link rel="license">``) **and in the package document**, as a ``<collection
  role="distributable-object">`` per chapter (the IDPF's collection role for a part of a
  publication that can be distributed on its own) holding the article's Dublin Core
  metadata, its creators with their MARC roles, and links to its document and images.
  EPUBCheck validates these (a ``role`` refinement is only allowed on ``dc:creator`` and
  ``dc:contributor``, so refining the chapter's manifest item cannot carry roles);
* the book's metadata (title, editors as ``edt``, publisher, identifier, date, rights,
  licence, subjects, series) from ``exporter.toml``, accessibility metadata computed
  from every document, and the theme's fonts subset to the book's text.

Everything else is the single-article EPUB's: the images (:class:`.epub.Media`), the
cover, the package metadata (:func:`.epub.package_metadata`, whose article entries
:func:`.epub.metadata_entries` also fill each chapter's collection), the fonts, the
accessibility metadata, and the package itself, which EbookLib writes
(:mod:`.epub_package`: ``finish_opf`` adds the collections after the spine). This
module only lays the book out.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import uuid
from collections.abc import Callable

from ebooklib import epub as ebl
from lxml import etree

from exporter.book import Book, Chapter, Part
from exporter.book.html import chapter_page, imprint, part_page, title_page
from exporter.model import EPUB_NS, MATHML_NS, XHTML_NS, Metadata
from exporter.model.file import dump_model
from exporter.writers import cover as covers
from exporter.writers import epub
from exporter.writers.epub import a11y as epub_a11y
from exporter.writers.epub import conformance
from exporter.writers.epub import fonts as epub_fonts
from exporter.writers.epub import nav as epub_nav
from exporter.writers.epub import package as epub_package
from exporter.writers.epub import semantics as epub_semantics

__all__ = ["render", "identifier_for", "chapter_metadata"]

X = f"{{{XHTML_NS}}}"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
DC_NS = ebl.NAMESPACES["DC"]
TEXT = "text"
CSS = epub.CSS
NAV = epub.NAV
NCX = epub.NCX
TITLE_PAGE = f"{TEXT}/title-page.xhtml"
IMPRINT = f"{TEXT}/imprint.xhtml"
_ID_NAMESPACE = uuid.UUID("0b7e4a9c-55d1-4f8e-9a63-3c2f6d1e7b20")
BOOK_EPUB_CSS = "book-epub.css"


def identifier_for(book: Book) -> str:
    """The book's identifier: ``[book] identifier``, else stable from its content."""
    if book.meta.identifier:
        return book.meta.identifier
    digest = hashlib.sha256(repr(book.meta).encode("utf-8"))
    for chapter in book.chapters:
        digest.update(dump_model(chapter.article))
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, digest.hexdigest())}"


def _document(chapter: Chapter) -> str:
    return f"{TEXT}/{chapter.file_name}"


def _part_document(part: Part) -> str:
    return f"{TEXT}/{part.key}.xhtml"


def _epub_href(from_chapter: Chapter, target: Chapter, target_id: str) -> str:
    """A link from one chapter's document to an id (``c3`` for a chapter's start)."""
    if target is from_chapter:
        return f"#{target_id}"
    return target.file_name + ("" if target_id == target.key else f"#{target_id}")


# -- documents ----------------------------------------------------------------------------------

def _shell(book: Book, title: str, document: str, body_type: str) -> tuple[etree._Element, etree._Element]:
    """A document of the book's own matter: the e-book's page shell, in the book's language."""
    root, body = epub._xhtml_shell(book.ctx, title, document)
    body.set("class", f"theme-{book.theme.name} book-matter")
    body.set(EPUB_TYPE, body_type)
    return root, body


def _matter(book: Book, element: etree._Element, title: str, document: str, body_type: str,
            kind: str) -> etree._Element:
    root, body = _shell(book, title, document, body_type)
    epub_semantics.add_type(element, kind)
    body.append(element)
    epub_semantics.apply(root)
    return root


def chapter_metadata(meta: Metadata) -> list[tuple[str, str]]:
    """(name, content) pairs for a chapter document's head: the article's own metadata."""
    pairs = [("author", c.name) for c in meta.contributors]
    for name, value in (("dcterms.title", meta.title), ("dcterms.date", meta.date),
                        ("dcterms.identifier", meta.identifier), ("dcterms.publisher", meta.publisher),
                        ("dcterms.isPartOf", meta.publication), ("dcterms.rights", meta.rights),
                        ("dcterms.source", meta.source), ("description", meta.description)):
        if value:
            pairs.append((name, value))
    if meta.subjects:
        pairs.append(("keywords", ", ".join(meta.subjects)))
    return pairs


def _chapter_document(book: Book, chapter: Chapter, media: epub.Media) -> etree._Element:
    pg = chapter_page(book, chapter, "epub", hrefs=lambda target, target_id: _epub_href(chapter, target, target_id))
    root = pg.root
    document = _document(chapter)
    head = root.find(f"{X}head")
    link = head.find(f"{X}link")
    for name, content in chapter_metadata(chapter.meta):
        element = etree.Element(f"{X}meta", name=name, content=content)
        (link.addprevious(element) if link is not None else head.append(element))
    if chapter.meta.license and chapter.meta.license.startswith(("http://", "https://")):
        licence = etree.Element(f"{X}link", rel="license", href=chapter.meta.license)
        (link.addprevious(licence) if link is not None else head.append(licence))
    for css in head.iter(f"{X}link"):
        if css.get("rel") == "stylesheet":
            css.set("href", posixpath.relpath(CSS, posixpath.dirname(document)))
    article = root.find(f".//{X}article")
    if chapter.kind == "introduction":
        root.find(f"{X}body").set(EPUB_TYPE, "frontmatter")
        article.set(EPUB_TYPE, "introduction")
    epub_semantics.apply(root)
    media.package(chapter.ctx, pg, document)
    return root


# -- navigation -----------------------------------------------------------------------------------

def _entries(book: Book, chapter_roots: dict[int, etree._Element]) -> list[epub_nav.Entry]:
    entries: list[epub_nav.Entry] = []
    seen: set[int] = set()
    for chapter in book.chapters:
        shift = 0
        if chapter.part is not None:
            shift = 1
            if chapter.part.number not in seen:
                seen.add(chapter.part.number)
                entries.append(epub_nav.Entry(1, _part_document(chapter.part), chapter.part.title))
        for entry in epub_nav.toc_entries(chapter_roots[chapter.number], _document(chapter), chapter.meta.title):
            entries.append(epub_nav.Entry(entry.level + shift, entry.href, entry.text))
    return entries


def _order(spine: list[str], roots: dict[str, etree._Element]) -> Callable[[str], tuple[int, int]]:
    """A sort key for hrefs in reading order (for the NCX's playOrder)."""
    positions = {document: {el.get("id"): i for i, el in enumerate(root.iter(etree.Element)) if el.get("id")}
                 for document, root in roots.items()}

    def key(href: str) -> tuple[int, int]:
        document, _, fragment = href.partition("#")
        index = spine.index(document) if document in spine else len(spine)
        return index, positions.get(document, {}).get(fragment, -1) if fragment else -1
    return key


# -- the package ----------------------------------------------------------------------------------

def _collections(book: Book, media: epub.Media) -> Callable[[etree._Element], None]:
    """Each article's metadata in the package document (``finish_opf`` for
    :func:`.epub_package.write`): a ``distributable-object`` collection per chapter (the
    IDPF's role for a part of a publication that can stand on its own) with the
    article's identifier, title, language and the metadata entries a single article's
    EPUB has (:func:`.epub.metadata_entries`), linking its document and images."""
    def finish(root: etree._Element) -> None:
        for chapter in book.chapters:
            m, key, document = chapter.meta, chapter.key, _document(chapter)
            collection = etree.SubElement(root, "collection", role="distributable-object")
            holder = etree.SubElement(collection, "metadata", nsmap={"dc": DC_NS})
            entries = [("DC", "identifier", m.identifier or _chapter_identifier(chapter), {"id": f"{key}-id"}),
                       ("DC", "title", m.title, {"id": f"{key}-title"}), ("DC", "language", m.language, {}),
                       *epub.metadata_entries(m, key=f"{key}-")]
            for namespace, name, value, attributes in entries:  # as EbookLib writes the book's own
                element = etree.SubElement(holder, f"{{{DC_NS}}}{name}" if namespace == "DC" else name, attributes)
                element.text = value or None
            for href in [document, *media.by_document.get(document, [])]:
                etree.SubElement(collection, "link", href=href)
    return finish


def _chapter_identifier(chapter: Chapter) -> str:
    digest = hashlib.sha256(dump_model(chapter.article)).hexdigest()
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, digest)}"


def render(book: Book) -> bytes:
    ctx = book.ctx
    meta, words = book.meta, book.words
    options = book.settings.epub
    identifier = identifier_for(book)
    media = epub.Media()

    # the chapters first: their images are packaged before the cover picks its name
    chapter_roots = {c.number: _chapter_document(book, c, media) for c in book.chapters}

    chosen = covers.choose(ctx)  # [book] cover, else generated (the book's own body has no lead image)
    cover_item = media.cover(chosen, {})
    cover_root = epub.cover_page(ctx, cover_item.file_name, chosen.alt)

    front: list[tuple[str, str, etree._Element]] = []  # (item id, document, root)
    if book.project.title_page:
        front.append(("title-page", TITLE_PAGE, _matter(book, title_page(book, "epub"), meta.title, TITLE_PAGE,
                                                        "frontmatter", "titlepage")))
    if book.project.imprint:
        section = imprint(book, "epub", chapter_href=lambda c: posixpath.relpath(_document(c), TEXT))
        front.append(("imprint", IMPRINT, _matter(book, section, words["imprint"], IMPRINT, "frontmatter",
                                                  "copyright-page")))
    parts = {part.number: _matter(book, part_page(book, part, "epub"), part.title, _part_document(part),
                                  "bodymatter", "part") for part in book.parts}

    entries = _entries(book, chapter_roots)
    first_body = next((c for c in book.chapters if c.kind != "introduction"), book.chapters[0])
    start = _part_document(first_body.part) if first_body.part is not None else _document(first_body)
    landmarks = [("cover", epub.COVER_PAGE, words["cover"])]
    if book.project.title_page:
        landmarks.append(("titlepage", TITLE_PAGE, words["title_page"]))
    landmarks += [("toc", f"{NAV}#toc", words["contents"]), ("bodymatter", start, words["start"])]
    nav_root = epub_nav.nav_document(href=NAV, lang=meta.language, direction=meta.dir, title=meta.title, css=CSS,
                                     words=words, entries=entries, landmarks=landmarks, pages=[],
                                     page_document=_document(book.chapters[0]))

    # reading order: cover, title page, imprint, contents, then introduction, parts and chapters
    sequence: list[tuple[str, str, etree._Element, tuple[str, ...]]] = [
        ("cover", epub.COVER_PAGE, cover_root, ())]
    sequence += [(uid, document, root, ()) for uid, document, root in front]
    sequence.append(("nav", NAV, nav_root, ("nav",)))
    seen: set[int] = set()
    for chapter in book.chapters:
        if chapter.part is not None and chapter.part.number not in seen:
            seen.add(chapter.part.number)
            sequence.append((chapter.part.key, _part_document(chapter.part), parts[chapter.part.number], ()))
        root = chapter_roots[chapter.number]
        math = ("mathml",) if root.find(f".//{{{MATHML_NS}}}math") is not None else ()
        sequence.append((chapter.key, _document(chapter), root, math))

    css = covers.strip_style("\n".join([book.theme.css("epub.css"), book.theme.css(BOOK_EPUB_CSS)]))
    fonts: list[epub_fonts.EmbeddedFont] = []
    if options.embed_fonts:
        css, fonts = epub_fonts.embed(ctx, css, [root for _, _, root, _ in sequence], identifier,
                                      obfuscated=options.obfuscate_fonts, css_href=CSS)
    content = [root for uid, _, root, _ in sequence if uid not in ("cover", "nav")]
    publication = conformance.Publication(meta.language, [(document, root) for _, document, root, _ in sequence], NAV,
                                          nav_root)
    a11y = epub_a11y.describe(ctx, content, media.described, toc_entries=len(entries), pages=0, css=css,
                              publication=publication)

    package = epub_package.new_book(identifier, meta.title, meta.language, meta.dir)
    epub.package_metadata(package, ctx, identifier, a11y, [], cover_item, bool(fonts))
    spine = []
    for uid, document, root, properties in sequence:
        if uid == "nav":
            made = ebl.EpubNav(uid="nav", file_name=NAV)
        else:
            made = epub_package.item(uid, document, "application/xhtml+xml", epub_nav.xhtml_bytes(root), properties)
        package.add_item(made)
        spine.append(made)
    package.add_item(ebl.EpubNcx(uid="ncx", file_name=NCX))
    package.add_item(epub_package.item("style", CSS, "text/css", css.encode("utf-8")))
    for image in media.items.values():
        package.add_item(image)
    epub.add_fonts(package, fonts)
    package.spine = spine
    package.toc = epub_package.toc(epub_nav.toc_tree(entries))
    spine_documents = [document for _, document, _, _ in sequence]
    complete_ncx = functools.partial(
        epub_nav.complete_ncx, lang=meta.language, authors=meta.names(*epub.creator_roles(meta)),
        pages=[], page_document=_document(book.chapters[0]),
        order=_order(spine_documents, {d: r for _, d, r, _ in sequence}), pages_label=words["pages"])
    return epub_package.write(package, nav=epub_nav.xhtml_bytes(nav_root), complete_ncx=complete_ncx,
                              when=ctx.time, finish_opf=_collections(book, media))

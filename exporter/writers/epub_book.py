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

The package document, NCX, fonts, accessibility metadata and the reproducible zip are
the EPUB writer's (:mod:`.epub`); this module only lays the book out.
"""

from __future__ import annotations

import hashlib
import posixpath
import uuid

from lxml import etree

from ..book import Book, Chapter, Part
from ..fetch import FetchRefused
from ..model import EPUB_NS, MATHML_NS, XHTML_NS, XML_LANG, Metadata
from ..modelfile import dump_model
from . import cover as covers
from . import epub, epub_a11y, epub_fonts, epub_nav, epub_semantics, html
from .book_html import chapter_page, doi_link, imprint, part_page, title_page

__all__ = ["render", "identifier_for", "chapter_metadata"]

X = f"{{{XHTML_NS}}}"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
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


class _Images:
    """The book's images under ``images/``, one file per distinct image."""

    def __init__(self) -> None:
        self.items: dict[str, epub.Item] = {}
        self.by_digest: dict[str, epub.Item] = {}
        self.described: list[epub_a11y.Image] = []
        #: chapter number -> the hrefs of its images
        self.by_chapter: dict[int, list[str]] = {}

    def add(self, data: bytes, media_type: str, name: str) -> tuple[epub.Item, bool]:
        data, media_type, name, animated = epub._image_data(data, media_type, name)
        digest = hashlib.sha256(data).hexdigest()
        if digest in self.by_digest:
            return self.by_digest[digest], animated
        href, n = f"images/{name}", 2
        while href in self.items:
            stem, dot, ext = name.rpartition(".")
            href, n = f"images/{stem or name}-{n}{dot}{ext if stem else ''}", n + 1
        item = epub.Item(f"img-{len(self.items) + 1}", href, media_type, data)
        self.items[href] = item
        self.by_digest[digest] = item
        return item, animated

    def package(self, chapter: Chapter, pg: html.Page, document: str) -> None:
        """Package a chapter page's images and point the page at them."""
        ctx = chapter.ctx
        for img in pg.images:
            src = img.get("src", "")
            try:
                fetched = ctx.fetcher.get(ctx.url_for(src))
            except FetchRefused:
                continue
            if fetched.path is not None:
                name = posixpath.basename(fetched.path.name) or "image"
            else:  # data: URLs: named by their content
                extension = {"image/jpeg": "jpg", "image/svg+xml": "svg"}.get(
                    fetched.media_type, fetched.media_type.rpartition("/")[2] or "bin")
                name = f"image-{hashlib.sha256(fetched.data).hexdigest()[:12]}.{extension}"
            item, animated = self.add(fetched.data, fetched.media_type, name)
            used = self.by_chapter.setdefault(chapter.number, [])
            if item.href not in used:
                used.append(item.href)
            img.set("src", posixpath.relpath(item.href, posixpath.dirname(document)))
            self.described.append(epub_a11y.Image(alt=img.get("alt"), animated=animated))


# -- documents ----------------------------------------------------------------------------------

def _shell(book: Book, title: str, document: str, body_type: str, meta: Metadata | None = None):
    meta = meta or book.meta
    root = etree.Element(f"{X}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    root.set("lang", meta.language)
    root.set(XML_LANG, meta.language)
    root.set("dir", meta.dir)
    head = etree.SubElement(root, f"{X}head")
    etree.SubElement(head, f"{X}meta", charset="utf-8")
    etree.SubElement(head, f"{X}title").text = title
    etree.SubElement(head, f"{X}link", rel="stylesheet", href=posixpath.relpath(CSS, posixpath.dirname(document)))
    body = etree.SubElement(root, f"{X}body", {"class": f"theme-{book.theme.name} book-matter", EPUB_TYPE: body_type})
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


def _chapter_document(book: Book, chapter: Chapter, images: _Images) -> etree._Element:
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
    images.package(chapter, pg, document)
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


def _order(spine: list[str], roots: dict[str, etree._Element]):
    """A sort key for hrefs in reading order (for the NCX's playOrder)."""
    positions = {document: {el.get("id"): i for i, el in enumerate(root.iter(etree.Element)) if el.get("id")}
                 for document, root in roots.items()}

    def key(href: str) -> tuple[int, int]:
        document, _, fragment = href.partition("#")
        index = spine.index(document) if document in spine else len(spine)
        return index, positions.get(document, {}).get(fragment, -1) if fragment else -1
    return key


# -- the package ----------------------------------------------------------------------------------

def _collections(opf: bytes, book: Book, documents: dict[int, str], resources: dict[int, list[str]]) -> bytes:
    """Each article's metadata in the package document: a ``distributable-object``
    collection per chapter (the IDPF's role for a part of a publication that can stand on
    its own), with the article's identifier, title, language, creators and their roles,
    date, publication, publisher, rights, licence and source, linking its document and
    images."""
    root = etree.fromstring(opf)
    ns, dc_ns = epub.OPF_NS, epub.DC_NS
    O, DC = f"{{{ns}}}", f"{{{dc_ns}}}"
    for chapter in book.chapters:
        m, key = chapter.meta, chapter.key
        collection = etree.SubElement(root, f"{O}collection", role="distributable-object")
        md = etree.SubElement(collection, f"{O}metadata", nsmap={"dc": dc_ns})

        def dc(name: str, text: str, **attrs) -> etree._Element:
            element = etree.SubElement(md, f"{DC}{name}", {k.replace("_", "-"): v for k, v in attrs.items()})
            element.text = text
            return element

        def prop(name: str, text: str, **attrs) -> etree._Element:
            element = etree.SubElement(md, f"{O}meta", {"property": name,
                                                        **{k.replace("_", "-"): v for k, v in attrs.items()}})
            element.text = text
            return element

        dc("identifier", m.identifier or _chapter_identifier(chapter), id=f"{key}-id")
        dc("title", m.title, id=f"{key}-title")
        if m.subtitle:
            prop("title-type", "main", refines=f"#{key}-title")
            dc("title", m.subtitle, id=f"{key}-subtitle")
            prop("title-type", "subtitle", refines=f"#{key}-subtitle")
        dc("language", m.language)
        for index, person in enumerate(m.contributors, start=1):
            uid = f"{key}-creator-{index}"
            dc("creator" if person.role in epub.CREATOR_ROLES else "contributor", person.name, id=uid)
            prop("role", person.role, refines=f"#{uid}", scheme="marc:relators")
            if person.file_as:
                prop("file-as", person.file_as, refines=f"#{uid}")
        if m.date:
            dc("date", epub._w3cdtf(m.date))
        if m.publisher:
            dc("publisher", m.publisher)
        if m.rights:
            dc("rights", m.rights)
        if m.source:
            dc("source", m.source)
        for subject in m.subjects:
            dc("subject", subject)
        if m.description:
            dc("description", m.description)
        if m.publication:
            prop("dcterms:isPartOf", m.publication)
        if m.license and m.license.startswith(("http://", "https://")):
            etree.SubElement(md, f"{O}link", rel="dcterms:license", href=m.license)
        elif m.license:
            prop("dcterms:license", m.license)
        for href in [documents[chapter.number], *resources.get(chapter.number, [])]:
            etree.SubElement(collection, f"{O}link", href=href)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(root, encoding="utf-8", pretty_print=True)


def _chapter_identifier(chapter: Chapter) -> str:
    digest = hashlib.sha256(dump_model(chapter.article)).hexdigest()
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, digest)}"


def render(book: Book) -> bytes:
    ctx = book.ctx
    meta, words = book.meta, book.words
    options = book.settings.epub
    identifier = identifier_for(book)
    images = _Images()

    # the chapters first: their images are packaged before the cover picks its name
    chapter_roots = {c.number: _chapter_document(book, c, images) for c in book.chapters}

    chosen = covers.choose(ctx)  # [book] cover, else generated (the book's own body has no lead image)
    cover_item, _ = images.add(chosen.data or b"", chosen.media_type, "cover.png" if chosen.generated else "cover")
    cover_item.properties = ("cover-image",)
    cover_item.id = "cover-image"
    images.described.append(epub_a11y.Image(alt=chosen.alt, cover=True))
    cover_root = epub._cover_page(ctx, cover_item.href, chosen.alt)

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
    documents = [root for _, _, root, _ in sequence]
    if options.embed_fonts:
        css, fonts = epub_fonts.embed(ctx, css, documents, identifier, obfuscated=options.obfuscate_fonts,
                                      css_href=CSS)
    content = [root for uid, _, root, _ in sequence if uid not in ("cover", "nav")]
    a11y = epub_a11y.describe(ctx, content, images.described, toc_entries=len(entries), pages=0, css=css)
    spine_documents = [document for _, document, _, _ in sequence]
    ncx = epub_nav.ncx_document(href=NCX, identifier=identifier, lang=meta.language, title=meta.title,
                                authors=meta.names(*epub.CREATOR_ROLES) or meta.names("edt"), entries=entries,
                                pages=[], page_document=_document(book.chapters[0]),
                                order=_order(spine_documents, {d: r for _, d, r, _ in sequence}),
                                pages_label=words["pages"])

    xhtml = [epub.Item(uid, document, "application/xhtml+xml", epub_nav.xhtml_bytes(root), props)
             for uid, document, root, props in sequence]
    items = [*xhtml, epub.Item("ncx", NCX, "application/x-dtbncx+xml", ncx),
             epub.Item("style", CSS, "text/css", css.encode("utf-8")), *images.items.values()]
    items += [epub.Item(f"font-{i}", font.href, font.media_type, font.data) for i, font in enumerate(fonts, 1)]
    spine = [item for item in xhtml]
    opf = epub._package(ctx, identifier, items, spine, a11y, [], cover_item, bool(fonts))
    opf = _collections(opf, book, {c.number: _document(c) for c in book.chapters}, images.by_chapter)

    files = {f"{epub.PACKAGE_DIR}/content.opf": opf}
    files.update({f"{epub.PACKAGE_DIR}/{item.href}": item.data for item in items})
    files["META-INF/container.xml"] = epub._container()
    obfuscated = [f"{epub.PACKAGE_DIR}/{font.href}" for font in fonts if font.obfuscated]
    if obfuscated:
        files["META-INF/encryption.xml"] = epub._encryption(obfuscated)
    return epub._zip(files, ctx.time)

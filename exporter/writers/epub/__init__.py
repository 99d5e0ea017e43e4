"""EPUB 3: the article's page (target ``"epub"``) packaged as a reflowable e-book.

The content document is :func:`html.page` for the e-book, with EPUB semantics and
matching ARIA roles (:mod:`.epub_semantics`) and markers for the pages of the PDF
(:mod:`.epub_pages`). Around it this module gathers the book: a cover page and image
(:mod:`.cover`), the images in core media types, the navigation document
(:mod:`.epub_nav`), the theme's fonts, subset and optionally obfuscated
(:mod:`.epub_fonts`), accessibility metadata computed from the content
(:mod:`.epub_a11y`), and the metadata of the package document: titles and their
types, creators and contributors with MARC roles and sort names, dates, rights and
licence, collections, the page source, the accessibility properties and
conformance claim.

EbookLib packages it (:mod:`.epub_package`): its ``EpubBook`` holds the metadata,
manifest items, spine and table of contents, and its writer (extended there for the
navigation document, the NCX page list and the package element's language) writes
the package document, the NCX and the container. The zip is then rewritten to be
reproducible: ``mimetype`` first and stored, fixed entry order and times,
``dcterms:modified`` from the build clock (``SOURCE_DATE_EPOCH``), the identifier
from the metadata or the content.
"""

from __future__ import annotations

import functools
import hashlib
import io
import posixpath
import uuid
from collections.abc import Callable

from ebooklib import epub as ebl
from lxml import etree

from exporter.model import EPUB_NS, MATHML_NS, XHTML_NS, XML_LANG, Metadata
from exporter.model.dates import parse_date
from exporter.model.file import dump_model
from exporter.safety.fetch import FetchRefused
from exporter.settings import Context
from exporter.writers import cover as covers
from exporter.writers import html
from exporter.writers.epub import a11y as epub_a11y
from exporter.writers.epub import conformance
from exporter.writers.epub import fonts as epub_fonts
from exporter.writers.epub import nav as epub_nav
from exporter.writers.epub import package as epub_package
from exporter.writers.epub import pages as epub_pages
from exporter.writers.epub import semantics as epub_semantics
from exporter.writers.epub.package import PACKAGE_DIR
from exporter.writers.labels import labels

__all__ = ["render", "identifier_for", "Media", "cover_page", "package_metadata", "metadata_entries",
           "CREATOR_ROLES", "creator_roles"]

X = f"{{{XHTML_NS}}}"
CONTENT = "text/article.xhtml"
COVER_PAGE = "text/cover.xhtml"
NAV = "nav.xhtml"
NCX = "toc.ncx"
CSS = "css/style.css"
ID_NAMESPACE = uuid.UUID("6f1c8a52-3d5e-4f43-9a8e-2c7d0b6e5a11")
#: roles that make a contributor a creator (dc:creator) rather than a dc:contributor
CREATOR_ROLES = ("aut", "ivr", "ive", "cre")
#: who is the creator of a work without one of CREATOR_ROLES: its editors, else its compilers
#: (an anthology edited by A reads "A (ed.)", never "Unknown" as reading systems show a book
#: without any dc:creator)
FALLBACK_CREATOR_ROLES = (("edt",), ("com",))


def creator_roles(meta: Metadata) -> tuple[str, ...]:
    """The roles that are the work's creators (dc:creator): authors and the like, else editors,
    else compilers."""
    present = {c.role for c in meta.contributors}
    if present & set(CREATOR_ROLES):
        return CREATOR_ROLES
    return next((roles for roles in FALLBACK_CREATOR_ROLES if present & set(roles)), CREATOR_ROLES)
IBOOKS = ("ibooks", "http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/")


def identifier_for(ctx: Context) -> str:
    """The book's identifier: the source's own (DOI, URN, ISBN…) or stable from its content."""
    own = ctx.article.meta.identifier
    if own:
        return own
    digest = hashlib.sha256(dump_model(ctx.article)).hexdigest()
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, digest)}"


#: raster formats every reading system shows (EPUB 3.3 core media types); others become PNG
_CORE_IMAGES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
_EXTENSIONS = {"PNG": ("png",), "JPEG": ("jpg", "jpeg"), "GIF": ("gif",), "WEBP": ("webp",)}


def _image_data(data: bytes, media_type: str, name: str) -> tuple[bytes, str, str, bool]:
    """(bytes, media type, file name, animated): the media type read from the bytes, and
    images in formats outside the EPUB core media types converted to PNG."""
    from PIL import Image, UnidentifiedImageError

    if media_type == "image/svg+xml":
        return data, media_type, name if name.lower().endswith(".svg") else f"{name}.svg", False
    try:
        with Image.open(io.BytesIO(data)) as image:
            animated = bool(getattr(image, "is_animated", False))
            if image.format in _CORE_IMAGES:
                stem, _, ext = name.rpartition(".")
                if ext.lower() not in _EXTENSIONS[image.format]:  # named for another format
                    name = f"{stem or name}.{_EXTENSIONS[image.format][0]}"
                return data, _CORE_IMAGES[image.format], name, animated
            out = io.BytesIO()
            image.save(out, format="PNG")
            stem = name.rsplit(".", 1)[0] if "." in name else name
            return out.getvalue(), "image/png", f"{stem}.png", False
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return data, media_type, name, False


class Media:
    """The e-book's images under ``images/``: one file per distinct image (by content),
    named for its real format, in EPUB core media types (:func:`_image_data`). A book
    gathers the images of all its chapters in one (:mod:`.epub_book`)."""

    def __init__(self) -> None:
        self.items: dict[str, ebl.EpubItem] = {}
        self._by_digest: dict[str, ebl.EpubItem] = {}
        #: what the accessibility metadata needs to know of every image
        self.described: list[epub_a11y.Image] = []
        #: document -> the hrefs of the images it shows
        self.by_document: dict[str, list[str]] = {}

    def add(self, data: bytes, media_type: str, name: str, uid: str | None = None) -> tuple[ebl.EpubItem, bool]:
        """(item, animated) for an image, packaged once however often it is added."""
        data, media_type, name, animated = _image_data(data, media_type, name)
        digest = hashlib.sha256(data).hexdigest()
        if digest in self._by_digest:
            return self._by_digest[digest], animated
        href, n = f"images/{name}", 2
        while href in self.items:  # another image of that name
            stem, dot, ext = name.rpartition(".")
            href, n = f"images/{stem or name}-{n}{dot}{ext if stem else ''}", n + 1
        made = epub_package.item(uid or f"img-{len(self.items) + 1}", href, media_type, data)
        self.items[href] = self._by_digest[digest] = made
        return made, animated

    def package(self, ctx: Context, pg: html.Page, document: str = CONTENT) -> dict[str, ebl.EpubItem]:
        """Package the page's images and point the page (the content document
        ``document``) at them; {original src: item}."""
        by_src: dict[str, ebl.EpubItem] = {}
        for img in pg.images:
            src = img.get("src", "")
            try:
                fetched = ctx.fetcher.get(ctx.url_for(src))
            except FetchRefused:
                continue
            if fetched.path is not None:
                name = posixpath.basename(fetched.path.name) or "image"
            else:  # data: URLs (images imported from an .epub, converted or downloaded): name by content
                extension = {"image/jpeg": "jpg", "image/svg+xml": "svg"}.get(
                    fetched.media_type, fetched.media_type.rpartition("/")[2] or "bin")
                name = f"image-{hashlib.sha256(fetched.data).hexdigest()[:12]}.{extension}"
            made, animated = self.add(fetched.data, fetched.media_type, name)
            by_src[src] = made
            used = self.by_document.setdefault(document, [])
            if made.file_name not in used:
                used.append(made.file_name)
            img.set("src", posixpath.relpath(made.file_name, posixpath.dirname(document)))
            self.described.append(epub_a11y.Image(alt=img.get("alt"), animated=animated))
        return by_src

    def cover(self, chosen: covers.Cover, by_src: dict[str, ebl.EpubItem]) -> ebl.EpubItem:
        """The cover image's item: the page's own image when the cover is one of them,
        else the chosen or generated image, packaged as ``cover-image``."""
        if chosen.src is not None and chosen.src in by_src:
            made = by_src[chosen.src]
        else:
            made, _ = self.add(chosen.data or b"", chosen.media_type, "cover", uid="cover-image")
            # the cover image first in the manifest
            self.items = {made.file_name: made, **{k: v for k, v in self.items.items() if v is not made}}
        made.properties = ["cover-image"]
        self.described.append(epub_a11y.Image(alt=chosen.alt, cover=True))
        return made


def _xhtml_shell(ctx: Context, title: str, href: str) -> tuple[etree._Element, etree._Element]:
    meta = ctx.article.meta
    root = etree.Element(f"{X}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    root.set("lang", meta.language)
    root.set(XML_LANG, meta.language)
    root.set("dir", meta.dir)
    head = etree.SubElement(root, f"{X}head")
    etree.SubElement(head, f"{X}meta", charset="utf-8")
    etree.SubElement(head, f"{X}title").text = title
    etree.SubElement(head, f"{X}link", rel="stylesheet", href=posixpath.relpath(CSS, posixpath.dirname(href)))
    body = etree.SubElement(root, f"{X}body")
    return root, body


def cover_page(ctx: Context, image_href: str, alt: str) -> etree._Element:
    """The cover page: the cover image alone, with its text alternative."""
    words = labels(ctx.article.meta.language)
    root, body = _xhtml_shell(ctx, words["cover"], COVER_PAGE)
    body.set("class", "cover-page")
    body.set(f"{{{EPUB_NS}}}type", "frontmatter")
    section = etree.SubElement(body, f"{X}section", {"class": "cover", f"{{{EPUB_NS}}}type": "cover",
                                                     "aria-label": words["cover"]})
    etree.SubElement(section, f"{X}img", {"src": posixpath.relpath(image_href, posixpath.dirname(COVER_PAGE)),
                                          "alt": alt, "role": "doc-cover"})
    return root


def render(ctx: Context) -> bytes:
    meta = ctx.article.meta
    options = ctx.settings.epub
    words = labels(meta.language)
    identifier = identifier_for(ctx)

    pg = html.page(ctx, "epub")
    root = pg.root
    epub_semantics.apply(root)
    markers = _page_markers(ctx, root) if options.wants_page_list(ctx.settings.formats) else []
    media = Media()
    by_src = media.package(ctx, pg)
    for link in root.iter(f"{X}link"):
        link.set("href", posixpath.relpath(link.get("href"), posixpath.dirname(CONTENT)))

    chosen = covers.choose(ctx)
    cover_item = media.cover(chosen, by_src)
    cover_root = cover_page(ctx, cover_item.file_name, chosen.alt)

    entries = epub_nav.toc_entries(root, CONTENT, meta.title)
    notes = root.find(f".//{X}section[@role='doc-endnotes']")
    landmarks = [("cover", COVER_PAGE, words["cover"]), ("bodymatter", CONTENT, words["start"])]
    if notes is not None and notes.get("id"):
        landmarks.append(("endnotes", f"{CONTENT}#{notes.get('id')}", words["notes"]))
    nav_root = epub_nav.nav_document(href=NAV, lang=meta.language, direction=meta.dir, title=meta.title, css=CSS,
                                     words=words, entries=entries, landmarks=landmarks, pages=markers,
                                     page_document=CONTENT)

    css = covers.strip_style(ctx.theme.css("epub.css"))
    fonts: list[epub_fonts.EmbeddedFont] = []
    if options.embed_fonts:
        documents = [root, cover_root, nav_root]
        css, fonts = epub_fonts.embed(ctx, css, documents, identifier, obfuscated=options.obfuscate_fonts,
                                      css_href=CSS)

    publication = conformance.Publication(meta.language, [(COVER_PAGE, cover_root), (CONTENT, root)], NAV, nav_root,
                                          page_break_source=bool(markers))
    a11y = epub_a11y.describe(ctx, [root], media.described, toc_entries=len(entries), pages=len(markers), css=css,
                              publication=publication)

    book = epub_package.new_book(identifier, meta.title, meta.language, meta.dir)
    package_metadata(book, ctx, identifier, a11y, markers, cover_item, bool(fonts))
    content = epub_package.item("article", CONTENT, "application/xhtml+xml", epub_nav.xhtml_bytes(root),
                                ("mathml",) if root.find(f".//{{{MATHML_NS}}}math") is not None else ())
    cover_doc = epub_package.item("cover", COVER_PAGE, "application/xhtml+xml", epub_nav.xhtml_bytes(cover_root))
    for item in [ebl.EpubNav(uid="nav", file_name=NAV), ebl.EpubNcx(uid="ncx", file_name=NCX),
                 epub_package.item("style", CSS, "text/css", css.encode("utf-8")), cover_doc, content,
                 *media.items.values()]:
        book.add_item(item)
    add_fonts(book, fonts)
    book.spine = [cover_doc, content]
    book.toc = epub_package.toc(epub_nav.toc_tree(entries))
    complete_ncx = functools.partial(epub_nav.complete_ncx, lang=meta.language, authors=meta.names(*creator_roles(meta)),
                                     pages=markers, page_document=CONTENT, order=_reading_order(root),
                                     pages_label=words["pages"])
    return epub_package.write(book, nav=epub_nav.xhtml_bytes(nav_root), complete_ncx=complete_ncx, when=ctx.time)


def _page_markers(ctx: Context, root: etree._Element) -> list[epub_pages.Marker]:
    """The print page markers; an e-book without them rather than none at all when
    laying out the print pages fails (the PDF, if asked for, reports the failure)."""
    try:
        return epub_pages.mark(ctx, root)
    except Exception as error:  # a renderer's own bug must not cost the e-book
        ctx.diagnostics.add("E005", f"the print page numbers were left out: laying out the print pages failed "
                            f"({error.__class__.__name__}: {str(error)[:200]})", file=ctx.article.source,
                            hint="build with --no-page-list, or report the problem with the source attached")
        return []


def _reading_order(root: etree._Element) -> Callable[[str], tuple[int, int]]:
    """A sort key giving each target's position in reading order (cover first)."""
    positions = {el.get("id"): i for i, el in enumerate(root.iter(etree.Element)) if el.get("id")}

    def key(href: str) -> tuple[int, int]:
        document, _, fragment = href.partition("#")
        if document == COVER_PAGE:
            return (0, 0)
        return (1, positions.get(fragment, -1) if fragment else -1)
    return key


# -- the package document -----------------------------------------------------------------

#: a package metadata entry as EbookLib holds it: (namespace "DC" or None, name, value, attributes)
MetaEntry = tuple[str | None, str, str | None, dict[str, str]]


def metadata_entries(meta: Metadata, key: str = "") -> list[MetaEntry]:
    """An article's descriptive metadata beyond its identifier, title and language:
    subtitle, creators and contributors with their roles, publisher, date, rights,
    licence, source, subjects, description, collections. Ids start with ``key`` (a
    book's chapters: :mod:`.epub_book`)."""
    entries: list[MetaEntry] = []

    def dc(name: str, text: str, **attrs: str) -> None:
        entries.append(("DC", name, text, {k.replace("_", "-"): v for k, v in attrs.items()}))

    def prop(name: str, text: str, **attrs: str) -> None:
        entries.append((None, "meta", text, {"property": name,
                                             **{k.replace("_", "-"): v for k, v in attrs.items()}}))

    if meta.subtitle:
        prop("title-type", "main", refines=f"#{key}title")
        dc("title", meta.subtitle, id=f"{key}subtitle")
        prop("title-type", "subtitle", refines=f"#{key}subtitle")
    creators = creator_roles(meta)
    for index, person in enumerate(meta.contributors, start=1):
        uid = f"{key}creator-{index}"
        dc("creator" if person.role in creators else "contributor", person.name, id=uid)
        prop("role", person.role, refines=f"#{uid}", scheme="marc:relators")
        if person.file_as:
            prop("file-as", person.file_as, refines=f"#{uid}")
    if meta.publisher:
        dc("publisher", meta.publisher)
    if meta.date:
        dc("date", parse_date(meta.date).w3c())
    if meta.rights:
        dc("rights", meta.rights)
    if meta.license and meta.license.startswith(("http://", "https://")):
        entries.append((None, "link", None, {"rel": "dcterms:license", "href": meta.license}))
    elif meta.license:
        prop("dcterms:license", meta.license)
    if meta.source:
        dc("source", meta.source)
    for subject in meta.subjects:
        dc("subject", subject)
    if meta.description:
        dc("description", meta.description)
    for index, name in enumerate(n for n in (meta.collection, meta.publication) if n):
        prop("belongs-to-collection", name, id=f"{key}collection-{index + 1}")
        prop("collection-type", "series", refines=f"#{key}collection-{index + 1}")
    return entries


def add_fonts(book: ebl.EpubBook, fonts: list[epub_fonts.EmbeddedFont]) -> None:
    """The theme's embedded fonts as package items, and META-INF/encryption.xml for the obfuscated ones."""
    for i, font in enumerate(fonts, start=1):
        book.add_item(epub_package.item(f"font-{i}", font.href, font.media_type, font.data))
    obfuscated = [f"{PACKAGE_DIR}/{font.href}" for font in fonts if font.obfuscated]
    if obfuscated:
        book.add_item(epub_package.item("encryption", epub_package.ENCRYPTION, "application/xml",
                                        epub_fonts.encryption_document(obfuscated), manifest=False))


def package_metadata(book: ebl.EpubBook, ctx: Context, identifier: str, a11y: epub_a11y.Accessibility,
                     markers: list[epub_pages.Marker], cover_item: ebl.EpubItem, fonts: bool) -> None:
    """The package metadata beyond the identifier, title and language (:func:`.epub_package.new_book`)."""
    meta = ctx.article.meta

    def prop(name: str, text: str, **attrs: str) -> None:
        book.add_metadata(None, "meta", text, {"property": name, **{k.replace("_", "-"): v for k, v in attrs.items()}})

    for namespace, name, value, attributes in metadata_entries(meta):
        book.add_metadata(namespace, name, value, attributes)
    if markers:
        prop("pageBreakSource", print_edition(ctx))
    for name, value in a11y.metadata():
        if name == "schema:accessibilitySummary" and meta.language.split("-")[0] != "en":
            prop(name, value, **{XML_LANG: "en"})  # the summary is written in English
        else:
            prop(name, value)
    if a11y.conforms_to and a11y.certified_by:  # set together
        prop("dcterms:conformsTo", a11y.conforms_to, id="conformance")
        prop("a11y:certifiedBy", a11y.certified_by, refines="#conformance")
    if fonts:
        book.add_prefix(*IBOOKS)
        prop("ibooks:specified-fonts", "true")
    book.add_metadata("OPF", "cover", "", {"name": "cover", "content": cover_item.id})


def print_edition(ctx: Context) -> str:
    """The ``pageBreakSource``: exporter's own print edition, whose pages the page list
    follows (the PDF laid out from the same source and theme, named by its identifier:
    the PDF's file identifier as a URN), never the source's identifier (a journal
    article's DOI names the journal's edition, whose pages are not these)."""
    laid_out = ctx.cache.get("layout")
    digest = str(laid_out[1]) if isinstance(laid_out, tuple) and len(laid_out) == 2 else ""
    name = f"urn:uuid:{uuid.UUID(hex=digest)}" if len(digest) == 32 else "exporter print edition"
    return f"{name} (exporter's PDF edition of this text: theme {ctx.theme.name}, {_paper(ctx)})"


def _paper(ctx: Context) -> str:
    """The paper the PDF edition was laid out on (the page setup the layout resolved)."""
    setup = ctx.cache.get("page_setup")
    paper = getattr(setup, "paper", None)
    paper = getattr(paper, "label", None) or getattr(paper, "key", None)
    return str(paper or ctx.theme.setting("page", "size", default="A4"))

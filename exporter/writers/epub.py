"""EPUB 3: the article's page (target ``"epub"``) packaged with EbookLib.

EbookLib builds the package (OPF metadata, manifest, spine, NCX for older readers);
exporter supplies the content documents and the navigation document itself, because
EbookLib's own rewrite of XHTML drops attributes and its nav lacks the landmarks and
labels a first-rate book needs. The zip is then rewritten so that the same input
gives the same bytes: ``mimetype`` first and stored, fixed entry order and times.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import posixpath
import uuid
import zipfile

from ebooklib import epub as ebl
from lxml import etree

from ..fetch import FetchRefused
from ..i18n import labels
from ..model import EPUB_NS, XHTML_NS, XML_LANG, normalize_space, text_of
from ..modelfile import dump_model
from ..settings import Context
from . import html

__all__ = ["render", "identifier_for"]

X = f"{{{XHTML_NS}}}"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
CONTENT = "text/article.xhtml"
NAV = "nav.xhtml"
ID_NAMESPACE = uuid.UUID("6f1c8a52-3d5e-4f43-9a8e-2c7d0b6e5a11")


def identifier_for(ctx: Context) -> str:
    """The book's identifier: the source's own (DOI, URN, ISBN…) or stable from its content."""
    own = ctx.article.meta.identifier
    if own:
        return own
    digest = hashlib.sha256(dump_model(ctx.article)).hexdigest()
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, digest)}"


class _Writer(ebl.EpubWriter):
    """EbookLib's writer with exporter's navigation document and package attributes."""

    def __init__(self, name, book, nav: bytes, lang: str, direction: str, options=None):
        super().__init__(name, book, options)
        self._nav = nav
        self._lang = lang
        self._direction = direction

    def _get_nav(self, item):  # noqa: ARG002 - exporter builds the nav itself
        return self._nav

    def _write_opf_file(self, root):
        root.set(XML_LANG, self._lang)
        root.set("dir", self._direction)
        super()._write_opf_file(root)


def _toc_entries(root: etree._Element) -> list[tuple[int, str, str]]:
    """(level, id, text) for the page's h2/h3 headings."""
    entries = []
    for heading in root.iter(f"{X}h2", f"{X}h3"):
        key = heading.get("id") or heading.getparent().get("id")
        if not key or "notes" in heading.getparent().get("class", ""):
            continue
        entries.append((int(heading.tag[-1]) - 1, key, normalize_space(text_of(heading))))
    return entries


def _nav_document(ctx: Context, entries, words) -> bytes:
    meta = ctx.article.meta
    root = etree.Element(f"{X}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    root.set("lang", meta.language)
    root.set(XML_LANG, meta.language)
    root.set("dir", meta.dir)
    head = etree.SubElement(root, f"{X}head")
    etree.SubElement(head, f"{X}meta", charset="utf-8")
    etree.SubElement(head, f"{X}title").text = meta.title
    etree.SubElement(head, f"{X}link", rel="stylesheet", href="css/style.css")
    body = etree.SubElement(root, f"{X}body")
    toc = etree.SubElement(body, f"{X}nav", {EPUB_TYPE: "toc", "id": "toc", "role": "doc-toc"})
    etree.SubElement(toc, f"{X}h2").text = words["contents"]
    ol = etree.SubElement(toc, f"{X}ol")
    top = etree.SubElement(ol, f"{X}li")
    etree.SubElement(top, f"{X}a", href=CONTENT).text = meta.title
    parents = {1: top}
    for level, key, text in entries:
        holder = parents.get(level)
        if holder is None:  # an h3 before any h2: attach to the title
            holder = parents[max(k for k in parents if k < level)]
        sub = holder.find(f"{X}ol")
        if sub is None:
            sub = etree.SubElement(holder, f"{X}ol")
        li = etree.SubElement(sub, f"{X}li")
        etree.SubElement(li, f"{X}a", href=f"{CONTENT}#{key}").text = text
        parents[level + 1] = li
        for deeper in [k for k in parents if k > level + 1]:
            del parents[deeper]
    landmarks = etree.SubElement(body, f"{X}nav", {EPUB_TYPE: "landmarks", "id": "landmarks", "hidden": "hidden"})
    etree.SubElement(landmarks, f"{X}h2").text = words["landmarks"]
    ol = etree.SubElement(landmarks, f"{X}ol")
    for kind, href, text in (("bodymatter", CONTENT, words["start"]),):
        li = etree.SubElement(ol, f"{X}li")
        etree.SubElement(li, f"{X}a", {EPUB_TYPE: kind, "href": href}).text = text
    return _xhtml_bytes(root)


def _xhtml_bytes(root: etree._Element) -> bytes:
    return (b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
            + etree.tostring(root, encoding="utf-8") + b"\n")


def _media(ctx: Context, pg: html.Page) -> list[ebl.EpubItem]:
    """Package the page's images under images/ and point the page at them."""
    items: dict[str, ebl.EpubItem] = {}
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
        href = f"images/{name}"
        if href in items and items[href].content != fetched.data:
            stem, dot, ext = name.rpartition(".")
            href = f"images/{stem}-{len(items)}.{ext}"
        if href not in items:
            items[href] = ebl.EpubItem(uid=f"img{len(items) + 1}", file_name=href,
                                       media_type=fetched.media_type, content=fetched.data)
        img.set("src", posixpath.relpath(href, posixpath.dirname(CONTENT)))
    return list(items.values())


def render(ctx: Context) -> bytes:
    meta = ctx.article.meta
    words = labels(meta.language)
    pg = html.page(ctx, "epub")
    media = _media(ctx, pg)
    for link in pg.root.iter(f"{X}link"):
        link.set("href", posixpath.relpath(link.get("href"), posixpath.dirname(CONTENT)))
    content = _xhtml_bytes(pg.root)
    entries = _toc_entries(pg.root)

    book = ebl.EpubBook()
    book.set_identifier(identifier_for(ctx))
    book.set_title(meta.title)
    book.set_language(meta.language)
    book.set_direction(meta.dir)
    for index, contributor in enumerate(meta.contributors, start=1):
        uid = f"creator{index}"
        element = "creator" if contributor.role in ("aut", "ivr", "ive", "cre") else "contributor"
        book.add_metadata("DC", element, contributor.name, {"id": uid})
        book.add_metadata(None, "meta", contributor.role,
                          {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"})
        if contributor.file_as:
            book.add_metadata(None, "meta", contributor.file_as, {"refines": f"#{uid}", "property": "file-as"})
    if meta.subtitle:
        book.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for name in ("publisher", "source", "rights", "description"):
        if getattr(meta, name):
            book.add_metadata("DC", name, getattr(meta, name))
    if meta.date:
        book.add_metadata("DC", "date", meta.date)
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)
    if meta.license and meta.license.startswith(("http://", "https://")):
        book.add_metadata(None, "link", None, {"rel": "dcterms:license", "href": meta.license})
    elif meta.license:
        book.add_metadata(None, "meta", meta.license, {"property": "dcterms:license"})

    style = ebl.EpubItem(uid="style", file_name="css/style.css", media_type="text/css",
                         content=ctx.theme.css("epub.css").encode("utf-8"))
    book.add_item(style)
    chapter = ebl.EpubItem(uid="article", file_name=CONTENT, media_type="application/xhtml+xml",
                           content=content)
    if b"http://www.w3.org/1998/Math/MathML" in content:
        chapter.properties = ["mathml"]  # EPUB 3 requires the manifest to declare MathML
    book.add_item(chapter)
    for item in media:
        book.add_item(item)
    nav = ebl.EpubNav(uid="nav", file_name=NAV)
    book.add_item(nav)
    book.add_item(ebl.EpubNcx())
    book.toc = [ebl.Link(CONTENT, meta.title, "title")] + [
        ebl.Link(f"{CONTENT}#{key}", text, f"toc-{key}") for level, key, text in entries if level == 1
    ]
    book.spine = [chapter]

    raw = io.BytesIO()
    writer = _Writer(raw, book, _nav_document(ctx, entries, words), meta.language, meta.dir,
                     {"mtime": ctx.time.astimezone(_dt.timezone.utc).replace(tzinfo=None),
                      "epub2_guide": False, "epub3_landmark": False, "epub3_pages": False,
                      "raise_exceptions": True})
    writer.process()
    writer.write()
    return _reproducible_zip(raw.getvalue(), ctx.time)


def _reproducible_zip(data: bytes, when: _dt.datetime) -> bytes:
    """Rewrite a zip with fixed order, times and attributes (mimetype first, stored)."""
    stamp = max(when.astimezone(_dt.timezone.utc), _dt.datetime(1980, 1, 1, tzinfo=_dt.timezone.utc))
    date_time = stamp.timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    first = ["mimetype", "META-INF/container.xml"]
    ordered = [n for n in first if n in names] + sorted(n for n in names if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name), compresslevel=9 if name != "mimetype" else None)
    return out.getvalue()

"""EPUB importer: an ``.epub`` file, an unpacked EPUB folder (such as Standard Ebooks'
``src/``) or its ``.opf`` package document → one article, chapters as sections.

* The package (OPF) gives the metadata: titles (main and subtitle), creators and
  contributors with MARC roles and file-as (EPUB 3 ``refines`` and EPUB 2 ``opf:``
  attributes), language, dates, publisher, rights, description, subjects, collection,
  the page-progression direction and the cover. Contributors whose roles exporter
  does not show (typesetters, transcribers…) are listed in S039.
* The spine gives the reading order. Every document in it is read as XHTML (named
  entities of XHTML 1.x DTDs resolved from the bundled set) and goes through the
  allowlist sanitiser; ``epub:type`` semantics (chapters, parts, epigraphs, poems and
  verse, note references, foot- and endnotes with their back links) map to the model.
  Missing documents are S035; the title page, half-title, cover and contents are
  replaced by exporter's own (S037); links between documents become links inside the
  article, and links to documents that are not there become text (S036).
* Images come from the book: in a folder they are files next to the package; in an
  ``.epub`` they are embedded as ``data:`` URLs — nothing is extracted to disk, and the
  archive is checked before anything is read (:mod:`.safezip`).
"""

from __future__ import annotations

import base64
import posixpath
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.importers import epubtext
from exporter.importers.assets import IMAGE_TYPES, Assets, root_for
from exporter.importers.finish import finish
from exporter.importers.sanitize import Sanitizer, semantics_of
from exporter.importers.xhtml import parse_xhtml
from exporter.model import (
    ROLES,
    Article,
    Contributor,
    Metadata,
    new_article,
    normalize_space,
    valid_language,
)
from exporter.model.dates import DateError, iso_date
from exporter.model.links import allowed_link, normalized, scheme_of
from exporter.safety.confine import Refusal
from exporter.safety.xml import parse_xml
from exporter.safety.zip import SafeZip

if TYPE_CHECKING:
    from exporter.settings import Settings

__all__ = ["read", "is_unpacked", "named_folder"]

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
SKIPPED_PAGES = {"titlepage", "halftitlepage", "cover", "toc", "loi", "lot", "landmarks", "page-list",
                 "doc-toc", "doc-cover"}
XHTML_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}


def is_unpacked(folder: Path) -> bool:
    return (folder / "META-INF" / "container.xml").is_file()


def named_folder(folder: Path) -> Path:
    """The folder an unpacked EPUB's outputs are named after: the folder itself, or
    its parent when it has a generic name (``book/src/`` builds to ``book.epub``)."""
    return folder.parent if folder.name in ("src", "epub", "OEBPS") else folder


class _Folder:
    """An unpacked EPUB: every name in it (container rootfile, manifest items, images)
    is resolved by the book folder's :class:`~exporter.safety.confine.Root`; a name that is
    absolute, climbs out, or goes through a link to outside is not in the book."""

    def __init__(self, root: Path, settings: Settings | None = None) -> None:
        self.root = root
        self.scope = root_for(root, settings)

    def _path(self, name: str) -> Path:
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise Refusal("R001", f"'{name[:100]}' is an absolute path", "EPUB names are relative to the book")
        return self.scope.check(self.root / name, shown=name)

    def has(self, name: str) -> bool:
        try:
            return self.scope.is_file(self._path(name))
        except Refusal:
            return False

    def read(self, name: str) -> bytes:
        from exporter.importers._common import MAX_SOURCE_BYTES

        try:
            return self.scope.read(self._path(name), MAX_SOURCE_BYTES, shown=name)[1]
        except Refusal as refusal:
            raise SourceError(f"'{name[:100]}': {refusal.message.split(': ', 1)[-1]}", file=self.root,
                              hint=refusal.hint) from None

    def label(self, name: str) -> Path:
        return self.root / name


class _Zip:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = SafeZip(path)

    def has(self, name: str) -> bool:
        return self.zip.has(name)

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def label(self, name: str) -> Path:
        return Path(f"{self.path}/{name}")


class _ZipAssets(Assets):
    """Images inside an .epub: embedded as data: URLs (never extracted)."""

    def __init__(self, container: _Zip, source: Path, diagnostics: Diagnostics, settings: Settings | None, base: str) -> None:
        super().__init__(source, source.parent, diagnostics, settings=settings)
        self.container = container
        self.base = base

    def image(self, src: str | None, line: int | None, *, what: str = "image") -> str | None:
        src = (src or "").strip()
        scheme = urllib.parse.urlsplit(src).scheme.lower()
        if scheme or src.startswith("/") or not src:
            return super().image(src, line, what=what)
        name = posixpath.normpath(posixpath.join(self.base, urllib.parse.unquote(urllib.parse.urlsplit(src).path)))
        media = IMAGE_TYPES.get(posixpath.splitext(name)[1].lower())
        if name.startswith("../") or not self.container.has(name):
            self.diagnostics.add("S022", f"{what} '{src}' is not in the book", file=self.source, line=line,
                                 hint="the EPUB is missing this file")
            return None
        if media is None:
            self.diagnostics.add("S022", f"{what} '{src}' is in a format no output can show", file=self.source,
                                 line=line, hint="convert it to PNG, JPEG or SVG")
            return None
        data = self.container.read(name)
        if len(data) > self.limit:
            self.diagnostics.add("S024", f"{what} '{src}' is larger than the per-resource limit",
                                 file=self.source, line=line, hint="use a smaller image")
            return None
        return f"data:{media};base64," + base64.b64encode(data).decode("ascii")


def _locate(path: Path, settings: Settings | None = None) -> tuple[_Folder | _Zip, Path, str, Path]:
    """(container, article source, OPF name inside the container, resource root).

    The root is the folder named (an unpacked EPUB), the package document's own folder
    (an ``.opf`` file: nothing above it is read), or the ``.epub`` file's folder."""
    if path.is_dir():
        container = _Folder(path, settings)
        return container, path, _rootfile(container, path), path
    if path.suffix.lower() == ".opf":
        return _Folder(path.parent, settings), path, path.name, path.parent
    return _Zip(path), path, "", path.parent


def _rootfile(container: _Folder | _Zip, path: Path) -> str:
    name = "META-INF/container.xml"
    if not container.has(name):
        raise SourceError("no META-INF/container.xml: not an EPUB", file=path,
                          hint="give an .epub file, an unpacked EPUB folder or its .opf package document")
    tree = parse_xml(container.read(name), container.label(name))
    rootfile = tree.getroot().find(f".//{CONTAINER}rootfile")
    full: str | None = rootfile.get("full-path") if rootfile is not None else None
    if not full:
        raise SourceError("container.xml names no package document", file=container.label(name),
                          hint="add <rootfile full-path=\"…/content.opf\"/>")
    return full


def read(path: Path, diagnostics: Diagnostics, settings: Settings | None = None) -> Article:
    container, source, opf_name, root = _locate(path, settings)
    if isinstance(container, _Zip) and not opf_name:
        if container.has("mimetype") and container.read("mimetype").strip() != b"application/epub+zip":
            diagnostics.add("S033", "the mimetype entry is not application/epub+zip", file=path,
                            hint="the archive may not be an EPUB")
        opf_name = _rootfile(container, path)
    if not container.has(opf_name):
        raise SourceError(f"the package document '{opf_name}' is missing", file=path,
                          hint="check META-INF/container.xml")
    opf_label = container.label(opf_name)
    package = parse_xml(container.read(opf_name), opf_label).getroot()
    if isinstance(container, _Folder):
        source = container.root / opf_name
    book = _Book(container, source, opf_name, opf_label, package, diagnostics, settings)
    meta = book.metadata()
    body = book.body()
    book.settle_language(meta)
    finish(body, diagnostics, source)
    article = Article(meta=meta, body=body, source=source, root=root, diagnostics=diagnostics)
    if path.is_dir():
        article.name = named_folder(path).name
    return article


class _Book:
    def __init__(self, container: _Folder | _Zip, source: Path, opf_name: str, opf_label: Path,
                 package: etree._Element, diagnostics: Diagnostics, settings: Settings | None) -> None:
        self.container = container
        self.source = source
        self.opf_name = opf_name
        self.opf_label = opf_label
        self.opf_dir = posixpath.dirname(opf_name)
        self.package = package
        self.diagnostics = diagnostics
        self.settings = settings
        self.manifest: dict[str, tuple[str, str, set[str], int | None]] = {}
        #: each chapter with the language and direction its document declares
        self.declared: list[tuple[etree._Element, str, str]] = []
        self.progression: tuple[str, int | None] = ("", None)
        manifest = package.find(f"{OPF}manifest")
        for item in manifest.findall(f"{OPF}item") if manifest is not None else []:
            href = urllib.parse.unquote(item.get("href") or "")
            name = posixpath.normpath(posixpath.join(self.opf_dir, href))
            self.manifest[item.get("id")] = (name, item.get("media-type") or "",
                                            set((item.get("properties") or "").split()), item.sourceline)

    # -- metadata -------------------------------------------------------------------
    def date(self, el: etree._Element, what: str) -> str | None:
        """The date an element holds; one that is not a date is S026, left out."""
        text = normalize_space(el.text or "")
        try:
            return iso_date(text, what) if text else None
        except DateError as error:
            self.diagnostics.add("S026", f"{error.message}; left out", file=self.opf_label, line=el.sourceline,
                                 hint=error.hint)
            return None

    def metadata(self) -> Metadata:
        meta = Metadata(title="", language="")
        md = self.package.find(f"{OPF}metadata")
        if md is None:
            return meta
        refines: dict[str, dict[str, list[str]]] = {}
        for el in md.findall(f"{OPF}meta"):
            target = (el.get("refines") or "").lstrip("#")
            if target and el.get("property"):
                refines.setdefault(target, {}).setdefault(el.get("property"), []).append(
                    normalize_space(el.text or ""))
        titles = md.findall(f"{DC}title")
        for title in titles:
            kind = refines.get(title.get("id") or "", {}).get("title-type", ["main"])[0]
            text = normalize_space(title.text or "")
            if kind == "main" and not meta.title:
                meta.title = text
            elif kind == "subtitle" and not meta.subtitle:
                meta.subtitle = text
        if not meta.title and titles:
            meta.title = normalize_space(titles[0].text or "")
        omitted = []
        for el in md.findall(f"{DC}creator") + md.findall(f"{DC}contributor"):
            name = normalize_space(el.text or "")
            if not name:
                continue
            info = refines.get(el.get("id") or "", {})
            roles = info.get("role", []) or ([el.get(f"{OPF}role")] if el.get(f"{OPF}role") else [])
            known = [r for r in roles if r in ROLES]
            if not roles:
                known = ["aut" if el.tag == f"{DC}creator" else "ctb"]
            if not known:
                omitted.append(f"{name} ({', '.join(roles)})")
                continue
            role = "aut" if "aut" in known else known[0]
            file_as = (info.get("file-as") or [el.get(f"{OPF}file-as")])[0] or None
            meta.contributors.append(Contributor(name=name, role=role, file_as=file_as))
        if omitted:
            self.diagnostics.add("S039", "contributors with roles exporter does not show: " + "; ".join(omitted),
                                 file=self.opf_label, line=md.sourceline,
                                 hint="add them to a sidecar .toml with a role exporter knows if they should show")
        language = normalize_space(md.findtext(f"{DC}language") or "")
        meta.language = language if valid_language(language) else ""
        dates = md.findall(f"{DC}date")  # EPUB 2 may have several: the publication's first
        dates.sort(key=lambda el: el.get(f"{OPF}event", "publication") != "publication")
        meta.date = self.date(dates[0], "dc:date") if dates else None
        for el in md.findall(f"{OPF}meta"):
            if el.get("property") == "dcterms:modified":
                meta.modified = self.date(el, "dcterms:modified")
            if el.get("property") == "belongs-to-collection":
                meta.collection = normalize_space(el.text or "")
        for name in ("publisher", "rights"):
            value = normalize_space(md.findtext(f"{DC}{name}") or "")
            if value:
                setattr(meta, name, value)
        description = md.findtext(f"{DC}description")
        if description:
            meta.description = normalize_space(re.sub(r"<[^>]+>", "", description)) or None
        meta.subjects = [normalize_space(s.text or "") for s in md.findall(f"{DC}subject") if (s.text or "").strip()]
        unique = self.package.get("unique-identifier")
        for el in md.findall(f"{DC}identifier"):
            value = normalize_space(el.text or "")
            if unique and el.get("id") != unique:
                continue
            if value.startswith(("http://", "https://")):
                meta.source = value
            elif value.lower().startswith(("doi:", "10.")):
                meta.identifier = value if value.lower().startswith("doi:") else "doi:" + value
        spine = self.package.find(f"{OPF}spine")
        if spine is not None:  # the order of pages, not the direction of the text: see settle_language
            self.progression = (spine.get("page-progression-direction") or "", spine.sourceline)
        cover = next((name for name, media, props, _ in self.manifest.values() if "cover-image" in props), None)
        if cover is None:
            cover_meta = md.find(f"{OPF}meta[@name='cover']")
            if cover_meta is not None and cover_meta.get("content") in self.manifest:
                cover = self.manifest[cover_meta.get("content")][0]
        if cover is not None:  # raster or SVG (cleaned like every SVG image when the writers fetch it)
            if not self.container.has(cover):
                self.diagnostics.add("S022", f"cover image '{cover}' is not in the book", file=self.opf_label,
                                     line=md.sourceline, hint="a typographic cover is made instead")
            elif isinstance(self.container, _Folder):
                meta.cover = posixpath.relpath(cover, self.opf_dir or ".")
            else:  # inside an .epub: embedded, as its images are
                meta.cover = self._assets(self.opf_name, self.opf_label).image(
                    posixpath.relpath(cover, self.opf_dir or "."), md.sourceline, what="cover image")
        return meta

    # -- content --------------------------------------------------------------------
    def _spine(self) -> list[tuple[str, str, int | None]]:
        """(document name, media type, line of its itemref) in reading order."""
        spine = self.package.find(f"{OPF}spine")
        items = []
        for ref in spine.findall(f"{OPF}itemref") if spine is not None else []:
            entry = self.manifest.get(ref.get("idref"))
            if entry is None:
                self.diagnostics.add("S035", f"spine item '{ref.get('idref')}' is not in the manifest",
                                     file=self.opf_label, line=ref.sourceline, hint="fix the package document")
                continue
            name, media, props, _ = entry
            if "nav" in props:
                self.diagnostics.add("S037", "the book's navigation document is replaced by exporter's own",
                                     file=self.opf_label, line=ref.sourceline, hint="")
                continue
            items.append((name, media, ref.sourceline))
        return items

    def body(self) -> etree._Element:
        documents: list[tuple[str, Path, etree._Element]] = []
        for name, media, line in self._spine():
            if not self.container.has(name):
                self.diagnostics.add("S035", f"'{name}' is in the spine but not in the book; it is left out",
                                     file=self.opf_label, line=line, hint="the EPUB is incomplete")
                continue
            label = self.container.label(name)
            if media == "image/svg+xml":  # a page that is a drawing: a figure of its own
                documents.append((name, label, epubtext.svg_page(self.container.read(name), name, label, line,
                                                                 self.diagnostics, self.opf_label)))
                continue
            if media not in XHTML_TYPES:
                self.diagnostics.add("S035", f"'{name}' ({media}) is not an XHTML document; left out",
                                     file=self.opf_label, line=line, hint="")
                continue
            tree = parse_xhtml(self.container.read(name), label, self.diagnostics, lenient=True)
            documents.append((name, label, tree))
        present = {name for name, _, _ in documents}
        renames = self._rename_ids(documents)
        anchors = {name: self._anchor(name, tree) for name, _, tree in documents}
        body = new_article()
        notes: list[etree._Element] = []
        targets: set[str] = set()
        sanitizers = {}
        for name, label, tree in documents:
            sanitizers[name] = Sanitizer(label, self.diagnostics, self._assets(name, label), note_targets=targets,
                                         link_hook=self._links(name, present, renames, anchors, label))
            sanitizers[name].prepare(tree)
        for name, label, tree in documents:
            html_body = tree.find("body") if tree.find("body") is not None else tree
            tokens = semantics_of(html_body) | {t for el in html_body for t in semantics_of(el)
                                                if el.tag in ("section", "div", "nav")}
            if tokens & SKIPPED_PAGES and not any(t in tokens for t in ("chapter", "bodymatter")):
                self.diagnostics.add("S037", f"'{posixpath.basename(name)}' ({', '.join(sorted(tokens & SKIPPED_PAGES))})"
                                     " is replaced by exporter's own title and navigation", file=label,
                                     line=html_body.sourceline, hint="")
                continue
            sanitizer = sanitizers[name]
            holder = etree.Element("div")
            sanitizer.convert(html_body, holder)
            notes += sanitizer.notes
            sections = [c for c in holder if c.tag == "section"]
            if len(sections) == 1 and not (holder.text or "").strip() and all(
                    c.tag == "section" or c.tag == "aside" for c in holder):
                chapter = sections[0]
                if not chapter.get("class"):
                    chapter.set("class", "chapter")
                body.append(chapter)
            elif len(holder):
                chapter = etree.SubElement(body, "section", {"class": "chapter"})
                chapter.text = holder.text
                for child in list(holder):
                    chapter.append(child)
            else:
                continue
            if not chapter.get("id"):
                chapter.set("id", anchors[name])
            language, direction = epubtext.declared(tree, html_body)
            self.declared.append((chapter, language, direction))
        for note in notes:
            body.append(note)
        for el in body.iter():
            el.sourceline = 0  # lines of many documents: the model knows only the package
        return body

    def settle_language(self, meta: Metadata) -> None:
        """See :func:`.epubtext.settle_language`."""
        epubtext.settle_language(meta, self.declared, self.progression, self.diagnostics, self.opf_label)

    def _assets(self, name: str, label: Path) -> Assets:
        base = posixpath.dirname(name)
        if isinstance(self.container, _Zip):
            return _ZipAssets(self.container, self.source, self.diagnostics, self.settings, base)
        folder = self.container.root
        return Assets(self.source, folder, self.diagnostics, settings=self.settings, base_dir=folder / base)

    def _anchor(self, name: str, tree: etree._Element) -> str:
        body = tree.find("body") if tree.find("body") is not None else tree
        first = next((el for el in body if isinstance(el.tag, str)), None)
        key: str | None = first.get("id") if first is not None else None
        if key:
            return key
        stem = re.sub(r"[^\w-]+", "-", posixpath.splitext(posixpath.basename(name))[0]).strip("-") or "doc"
        return stem if stem[0].isalpha() else f"doc-{stem}"

    def _rename_ids(self, documents: list[tuple[str, Path, etree._Element]]) -> dict[tuple[str, str], str]:
        """Ids that repeat across documents get the document's name as a prefix."""
        seen: set[str] = set()
        renames: dict[tuple[str, str], str] = {}
        for name, _, tree in documents:
            stem = re.sub(r"[^\w-]+", "-", posixpath.splitext(posixpath.basename(name))[0])
            for el in tree.iter(etree.Element):
                key = el.get("id")
                if not key:
                    continue
                if key in seen:
                    new = f"{stem}-{key}"
                    el.set("id", new)
                    renames[(name, key)] = new
                    seen.add(new)
                else:
                    seen.add(key)
        return renames

    def _links(self, name: str, present: set[str], renames: dict[tuple[str, str], str], anchors: dict[str, str],
               label: Path) -> Callable[[str, int | None], str | None]:
        base = posixpath.dirname(name)
        reported: set[str] = set()

        def hook(href: str, line: int | None) -> str | None:
            href = normalized(href)
            if not href:
                return None
            if scheme_of(href) or href.startswith(("//", "\\")):
                return allowed_link(href)
            try:
                parts = urllib.parse.urlsplit(href)
            except ValueError:
                return None
            if not parts.path:
                fragment = urllib.parse.unquote(parts.fragment)
                return "#" + renames.get((name, fragment), fragment) if fragment else None
            target = posixpath.normpath(posixpath.join(base, urllib.parse.unquote(parts.path)))
            if target in present:
                fragment = urllib.parse.unquote(parts.fragment)
                if not fragment:
                    return "#" + anchors[target]
                return "#" + renames.get((target, fragment), fragment)
            if target not in reported:
                reported.add(target)
                self.diagnostics.add("S036", f"link to '{posixpath.basename(target)}', which is not in the book, "
                                     "kept as text", file=label, line=line, hint="the EPUB is incomplete")
            return None

        return hook

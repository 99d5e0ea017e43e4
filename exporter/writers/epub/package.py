"""The EPUB package, made with EbookLib.

EbookLib (``ebooklib.epub``) is the book model and the packager. Its ``EpubBook``
holds the identifier, the titles and language and every other metadata entry (Dublin
Core elements, ``<meta property=… refines=…>`` refinements, ``<link>``), the manifest
items with their properties (``nav``, ``cover-image``, ``mathml``…), the spine with
its page progression direction, and the table of contents; its ``EpubWriter`` writes
``META-INF/container.xml``, the package document (``content.opf``), the NCX and every
item into the zip.

:class:`Writer` extends EbookLib's writer through its own methods where it stops:

* ``_get_nav``: the navigation document is exporter's own
  (:func:`.epub_nav.nav_document`: landmarks, page list, ARIA roles and labels);
* ``_get_ncx``: the NCX EbookLib builds is completed by :func:`.epub_nav.complete_ncx`
  (language, depth, authors, ``playOrder`` in reading order, the print ``pageList``);
* ``_write_opf_file``: the ``<package>`` element gets ``xml:lang`` and declares the
  prefixes the book asks for (EbookLib sets ``dir`` itself);
* ``_write_opf_metadata``: a metadata value EbookLib could not write (it logs and
  drops what lxml refuses) stops the build instead of going missing.

``finish_opf``, when given, completes the package element last, after the spine
(a book's ``<collection>`` of each article's metadata: :mod:`.epub_book`).

Files outside the manifest (``META-INF/encryption.xml``) are EbookLib items with
``manifest=False``. :func:`write` then rewrites EbookLib's zip so that the same book
gives the same bytes: ``mimetype`` first and stored, the container, encryption and
package documents next and the rest in name order, one time for every entry (the
build clock: ``SOURCE_DATE_EPOCH``), fixed permissions, images stored as they are.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from collections.abc import Callable
from typing import IO, Any, TypeAlias

from ebooklib import epub as ebl
from lxml import etree

from exporter import __version__
from exporter.errors import OutputError
from exporter.model import XML_LANG
from exporter.safety.xml import XML_ILLEGAL, parse_xml
from exporter.writers.epub.nav import Node

__all__ = ["PACKAGE_DIR", "item", "new_book", "toc", "Writer", "write"]

PACKAGE_DIR = "EPUB"
OPF = f"{PACKAGE_DIR}/content.opf"
CONTAINER = "META-INF/container.xml"
ENCRYPTION = "META-INF/encryption.xml"
_OPF_NS = ebl.NAMESPACES["OPF"]
#: already compressed: stored in the zip as they are
_STORED = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def item(uid: str, href: str, media_type: str, data: bytes, properties: tuple[str, ...] = (), *,
         manifest: bool = True) -> ebl.EpubItem:
    """An EbookLib item whose bytes are written as they are; ``properties`` are its
    manifest properties (EbookLib writes them for any item that has them)."""
    made = ebl.EpubItem(uid=uid, file_name=href, media_type=media_type, content=data, manifest=manifest)
    made.properties = list(properties)
    return made


def new_book(identifier: str, title: str, language: str, direction: str) -> ebl.EpubBook:
    """An EbookLib book with its identifier (``pub-id``), main title (``title``),
    language, direction and exporter as the generator."""
    book = ebl.EpubBook()
    book.FOLDER_NAME = PACKAGE_DIR
    book.IDENTIFIER_ID = "pub-id"
    book.set_identifier(identifier)
    book.title = title  # what EbookLib's NCX shows; the dc:title carries an id for refinements
    book.add_metadata("DC", "title", title, {"id": "title"})
    book.set_language(language)
    book.set_direction(direction)
    book.set_unique_metadata("OPF", "generator", "", {"name": "generator", "content": f"exporter {__version__}"})
    return book


#: an entry of EbookLib's ``book.toc``: a link, or a link and the entries under it
TocEntry: TypeAlias = "ebl.Link | tuple[ebl.Link, list[TocEntry]]"


def toc(nodes: list[Node]) -> list[TocEntry]:
    """The table of contents as EbookLib's ``book.toc``: a ``Link`` for each entry,
    paired with the list of its children when it has any."""
    count = 0

    def convert(level: list[Node]) -> list[TocEntry]:
        nonlocal count
        out: list[TocEntry] = []
        for entry, children in level:
            count += 1
            link = ebl.Link(entry.href, entry.text, f"nav-{count}")
            out.append((link, convert(children)) if children else link)
        return out
    return convert(nodes)


class Writer(ebl.EpubWriter):  # type: ignore[misc]  # EbookLib is untyped: its classes are Any
    """EbookLib's writer with exporter's navigation document, the completed NCX and
    the package element's language and prefixes."""

    def __init__(self, name: IO[bytes], book: ebl.EpubBook, *, nav: bytes, complete_ncx: Callable[[etree._Element], None],
                 when: _dt.datetime, finish_opf: Callable[[etree._Element], None] | None = None) -> None:
        super().__init__(name, book, {
            "mtime": when.astimezone(_dt.UTC),  # dcterms:modified
            "epub2_guide": False,  # the landmarks are in the navigation document
            "package_direction": True,
            "spine_direction": True,
            "play_order": {"enabled": False, "start_from": 1},  # complete_ncx numbers in reading order
        })
        self._nav = nav
        self._complete_ncx = complete_ncx
        self._finish_opf = finish_opf

    def _get_nav(self, item: Any) -> bytes:
        return self._nav

    def _get_ncx(self) -> bytes:
        root = parse_xml(super()._get_ncx(), f"{PACKAGE_DIR}/toc.ncx").getroot()
        self._complete_ncx(root)
        etree.indent(root)
        text: bytes = etree.tostring(root, encoding="utf-8")
        return b'<?xml version="1.0" encoding="utf-8"?>\n' + text + b"\n"

    def _write_opf_metadata(self, root: etree._Element) -> None:
        entries = [(name, value, attributes or {}) for namespace, names in self.book.metadata.items()
                   for name, values in names.items() for value, attributes in values
                   if not (namespace == _OPF_NS and (attributes or {}).get("property") == "dcterms:modified")]
        for name, value, attributes in entries:
            text = " ".join([value or "", *map(str, attributes.values())])
            if re.search(XML_ILLEGAL, text):
                raise OutputError(f"the book's {attributes.get('property') or name} cannot be written into the "
                                  "package document: it holds a character XML cannot carry", file=OPF,
                                  hint="remove the control character from the source's metadata")
        super()._write_opf_metadata(root)
        written = len(root.find("metadata"))
        if written != 1 + len(entries):  # dcterms:modified, from the mtime option, and every entry
            raise OutputError(f"{1 + len(entries) - written} of the book's metadata entries could not be written "
                              "into the package document", file=OPF, hint="report this as a bug in exporter")

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set(XML_LANG, self.book.language)
        if self.book.prefixes:  # EbookLib's default declares only the reserved rendition: prefix
            root.set("prefix", " ".join(self.book.prefixes))
        else:
            root.attrib.pop("prefix", None)
        if self._finish_opf is not None:
            self._finish_opf(root)
        super()._write_opf_file(root)


def write(book: ebl.EpubBook, *, nav: bytes, complete_ncx: Callable[[etree._Element], None],
          when: _dt.datetime, finish_opf: Callable[[etree._Element], None] | None = None) -> bytes:
    """The EPUB's bytes: EbookLib writes the package, then the zip is made reproducible."""
    made = io.BytesIO()
    writer = Writer(made, book, nav=nav, complete_ncx=complete_ncx, when=when, finish_opf=finish_opf)
    writer.process()
    writer.write()
    with zipfile.ZipFile(made) as archive:
        names = archive.namelist()
        if len(set(names)) != len(names):
            twice = sorted({name for name in names if names.count(name) > 1})
            raise OutputError(f"two files of the e-book have the same name: {', '.join(twice)}",
                              hint="report this as a bug in exporter")
        files = {name: archive.read(name) for name in names if name != "mimetype"}
    return _zip(files, when)


def _zip(files: dict[str, bytes], when: _dt.datetime) -> bytes:
    """A zip with fixed order, times and attributes (mimetype first, stored)."""
    stamp = max(when.astimezone(_dt.UTC), _dt.datetime(1980, 1, 1, tzinfo=_dt.UTC))
    date_time = stamp.timetuple()[:6]
    first = [CONTAINER, ENCRYPTION, OPF]
    ordered = [n for n in first if n in files] + sorted(n for n in files if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        entries = [("mimetype", b"application/epub+zip")] + [(name, files[name]) for name in ordered]
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            stored = name == "mimetype" or name.lower().endswith(_STORED)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(info, data, compresslevel=None if stored else 9)
    return out.getvalue()

"""The package made with EbookLib (exporter/writers/epub/package.py), without a build:
the table of contents as EbookLib's toc, the NCX that EbookLib writes and exporter
completes, files outside the manifest, the zip layout, and no metadata or file lost
silently."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from ebooklib import epub as ebl
from epubtools import XML_LANG, xpath
from lxml import etree

from exporter.errors import OutputError
from exporter.writers.epub import nav as epub_nav
from exporter.writers.epub import package as epub_package
from exporter.writers.epub.pages import Marker

WHEN = dt.datetime(2024, 5, 6, 7, 8, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
DOC = "text/article.xhtml"
#: the title, an h3 straight after it, then an h2 with an h3 under it
ENTRIES = [epub_nav.Entry(1, DOC, "Title"), epub_nav.Entry(3, f"{DOC}#early", "Early detail"),
           epub_nav.Entry(2, f"{DOC}#part", "Part"), epub_nav.Entry(3, f"{DOC}#detail", "Detail")]
#: reading order of the targets: early, page 1, part, detail, page 2
POSITIONS = {"": 0, "early": 1, "p1": 2, "part": 3, "detail": 4, "p2": 5}


def _order(href: str) -> tuple[int, int]:
    return (1, POSITIONS[href.partition("#")[2]])


def _book(*extra: ebl.EpubItem) -> ebl.EpubBook:
    book = epub_package.new_book("urn:uuid:0000", "Title", "de", "ltr")
    content = epub_package.item("article", DOC, "application/xhtml+xml", b"<html/>", ("mathml",))
    for item in (ebl.EpubNav(uid="nav", file_name="nav.xhtml"), ebl.EpubNcx(uid="ncx", file_name="toc.ncx"),
                 content, *extra):
        book.add_item(item)
    book.spine = [content]
    book.toc = epub_package.toc(epub_nav.toc_tree(ENTRIES))
    return book


def _write(book: ebl.EpubBook, pages=(Marker("1", "p1"), Marker("2", "p2"))) -> zipfile.ZipFile:
    def complete(root):
        epub_nav.complete_ncx(root, lang="de", authors=["A. Author", "B. Author"], pages=list(pages),
                              page_document=DOC, order=_order, pages_label="Seiten")
    return zipfile.ZipFile(io.BytesIO(epub_package.write(book, nav=b"<nav-bytes/>", complete_ncx=complete,
                                                         when=WHEN)))


def test_toc_tree_nests_by_level():
    tree = epub_nav.toc_tree(ENTRIES)
    assert [(entry.text, [(c.text, [g.text for g, _ in grand]) for c, grand in children])
            for entry, children in tree] == [("Title", [("Early detail", []), ("Part", ["Detail"])])]


def test_ncx_from_ebooklib_completed():
    epub = _write(_book())
    ncx = etree.fromstring(epub.read("EPUB/toc.ncx"))
    assert ncx.get(XML_LANG) == "de"
    head = {m.get("name"): m.get("content") for m in xpath(ncx, "ncx:head/ncx:meta")}
    assert head == {"dtb:uid": "urn:uuid:0000", "dtb:depth": "3", "dtb:totalPageCount": "2",
                    "dtb:maxPageNumber": "2"}
    assert xpath(ncx, "ncx:docTitle/ncx:text/text()") == ["Title"]
    assert xpath(ncx, "ncx:docAuthor/ncx:text/text()") == ["A. Author", "B. Author"]
    top = xpath(ncx, "ncx:navMap/ncx:navPoint")
    assert len(top) == 1 and xpath(top[0], "ncx:navPoint/ncx:navLabel/ncx:text/text()") == ["Early detail", "Part"]
    assert xpath(top[0], "ncx:navPoint[2]/ncx:navPoint/ncx:content/@src") == [f"{DOC}#detail"]
    assert xpath(ncx, "//ncx:navPoint/@id") == ["nav-1", "nav-2", "nav-3", "nav-4"]
    play = {xpath(t, "string(ncx:content/@src)").partition("#")[2]: int(t.get("playOrder"))
            for t in xpath(ncx, "//ncx:navPoint | //ncx:pageTarget")}
    assert play == {"": 1, "early": 2, "p1": 3, "part": 4, "detail": 5, "p2": 6}
    assert xpath(ncx, "ncx:pageList/ncx:navLabel/ncx:text/text()") == ["Seiten"]
    assert [t.get("value") for t in xpath(ncx, "//ncx:pageTarget")] == ["1", "2"]
    # the navigation document is exporter's own bytes, as given
    assert epub.read("EPUB/nav.xhtml") == b"<nav-bytes/>"


def test_ncx_depth_is_the_tree_depth_and_no_page_list_without_pages():
    book = _book()
    book.toc = epub_package.toc(epub_nav.toc_tree(ENTRIES[:2]))  # an h3 under the title: two levels
    ncx = etree.fromstring(_write(book, pages=()).read("EPUB/toc.ncx"))
    assert xpath(ncx, "string(ncx:head/ncx:meta[@name='dtb:depth']/@content)") == "2"
    assert xpath(ncx, "string(ncx:head/ncx:meta[@name='dtb:totalPageCount']/@content)") == "0"
    assert not xpath(ncx, "ncx:pageList")


def test_package_element_manifest_and_spine():
    epub = _write(_book())
    package = etree.fromstring(epub.read("EPUB/content.opf"))
    assert package.get(XML_LANG) == "de" and package.get("dir") == "ltr"
    assert package.get("prefix") is None  # no prefix the book asked for
    assert package.get("unique-identifier") == "pub-id"
    assert xpath(package, "//dc:identifier[@id='pub-id']/text()") == ["urn:uuid:0000"]
    assert xpath(package, "//dc:title[@id='title']/text()") == ["Title"]
    assert xpath(package, "//opf:meta[@name='generator']/@content")[0].startswith("exporter ")
    assert xpath(package, "//opf:meta[@property='dcterms:modified']/text()") == ["2024-05-06T05:08:10Z"]
    assert xpath(package, "//opf:item[@id='article']/@properties") == ["mathml"]
    assert xpath(package, "//opf:item[@id='nav']/@properties") == ["nav"]
    assert xpath(package, "//opf:spine/@toc") == ["ncx"]
    assert xpath(package, "//opf:spine/@page-progression-direction") == ["ltr"]

    book = _book()
    book.add_prefix("ibooks", "http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/")
    package = etree.fromstring(_write(book).read("EPUB/content.opf"))
    assert package.get("prefix") == "ibooks: http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/"


def test_files_outside_the_manifest_and_zip_layout():
    encryption = epub_package.item("encryption", epub_package.ENCRYPTION, "application/xml", b"<encryption/>",
                                   manifest=False)
    image = epub_package.item("img-1", "images/a.png", "image/png", b"\x89PNG not really")
    epub = _write(_book(encryption, image))
    assert epub.namelist()[:4] == ["mimetype", "META-INF/container.xml", "META-INF/encryption.xml",
                                   "EPUB/content.opf"]
    assert epub.namelist()[4:] == sorted(epub.namelist()[4:])
    assert epub.read("META-INF/encryption.xml") == b"<encryption/>"
    package = etree.fromstring(epub.read("EPUB/content.opf"))
    assert not xpath(package, "//opf:item[contains(@href, 'encryption')]")
    infos = {i.filename: i for i in epub.infolist()}
    assert {i.date_time for i in infos.values()} == {(2024, 5, 6, 5, 8, 10)}
    assert {i.external_attr for i in infos.values()} == {0o100644 << 16}
    stored = {name for name, i in infos.items() if i.compress_type == zipfile.ZIP_STORED}
    assert stored == {"mimetype", "EPUB/images/a.png"}
    container = etree.fromstring(epub.read("META-INF/container.xml"))
    assert xpath(container, "//ocf:rootfile/@full-path") == ["EPUB/content.opf"]


def test_metadata_ebooklib_cannot_write_stops_the_build():
    book = _book()
    book.add_metadata("DC", "publisher", "Press\x01")  # lxml refuses the control character; EbookLib would log
    with pytest.raises(OutputError, match="the book's publisher cannot be written into the package document"):
        _write(book)


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_two_files_of_one_name_stop_the_build():
    book = _book(epub_package.item("a", "images/a.png", "image/png", b"1"),
                 epub_package.item("b", "images/a.png", "image/png", b"2"))
    with pytest.raises(OutputError, match="same name: EPUB/images/a.png"):
        _write(book)


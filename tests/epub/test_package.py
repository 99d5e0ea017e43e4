"""The EPUB package: metadata, navigation (toc, landmarks, page list, NCX), container,
language on every document, and byte-for-byte reproducible builds. Every EPUB built
here passes EPUBCheck and DAISY Ace."""

from __future__ import annotations

import re
import zipfile

import pytest
from conftest import SOURCES
from epubtools import NS, XML_LANG, assert_valid, build, meta, names, opf, part, write_article, xpath
from PIL import Image

EPUB_DATE = "2023-11-14T22:13:20Z"  # SOURCE_DATE_EPOCH=1700000000


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = tmp_path_factory.mktemp("package")
    build(SOURCES / "harbour-ledger.xhtml", out, "--to", "epub", "--page-list")  # EPUB alone: asked for
    build(SOURCES / "type-case.txt", out, "--to", "epub", "--source-url", "https://example.org/type-case")
    folder = tmp_path_factory.mktemp("series")
    head = ('<meta name="identifier" content="doi:10.5555/exporter.7"/>'
            '<meta name="collection" content="Exporter Test Series"/>'
            '<meta name="author" content="Ada Example" data-role="aut"/>'
            '<meta name="author" content="Ben Editor" data-role="edt" data-file-as="Editor, Ben"/>'
            '<meta name="date" content="2024-02-29T10:30:00Z"/>')
    source = write_article(folder, "series.xhtml", "<p>A short article in a series.</p>", head=head,
                           title="Seventh in the series")
    build(source, out, "--to", "epub")
    pictures = tmp_path_factory.mktemp("formats")
    Image.new("RGB", (300, 200), (10, 200, 30)).save(pictures / "box.tif")
    Image.new("RGB", (300, 200), (10, 20, 230)).save(pictures / "mislabelled.png", format="JPEG")
    source = write_article(pictures, "formats.xhtml", '<figure><img src="box.tif" alt="A green box."/></figure>'
                           '<figure><img src="mislabelled.png" alt="A blue box."/></figure><p>Two pictures.</p>')
    build(source, out, "--to", "epub", "--no-page-list")
    return out


def test_epubcheck_and_ace_pass(books):
    assert_valid(*(books / f"{name}.epub" for name in ("harbour-ledger", "type-case", "series", "formats")))


def test_title_subtitle_language_and_creators(books):
    package = opf(books / "harbour-ledger.epub")
    assert package.get(XML_LANG) == "en" and package.get("dir") == "ltr"
    assert xpath(package, "//dc:title[@id='title']/text()") == ["What the Harbour Ledger Remembers"]
    assert meta(package, "title-type") == ["main", "subtitle"]
    assert xpath(package, "//dc:title[@id='subtitle']/text()")[0].startswith("Volunteers are copying")
    assert xpath(package, "string(//dc:language)") == "en"
    creators = xpath(package, "//dc:creator")
    assert [c.text for c in creators] == ["Maren Holt"]
    uid = creators[0].get("id")
    assert xpath(package, f"//opf:meta[@refines='#{uid}'][@property='role'][@scheme='marc:relators']/text()") == ["aut"]
    assert xpath(package, f"//opf:meta[@refines='#{uid}'][@property='file-as']/text()") == ["Holt, Maren"]
    photographer = xpath(package, "//dc:contributor")[0]
    assert photographer.text == "Tomas Reyes"
    assert xpath(package, f"//opf:meta[@refines='#{photographer.get('id')}'][@property='role']/text()") == ["pht"]


def test_publisher_dates_rights_subjects_description(books):
    package = opf(books / "harbour-ledger.epub")
    assert xpath(package, "string(//dc:publisher)") == "exporter sample press"
    assert xpath(package, "string(//dc:date)") == "2025-03-14"
    assert meta(package, "dcterms:modified") == [EPUB_DATE]
    assert "CC BY 4.0" in xpath(package, "string(//dc:rights)")
    assert xpath(package, "//opf:link[@rel='dcterms:license']/@href") == ["https://creativecommons.org/licenses/by/4.0/"]
    assert xpath(package, "//dc:subject/text()") == ["Archives", "Digitisation"]
    assert xpath(package, "string(//dc:description)").startswith("A sample feature about transcribing")
    # the periodical is the series the article belongs to
    collection = xpath(package, "//opf:meta[@property='belongs-to-collection']")[0]
    assert collection.text == "The Quarterly Sample"
    assert xpath(package, f"//opf:meta[@refines='#{collection.get('id')}'][@property='collection-type']/text()") == ["series"]


def test_interviewer_and_interviewee_are_creators_and_source_is_kept(books):
    package = opf(books / "type-case.epub")
    assert xpath(package, "//dc:creator/text()") == ["Ines Alvarado", "Pieter van Damme"]
    assert meta(package, "role") == ["ivr", "ive"]
    assert meta(package, "file-as") == ["Damme, Pieter van"]
    assert xpath(package, "//dc:source/text()") == ["https://example.org/type-case"]


def test_identifier_from_content_or_source(books):
    package = opf(books / "harbour-ledger.epub")
    assert package.get("unique-identifier") == "pub-id"
    own = xpath(package, "string(//dc:identifier[@id='pub-id'])")
    assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", own)
    assert own != xpath(opf(books / "type-case.epub"), "string(//dc:identifier)")
    series = opf(books / "series.epub")
    assert xpath(series, "string(//dc:identifier[@id='pub-id'])") == "doi:10.5555/exporter.7"
    ncx = part(books / "series.epub", "EPUB/toc.ncx")
    assert xpath(ncx, "string(//ncx:meta[@name='dtb:uid']/@content)") == "doi:10.5555/exporter.7"


def test_collection_editor_and_date_time(books):
    package = opf(books / "series.epub")
    assert meta(package, "belongs-to-collection") == ["Exporter Test Series"]
    assert xpath(package, "//dc:creator/text()") == ["Ada Example"]
    assert xpath(package, "//dc:contributor/text()") == ["Ben Editor"]
    assert meta(package, "role") == ["aut", "edt"]
    assert xpath(package, "string(//dc:date)") == "2024-02-29T10:30:00Z"


def test_manifest_and_spine(books):
    package = opf(books / "harbour-ledger.epub")
    items = {i.get("href"): i for i in xpath(package, "//opf:item")}
    assert items["nav.xhtml"].get("properties") == "nav"
    assert items["images/cover.png"].get("properties") == "cover-image"
    assert xpath(package, "//opf:meta[@name='cover']/@content") == [items["images/cover.png"].get("id")]
    assert set(items) <= {n.removeprefix("EPUB/") for n in names(books / "harbour-ledger.epub")}
    spine = xpath(package, "//opf:spine")[0]
    assert spine.get("toc") == "ncx" and spine.get("page-progression-direction") == "ltr"
    order = list(xpath(package, "//opf:itemref/@idref"))
    by_id = {i.get("id"): i.get("href") for i in items.values()}
    assert [by_id[i] for i in order] == ["text/cover.xhtml", "text/article.xhtml"]


def test_images_are_in_core_media_types_named_for_their_format(books):
    package = opf(books / "formats.epub")
    images = {i.get("href"): i.get("media-type") for i in xpath(package, "//opf:item[starts-with(@href, 'images/')]")}
    assert images == {"images/cover.png": "image/png", "images/box.png": "image/png",
                      "images/mislabelled.jpg": "image/jpeg"}
    article = part(books / "formats.epub", "EPUB/text/article.xhtml")
    assert xpath(article, "//x:img/@src") == ["../images/box.png", "../images/mislabelled.jpg"]


def test_navigation_document(books):
    nav = part(books / "harbour-ledger.epub", "EPUB/nav.xhtml")
    toc = xpath(nav, "//x:nav[@epub:type='toc']")[0]
    assert toc.get("role") == "doc-toc"
    top = xpath(toc, "x:ol/x:li")
    assert len(top) == 1 and xpath(top[0], "string(x:a)") == "What the Harbour Ledger Remembers"
    sections = xpath(top[0], "x:ol/x:li/x:a/text()")
    assert sections == ["A line at a time", "What the numbers show", "Voices in the margin", "Notes"]
    nested = xpath(top[0], "x:ol/x:li[3]/x:ol/x:li/x:a/text()")
    assert nested == ["How to take part", "Terms used in the ledger"]
    article = part(books / "harbour-ledger.epub", "EPUB/text/article.xhtml")
    ids = set(xpath(article, "//@id"))
    for href in xpath(toc, ".//x:a/@href")[1:]:
        document, _, fragment = href.partition("#")
        assert document == "text/article.xhtml" and fragment in ids
    landmarks = xpath(nav, "//x:nav[@epub:type='landmarks']//x:a")
    assert [(a.get("{%s}type" % NS["epub"]), a.get("href")) for a in landmarks] == [
        ("cover", "text/cover.xhtml"), ("bodymatter", "text/article.xhtml"), ("endnotes", "text/article.xhtml#notes")]


def test_page_list_points_at_page_break_markers(books):
    epub = books / "harbour-ledger.epub"
    nav = part(epub, "EPUB/nav.xhtml")
    page_list = xpath(nav, "//x:nav[@epub:type='page-list']")[0]
    assert page_list.get("role") == "doc-pagelist"
    links = xpath(page_list, ".//x:a")
    assert [a.text for a in links] == [str(n) for n in range(1, len(links) + 1)] and len(links) >= 2
    article = part(epub, "EPUB/text/article.xhtml")
    markers = xpath(article, "//*[@epub:type='pagebreak']")
    assert [f"text/article.xhtml#{m.get('id')}" for m in markers] == [a.get("href") for a in links]
    for marker, link in zip(markers, links):
        assert marker.get("role") == "doc-pagebreak" and marker.get("aria-label") == link.text
    package = opf(epub)
    source = meta(package, "pageBreakSource")[0]
    assert source.startswith("urn:uuid:") and "exporter's PDF edition" in source


def test_ncx_mirrors_the_navigation(books):
    epub = books / "harbour-ledger.epub"
    ncx = part(epub, "EPUB/toc.ncx")
    nav = part(epub, "EPUB/nav.xhtml")
    assert ncx.get(XML_LANG) == "en"
    assert xpath(ncx, "//ncx:navPoint/ncx:navLabel/ncx:text/text()") == xpath(nav, "//x:nav[@epub:type='toc']//x:a/text()")
    assert xpath(ncx, "//ncx:navPoint/ncx:content/@src") == xpath(nav, "//x:nav[@epub:type='toc']//x:a/@href")
    targets = xpath(ncx, "//ncx:pageList/ncx:pageTarget")
    assert [t.get("value") for t in targets] == xpath(nav, "//x:nav[@epub:type='page-list']//x:a/text()")
    assert xpath(ncx, "//ncx:pageTarget/ncx:content/@src") == xpath(nav, "//x:nav[@epub:type='page-list']//x:a/@href")
    assert xpath(ncx, "string(//ncx:meta[@name='dtb:totalPageCount']/@content)") == str(len(targets))
    assert xpath(ncx, "string(//ncx:meta[@name='dtb:depth']/@content)") == "3"
    # playOrder follows the reading order of the targets in the article
    article = part(epub, "EPUB/text/article.xhtml")
    position = {el.get("id"): i for i, el in enumerate(article.iter()) if el.get("id")}
    points = xpath(ncx, "//*[@playOrder]")
    def where(point):
        fragment = xpath(point, "string(ncx:content/@src)").partition("#")[2]
        return position.get(fragment, -1)
    by_play = sorted(points, key=lambda p: int(p.get("playOrder")))
    assert [where(p) for p in by_play] == sorted(where(p) for p in points)
    assert {int(p.get("playOrder")) for p in points} == set(range(1, len({where(p) for p in points}) + 1))


def test_every_document_declares_its_language(books):
    epub = books / "harbour-ledger.epub"
    for name in ("EPUB/text/article.xhtml", "EPUB/text/cover.xhtml", "EPUB/nav.xhtml"):
        root = part(epub, name)
        assert root.get("lang") == "en" and root.get(XML_LANG) == "en" and root.get("dir") == "ltr", name
        for element in xpath(root, "//*[@lang]"):
            assert element.get(XML_LANG) == element.get("lang"), name
    french = xpath(part(epub, "EPUB/text/article.xhtml"), "//x:span[@lang='fr']")
    assert french and french[0].get(XML_LANG) == "fr"


def test_container_and_zip_layout(books):
    epub = books / "harbour-ledger.epub"
    with zipfile.ZipFile(epub) as z:
        infos = z.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip" and not infos[0].extra
        assert infos[1].filename == "META-INF/container.xml"
        assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
        assert "META-INF/encryption.xml" not in z.namelist()
    container = part(epub, "META-INF/container.xml")
    assert xpath(container, "//ocf:rootfile/@full-path") == ["EPUB/content.opf"]


def test_two_builds_give_the_same_bytes(books, tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    monkeypatch.chdir(tmp_path)
    for name, source in (("harbour-ledger", SOURCES / "harbour-ledger.xhtml"), ("type-case", SOURCES / "type-case.txt")):
        extra = ("--source-url", "https://example.org/type-case") if name == "type-case" else ("--page-list",)
        build(source, tmp_path / "again", "--to", "epub", *extra)
        assert (tmp_path / "again" / f"{name}.epub").read_bytes() == (books / f"{name}.epub").read_bytes(), name


def test_page_list_only_with_the_pdf_unless_asked(tmp_path):
    """An EPUB alone names no print edition and lays none out; with the PDF (or asked) it does."""
    source = write_article(tmp_path, "alone.xhtml", "<p>" + "Words on a page. " * 40 + "</p>")
    build(source, tmp_path / "a", "--to", "epub")
    nav = part(tmp_path / "a" / "alone.epub", "EPUB/nav.xhtml")
    assert not xpath(nav, "//x:nav[@epub:type='page-list']")
    assert not meta(opf(tmp_path / "a" / "alone.epub"), "a11y:pageBreakSource")
    build(source, tmp_path / "b", "--to", "epub,pdf")
    assert xpath(part(tmp_path / "b" / "alone.epub", "EPUB/nav.xhtml"), "//x:nav[@epub:type='page-list']")
    build(source, tmp_path / "c", "--to", "epub", "--page-list")
    assert xpath(part(tmp_path / "c" / "alone.epub", "EPUB/nav.xhtml"), "//x:nav[@epub:type='page-list']")

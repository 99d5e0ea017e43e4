"""Covers: the source's own cover, else its lead image, else a typographic cover drawn
from the metadata in the theme's fonts and colours; always a cover page, the
cover-image property and a text alternative. Generated covers are the same bytes on
every build."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from conftest import SOURCES
from epubtools import assert_valid, build, names, opf, part, raw, write_article, xpath
from PIL import Image

from exporter.cli import main

CHART = SOURCES / "images" / "ledger-chart.png"


def cover_href(epub) -> str:
    return xpath(opf(epub), "string(//opf:item[@properties='cover-image']/@href)")


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = tmp_path_factory.mktemp("covers")
    build(SOURCES / "harbour-ledger.xhtml", out, "--to", "epub", "--no-page-list")
    build(SOURCES / "type-case.txt", out, "--to", "epub", "--no-page-list")
    own = tmp_path_factory.mktemp("own-cover")
    Image.new("RGB", (1200, 1800), (20, 60, 110)).save(own / "front.jpg", quality=90)
    source = write_article(own, "own.xhtml", "<p>An article with its own cover.</p>",
                           head='<meta name="cover" content="front.jpg"/>')
    build(source, out, "--to", "epub", "--no-page-list")
    return out


def test_epubcheck_and_ace_pass(books):
    assert_valid(*(books / f"{name}.epub" for name in ("harbour-ledger", "type-case", "own")))


def test_generated_typographic_cover(books):
    epub = books / "harbour-ledger.epub"
    assert cover_href(epub) == "images/cover.png"
    image = Image.open(io.BytesIO(raw(epub, "EPUB/images/cover.png")))
    assert image.size == (1600, 2400) and image.format == "PNG"
    assert len(image.getcolors(1 << 16) or range(100)) > 10  # real type on the page, not a blank
    page = part(epub, "EPUB/text/cover.xhtml")
    img = xpath(page, "//x:section[@epub:type='cover']/x:img")[0]
    assert img.get("src") == "../images/cover.png" and img.get("role") == "doc-cover"
    assert img.get("alt") == ("Cover: What the Harbour Ledger Remembers. Volunteers are copying seventy years of "
                              "a small port's handwritten records. The hard part is not the reading. By Maren Holt. "
                              "Photographs by Tomas Reyes. The Quarterly Sample")
    spine = xpath(opf(epub), "//opf:itemref/@idref")
    assert spine[0] == xpath(opf(epub), "string(//opf:item[@href='text/cover.xhtml']/@id)")


def test_lead_image_becomes_the_cover(books):
    epub = books / "type-case.epub"
    assert cover_href(epub) == "images/type-case.png"
    assert "EPUB/images/cover.png" not in names(epub)
    img = xpath(part(epub, "EPUB/text/cover.xhtml"), "//x:img")[0]
    assert img.get("src") == "../images/type-case.png"
    assert img.get("alt") == "Cover: A printer's type case, with a compartment for every letter, numeral and space"


def test_the_sources_own_cover(books):
    epub = books / "own.epub"
    assert cover_href(epub) == "images/cover.jpg"
    assert xpath(opf(epub), "string(//opf:item[@properties='cover-image']/@media-type)") == "image/jpeg"
    assert Image.open(io.BytesIO(raw(epub, "EPUB/images/cover.jpg"))).size == (1200, 1800)


def test_unusable_cover_falls_back_with_a_diagnostic(tmp_path, capsys):
    (tmp_path / "front.jpg").write_bytes(b"not an image")
    small = tmp_path / "small.png"
    shutil.copy(CHART, tmp_path / "chart.png")
    Image.open(CHART).resize((200, 120)).save(small)
    source = write_article(tmp_path, "bad.xhtml", '<figure><img src="small.png" alt="A small chart."/></figure>'
                           "<p>Text.</p>", head='<meta name="cover" content="front.jpg"/>')
    assert main(["build", str(source), "-o", str(tmp_path / "o"), "--to", "epub", "--no-page-list",
                 "--format", "json"]) == 0
    codes = [d["code"] for d in json.loads(capsys.readouterr().out)["documents"][0]["diagnostics"]]
    assert "E004" in codes and "E001" in codes
    assert cover_href(tmp_path / "o" / "bad.epub") == "images/cover.png"  # the lead image is too small
    assert_valid(tmp_path / "o" / "bad.epub")


def test_generated_cover_is_reproducible(books, tmp_path):
    build(SOURCES / "harbour-ledger.xhtml", tmp_path / "a", "--to", "epub", "--no-page-list", "--theme", "scholarly")
    build(SOURCES / "harbour-ledger.xhtml", tmp_path / "b", "--to", "epub", "--no-page-list", "--theme", "scholarly")
    first = (tmp_path / "a" / "harbour-ledger.epub").read_bytes()
    assert first == (tmp_path / "b" / "harbour-ledger.epub").read_bytes()
    assert_valid(tmp_path / "a" / "harbour-ledger.epub")
    # the theme's colours and fonts make another cover
    cover = raw(tmp_path / "a" / "harbour-ledger.epub", "EPUB/images/cover.png")
    assert cover != raw(books / "harbour-ledger.epub", "EPUB/images/cover.png")


def test_an_article_image_named_cover_keeps_its_name(tmp_path):
    source = write_article(tmp_path, "named.xhtml", '<h2>First</h2><figure><img src="cover.png" alt="A chart."/>'
                           "</figure><p>Text.</p>", files={"cover.png": CHART})
    build(source, tmp_path / "o", "--to", "epub", "--no-page-list")
    epub = tmp_path / "o" / "named.epub"
    assert cover_href(epub) == "images/cover-2.png"
    assert xpath(part(epub, "EPUB/text/article.xhtml"), "//x:img/@src") == ["../images/cover.png"]
    assert_valid(epub)

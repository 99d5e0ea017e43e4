"""Language and direction: a right-to-left article reads right to left in every part of
the e-book (package, spine, every document), passages in other languages keep their
language, and the labels exporter adds are in the article's language."""

from __future__ import annotations

import io

import pytest
from epubtools import XML_LANG, assert_valid, build, meta, opf, part, raw, write_article, xpath
from PIL import Image

ARABIC = ('<p>هذا نص تجريبي باللغة العربية لاختبار الاتجاه من اليمين إلى اليسار في الكتب الإلكترونية.'
          '<a class="noteref" href="#n1"/></p>'
          '<h2>لماذا المصدر المفتوح؟</h2>'
          '<p>عندما تنشر مشروعك، يمكن لأي شخص أن يستخدمه. <span lang="en">Open source</span> هو المصطلح الإنجليزي.</p>'
          '<aside class="note" id="n1"><p>ملاحظة قصيرة حول النص أعلاه للتجربة.</p></aside>')


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    source = write_article(tmp_path_factory.mktemp("ar-src"), "arabic.xhtml", ARABIC, lang="ar",
                           title="بدء مشروع مفتوح المصدر",
                           head='<meta name="author" content="سارة أحمد"/>'
                                '<meta name="publication" content="دليل المصادر المفتوحة"/>')
    out = tmp_path_factory.mktemp("ar")
    build(source, out, "--to", "epub")
    return out / "arabic.epub"


def test_epubcheck_and_ace_pass(book):
    assert_valid(book)


def test_right_to_left_package_and_spine(book):
    package = opf(book)
    assert package.get(XML_LANG) == "ar" and package.get("dir") == "rtl"
    assert xpath(package, "string(//dc:language)") == "ar"
    assert xpath(package, "string(//opf:spine/@page-progression-direction)") == "rtl"
    # the summary is written in English, and says so
    summary = xpath(package, "//opf:meta[@property='schema:accessibilitySummary']")[0]
    assert summary.get(XML_LANG) == "en"


def test_every_document_is_right_to_left(book):
    for name in ("EPUB/text/article.xhtml", "EPUB/text/cover.xhtml", "EPUB/nav.xhtml"):
        root = part(book, name)
        assert (root.get("lang"), root.get(XML_LANG), root.get("dir")) == ("ar", "ar", "rtl"), name
    assert part(book, "EPUB/toc.ncx").get(XML_LANG) == "ar"


def test_passages_keep_their_language(book):
    article = part(book, "EPUB/text/article.xhtml")
    english = xpath(article, "//x:span[@lang='en']")[0]
    assert english.get(XML_LANG) == "en" and english.text == "Open source"
    assert english.get("dir") == "ltr"  # isolated in the right-to-left text, on the source's own span
    assert "Passages in other languages are marked" in meta(opf(book), "schema:accessibilitySummary")[0]


def test_labels_in_the_articles_language(book):
    nav = part(book, "EPUB/nav.xhtml")
    assert xpath(nav, "string(//x:nav[@epub:type='toc']/x:h2)") == "المحتويات"
    article = part(book, "EPUB/text/article.xhtml")
    assert xpath(article, "string(//x:section[@role='doc-endnotes']/x:h2)") == "ملاحظات"
    assert xpath(article, "string(//x:a[@role='doc-backlink']/@aria-label)").startswith("العودة إلى النص")


def test_generated_cover_sets_arabic(book):
    cover = Image.open(io.BytesIO(raw(book, "EPUB/images/cover.png"))).convert("L")
    width, height = cover.size
    ink = cover.point(lambda v: 255 if v < 128 else 0)
    title_band = ink.crop((0, int(height * 0.25), width, int(height * 0.5))).getbbox()
    assert title_band is not None
    # right-aligned: the title's ink reaches the right margin, not the left one
    left, _, right, _ = title_band
    assert right > width - 200 and left > 150
    alt = xpath(part(book, "EPUB/text/cover.xhtml"), "string(//x:img/@alt)")
    assert alt.startswith("الغلاف: بدء مشروع مفتوح المصدر")


def test_arabic_font_is_embedded_with_its_joining_forms(book):
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(raw(book, "EPUB/fonts/NotoNaskhArabic-Regular.ttf")))
    features = {record.FeatureTag for record in font["GSUB"].table.FeatureList.FeatureRecord}
    assert {"init", "medi", "fina", "rlig"} <= features
    assert {ord(c) for c in "مشروع"} <= set(font.getBestCmap())
    css = raw(book, "EPUB/css/style.css").decode()
    assert 'url("../fonts/NotoNaskhArabic-Regular.ttf")' in css

"""Markdown: CommonMark + tables, footnotes, YAML front matter; raw HTML sanitised."""

from __future__ import annotations

import pytest
from helpers import body, codes, find, imported

from exporter.importers.markdown import github_slug

SOURCE = """---
title: "Notes from the field"
author: [Ana Souza, Ben Ito]
date: 2024-05-02
lang: pt-BR
tags: [fieldwork, notes]
layout: post
---

## First *section*

A paragraph with a footnote[^one] and **bold** text, see [below](#a-table).

| Name | Value |
|------|------:|
| a    | 1     |

## A table

<div class="pullquote" onclick="x()">Quoted <script>bad()</script>text.</div>

<link rel="attachment" href="/etc/passwd">

- [ ] open item
- [x] done item

[^one]: The footnote's text.
"""


def test_markdown_to_the_model(tmp_path):
    article = imported(tmp_path, "notes.md", SOURCE)
    meta = article.meta
    assert meta.title == "Notes from the field" and meta.language == "pt-BR" and meta.date == "2024-05-02"
    assert [c.name for c in meta.contributors] == ["Ana Souza", "Ben Ito"]
    assert meta.subjects == ["fieldwork", "notes"]
    assert find(article, "//h2/@id") == ["first-section", "a-table"]
    assert find(article, "//h2[1]/em/text()") == ["section"]
    assert find(article, "//a[.='below']/@href") == ["#a-table"]
    assert find(article, "//table/thead/tr/th/text()") == ["Name", "Value"]
    assert find(article, "//a[@class='noteref']/@href") == ["#fn1"]
    assert find(article, "//aside[@class='note' and @id='fn1']/p/text()") == ["The footnote's text."]
    assert find(article, "//aside[@class='pullquote']/p/text()") == ["Quoted ", "text."] or \
        find(article, "//aside[@class='pullquote']")[0].xpath("string()") == "Quoted text."
    assert [li.xpath("string()") for li in find(article, "//ul/li")] == ["☐ open item", "☑ done item"]
    text = body(article)
    assert "script" not in text and "onclick" not in text and "passwd" not in text and "<link" not in text
    assert "S005" in codes(article)


def test_diagnostics_point_at_markdown_lines(tmp_path):
    source = "# Title\n\nText.\n\n<aside>\n  <img src='https://x.example/a.png' alt='a'>\n  Words.\n</aside>\n\n" \
             "![A missing picture](pictures/missing.png)\n"
    article = imported(tmp_path, "lines.md", source)
    lines = {d.code: d.line for d in article.diagnostics}
    assert lines["S023"] == 6 and lines["S022"] == 10
    assert article.meta.title == "Title" and not find(article, "//h2")
    assert find(article, "//figure[not(img)]/figcaption/text()") == ["A missing picture"]


def test_kramdown_markdown_attribute(tmp_path):
    source = ('<aside markdown="1" class="pquote">\n  Quoted words.\n  <p markdown="1" class="pquote-credit">\n'
              '— @someone, ["A post"](https://example.org/post)\n  </p>\n</aside>\n')
    article = imported(tmp_path, "k.md", source)
    assert find(article, "//aside[@class='pullquote']/p[@class='attribution']/a/@href") == ["https://example.org/post"]
    assert "markdown" not in body(article)


def test_github_heading_slugs():
    assert github_slug('Does open source mean "free of charge"?') == "does-open-source-mean-free-of-charge"
    assert github_slug("آیا پروژه\u200cای متن باز مجانی / رایگان هستند؟") == "آیا-پروژهای-متن-باز-مجانی--رایگان-هستند"
    assert github_slug("オープンソースは無料で使える事を意味している？") == "オープンソースは無料で使える事を意味している"


def test_bad_front_matter_is_a_diagnostic_not_a_crash(tmp_path):
    article = imported(tmp_path, "bad.md", "---\ntitle: [unclosed\nauthor: A\n---\n\nText.\n")
    assert "S027" in codes(article) and article.meta.title


def test_rtl_from_the_language(tmp_path):
    article = imported(tmp_path, "fa.md", "---\nlang: fa\ntitle: عنوان\n---\n\nمتن فارسی.\n")
    assert article.meta.language == "fa" and article.meta.dir == "rtl"


RAW_TEXT_ELEMENTS = ["title", "textarea", "style", "script", "iframe", "noembed", "noframes", "xmp", "plaintext"]


@pytest.mark.parametrize("name", RAW_TEXT_ELEMENTS)
def test_raw_text_element_named_in_prose_swallows_nothing(tmp_path, name):
    source = (f"# Raw\n\nPut the page name in the <{name}> element.\n\nThe *next* paragraph.\n\n"
              f"- a list item\n- another <{name.upper()}> item\n\n| a | b |\n|---|---|\n| <{name}> | cell |\n\n"
              "Last words.\n")
    article = imported(tmp_path, "raw.md", source)
    paragraphs = [p.xpath("string()") for p in find(article, "//p")]
    assert paragraphs == [f"Put the page name in the <{name}> element.", "The next paragraph.", "Last words."]
    assert find(article, "//p/em/text()") == ["next"]
    assert [li.xpath("string()") for li in find(article, "//li")] == ["a list item", f"another <{name.upper()}> item"]
    assert find(article, "//td/text()") == [f"<{name}>", "cell"]
    assert not find(article, "//pre") and "exporter-line" not in body(article)
    found = [(d.line, d.message.split(" ")[0]) for d in article.diagnostics if d.code == "S042"]
    assert found == [(3, f"<{name}>"), (8, f"<{name}>"), (12, f"<{name}>")]


def test_open_html_block_does_not_turn_the_rest_into_html(tmp_path):
    # CommonMark reads a block opening with <style, <script, <textarea, <pre or <!-- up to its
    # closing sequence: without one, the rest of the document would be raw HTML
    source = ("<style> holds the CSS.\n\n*Emphasis* after it.\n\n> <!-- a note\n>\n> quoted **text**\n\n"
              "<textarea>\nTwo\nlines\n</textarea>\n\nAnd <script>alert(1)</script> gone.\n")
    article = imported(tmp_path, "blocks.md", source)
    assert find(article, "(//p)[1]/text()") == ["<style> holds the CSS."]
    assert find(article, "//p/em/text()") == ["Emphasis"]
    assert find(article, "//blockquote/p/strong/text()") == ["text"]
    assert find(article, "//blockquote/p[1]/text()") == ["<!-- a note"]
    assert find(article, "//pre/text()") == ["Two\nlines"]  # a text box keeps its text
    assert find(article, "(//p)[last()]")[0].xpath("string()") == "And gone."
    lines = {(d.code, d.line) for d in article.diagnostics}
    assert {("S042", 1), ("S042", 5), ("S041", 9), ("S005", 14)} <= lines
    assert "alert" not in body(article)


def test_kramdown_text_is_not_read_as_html_twice(tmp_path):
    source = '<aside markdown="1" class="pquote">Use &lt;title> **here**, then more.</aside>\n\nAfter.\n'
    article = imported(tmp_path, "k.md", source)
    assert find(article, "//aside")[0].xpath("string()") == "Use <title> here, then more."
    assert find(article, "//aside//strong/text()") == ["here"]


def test_lone_image_is_a_figure_captioned_with_its_alt_text(tmp_path):
    from PIL import Image

    for name in ("bay", "icon", "plain"):
        Image.new("RGB", (4, 4)).save(tmp_path / f"{name}.png")
    source = ("# Pictures\n\n![The *bay* at dawn](bay.png \"Bay\")\n\nInline ![icon](icon.png) image.\n\n"
              "![](plain.png)\n\n![A missing picture](missing.png)\n")
    article = imported(tmp_path, "pics.md", source)
    (bay,) = find(article, "//figure[img/@title='Bay']")
    assert bay.xpath("string(figcaption)") == "The bay at dawn" and bay.xpath("figcaption/em/text()") == ["bay"]
    assert bay.xpath("img/@alt") == ["The bay at dawn"]
    assert find(article, "//p/img/@alt") == ["icon"]  # in running text: no figure
    assert find(article, "//figure[not(figcaption)]/img/@alt") == [""]  # no alt text, no caption
    assert find(article, "//figure[not(img)]/figcaption/text()") == ["A missing picture"]


def test_footnote_markers_read_the_same_in_model_and_epub(tmp_path):
    from helpers import XHTML_NS, build_epub, epub_part, write

    from exporter.checks import completeness

    source = write(tmp_path, "notes.md", "# Notes\n\nFirst[^b] then[^a] and again[^b].\n\n"
                   "[^a]: Note a.\n[^b]: Note b.\n")
    article = imported(tmp_path, "notes.md", source.read_text())
    assert find(article, "//a[@class='noteref']/text()") == ["1", "2", "1"]
    assert find(article, "//a[@class='noteref']/@href") == ["#fn1", "#fn2", "#fn1"]
    assert article.text_blocks()[0] == "First1 then2 and again1."
    epub = build_epub(source, tmp_path / "out")
    page = epub_part(epub, "text/article.xhtml")
    assert page.xpath("//x:a[@epub:type='noteref']/text()", namespaces=XHTML_NS) == ["1", "2", "1"]
    assert completeness.check(epub, article) == []


def test_lists_keep_their_numbers(tmp_path):
    from helpers import XHTML_NS, build_epub, epub_part, write

    source = write(tmp_path, "lists.md", "# Lists\n\n1. one\n2.\n3. three\n\n- a\n-\n- c\n\n1500. far\n1501. on\n")
    article = imported(tmp_path, "lists.md", source.read_text())
    first, far = find(article, "//ol")
    assert [li.xpath("string()") for li in first] == ["one", "", "three"]  # "three" is still number 3
    assert [li.xpath("string()") for li in find(article, "//ul/li")] == ["a", "c"]  # a bullet has no number
    assert far.get("start") == "1500" and [li.text for li in far] == ["far", "on"]
    page = epub_part(build_epub(source, tmp_path / "out"), "text/article.xhtml")
    assert page.xpath("//x:ol/@start", namespaces=XHTML_NS) == ["1500"]
    assert len(page.xpath("//x:ol[1]/x:li", namespaces=XHTML_NS)) == 3


def test_only_a_heading_that_comes_first_is_the_title(tmp_path):
    article = imported(tmp_path, "late.md", "Intro before any heading.\n\n# Not the title\n\nText.\n")
    assert article.meta.title != "Not the title"
    assert [el.tag for el in article.body] == ["p", "h2", "p"]
    assert find(article, "/article/p[1]/text()") == ["Intro before any heading."]
    first = imported(tmp_path, "first.md", "# The title\n\nText.\n")
    assert first.meta.title == "The title" and not find(first, "//h2")


def test_pandoc_title_block(tmp_path):
    source = "% The Title\n  goes on\n% Ana Souza; Ben Ito\n  Cy Dee\n% 2013-06-01\n\n# Heading\n\nText on line 9.\n"
    article = imported(tmp_path, "pandoc.md", source + "\n<title>\n")
    meta = article.meta
    assert meta.title == "The Title goes on" and meta.date == "2013-06-01"
    assert [c.name for c in meta.contributors] == ["Ana Souza", "Ben Ito", "Cy Dee"]
    assert find(article, "//h2/text()") == ["Heading"] and "%" not in body(article)
    assert [d.line for d in article.diagnostics if d.code == "S042"] == [11]  # lines keep their numbers
    empty = imported(tmp_path, "empty.md", "%\n% Only An Author\n\nText.\n")
    assert [c.name for c in empty.meta.contributors] == ["Only An Author"]


def test_editors_alone_are_the_creators(tmp_path):
    from helpers import XHTML_NS, build_epub, epub_part, write

    source = write(tmp_path, "edited.md", "---\ntitle: Collected\neditor: [Ana Souza, Ben Ito]\n"
                   "translator: Cy Dee\n---\n\nText.\n")
    epub = build_epub(source, tmp_path / "out")
    opf = epub_part(epub, "content.opf")
    creators = opf.xpath("//dc:creator", namespaces=XHTML_NS)
    assert [c.text for c in creators] == ["Ana Souza", "Ben Ito"]
    roles = {c.text: opf.xpath(f"//opf:meta[@refines='#{c.get('id')}'][@property='role']/text()",
                               namespaces=XHTML_NS) for c in opf.xpath("//dc:creator|//dc:contributor",
                                                                       namespaces=XHTML_NS)}
    assert roles == {"Ana Souza": ["edt"], "Ben Ito": ["edt"], "Cy Dee": ["trl"]}
    assert opf.xpath("//dc:contributor/text()", namespaces=XHTML_NS) == ["Cy Dee"]
    ncx = epub_part(epub, "toc.ncx")
    assert ncx.xpath("//*[local-name()='docAuthor']/*/text()") == ["Ana Souza", "Ben Ito"]


def test_a_book_edited_by_its_editors_has_them_as_creators(tmp_path):
    from helpers import XHTML_NS, build_epub, epub_part, epubcheck_messages, write

    folder = tmp_path / "anthology"
    write(folder, "exporter.toml", '[book]\ntitle = "Edited"\nlanguage = "en"\neditors = ["Ines Alvarado", '
          '"Maren Holt"]\n\n[[part]]\ntitle = "One"\narticles = ["a.md"]\n')
    write(folder, "a.md", "---\ntitle: A piece\nauthor: Kay Lee\n---\n\nText.\n")
    epub = build_epub(folder, tmp_path / "out")
    opf = epub_part(epub, "content.opf")
    book = opf.xpath("/opf:package/opf:metadata/dc:creator", namespaces=XHTML_NS)
    assert [c.text for c in book] == ["Ines Alvarado", "Maren Holt"]
    assert [opf.xpath(f"string(/opf:package/opf:metadata/opf:meta[@refines='#{c.get('id')}'][@property='role'])",
                      namespaces=XHTML_NS) for c in book] == ["edt", "edt"]
    assert epubcheck_messages(epub) == []

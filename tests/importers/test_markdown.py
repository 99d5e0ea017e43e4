"""Markdown: CommonMark + tables, footnotes, YAML front matter; raw HTML sanitised."""

from __future__ import annotations

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

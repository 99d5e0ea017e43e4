"""Language of parts and direction (exporter.transforms.mark_passages): passages in
another script are isolated and given a language only where the script says which."""

from __future__ import annotations

import pytest
from lxml import etree

from exporter.transforms import mark
from exporter.writers.epub.conformance import unlabelled_passages


def _marked(body: str, language: str, direction: str = "ltr") -> str:
    article = etree.fromstring(f"<article>{body}</article>")
    mark(article, language, direction)
    return etree.tostring(article, encoding="unicode")[len("<article>"):-len("</article>")]


@pytest.mark.parametrize("body, language, direction, expected", [
    # Latin in right-to-left text: isolated, no language guessed
    ("<p>قال GitHub و Node.js 18 هنا</p>", "ar", "rtl",
     '<p>قال <span dir="ltr">GitHub</span> و <span dir="ltr">Node.js 18</span> هنا</p>'),
    ("<p>از GitHub استفاده</p>", "fa", "rtl", '<p>از <span dir="ltr">GitHub</span> استفاده</p>'),
    # Latin in Japanese: isolated; kana and Han are Japanese
    ("<p>日本語で GitHub を使う</p>", "ja", "ltr", '<p>日本語で <span dir="ltr">GitHub</span> を使う</p>'),
    # scripts of one language get it; shared scripts (Han alone, Hebrew, Cyrillic) do not
    ("<p>Say 안녕하세요 and สวัสดี and ひらがな</p>", "en", "ltr",
     '<p>Say <span dir="ltr" lang="ko">안녕하세요</span> and <span dir="ltr" lang="th">สวัสดี</span> and '
     '<span dir="ltr" lang="ja">ひらがな</span></p>'),
    ("<p>The word 漢字 and Привет</p>", "en", "ltr", "<p>The word 漢字 and Привет</p>"),
    ("<p>قال שלום עולם هنا</p>", "ar", "rtl", "<p>قال שלום עולם هنا</p>"),
    # right-to-left in left-to-right text: isolated
    ("<p>The sign said مرحبا بكم today</p>", "en", "ltr", '<p>The sign said <span dir="rtl">مرحبا بكم</span> today</p>'),
    # the source's own passage is marked on its element; code is set left to right
    ('<p>هذا <span lang="en">Open source</span> و <code>npm install</code></p>', "ar", "rtl",
     '<p>هذا <span lang="en" dir="ltr">Open source</span> و <code dir="ltr">npm install</code></p>'),
    # inside an element with the right language, nothing to do
    ('<p lang="ko">안녕하세요</p>', "en", "ltr", '<p lang="ko">안녕하세요</p>'),
    # tails and nested elements
    ("<p><em>كلمة</em> GitHub <b>Linux</b>.</p>", "ar", "rtl",
     '<p><em>كلمة</em> <span dir="ltr">GitHub</span> <b dir="ltr">Linux</b>.</p>'),
])
def test_marking(body, language, direction, expected):
    assert _marked(body, language, direction) == expected


def test_what_the_transform_cannot_mark_the_rule_reports():
    html = "http://www.w3.org/1999/xhtml"
    for body, language, left in [("<p>Say 안녕 and 漢字 and Привет</p>", "en", ["漢字", "Привет"]),
                                 ("<p>قال שלום עולם هنا GitHub</p>", "ar", ["שלום עולם"])]:
        article = etree.fromstring(f"<article>{body}</article>")
        mark(article, language, "rtl" if language == "ar" else "ltr")
        root = etree.fromstring(f'<html xmlns="{html}" lang="{language}"><body>'
                                f"{etree.tostring(article, encoding='unicode')}</body></html>")
        assert unlabelled_passages(root) == left

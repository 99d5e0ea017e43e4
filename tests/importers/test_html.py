"""Web HTML: encodings, content selection, metadata, ruby, gaiji, Jekyll front matter."""

from __future__ import annotations

import pytest
from helpers import body, codes, find, imported, write

from exporter.pipeline import load
from exporter.settings import Settings


def test_shift_jis_page_with_ruby(tmp_path):
    page = ('<?xml version="1.0" encoding="Shift_JIS"?>\r\n<html xmlns="http://www.w3.org/1999/xhtml" '
            'xml:lang="ja"><head><meta http-equiv="Content-Type" content="text/html;charset=Shift_JIS" />'
            '<title>題</title><meta name="DC.Creator" content="作者" /></head><body>\r\n'
            '<div class="main_text">\u3000<ruby><rb>蓮池</rb><rp>（</rp><rt>はすいけ</rt><rp>）</rp></ruby>のふち'
            '～<img src="../gaiji/1-87/1-87-71.png" alt="※(「特のへん＋廴＋聿」、第3水準1-87-71)" class="gaiji" />'
            '陀多<br />\r\n二行目<br />\r\n</div><script>x()</script></body></html>')
    article = imported(tmp_path, "page.html", page.encode("cp932"))
    assert article.meta.language == "ja" and [c.name for c in article.meta.contributors] == ["作者"]
    paragraphs = [p.xpath("string()") for p in find(article, "//p")]
    assert paragraphs == ["\u3000蓮池（はすいけ）のふち～犍陀多", "二行目"]
    assert find(article, "//ruby/rt/text()") == ["はすいけ"]
    assert "S030" in codes(article)


def test_main_content_only(tmp_path):
    page = ("<html lang='en' dir='ltr'><head><title>Story | Site</title><meta name='author' content='Kay Lee'>"
            "<meta property='og:title' content='Story'><meta name='description' content='About it'>"
            "<link rel='canonical' href='https://news.example/story'><link rel='license' "
            "href='https://creativecommons.org/licenses/by/4.0/'></head>"
            "<body><nav><a href='/'>Home</a></nav><header>Site header</header><main><h1>Story</h1>"
            "<p>The text.</p></main><footer>© Site</footer></body></html>")
    article = imported(tmp_path, "story.html", page)
    meta = article.meta
    assert (meta.title, meta.source, meta.description) == ("Story", "https://news.example/story", "About it")
    assert meta.license == "https://creativecommons.org/licenses/by/4.0/"
    assert [el.tag for el in article.body] == ["p"]
    assert find(article, "//p/text()") == ["The text."]


def test_nested_document_and_conflicting_lang(tmp_path):
    page = ('<html xmlns="http://www.w3.org/1999/xhtml" lang="he" dir="rtl"><head></head><body><div dir="rtl">'
            '<!DOCTYPE html>\n<html lang="en"><head><title>כותרת</title><meta name="author" content="מחבר"/></head>'
            '<body><p>טקסט<br></p></body></html></div></body></html>')
    article = imported(tmp_path, "m.html", page)
    assert (article.meta.language, article.meta.dir, article.meta.title) == ("he", "rtl", "כותרת")
    (nested,) = [d for d in article.diagnostics if d.code == "S029"]
    assert nested.line == 2 and "lang='en'" in nested.message
    assert find(article, "//p/text()") == ["טקסט"]


def test_jekyll_post_with_front_matter_and_site_images(tmp_path):
    site = tmp_path / "site"
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")
    write(site, "assets/pic.png", png)
    post = write(site, "_posts/2015-03-04-a-post.html",
                 "---\ntitle: A post\nauthors:\n- kay\nimage: /assets/pic.png\ntumblr_url: x\n---\n"
                 "<p>Text.</p>\n<!-- more -->\n<p><img src='/assets/pic.png' alt='A picture'></p>\n")
    # no folder-name convention widens what a post reads: its site paths are not found …
    article = load(post)
    assert article.meta.date == "2015-03-04" and article.meta.title == "A post"
    assert article.root == post.parent.resolve()
    assert find(article, "//figure/img") == [] and article.meta.cover is None
    assert "S022" in codes(article)
    # … until the person running exporter names the site's folder
    article = load(post, Settings(allow_read=(site.resolve(),)))
    assert find(article, "//figure/img/@src") == ["../assets/pic.png"]
    assert article.meta.cover == "../assets/pic.png"
    assert "S033" in codes(article)


def test_undeclared_encoding_falls_back_with_a_diagnostic(tmp_path):
    article = imported(tmp_path, "latin.html", "<p>Caf\xe9 cr\xe8me</p>".encode("cp1252"))
    assert find(article, "//p/text()") == ["Café crème"] and "S006" in codes(article)


def test_definition_lists_are_made_valid(tmp_path):
    """DocBook's HTML makes its contents a <dl> of terms only; HTML wants dt then dd."""
    page = ("<html lang='en'><head><title>Lists</title></head><body>"
            "<dl><dt>1. Introduction</dt><dt>2. Entries</dt></dl>"
            "<dl><dd>a description first</dd><dt>term</dt><dd>its description</dd><dt>last term</dt></dl>"
            "<p>Text.</p></body></html>")
    article = imported(tmp_path, "lists.html", page)
    assert find(article, "//ul/li/text()") == ["1. Introduction", "2. Entries"]
    assert [el.tag for el in find(article, "//dl/*")] == ["dt", "dd", "dt", "dd", "dt", "dd"]
    assert find(article, "//dl/dt[last()]/text()") == ["last term"]


def test_raw_text_element_left_open_in_a_page_hides_nothing(tmp_path):
    page = ("<html lang='en'><head><title>Raw</title></head><body>\n<p>Put the name in the <title> element.</p>\n"
            "<p>Type in a <textarea> box.</p>\n<p>The <xmp> element.</p>\n<p>Closed <textarea>kept words</textarea>"
            " and <title>hidden</title> here.</p>\n<p>An open <!-- comment</p>\n<p>Last.</p>\n</body></html>")
    article = imported(tmp_path, "raw.html", page)
    assert [p.xpath("string()") for p in find(article, "//p")] == [
        "Put the name in the <title> element.", "Type in a <textarea> box.", "The <xmp> element.",
        "Closed kept words and here.", "An open <!-- comment", "Last."]
    assert not find(article, "//pre")
    assert [(d.line, d.message.split(" ")[0]) for d in article.diagnostics if d.code == "S042"] == [
        (2, "<title>"), (3, "<textarea>"), (4, "<xmp>"), (6, "comment")]
    assert {(d.code, d.line) for d in article.diagnostics} >= {("S041", 5), ("S021", 5)}


def test_epub_chapter_read_as_tag_soup_is_confined_too(tmp_path):
    from exporter.diagnostics import Diagnostics
    from exporter.importers.xhtml import parse_xhtml

    diagnostics = Diagnostics()
    root = parse_xhtml(b"<html><body><p>A <plaintext> tag &nbsp;<br></p><p>After.</p></body></html>",
                       tmp_path / "c.xhtml", diagnostics, lenient=True)
    assert ["".join(p.itertext()) for p in root.iter("p")] == ["A <plaintext> tag \xa0", "After."]
    assert "S042" in diagnostics.codes()


@pytest.mark.parametrize("name", ["page.html", "page.md"])
def test_text_that_names_a_file_is_text(tmp_path, name):
    # tinyhtml5 reads a short string naming an existing file as that file: the text is a stream
    secret = write(tmp_path, "secret.txt", "TOP-SECRET-CONTENT")
    article = imported(tmp_path, name, str(secret))
    assert "TOP-SECRET" not in body(article) and "TOP-SECRET" not in article.meta.title
    assert find(article, "//p/text()") == [str(secret)]


def test_note_reference_written_as_words_keeps_its_words(tmp_path):
    from helpers import XHTML_NS, build_epub, epub_part

    from exporter.checks import completeness

    page = ("<html lang='en'><head><title>Words</title></head><body><main>\n"
            "<p>As argued by <a role='doc-noteref' href='#n1'>Smith, <i>Things</i> 1989</a>, again"
            "<sup class='reference'><a href='#n2'>[2]</a></sup> and <a role='doc-noteref' href='#n1'>(1)</a>.</p>\n"
            "<ol><li id='n1' role='doc-endnote'>The note.</li><li id='n2' role='doc-endnote'>Second.</li></ol>"
            "</main></body></html>")
    source = write(tmp_path, "words.html", page)
    article = load(source)
    assert find(article, "//a[@class='noteref']/text()") == ["1", "2", "1"]
    assert article.text_blocks()[0] == "As argued by Smith, Things 19891, again2 and 1."
    assert find(article, "//p/i/text()") == ["Things"]
    epub = build_epub(source, tmp_path / "out")
    text = epub_part(epub, "text/article.xhtml")
    (p,) = text.xpath("//x:p[x:a[@epub:type='noteref']]", namespaces=XHTML_NS)
    assert p.xpath("string()") == "As argued by Smith, Things 19891, again2 and 1."
    assert completeness.check(epub, article) == []


def test_link_addresses_are_valid_urls(tmp_path):
    page = ("<html lang='en'><head><title>L</title></head><body><main><p><a href='https://x.org/a b|c'>one</a> "
            "<a href='HTTPS://x.org/ok'>two</a> <a href='https://x.org:99999/'>three</a></p></main></body></html>")
    article = imported(tmp_path, "l.html", page)
    assert find(article, "//a/@href") == ["https://x.org/a%20b%7Cc", "HTTPS://x.org/ok"]
    assert find(article, "//span/text()") == ["three"] and "S025" in codes(article)
    model = write(tmp_path, "m.xhtml", '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>M</title>'
                  '</head><body><article><p><a href="https://x.org/a b">m</a></p></article></body></html>')
    assert load(model).body.xpath("//a/@href") == ["https://x.org/a%20b"]


def test_passed_through_markup_is_what_html_allows(tmp_path):
    from helpers import XHTML_NS, build_epub, epub_part, epubcheck_messages

    page = ("<html lang='en'><head><title>Markup</title></head><body><main>\n"
            "<table><caption>Cap</caption><tfoot><tr><td>foot</td><td>f</td></tr></tfoot>\n"
            "<thead><tr><th id='h1' abbr='N' scope='column'>Name</th><th abbr='' scope='sideways'>Value</th></tr>"
            "</thead><tbody><tr><td headers='h1 gone'>a</td><td headers='gone'>1</td></tr></tbody>\n"
            "<tr><td>loose</td><td>row</td></tr><col span='2'><caption>Second caption</caption></table>\n"
            "<ol reversed='yes' type='q' start='-5'><li value='1e3'>a</li></ol><ol start='1000000'><li>b</li></ol>\n"
            "<p><time datetime='yesterday'>then</time> <time datetime='PT3H'>3 h</time> "
            "<del datetime='2020-01'>gone</del> <a href='https://x.org/' hreflang='not a tag'>x</a></p>"
            "</main></body></html>")
    source = write(tmp_path, "markup.html", page)
    article = load(source)
    (table,) = find(article, "//table")
    assert [c.tag for c in table] == ["caption", "colgroup", "thead", "tbody", "tbody", "tfoot"]
    assert table.xpath("string(caption)") == "Cap Second caption"
    assert not table.xpath(".//@abbr") and table.xpath(".//th/@scope") == ["col"]
    assert table.xpath(".//td/@headers") == ["h1"]
    assert find(article, "//ol[1]/@reversed") == ["reversed"] and not find(article, "//ol[1]/@type")
    assert find(article, "//ol/@start") == ["-5", "1000000"] and not find(article, "//li/@value")
    assert find(article, "//time/@datetime") == ["PT3H"] and not find(article, "//del/@datetime")
    assert not find(article, "//a/@hreflang")
    dropped = {d.message.split("=")[0] for d in article.diagnostics if d.code == "S026"}
    assert {"scope", "type", "value", "datetime", "hreflang"} <= dropped
    epub = build_epub(source, tmp_path / "out")
    text = epub_part(epub, "text/article.xhtml")
    assert text.xpath("//x:ol/@start", namespaces=XHTML_NS) == ["-5", "1000000"]
    assert epubcheck_messages(epub) == []

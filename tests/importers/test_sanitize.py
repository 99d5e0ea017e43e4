"""The allowlist sanitiser (through the HTML importer): nothing unsafe passes, nothing
unknown is silently lost, and what passes is the model's vocabulary."""

from __future__ import annotations

import pytest
from helpers import body, codes, find, imported

PAGE = "<!DOCTYPE html><html lang='en'><head><title>T</title></head><body><main>{}</main></body></html>"


def page(tmp_path, fragment: str, **settings):
    return imported(tmp_path, "page.html", PAGE.format(fragment), **settings)


@pytest.mark.parametrize("markup", [
    "<script>alert(1)</script>",
    "<iframe src='https://evil.example/'></iframe>",
    "<object data='x.swf'></object><embed src='x.swf'>",
    "<link rel='attachment' href='../../etc/passwd'>",
    "<base href='file:///etc/'>",
    "<style>body{background:url(file:///etc/passwd)}</style>",
    "<form action='https://evil.example/'><input type='text' name='q'><button>Go</button></form>",
])
def test_unsafe_elements_never_pass(tmp_path, markup):
    article = page(tmp_path, f"<p>Kept text.</p>{markup}")
    text = body(article)
    for needle in ("script", "iframe", "object", "embed", "<link", "<base", "<style", "<form", "<input",
                   "<button", "evil.example", "passwd"):
        assert needle not in text
    assert find(article, "//p[.='Kept text.']")
    assert set(codes(article)) & {"S005", "S021", "S041"}


def test_event_handlers_and_script_links_removed(tmp_path):
    article = page(tmp_path, "<p onclick='steal()'>Click <a href='javascript:steal()' onmouseover='x()'>here</a>"
                   " or <a href='data:text/html,<b>x</b>'>there</a> or <a href='vbscript:x'>elsewhere</a>.</p>")
    text = body(article)
    assert "onclick" not in text and "onmouseover" not in text and "javascript" not in text
    assert "data:" not in text and "vbscript" not in text
    assert find(article, "//p[.='Click here or there or elsewhere.']")
    assert "S005" in codes(article)


def test_attachment_rel_is_not_kept(tmp_path):
    article = page(tmp_path, "<p><a rel='attachment license' href='https://example.org/l'>licence</a></p>")
    assert find(article, "//a/@rel") == ["license"]


def test_unknown_elements_unwrap_with_text_and_one_diagnostic(tmp_path):
    article = page(tmp_path, "<p>A <frob>blinking</frob> and <o:p>office</o:p> word.</p>"
                   "<custom-card><p>Inside a custom element.</p></custom-card><frob>again</frob>")
    assert find(article, "//p[.='A blinking and office word.']")
    assert find(article, "//p[.='Inside a custom element.']")
    s020 = [d for d in article.diagnostics if d.code == "S020"]
    assert len([d for d in s020 if "<frob>" in d.message]) == 1
    assert all(d.line for d in s020)


def test_loose_text_and_br_lines_become_paragraphs(tmp_path):
    article = page(tmp_path, "<div>First line<br>second line<br><br><b>Third</b> line</div>")
    assert [p.xpath("string()") for p in find(article, "//p")] == ["First line", "second line", "Third line"]


def test_blocks_inside_paragraphs_split_them(tmp_path):
    article = page(tmp_path, "<p>Before <div>a block</div> after</p>")
    assert [el.tag for el in article.body] == ["p", "p", "p"]
    assert [p.xpath("string()") for p in article.body] == ["Before", "a block", "after"]


def test_checkboxes_become_characters(tmp_path):
    article = page(tmp_path, "<div><input type='checkbox' checked><label>Done</label></div>"
                   "<div><input type='checkbox'><label>To do</label></div>")
    assert [p.xpath("string()") for p in find(article, "//p")] == ["☑ Done", "☐ To do"]
    assert "S041" in codes(article)


def test_remote_images_follow_the_network_policy(tmp_path):
    article = page(tmp_path, "<figure><img src='https://images.example/a.png' alt='A chart'>"
                   "<figcaption>The chart</figcaption></figure>")
    assert not find(article, "//img")
    assert find(article, "//figcaption[.='The chart']")
    (remote,) = [d for d in article.diagnostics if d.code == "S023"]
    assert remote.line and "--allow-network images.example" in remote.hint


def test_local_images_confined_to_the_source_folder(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "site" / "ok.png").write_bytes((tmp_path / "secret.png").read_bytes())
    article = imported(tmp_path / "site", "page.html",
                       PAGE.format("<p><img src='ok.png' alt='ok'></p><p><img src='../secret.png' alt='no'></p>"
                                   "<p><img src='file:///etc/hosts' alt='no'></p><p><img src='gone.png' alt='x'></p>"))
    assert find(article, "//img/@src") == ["ok.png"]
    assert {"S024", "S022"} <= set(codes(article))


def test_data_images_only_of_image_types(tmp_path):
    png = "data:image/png;base64,iVBORw0KGgo="
    article = page(tmp_path, f"<p><img src='{png}' alt='dot'></p><p><img src='data:text/html,x' alt='bad'></p>")
    assert find(article, "//img/@src") == [png]


def test_lang_dir_and_ids_are_checked(tmp_path):
    article = page(tmp_path, "<p lang='fr' dir='ltr' id='1st'>Bonjour</p><p lang='not a tag'>x</p>"
                   "<p id='dup'>a</p><p id='dup'>b</p><p><a href='#1st'>back</a></p>")
    first = find(article, "//p[.='Bonjour']")[0]
    assert first.get("lang") == "fr" and first.get("id") == "id-1st"
    assert find(article, "//a/@href") == ["#id-1st"]
    assert sorted(find(article, "//p/@id")) == ["dup", "dup-2", "id-1st"]
    assert {"S026", "M003"} <= set(codes(article))


def test_notes_from_common_markup(tmp_path):
    article = page(tmp_path, "<p>Text<sup class='footnote-ref'><a href='#fn1' id='r1'>1</a></sup>.</p>"
                   "<section class='footnotes'><hr><ol><li id='fn1'><p>The note. "
                   "<a href='#r1' class='footnote-backref'>↩</a></p></li></ol></section>")
    assert find(article, "//a[@class='noteref']/@href") == ["#fn1"]
    assert not find(article, "//sup")
    (note,) = find(article, "//aside[@class='note']")
    assert note.get("id") == "fn1" and note.xpath("string()").strip() == "The note."


def test_relative_links_to_other_pages_become_text_unless_the_page_url_is_known(tmp_path):
    article = page(tmp_path, "<p><a href='../other/'>another page</a></p>")
    assert not find(article, "//a") and "S025" in codes(article)
    html = ("<html><head><title>T</title><link rel='canonical' href='https://example.org/blog/post/'></head>"
            "<body><article><p><a href='../other/'>another page</a></p></article></body></html>")
    article = imported(tmp_path, "canonical.html", html)
    assert find(article, "//a/@href") == ["https://example.org/blog/other/"]


def test_mathml_is_cleaned_and_given_alt_text(tmp_path):
    article = page(tmp_path, "<p>Let <math><msup><mi>x</mi><mn>2</mn></msup><maction actiontype='toggle'>"
                   "<mi href='javascript:x'>y</mi><mi>z</mi></maction><mi>sin</mi></math> hold.</p>")
    (math,) = find(article, "//m:math")
    assert math.get("alttext") == "x^2ysin"
    assert not math.xpath("//@href") and find(article, "//m:mi[.='sin']/@mathvariant") == ["normal"]


def test_remote_image_downloaded_only_from_allowed_hosts(tmp_path):
    import http.server
    import threading

    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/dot.png"
        markup = f"<figure><img src='{url}' alt='A dot'><figcaption>Dot</figcaption></figure>"
        off = page(tmp_path, markup)
        assert not find(off, "//img") and hits == [] and "S023" in codes(off)
        on = page(tmp_path, markup, allow_hosts=frozenset({"127.0.0.1"}))
        assert find(on, "//img/@src")[0].startswith("data:image/png;base64,") and hits == ["/dot.png"]
    finally:
        server.shutdown()

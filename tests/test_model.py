"""The canonical model file: validation with file:line errors, and round trips."""

from __future__ import annotations

import pytest

from exporter.errors import ModelError, SourceError
from exporter.model.file import dump_model, read_model
from exporter.pipeline import load

HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n' \
       "<head><title>T</title></head>\n<body>\n<article>\n"
TAIL = "</article>\n</body>\n</html>\n"


def write(tmp_path, inner: str, name="a.xhtml"):
    path = tmp_path / name
    path.write_text(HEAD + inner + TAIL, encoding="utf-8")
    return path


def test_valid_document_loads(tmp_path):
    article = load(write(tmp_path, "<p>Hello <em>world</em>.</p>\n"))
    assert article.meta.title == "T" and article.meta.language == "en"
    assert article.body.find("p/em").text == "world"


@pytest.mark.parametrize("inner, line, words", [
    ("<p>ok</p>\n<font>bad</font>\n", 7, "<font> is not part of the article model"),
    ("<p>ok</p>\n<p><p>nested</p></p>\n", 7, "<p> is not allowed inside <p>"),
    ("<p onclick=\"x()\">hi</p>\n", 6, "attribute 'onclick' is not allowed"),
    ("<p>a <a href=\"javascript:alert(1)\">b</a></p>\n", 6, "link scheme 'javascript:'"),
    ("<figure><img src=\"http://evil.example/x.png\" alt=\"\"/></figure>\n", 6, "is not a local file"),
    ("<p class=\"weird\">x</p>\n", 6, "class 'weird' is not defined for <p>"),
    ("<p>x<a class=\"noteref\" href=\"#nope\"/></p>\n", 6, "note reference to '#nope'"),
    ("<section>loose text</section>\n", 6, "text directly inside <section>"),
    ("<dl><dt>a</dt><dd>b</dd><dt>term without a description</dt></dl>\n", 6, "definition list"),
    # what HTML (and EPUBCheck) allow: table parts in order, attribute values
    ("<table><tfoot><tr><td>f</td></tr></tfoot>\n<tbody><tr><td>a</td></tr></tbody></table>\n", 6,
     "parts of the table are not in HTML's order"),
    ("<table><tr><th abbr=\"N\">a</th></tr></table>\n", 6, "attribute 'abbr' is not allowed"),
    ("<table><tr><th scope=\"column\">a</th></tr></table>\n", 6, "scope='column' on <th> is not a value"),
    ("<table><tr><th id=\"h\">a</th><td headers=\"x\">b</td></tr></table>\n", 6, "headers='x' names no header"),
    ("<ol reversed=\"yes\"><li>a</li></ol>\n", 6, "reversed='yes' on <ol>"),
    ("<p><time datetime=\"yesterday\">then</time></p>\n", 6, "datetime='yesterday' on <time>"),
])
def test_invalid_documents_name_the_line(tmp_path, inner, line, words):
    with pytest.raises(ModelError) as caught:
        load(write(tmp_path, inner))
    error = caught.value
    assert error.line == line and words in error.message
    assert str(error).startswith(str(tmp_path / "a.xhtml") + f":{line}:")
    assert error.hint


def test_all_problems_are_reported(tmp_path):
    with pytest.raises(ModelError) as caught:
        load(write(tmp_path, "<font>a</font>\n<blink>b</blink>\n"))
    assert [p.line for p in caught.value.problems] == [6, 7]
    assert "and 1 more problem" in caught.value.message


def test_malformed_xml_names_the_line(tmp_path):
    path = tmp_path / "b.xhtml"
    path.write_text(HEAD + "<p>unclosed\n<p>x</p>\n" + TAIL, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load(path)
    assert caught.value.line is not None and "not well-formed" in caught.value.message


def test_entities_are_refused(tmp_path):
    path = tmp_path / "e.xhtml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY x "boom">]>\n'
                    + HEAD.split("\n", 1)[1] + "<p>&x;</p>\n" + TAIL, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load(path)
    assert "entities" in caught.value.message


def test_sources_round_trip(tmp_path):
    from conftest import SOURCES

    original = load(SOURCES / "harbour-ledger.xhtml")
    again_path = tmp_path / "harbour-ledger.xhtml"
    again_path.write_bytes(dump_model(original))
    again = read_model(again_path)
    assert again.meta == original.meta
    assert dump_model(again) == dump_model(original)


def test_metadata_errors(tmp_path):
    path = tmp_path / "m.xhtml"
    path.write_text(HEAD.replace("<title>T</title>", '<title>T</title><meta name="date" content="March 3"/>')
                    + "<p>x</p>\n" + TAIL, encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load(path)
    assert "date 'March 3' is not an ISO 8601 date" in caught.value.message

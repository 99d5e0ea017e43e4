"""`exporter import` writes a model file for every source type, and the model file reads
back to the same article (so publishers can keep and edit it)."""

from __future__ import annotations

import pytest
from test_epub import FILES, make_epub
from test_jats import JATS

from exporter.cli import main
from exporter.pipeline import load


@pytest.mark.parametrize("name, content", [
    ("post.md", "---\ntitle: A post\n---\n\nText with a note[^1].\n\n[^1]: The note.\n"),
    ("page.html", "<html lang='de'><head><title>Seite</title></head><body><main><p>Text.</p></main></body></html>"),
    ("paper.xml", JATS),
    ("book.epub", None),
])
def test_import_round_trip(tmp_path, name, content, capsys):
    source = tmp_path / name
    if content is None:
        make_epub(source)
    else:
        source.write_text(content, encoding="utf-8")
    target = tmp_path / "model" / "article.xhtml"
    assert main(["import", str(source), "-o", str(target)]) == 0
    assert f"wrote {target}" in capsys.readouterr().out
    original, again = load(source), load(target)
    assert again.meta.title == original.meta.title and again.meta.language == original.meta.language
    assert again.text_blocks() == original.text_blocks()


def test_malformed_chapter_inside_an_epub_is_read_leniently(tmp_path):
    files = dict(FILES)
    files["OEBPS/text/two.xhtml"] = files["OEBPS/text/two.xhtml"].replace("<p id=\"dup\">A</p>", "<p>Unclosed<br>")
    article = load(make_epub(tmp_path / "lenient.epub", files))
    assert "S029" in article.diagnostics.codes()
    assert "Unclosed" in article.body.xpath("string()")

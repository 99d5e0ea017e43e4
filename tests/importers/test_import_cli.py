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


def test_xml_that_is_not_jats_is_reported_in_a_folder_build(tmp_path, capsys):
    import json

    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "paper.xml").write_text(JATS, encoding="utf-8")
    (folder / "fragment.xml").write_text('<?xml version="1.0"?>\n<!-- a part of paper -->\n<sec id="s9">'
                                         "<p>Orphan section.</p></sec>\n", encoding="utf-8")
    (folder / "sitemap.xml").write_text("<urlset><url/></urlset>", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(folder), "-o", str(out), "--to", "html", "-j", "1", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    notices = {(n["file"].rsplit("/", 1)[-1], n.get("line"), n["code"]) for n in report["notices"]}
    assert notices == {("fragment.xml", 3, "S043"), ("sitemap.xml", 1, "S043")}
    assert [d["source"].rsplit("/", 1)[-1] for d in report["documents"]] == ["paper.xml"]
    assert main(["build", str(folder), "-o", str(out), "--to", "html", "-j", "1"]) == 0
    err = capsys.readouterr().err
    assert "fragment.xml:3: warning[S043]: not a JATS article (its root element is <sec>); not built" in err

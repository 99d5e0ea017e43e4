"""References the file system cannot hold — a NUL byte (``a%00b.png``, ``&#0;``), a name
longer than 255 bytes, a path longer than 4,096 (ENAMETOOLONG) — are a diagnostic (the
image is missing or refused) or a clear error naming the file and line, in every importer,
in sidecars and in books; never a traceback or an "internal error" (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exporter.cli import main

LONG = "a" * 280
DEEP_PATH = "/".join(["b" * 250] * 20)
XHTML = ('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>T</title></head>'
         "<body><article><p>Text.</p>\n{}</article></body></html>")
JATS = ('<?xml version="1.0"?>\n<article xmlns:xlink="http://www.w3.org/1999/xlink"><front><article-meta>'
        "<title-group><article-title>T</article-title></title-group></article-meta></front><body><p>Text.</p>\n"
        "<fig><graphic xlink:href=\"{}\"/></fig></body></article>\n")
HTML = "<html><head><title>T</title></head><body><p>Text.</p>\n{}</body></html>"

#: (file name, text, the line of the reference)
IMAGES = {
    "md-percent-nul": ("a.md", "# T\n\n![x](a%00b.png)\n", 3),
    "md-long-name": ("a.md", f"# T\n\n![x]({LONG}.png)\n", 3),
    "md-long-path": ("a.md", f"# T\n\n![x]({DEEP_PATH}.png)\n", 3),
    "md-guessed-long": ("a.md", f"# T\n\n![x]({LONG})\n", 3),
    "html-entity-nul": ("a.html", HTML.format('<img src="a&#0;.png" alt="x">'), 2),
    "html-percent-nul": ("a.html", HTML.format('<img src="a%00.png" alt="x">'), 2),
    "html-long-name": ("a.html", HTML.format(f'<img src="{LONG}.png" alt="x">'), 2),
    "jats-nul": ("a.xml", JATS.format("a%00b"), 3),
    "jats-long": ("a.xml", JATS.format(LONG), 3),
    "front-matter-cover-nul": ("a.md", '---\ntitle: T\nimage: "a\\0b.png"\n---\n\nText.\n', 2),
    "front-matter-cover-long": ("a.md", f'---\ntitle: T\nimage: "{LONG}.png"\n---\n\nText.\n', 2),
    "model-nul": ("a.xhtml", XHTML.format('<figure><img src="a%00b.png" alt="x"/></figure>'), None),
    "model-long": ("a.xhtml", XHTML.format(f'<figure><img src="{LONG}.png" alt="x"/></figure>'), None),
}


def build(tmp_path: Path, source: Path) -> dict:
    report = tmp_path / "report.json"
    main(["build", str(source.parent), "-o", str(tmp_path / "out"), "--to", "html", "--report", str(report)])
    return json.loads(report.read_text(encoding="utf-8"))


def assert_no_internal_error(document: dict, capsys) -> None:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "internal error" not in document.get("error", "")
    assert "ValueError" not in document.get("error", "") and "OSError" not in document.get("error", "")


@pytest.mark.parametrize("key", IMAGES)
def test_an_image_reference_the_file_system_cannot_hold_is_a_diagnostic(tmp_path, capsys, key):
    name, text, line = IMAGES[key]
    source = tmp_path / "src" / name
    source.parent.mkdir()
    source.write_text(text, encoding="utf-8")
    (source.parent / "other.txt").write_text("Other\n\nText.\n", encoding="utf-8")
    report = build(tmp_path, source)
    documents = {d["source"]: d for d in report["documents"]}
    assert documents[str(source.parent / "other.txt")]["status"] == "ok"
    document = documents[str(source)]
    assert_no_internal_error(document, capsys)
    assert document["status"] == "ok", document.get("error")
    about = [d for d in document["diagnostics"] if d["code"] in ("S022", "S024", "R001", "R005")]
    assert about, document["diagnostics"]
    if line is not None:
        assert about[0]["line"] == line and about[0]["file"] == str(source)


@pytest.mark.parametrize("key, project, line", [
    ("article-long", f'articles = ["ch.md", "{LONG}.md"]\n[book]\ntitle = "B"\n', 1),
    ("article-nul", 'articles = ["ch.md", "a\\u0000b.md"]\n[book]\ntitle = "B"\n', 1),
    ("introduction-long", f'articles = ["ch.md"]\n[book]\ntitle = "B"\n[front]\nintroduction = "{LONG}.md"\n', 5),
    ("cover-nul", 'articles = ["ch.md"]\n[book]\ntitle = "B"\ncover = "c\\u0000.png"\n', 4),
    ("cover-long-path", f'articles = ["ch.md"]\n[book]\ntitle = "B"\ncover = "{DEEP_PATH}.png"\n', 4),
])
def test_a_book_naming_a_file_the_system_cannot_hold_fails_with_its_line(tmp_path, capsys, key, project, line):
    folder = tmp_path / "src" / "book"
    folder.mkdir(parents=True)
    (folder / "ch.md").write_text("# Chapter\n\nText.\n", encoding="utf-8")
    (folder / "exporter.toml").write_text(project, encoding="utf-8")
    (tmp_path / "src" / "other.txt").write_text("Other\n\nText.\n", encoding="utf-8")
    report = build(tmp_path, folder)
    documents = {d["source"]: d for d in report["documents"]}
    assert documents[str(tmp_path / "src" / "other.txt")]["status"] == "ok"
    document = documents[str(folder / "exporter.toml")]
    assert_no_internal_error(document, capsys)
    assert document["status"] == "failed"
    assert any(p.get("line") == line and p["file"] == str(folder / "exporter.toml") for p in document["problems"])


@pytest.mark.parametrize("href", [f"{LONG}.md", f"x/{LONG}/y.md", "a%00b.md", f"{DEEP_PATH}.md"])
def test_a_chapter_link_the_file_system_cannot_hold_keeps_its_text(tmp_path, capsys, href):
    folder = tmp_path / "src" / "book"
    folder.mkdir(parents=True)
    (folder / "ch.md").write_text(f"# Chapter\n\nSee [the other]({href}).\n", encoding="utf-8")
    (folder / "exporter.toml").write_text('articles = ["ch.md"]\n[book]\ntitle = "B"\n', encoding="utf-8")
    report = build(tmp_path, folder)
    (document,) = report["documents"]
    assert_no_internal_error(document, capsys)
    assert document["status"] == "ok", document.get("error")

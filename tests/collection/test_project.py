"""exporter.toml: the format and its errors (file:line, every problem at once)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exporter.book.project import read_project
from exporter.cli import main
from exporter.errors import UsageError
from exporter.model.tomllines import locate


def project(tmp_path: Path, text: str, files=("a.md", "b.txt")) -> Path:
    for name in files:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("# A title\n\nSome text.\n" if name.endswith(".md") else "Some text.\n", encoding="utf-8")
    path = tmp_path / "exporter.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[int | None, str]]:
    with pytest.raises(UsageError) as caught:
        read_project(path)
    return [(p.line, p.message) for p in caught.value.problems]


def test_locate_lines_of_headers_keys_and_items():
    text = '[book]\ntitle = "T"\nnotes = """\n[fake]\nx = 1"""\n[[part]]\ntitle = "P"\narticles = [\n  "a.md",\n  \'b.md\',\n]\n[[part]]\narticles = ["c.md"]\n'
    lines = locate(text)
    assert lines[("book",)] == 1 and lines[("book", "title")] == 2
    assert ("fake",) not in lines  # inside a multi-line string
    assert lines[("part", 0)] == 6 and lines[("part", 0, "articles", 0)] == 9
    assert lines[("part", 0, "articles", 1)] == 10
    assert lines[("part", 1, "articles", 0)] == 13
    assert lines.of("part", 1, "articles", 0, "nothing") == 13


def test_a_good_project(tmp_path):
    path = project(tmp_path, '''
[book]
title = "Two Pieces"
editors = ["Ann Editor"]
date = 2025-01-02
language = "fr"

[front]
introduction = "b.txt"
title_page = false

[[part]]
title = "One"
articles = ["a.md"]
''')
    read = read_project(path)
    assert read.meta.title == "Two Pieces" and read.meta.language == "fr" and read.meta.date == "2025-01-02"
    assert [(c.name, c.role) for c in read.meta.contributors] == [("Ann Editor", "edt")]
    assert read.title_page is False and read.imprint is True and read.contents is True
    assert read.introduction.path == tmp_path / "b.txt" and read.introduction.line == 9
    assert [p.title for p in read.parts] == ["One"] and read.parts[0].articles[0].line == 14
    assert read.name == tmp_path.name
    assert set(read.inputs()) == {path, tmp_path / "a.md", tmp_path / "b.txt"}


def test_every_problem_with_its_line(tmp_path):
    path = project(tmp_path, '''[book]
title = "T"
colour = "red"
language = "not a language"

[front]
introduction = "missing.md"

[[part]]
articles = [
  "a.md",
  "nope.md",
  "../outside.md",
  "a.md",
]

[[part]]
title = "Empty"
articles = []
''')
    found = problems(path)
    assert (3, "unknown key 'colour' in [book]") in found
    assert (4, "'not a language' is not a language tag") in found
    assert (7, "'front.introduction': no such file: 'missing.md'") in found
    assert (9, "a part needs a title") in found
    assert (12, "'part[0].articles[1]': no such file: 'nope.md'") in found
    assert any(line == 13 and "outside the book's folder" in message for line, message in found)
    assert any(line == 14 and "in the book twice (first on line 11)" in message for line, message in found)
    assert (19, "'part[1].articles' is empty") in found


def test_misplaced_top_level_key_is_explained(tmp_path):
    path = project(tmp_path, '[book]\ntitle = "T"\narticles = ["a.md"]\n')
    with pytest.raises(UsageError) as caught:
        read_project(path)
    first = caught.value.problems[0]
    assert first.line == 3 and "unknown key 'articles' in [book]" in first.message
    assert "before the first [table]" in first.hint
    assert any("lists no articles" in p.message for p in caught.value.problems)


def test_syntax_error_names_the_line(tmp_path):
    path = project(tmp_path, '[book]\ntitle = "T"\nsubtitle = T\n')
    with pytest.raises(UsageError) as caught:
        read_project(path)
    assert caught.value.line == 3 and "invalid TOML" in caught.value.message
    path.write_text('articles = [\n"a.md"\n', encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_project(path)
    assert caught.value.line == 3


def test_types_and_values(tmp_path):
    path = project(tmp_path, '''articles = ["a.md", 3, "b.txt"]
[book]
title = 7
date = "yesterday"
[[book.contributors]]
name = "X"
role = "boss"
[build]
pdf_layout = "sideways"
name = "../escape"
root = "/etc"
''')
    found = problems(path)
    assert (1, "'articles' item 2 must be a file name (a string)") in found
    assert (3, "'book.title' must be a string") in found
    assert (4, "date 'yesterday' is not an ISO 8601 date") in found
    assert (7, "unknown contributor role 'boss'") in found
    assert any(line == 9 and "pdf_layout 'sideways'" in m for line, m in found)
    assert any(line == 10 and "cannot be a file name" in m for line, m in found)
    assert any(line == 11 and "cannot widen the folder a book reads" in m for line, m in found)


def test_files_of_unknown_type_and_projects_are_refused(tmp_path):
    path = project(tmp_path, '[book]\ntitle = "T"\n[[part]]\ntitle = "P"\narticles = ["notes.docx", "sub/exporter.toml"]\n',
                   files=("notes.docx", "sub/exporter.toml"))
    found = problems(path)
    assert any(line == 5 and "no importer for '.docx'" in m for line, m in found)
    assert any(line == 5 and "is a project file" in m for line, m in found)


@pytest.mark.parametrize("widen", ['root = ".."', 'root = "/"', 'root = "../../../../../.."'])
def test_only_the_command_line_widens_the_folder(tmp_path, widen):
    (tmp_path / "shared.md").write_text("# Shared\n\nText.\n", encoding="utf-8")
    book = tmp_path / "book"
    book.mkdir()
    path = project(book, 'articles = ["../shared.md"]\n[book]\ntitle = "T"\n', files=())
    assert any("outside the book's folder" in m for _, m in problems(path))
    # the project file cannot widen it, whatever it says
    path.write_text(f'articles = ["../shared.md"]\n[book]\ntitle = "T"\n[build]\n{widen}\n', encoding="utf-8")
    found = problems(path)
    assert any(line == 5 and "cannot widen" in m for line, m in found)
    assert any("outside the book's folder" in m for _, m in found)
    # the person running exporter can (--allow-read)
    path.write_text('articles = ["../shared.md"]\n[book]\ntitle = "T"\n', encoding="utf-8")
    assert read_project(path, (tmp_path,)).articles()[0].path.resolve() == (tmp_path / "shared.md").resolve()


@pytest.mark.parametrize("listed", ["cover", "introduction", "article"])
def test_links_out_of_the_book_folder_are_refused(tmp_path, listed):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nCANARY\n", encoding="utf-8")
    (outside / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    book = tmp_path / "book"
    (book / "sub").mkdir(parents=True)
    os.symlink(outside, book / "sub" / "linked")
    (book / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    text = {"cover": 'articles = ["a.md"]\n[book]\ntitle = "T"\ncover = "sub/linked/secret.png"\n',
            "introduction": 'articles = ["a.md"]\n[book]\ntitle = "T"\n[front]\nintroduction = "sub/linked/secret.md"\n',
            "article": 'articles = ["a.md", "sub/linked/secret.md"]\n[book]\ntitle = "T"\n'}[listed]
    path = book / "exporter.toml"
    path.write_text(text, encoding="utf-8")
    assert any("outside the book's folder" in m for _, m in problems(path))


def test_cli_reports_the_project_line_and_exits_2(tmp_path, capsys):
    """exporter.toml is configuration: its problems are usage errors (exit code 2)."""
    path = project(tmp_path, '[book]\ntitle = "T"\n[[part]]\ntitle = "P"\narticles = ["a.md", "gone.md"]\n')
    out = tmp_path / "out"
    assert main(["build", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:5: 'part[0].articles[1]': no such file: 'gone.md'" in err
    assert not any(out.glob("*.pdf"))


def test_a_folder_holding_a_project_is_one_book(tmp_path):
    from exporter.pipeline import discover

    (tmp_path / "single.md").write_text("# Single\n\nText.\n", encoding="utf-8")
    book = tmp_path / "issue"
    project(book, 'articles = ["a.md", "b.txt"]\n[book]\ntitle = "T"\n')
    assert discover([tmp_path]) == [book / "exporter.toml", tmp_path / "single.md"]
    assert discover([book]) == [book / "exporter.toml"]  # the book's own files are not articles
    assert discover([book / "exporter.toml"]) == [book / "exporter.toml"]


def test_a_book_is_one_job_of_a_batch_and_rebuilt_when_a_chapter_changes(tmp_path, capsys):
    book = tmp_path / "src" / "issue"
    project(book, 'articles = ["a.md", "b.txt"]\n[book]\ntitle = "T"\n')
    (tmp_path / "src" / "single.md").write_text("# Single\n\nText.\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", str(tmp_path / "src"), "-o", str(out), "--to", "html"]
    assert main(args) == 0
    assert sorted(p.name for p in out.glob("*.html")) == ["issue.html", "single.html"]
    capsys.readouterr()
    assert main(args) == 0
    assert "2 up to date" in capsys.readouterr().out
    (book / "b.txt").write_text("Other text.\n", encoding="utf-8")  # a chapter changed: the book is built again
    assert main(args) == 0
    summary = capsys.readouterr().out
    assert "1 built" in summary and "1 up to date" in summary
    assert "Other text." in (out / "issue.html").read_text(encoding="utf-8")

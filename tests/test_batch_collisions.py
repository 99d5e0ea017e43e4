"""Outputs of one run never overwrite each other (issue 12): a book whose exporter.toml
names its outputs like another submission's, two books with one name, names that a
case-insensitive or normalising file system (macOS, Windows) makes one file. Every
document involved fails with an error naming the others; nothing is overwritten, the
other documents are built and the report lists the colliding ones."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from exporter import batch
from exporter.batch.cache import MANIFEST
from exporter.cli import main
from exporter.pipeline import build_many
from exporter.settings import Settings
from exporter.themes import load_theme


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def book(folder: Path, name: str | None, title: str = "A book") -> Path:
    write(folder / "chapter.md", f"# Chapter of {title}\n\nText.\n")
    build = f'\n[build]\nname = "{name}"\n' if name else ""
    return write(folder / "exporter.toml", f'articles = ["chapter.md"]\n[book]\ntitle = "{title}"\n{build}')


def outputs(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def run(tmp_path: Path, *paths: Path) -> tuple[int, dict]:
    report = tmp_path / "report.json"
    code = main(["build", *map(str, paths), "-o", str(tmp_path / "out"), "--to", "html", "--report", str(report)])
    return code, json.loads(report.read_text(encoding="utf-8"))


def failed(report: dict) -> dict[str, str]:
    return {d["source"]: d["error"] for d in report["documents"] if d["status"] == "failed"}


def assert_collide(report: dict, *sources: Path) -> None:
    errors = failed(report)
    assert set(errors) == {str(s) for s in sources}
    for source in sources:
        assert "would be written by" in errors[str(source)] and "none of them was built" in errors[str(source)]
        for other in sources:
            assert str(other) in errors[str(source)]


def test_a_book_named_like_a_submission_beside_it(tmp_path, capsys):
    subs = tmp_path / "subs"
    project = book(subs / "alice", "paper")
    paper = write(subs / "paper.md", "# Bob's paper\n\nText.\n")
    write(subs / "carol.md", "# Carol\n\nText.\n")
    out = tmp_path / "out"
    write(out / "paper.html", "Bob's earlier output")
    code, report = run(tmp_path, subs)
    assert code == 1
    assert_collide(report, project, paper)
    assert "the book named 'paper'" in failed(report)[str(paper)]
    assert (out / "paper.html").read_text() == "Bob's earlier output"
    assert outputs(out) == ["carol.html", "paper.html"]
    assert "hint:" in capsys.readouterr().err


def test_a_book_and_a_submission_given_as_separate_folders(tmp_path):
    project = book(tmp_path / "alice" / "book", "notes")
    notes = write(tmp_path / "bob" / "notes.txt", "Bob's notes\n\nText.\n")
    code, report = run(tmp_path, tmp_path / "alice" / "book", tmp_path / "bob")
    assert code == 1
    assert_collide(report, project, notes)
    assert outputs(tmp_path / "out") == []


def test_two_books_with_one_name(tmp_path):
    first = book(tmp_path / "subs" / "one", "anthology", "One")
    second = book(tmp_path / "subs" / "two", "anthology", "Two")
    code, report = run(tmp_path, tmp_path / "subs")
    assert code == 1
    assert_collide(report, first, second)


def test_a_book_named_after_another_books_folder(tmp_path):
    first = book(tmp_path / "subs" / "alpha", "beta")
    second = book(tmp_path / "subs" / "beta", None)  # named for its folder
    code, report = run(tmp_path, tmp_path / "subs")
    assert code == 1
    assert_collide(report, first, second)


@pytest.mark.parametrize("name, other", [
    ("Paper", "paper.md"),
    ("PAPER", "Paper.txt"),
], ids=["book-case", "book-upper-case"])
def test_names_that_differ_only_in_case_collide(tmp_path, name, other):
    project = book(tmp_path / "subs" / "alice", name)
    source = write(tmp_path / "subs" / other, "# Other\n\nText.\n")
    code, report = run(tmp_path, tmp_path / "subs")
    assert code == 1
    assert_collide(report, project, source)
    assert "case-insensitive file system" in failed(report)[str(source)]
    assert outputs(tmp_path / "out") == []


def test_names_that_differ_only_in_unicode_normalisation_collide(tmp_path):
    composed = write(tmp_path / "subs" / (unicodedata.normalize("NFC", "café") + ".md"), "# One\n\nText.\n")
    decomposed = write(tmp_path / "subs" / (unicodedata.normalize("NFD", "café") + ".txt"), "Two\n\nText.\n")
    assert composed.name != decomposed.name.replace(".txt", ".md")
    code, report = run(tmp_path, tmp_path / "subs")
    assert code == 1
    assert_collide(report, composed, decomposed)


def test_distinct_names_still_build(tmp_path):
    book(tmp_path / "subs" / "alice", "alice-book")
    write(tmp_path / "subs" / "paper.md", "# Paper\n\nText.\n")
    code, report = run(tmp_path, tmp_path / "subs")
    assert code == 0 and report["built"] == 2
    assert outputs(tmp_path / "out") == ["alice-book.html", "paper.html"]


def test_build_many_never_overwrites_what_an_earlier_source_wrote(tmp_path):
    project = book(tmp_path / "alice", "paper", "Alice's book")
    paper = write(tmp_path / "bob" / "paper.md", "# Bob's paper\n\nText.\n")
    other = write(tmp_path / "carol" / "PAPER.txt", "Carol's paper\n\nText.\n")
    settings = Settings(formats=("html",))
    out = tmp_path / "out"
    results = list(build_many([paper, project, other], out, settings, load_theme(settings.theme)))
    assert [r.status for r in results] == ["ok", "failed", "failed"]
    assert "already written by" in str(results[1].error) and str(paper) in str(results[1].error)
    assert outputs(out) == ["paper.html"]
    assert "Bob's paper" in (out / "paper.html").read_text(encoding="utf-8")


def test_the_collision_key_folds_case_and_normalisation(tmp_path):
    assert batch.collision_key(tmp_path / "Café") == batch.collision_key(tmp_path / unicodedata.normalize(
        "NFD", "CAFÉ"))
    assert batch.collision_key(tmp_path / "a") != batch.collision_key(tmp_path / "b")

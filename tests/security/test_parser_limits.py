"""Every parser of untrusted input has a depth and a size limit (issue 12): TOML (a book's
exporter.toml, sidecars), YAML front matter, the folder walk that finds sources, JSON.
Hitting one is a clear error for that document — file, line, what to do — and the batch
goes on: the other documents are built and the JSON report lists the bad one."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from exporter import batch, importers
from exporter.batch.cache import MANIFEST
from exporter.cli import main
from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.importers import find_sources, frontmatter
from exporter.model.sidecar import read_sidecar
from exporter.model.tomllines import MAX_DEPTH, loads, nesting

DEEP = 50_000


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_batch(tmp_path: Path, source: Path) -> tuple[int, dict]:
    """Build ``source`` as a batch (HTML only): the exit code and the JSON report."""
    report = tmp_path / "report.json"
    code = main(["build", str(source), "-o", str(tmp_path / "out"), "--to", "html", "-j", "2",
                 "--report", str(report)])
    return code, json.loads(report.read_text(encoding="utf-8"))


def documents(report: dict) -> dict[str, dict]:
    return {Path(d["source"]).as_posix(): d for d in report["documents"]}


def assert_clean_failure(capsys, document: dict, file: Path, line: int | None, words: str) -> None:
    """The document failed with one problem naming its file (and line), saying what is
    wrong and what to do; nothing of a traceback reached the terminal."""
    assert document["status"] == "failed" and document["outputs"] == {}
    (problem,) = document["problems"]
    assert problem["file"] == str(file)
    assert problem.get("line") == line
    assert words in problem["message"] and problem["hint"]
    assert "internal error" not in document["error"] and "RecursionError" not in document["error"]
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    location = f"{file}:{line}" if line else str(file)
    assert f"error: {location}: " in captured.err


@pytest.fixture
def submissions(tmp_path) -> Path:
    """A batch of submissions with one good article; tests add a hostile one."""
    root = tmp_path / "subs"
    write(root / "good" / "fine.md", "# Fine\n\nA good submission.\n")
    return root


def assert_good_one_built(tmp_path: Path, report: dict) -> None:
    assert (tmp_path / "out" / "good" / "fine.html").is_file()
    assert report["built"] == 1 and report["failed"] >= 1


# -- TOML -----------------------------------------------------------------------------------

BOOK_HEAD = 'articles = ["ch.md"]\n[book]\ntitle = "A book"\n'


@pytest.mark.parametrize("extra, line, words", [
    (f"subjects = {'[' * DEEP}{']' * DEEP}\n", 4, "nested more than 100 levels"),
    (f"subjects = {'{a = ' * DEEP}1{'}' * DEEP}\n", 4, "nested more than 100 levels"),
    (f"x{'.y' * DEEP} = 1\n", 4, "more than 100 dotted parts"),
    (f"[x{'.y' * DEEP}]\n", 4, "more than 100 dotted parts"),
], ids=["arrays", "inline-tables", "dotted-key", "table-header"])
def test_a_deep_project_file_fails_its_book_only(tmp_path, submissions, capsys, extra, line, words):
    book = submissions / "book"
    write(book / "ch.md", "# Chapter\n\nText.\n")
    project = write(book / "exporter.toml", BOOK_HEAD + extra)
    started = time.monotonic()
    code, report = run_batch(tmp_path, submissions)
    assert time.monotonic() - started < 60
    assert code == 2  # exporter.toml is configuration: a usage error, and the other documents are built
    assert_good_one_built(tmp_path, report)
    assert_clean_failure(capsys, documents(report)[project.as_posix()], project, line, words)


@pytest.mark.parametrize("text, line", [
    ('title = "T"\n' + f"subjects = {'[' * DEEP}{']' * DEEP}\n", 2),
    ('title = "T"\n\n' + f"[[contributors]]\nname = {'{x = ' * DEEP}1{'}' * DEEP}\n", 4),
], ids=["arrays", "inline-tables"])
def test_a_deep_sidecar_fails_its_article_only(tmp_path, submissions, capsys, text, line):
    write(submissions / "deep" / "article.txt", "Title\n\nText.\n")
    sidecar = write(submissions / "deep" / "article.toml", text)
    code, report = run_batch(tmp_path, submissions)
    assert code == 1
    assert_good_one_built(tmp_path, report)
    document = documents(report)[(submissions / "deep" / "article.txt").as_posix()]
    assert_clean_failure(capsys, document, sidecar, line, "nested more than 100 levels")


def test_dotted_keys_are_refused_before_tomllib_spends_minutes_on_them(tmp_path):
    sidecar = write(tmp_path / "a.toml", f"title = \"T\"\nx{'.y' * DEEP} = 1\n")
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        read_sidecar(sidecar)
    assert time.monotonic() - started < 2
    assert caught.value.line == 2 and "dotted parts" in caught.value.message


def test_the_scan_reads_strings_and_comments_as_toml_does():
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    # brackets in strings and comments are text
    hidden = ('a = "[[[[\\"[[[["\nb = \'{{{{\\\'\nc = """\n[[[[\\"""[[[[\n"""\nd = \'\'\'[[[[\'\'\'\'\'\n'
              f"# {deep}\ne = [[1, 2], [3.5, 4.5]]\nf = 1979-05-27T07:32:00.999Z\n")
    assert nesting(hidden * 50) is None
    assert loads(hidden, "x.toml")["e"] == [[1, 2], [3.5, 4.5]]
    # … but a string that ends where TOML ends it cannot hide what follows
    for opening in ('a = """x\\""" [[[ """\n', "a = '''x'''''\n", "a = 'x\\'\n", 'a = "x\\"[[" \n'):
        assert nesting(opening + f"b = {deep}\n") == ("nested", len(opening) + 4 + MAX_DEPTH)
    assert nesting("x = " + "[" * MAX_DEPTH + "]" * MAX_DEPTH) is None
    assert nesting("a" + ".b" * (MAX_DEPTH - 1) + " = 1") is None


# -- YAML front matter ------------------------------------------------------------------------

LAUGHS = "\n".join(['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)] + ["title: *i"])


@pytest.mark.parametrize("suffix, front, line, words", [
    (".md", f"title: Deep\ntags: {'[' * DEEP}{']' * DEEP}", 3, "nested more than 100 levels"),
    (".md", f"title: Deep\nauthor: {'{name: ' * 5000}x{'}' * 5000}", 3, "nested more than 100 levels"),
    (".md", "title: Deep\n" + "".join(" " * i + "k:\n" for i in range(300)).rstrip("\n"), 102,
     "nested more than 100 levels"),
    (".html", f"title: Deep\ntags: {'[' * DEEP}{']' * DEEP}", 3, "nested more than 100 levels"),
    (".md", LAUGHS, 7, "expands to more than"),
    (".md", "title: Loop\nauthor: &a [Ann, *a]", 3, "refers to itself"),
    (".md", "title: Loop\nmeta: &m {author: *m}", 3, "refers to itself"),
    (".md", "title: Big\ndescription: " + "x" * 300_000, 2, "bytes; exporter reads at most"),
], ids=["flow-sequences", "flow-mappings", "block-mappings", "html-front-matter", "billion-laughs",
        "self-alias", "self-alias-mapping", "too-large"])
def test_hostile_front_matter_fails_its_document_only(tmp_path, submissions, capsys, suffix, front, line, words):
    body = ("\n# Hostile\n\nText.\n" if suffix == ".md"
            else "\n<html><head><title>H</title></head><body><p>T</p></body></html>\n")
    source = write(submissions / "hostile" / f"article{suffix}", f"---\n{front}\n---\n{body}")
    started = time.monotonic()
    code, report = run_batch(tmp_path, submissions)
    assert time.monotonic() - started < 60
    assert code == 1
    assert_good_one_built(tmp_path, report)
    assert_clean_failure(capsys, documents(report)[source.as_posix()], source, line, words)


@pytest.mark.parametrize("value", ["!!int twelve", "!!float x", "!!timestamp 2024-13-45"])
def test_values_yaml_cannot_build_are_a_warning_not_an_internal_error(tmp_path, value):
    diagnostics = Diagnostics()
    data = frontmatter.parse(f"title: Dates\ndate: {value}\n", 2, tmp_path / "a.md", diagnostics)
    assert data["title"] == "Dates"
    assert diagnostics.codes() == ["S027"]


@pytest.mark.parametrize("value, words", [("2024-13-45", "there is no month 13"),
                                          ("2024-02-30", "February 2024 has 29 days"),
                                          ("0000-01-01", "there is no year 0")])
def test_impossible_front_matter_dates_are_errors_with_their_line(tmp_path, value, words):
    """YAML does not read dates (exporter.model.dates does): an impossible one is an
    error with the line of its key, not a YAML warning and not an internal error."""
    diagnostics = Diagnostics()
    data = frontmatter.parse(f"title: Dates\n\ndate: {value}\n", 2, tmp_path / "a.md", diagnostics)
    assert data["date"] == value and diagnostics.codes() == []
    with pytest.raises(SourceError) as caught:
        frontmatter.to_metadata(data, tmp_path / "a.md", 2, diagnostics)
    assert caught.value.line == 4 and words in caught.value.message and caught.value.hint


def test_ordinary_front_matter_with_aliases_still_reads(tmp_path):
    diagnostics = Diagnostics()
    block = "title: Fine\ntags: &t [a, b]\nkeywords: *t\nauthor:\n  - name: Ann\n  - name: Bo\n"
    data = frontmatter.parse(block, 2, tmp_path / "a.md", diagnostics)
    assert data == {"title": "Fine", "tags": ["a", "b"], "keywords": ["a", "b"],
                    "author": [{"name": "Ann"}, {"name": "Bo"}]}
    assert not diagnostics.items


# -- the folder walk ------------------------------------------------------------------------

def nest(base: Path, levels: int, name: str = "d") -> Path:
    """``levels`` folders inside each other below ``base`` (without os.makedirs, which
    recurses, and without a path string the system would refuse)."""
    base.mkdir(parents=True, exist_ok=True)
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(levels):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as handle:
            handle.write("Deep\n\nAt the bottom.\n")
    finally:
        os.close(fd)
    return base


def remove_deep(top: Path) -> None:
    """Remove a tree too deep for shutil.rmtree (which recurses): pytest's own clean-up
    of old temporary folders would end in RecursionError on it, in every later run."""
    stack = [str(top)]
    while stack:
        with os.scandir(stack[-1]) as listing:
            entries = list(listing)
        folders = [e.path for e in entries if e.is_dir(follow_symlinks=False)]
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        if folders:
            stack += folders
        else:
            os.rmdir(stack.pop())


@pytest.fixture
def deep_folder(submissions):
    yield nest(submissions / "deep", 1100)
    remove_deep(submissions / "deep")


def test_a_thousand_nested_folders_fail_that_folder_only(tmp_path, submissions, deep_folder, capsys):
    code, report = run_batch(tmp_path, submissions)
    assert code == 1
    assert_good_one_built(tmp_path, report)
    (document,) = [d for d in report["documents"] if d["status"] == "failed"]
    (problem,) = document["problems"]
    assert Path(problem["file"]) == submissions / "deep" / Path(*["d"] * 63)
    assert "nested more than 64 levels" in problem["message"] and problem["hint"]
    assert "Traceback" not in capsys.readouterr().err


def test_sources_up_to_the_depth_limit_are_found(tmp_path):
    nest(tmp_path / "src", importers.MAX_FOLDER_DEPTH)
    problems: list = []
    (found,) = find_sources(tmp_path / "src", problems)
    assert found.name == "deep.txt" and problems == []


def test_a_path_longer_than_the_system_allows_fails_that_folder_only(tmp_path, submissions, capsys):
    nest(submissions / "long", 20, name="n" * 250)  # 5,000 characters: ENAMETOOLONG
    code, report = run_batch(tmp_path, submissions)
    assert code == 1
    assert_good_one_built(tmp_path, report)
    (document,) = [d for d in report["documents"] if d["status"] == "failed"]
    assert "cannot be searched" in document["error"] or "cannot be read" in document["error"]
    assert "Traceback" not in capsys.readouterr().err


def test_a_folder_with_too_many_entries_fails_that_folder_only(tmp_path, submissions, monkeypatch, capsys):
    monkeypatch.setattr(importers, "MAX_FOLDER_ENTRIES", 20)
    for n in range(30):
        write(submissions / "wide" / f"{n:02}.txt", "Wide\n\nText.\n")
    code, report = run_batch(tmp_path, submissions)
    assert code == 1
    assert_good_one_built(tmp_path, report)
    (document,) = [d for d in report["documents"] if d["status"] == "failed"]
    assert document["source"] == str(submissions / "wide")
    assert "more than 20 entries" in document["error"]


def test_a_tree_with_too_many_entries_stops_the_walk_with_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(importers, "MAX_TREE_ENTRIES", 10)
    for n in range(12):
        write(tmp_path / "src" / f"f{n:02}" / "a.txt", "A\n\nText.\n")
    problems: list = []
    find_sources(tmp_path / "src", problems)
    (problem,) = problems
    assert "more than 10 files and folders" in problem.message
    with pytest.raises(SourceError):  # without a list to collect them, a problem is raised
        find_sources(tmp_path / "src")


def test_looping_links_are_not_followed(tmp_path):
    write(tmp_path / "src" / "a" / "x.txt", "X\n\nText.\n")
    (tmp_path / "src" / "a" / "loop").symlink_to("..", target_is_directory=True)
    (tmp_path / "src" / "self").symlink_to(".", target_is_directory=True)
    problems: list = []
    assert find_sources(tmp_path / "src", problems) == [tmp_path / "src" / "a" / "x.txt"]
    assert problems == []


# -- JSON, and what escapes in-process ---------------------------------------------------------

def test_a_deeply_nested_manifest_means_rebuild(tmp_path):
    write(tmp_path / "src" / "a.txt", "A\n\nText.\n")
    out = tmp_path / "out"
    write(out / MANIFEST, "[" * DEEP + "]" * DEEP)
    assert main(["build", str(tmp_path / "src"), "-o", str(out), "--to", "html"]) == 0
    assert (out / "a.html").is_file()
    assert json.loads((out / MANIFEST).read_text())["documents"]


def test_planning_survives_a_source_the_parent_cannot_read(tmp_path, submissions, monkeypatch, capsys):
    book = submissions / "book"
    write(book / "ch.md", "# Chapter\n\nText.\n")
    write(book / "exporter.toml", BOOK_HEAD)

    def recursing(path):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(batch, "book_name", recursing)
    code, report = run_batch(tmp_path, submissions)
    assert code == 1
    assert_good_one_built(tmp_path, report)
    document = documents(report)[(book / "exporter.toml").as_posix()]
    assert "nested too deeply" in document["error"]
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("error", [RecursionError, MemoryError])
def test_exporter_import_never_shows_a_traceback(tmp_path, monkeypatch, capsys, error):
    import exporter.cli

    source = write(tmp_path / "a.md", "# A\n\nText.\n")

    def failing(*args, **kwargs):
        raise error()

    monkeypatch.setattr(exporter.cli, "load", failing)
    assert main(["import", str(source), "-o", str(tmp_path / "a.xhtml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {source}: the source ") and "nothing was written" in err
    assert not (tmp_path / "a.xhtml").exists()


def test_exporter_import_of_deep_front_matter_names_file_and_line(tmp_path, capsys):
    source = write(tmp_path / "a.md", f"---\ntitle: x\ntags: {'[' * DEEP}{']' * DEEP}\n---\n\n# A\n")
    assert main(["import", str(source), "-o", str(tmp_path / "a.xhtml")]) == 1
    assert capsys.readouterr().err.startswith(f"error: {source}:3: front matter is nested more than 100")

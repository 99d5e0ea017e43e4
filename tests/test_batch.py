"""Batch builds: many sources, failures carried past, the JSON report, output folders
that mirror the source folders, collisions, incremental rebuilds and the progress bar."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import SOURCES

from exporter import batch
from exporter.batch.cache import MANIFEST
from exporter.batch.progress import Progress, wanted
from exporter.cli import main

GOOD_XHTML = ('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>{title}</title></head>'
              "<body><article><p>{text}</p></article></body></html>")
#: a model file whose second line holds an element the model does not allow
BROKEN_XHTML = GOOD_XHTML.format(title="Broken", text="Fine.").replace(
    "<p>Fine.</p>", "<p>Fine.</p>\n<blink>bad</blink>")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def outputs(folder: Path) -> list[str]:
    """Every output file under ``folder`` (relative, sorted), the manifest left out."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def build(*args: str) -> int:
    return main(["build", *args])


def report_of(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def by_source(report: dict) -> dict[str, dict]:
    return {Path(d["source"]).name: d for d in report["documents"]}


@pytest.fixture
def corpus(tmp_path) -> Path:
    """Four articles in nested folders, one of them broken."""
    src = tmp_path / "src"
    write(src / "alpha.txt", "Alpha\n\nThe first article, in plain text.\n")
    write(src / "news" / "beta.md", "# Beta\n\nThe second article, in *Markdown*.\n")
    write(src / "news" / "en" / "gamma.xhtml", GOOD_XHTML.format(title="Gamma", text="The third."))
    write(src / "news" / "fr" / "broken.xhtml", BROKEN_XHTML)
    return src


def test_broken_source_does_not_stop_the_batch(tmp_path, corpus, capsys):
    out, report = tmp_path / "out", tmp_path / "report.json"
    assert build(str(corpus), "-o", str(out), "--to", "html", "-j", "2", "--report", str(report)) == 1
    assert outputs(out) == ["alpha.html", "news/beta.html", "news/en/gamma.html"]
    captured = capsys.readouterr()
    broken = corpus / "news" / "fr" / "broken.xhtml"
    assert f"FAILED  {broken}" in captured.err
    assert f"{broken}:2:" in captured.err and "<blink> is not part of the article model" in captured.err
    assert "3 built, 1 failed" in captured.out
    document = by_source(report_of(report))["broken.xhtml"]
    assert document["status"] == "failed" and document["outputs"] == {}
    assert document["error"].startswith(f"{broken}:2: ")
    (problem,) = document["problems"]
    assert problem["file"] == str(broken) and problem["line"] == 2
    assert "<blink>" in problem["message"] and problem["hint"]


def test_json_report(tmp_path, corpus, capsys):
    out, report = tmp_path / "out", tmp_path / "report.json"
    assert build(str(corpus), "-o", str(out), "--to", "html,epub", "--format", "json", "--report", str(report),
                 "-j", "2") == 1
    printed = json.loads(capsys.readouterr().out)
    written = report_of(report)
    assert printed["documents"] == written["documents"]
    assert (written["ok"], written["built"], written["skipped"], written["failed"]) == (3, 3, 0, 1)
    assert written["statuses"] == {"ok": 3, "failed": 1}
    assert written["formats"] == ["html", "epub"] and written["workers"] == 2 and written["seconds"] > 0
    assert [Path(d["source"]).name for d in written["documents"]] == \
        ["alpha.txt", "beta.md", "gamma.xhtml", "broken.xhtml"]  # the plan's order, not the finishing order
    alpha = by_source(written)["alpha.txt"]
    assert alpha["status"] == "ok"
    assert alpha["outputs"] == {"html": str(out / "alpha.html"), "epub": str(out / "alpha.epub")}
    assert alpha["seconds"] > 0 and alpha["peak_memory"] > 10 * 2**20
    for output in alpha["outputs"].values():
        assert Path(output).is_file()
    beta = by_source(written)["beta.md"]
    assert beta["outputs"]["epub"] == str(out / "news" / "beta.epub")
    for diagnostic in beta["diagnostics"] + alpha["diagnostics"]:
        assert {"code", "severity", "message"} <= set(diagnostic)
    # a text source with no sidecar and no metadata: its title was derived, and said so
    assert "S001" in [d["code"] for d in alpha["diagnostics"]]


def test_sources_under_a_folder_keep_their_folder(tmp_path):
    src = tmp_path / "guide"
    for language in ("", "ar", "fa", "ja"):
        write(src / "_articles" / language / "starting.md", f"# Starting {language}\n\nText.\n")
    write(tmp_path / "single.txt", "Single\n\nGiven directly.\n")
    out = tmp_path / "out"
    assert build(str(src), str(tmp_path / "single.txt"), "-o", str(out), "--to", "html") == 0
    assert outputs(out) == ["_articles/ar/starting.html", "_articles/fa/starting.html",
                            "_articles/ja/starting.html", "_articles/starting.html", "single.html"]
    assert "Starting ja" in (out / "_articles" / "ja" / "starting.html").read_text(encoding="utf-8")


def test_plan_names_an_unpacked_epub_after_its_book(tmp_path):
    book = tmp_path / "shelf" / "my-book" / "src"
    write(book / "META-INF" / "container.xml", "<container/>")
    (job,) = batch.plan([tmp_path / "shelf"], tmp_path / "out")
    assert (job.source, job.key) == (book, "my-book")
    assert job.targets(["epub"]) == {"epub": tmp_path / "out" / "my-book.epub"}


def test_colliding_outputs_are_errors_not_overwrites(tmp_path, capsys):
    src = tmp_path / "src"
    write(src / "note.md", "# From Markdown\n\nText.\n")
    write(src / "note.txt", "From text\n\nText.\n")
    write(src / "other.txt", "Other\n\nText.\n")
    out = tmp_path / "out"
    write(out / "note.html", "previous output")
    assert build(str(src), "-o", str(out), "--to", "html") == 1
    err = capsys.readouterr().err
    assert "note.* would be written by 2 sources" in err
    assert str(src / "note.md") in err and str(src / "note.txt") in err and "hint:" in err
    assert (out / "note.html").read_text() == "previous output"
    assert (out / "other.html").is_file()


def test_same_name_in_two_folders_given_separately(tmp_path, capsys):
    write(tmp_path / "a" / "x.txt", "One\n\nText.\n")
    write(tmp_path / "b" / "x.txt", "Two\n\nText.\n")
    assert build(str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "out"), "--to", "html") == 1
    assert "x.* would be written by 2 sources" in capsys.readouterr().err
    assert outputs(tmp_path / "out") == []


def test_an_output_never_replaces_a_source(tmp_path, capsys):
    page = write(tmp_path / "page.html", "<html><head><title>Page</title></head><body><p>Text.</p></body></html>")
    before = page.read_bytes()
    assert build(str(page), "-o", str(tmp_path), "--to", "html") == 1
    assert "would replace a source" in capsys.readouterr().err
    assert page.read_bytes() == before


def test_the_same_source_given_twice_is_built_once(tmp_path):
    source = write(tmp_path / "src" / "a.txt", "A\n\nText.\n")
    jobs = batch.plan([tmp_path / "src", source], tmp_path / "out")
    assert [job.source for job in jobs] == [source] and jobs[0].error is None


# -- incremental rebuilds ------------------------------------------------------------------

def statuses(report: Path) -> dict[str, str]:
    return {name: d["status"] for name, d in by_source(report_of(report)).items()}


@pytest.fixture
def built(tmp_path):
    """Three sources built once; returns a function that builds again and tells each status."""
    src = tmp_path / "src"
    write(src / "one.txt", "One\n\nPHOTO: A picture of the harbour (Photo: Someone)\n\nText one.\n")
    write(src / "two.md", "# Two\n\nText two.\n")
    write(src / "sub" / "three.xhtml", GOOD_XHTML.format(title="Three", text="Text three."))
    out, report = tmp_path / "out", tmp_path / "report.json"

    def again(*extra: str, code: int = 0) -> dict[str, str]:
        assert build(str(src), "-o", str(out), "--to", "html", "--report", str(report), *extra) == code
        return statuses(report)

    assert set(again().values()) == {"ok"}
    return src, out, again


def test_unchanged_sources_are_skipped(built, capsys):
    src, out, again = built
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    capsys.readouterr()
    assert again() == {"one.txt": "skipped", "two.md": "skipped", "three.xhtml": "skipped"}
    assert "0 built, 0 failed, 3 up to date" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.html")} == stamps
    # a skipped document still reports its outputs and the diagnostics of its last build
    one = by_source(report_of(out.parent / "report.json"))["one.txt"]
    assert one["outputs"] == {"html": str(out / "one.html")}
    assert "S001" in [d["code"] for d in one["diagnostics"]]
    # touching a file without changing it does not rebuild (content, not time, decides)
    (src / "two.md").touch()
    assert again()["two.md"] == "skipped"


def test_changed_inputs_are_rebuilt(built):
    src, out, again = built
    write(src / "two.md", "# Two\n\nText two, revised.\n")
    assert again() == {"one.txt": "skipped", "two.md": "ok", "three.xhtml": "skipped"}
    assert "revised" in (out / "two.html").read_text(encoding="utf-8")
    # a sidecar created next to a source
    write(src / "sub" / "three.toml", 'title = "Three, from the sidecar"\n')
    assert again()["three.xhtml"] == "ok"
    assert "Three, from the sidecar" in (out / "sub" / "three.html").read_text(encoding="utf-8")
    # a picture put next to a text source later (the importer looked for it and found none)
    assert "<img" not in (out / "one.html").read_text(encoding="utf-8")
    shutil.copy(SOURCES / "type-case.png", src / "one.png")
    assert again()["one.txt"] == "ok"
    assert "<img" in (out / "one.html").read_text(encoding="utf-8")
    assert again() == {"one.txt": "skipped", "two.md": "skipped", "three.xhtml": "skipped"}
    # and that picture changed
    (src / "one.png").write_bytes((src / "one.png").read_bytes() + b"\0")
    assert again()["one.txt"] == "ok"


def test_deleted_or_edited_outputs_are_rebuilt(built):
    src, out, again = built
    (out / "two.html").unlink()
    (out / "sub" / "three.html").write_text("edited by hand", encoding="utf-8")
    assert again() == {"one.txt": "skipped", "two.md": "ok", "three.xhtml": "ok"}
    assert "Text three." in (out / "sub" / "three.html").read_text(encoding="utf-8")


def test_settings_and_force_rebuild(built):
    src, out, again = built
    assert set(again("--force").values()) == {"ok"}
    assert set(again("--title", "Same title for all").values()) == {"ok"}
    assert set(again("--title", "Same title for all").values()) == {"skipped"}
    assert set(again().values()) == {"ok"}  # the title option dropped again
    assert set(again("--page-size", "letter").values()) == {"ok"}
    assert set(again("--page-size", "letter", "--timeout", "300", "-j", "1").values()) == {"skipped"}


def test_a_broken_manifest_means_rebuild(built):
    src, out, again = built
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    assert set(again().values()) == {"ok"}
    assert set(again().values()) == {"skipped"}
    (out / MANIFEST).unlink()
    assert set(again().values()) == {"ok"}


def test_a_failed_document_is_tried_again(built, capsys):
    src, out, again = built
    write(src / "two.md", "# Two\n\nText two.\n")  # unchanged content
    write(src / "sub" / "three.xhtml", BROKEN_XHTML)
    assert again(code=1)["three.xhtml"] == "failed"
    assert again(code=1)["three.xhtml"] == "failed"
    assert "Text three." in (out / "sub" / "three.html").read_text(encoding="utf-8")  # the last good output
    write(src / "sub" / "three.xhtml", GOOD_XHTML.format(title="Three", text="Text three."))
    assert again()["three.xhtml"] == "skipped"  # back to what the outputs were built from


def test_a_changed_theme_rebuilds(built, tmp_path):
    src, out, again = built
    theme = tmp_path / "theme"
    write(theme / "theme.toml", 'extends = "magazine"\n')
    write(theme / "print.css", "h1 { color: #123456 }\n")
    assert set(again("--theme", str(theme)).values()) == {"ok"}
    assert set(again("--theme", str(theme)).values()) == {"skipped"}
    write(theme / "print.css", "h1 { color: #654321 }\n")
    assert set(again("--theme", str(theme)).values()) == {"ok"}
    assert "#654321" in (out / "two.html").read_text(encoding="utf-8")


# -- the progress bar -----------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_quiet_when_not_a_terminal(tmp_path, corpus, capsys, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert build(str(corpus), "-o", str(tmp_path / "out"), "--to", "html") == 1
    err = capsys.readouterr().err
    assert "\r" not in err and "[#" not in err
    assert not wanted(io.StringIO())
    assert wanted(Terminal())
    monkeypatch.setenv("CI", "true")
    assert not wanted(Terminal())
    assert wanted(io.StringIO(), choice=True) and not wanted(Terminal(), choice=False)


def test_progress_bar_on_request(tmp_path, corpus, capsys):
    assert build(str(corpus), "-o", str(tmp_path / "out"), "--to", "html", "--progress") == 1
    captured = capsys.readouterr()
    assert "\r\x1b[K[" in captured.err and "4/4" in captured.err and "1 failed" in captured.err
    assert "\r" not in captured.out  # reports stay clean lines


def test_quiet_reports_only_failures_and_totals(tmp_path, corpus, capsys):
    assert build(str(corpus), "-o", str(tmp_path / "out"), "--to", "html", "-q") == 1
    captured = capsys.readouterr()
    assert "ok " not in captured.out and "3 built, 1 failed" in captured.out
    assert "broken.xhtml" in captured.err and "\r" not in captured.err


def test_progress_line():
    stream = Terminal()
    bar = Progress(10, enabled=True, stream=stream, done=4)
    bar.advance("a.md")
    bar.advance("b.md", failed=True)
    line = bar.line()
    assert line.startswith("[") and "6/10" in line and "4 unchanged" in line and "1 failed" in line
    bar.print("a line", file=stream)
    assert "a line\n" in stream.getvalue()
    bar.finish()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_jobs_must_be_positive(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["build", str(tmp_path), "-j", "0"])
    assert caught.value.code == 2


def test_one_or_two_workers_write_the_same_bytes(tmp_path):
    src = tmp_path / "src"
    write(src / "one.txt", "One\n\nThe first article.\n\nA second paragraph.\n")
    write(src / "deep" / "two.md", "# Two\n\nThe second article, in *Markdown*.\n")
    shutil.copy(SOURCES / "type-case.txt", src / "type-case.txt")
    shutil.copy(SOURCES / "type-case.toml", src / "type-case.toml")
    shutil.copy(SOURCES / "type-case.png", src / "type-case.png")
    serial, parallel = tmp_path / "j1", tmp_path / "j2"
    assert build(str(src), "-o", str(serial), "-j", "1") == 0
    assert build(str(src), "-o", str(parallel), "-j", "2") == 0
    files = outputs(serial)
    assert files == outputs(parallel)
    assert {Path(f).suffix for f in files} == {".epub", ".pdf", ".html"} and len(files) == 9
    for name in files:
        assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name


def test_manifest_takes_any_title_and_file_name(tmp_path):
    """A lone surrogate in an option, or a file name that is not UTF-8, still makes a
    manifest that the next run reads (and so skips)."""
    src = tmp_path / "src"
    write(src / "plain.txt", "Plain\n\nText.\n")
    write(src / os.fsdecode(b"caf\xe9.txt"), "Cafe\n\nText.\n")
    out, report = tmp_path / "out", tmp_path / "report.json"
    args = [str(src), "-o", str(out), "--to", "html", "--title", "lone \ud800 surrogate", "--report", str(report)]
    assert build(*args) == 0
    assert set(statuses(report).values()) == {"ok"}
    assert build(*args) == 0
    assert set(statuses(report).values()) == {"skipped"}


def test_the_warm_up_article_builds_cleanly():
    """The article the parent builds before forking workers is in the package (so the
    warm-up reads nothing outside exporter's own files) and builds without a problem."""
    from exporter.diagnostics import Severity
    from exporter.pipeline import load, render
    from exporter.settings import Settings
    from exporter.themes import load_theme

    assert batch.WARM_UP_SOURCE.is_file() and "exporter" in batch.WARM_UP_SOURCE.parts
    settings = Settings(formats=("html", "epub"), isolate=False)
    article = load(batch.WARM_UP_SOURCE, settings)
    rendered = render(article, settings, load_theme("magazine"))
    assert set(rendered) == {"html", "epub"} and not article.diagnostics.at_least(Severity.WARNING)

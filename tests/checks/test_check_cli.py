"""`exporter check` and `exporter build --check` as CI uses them: every checker on
everything built from sources/, the three report forms, exit codes and usage errors."""

from __future__ import annotations

import json
import zipfile

import pytest
from lxml import etree

from exporter.checks import ace
from exporter.checks.gate import stem_of
from exporter.cli import main
from exporter.pipeline import discover
from exporter.writers import WRITERS

from .broken import copy
from .conftest import SAMPLES, SOURCES

needs_ace = pytest.mark.skipif(not ace.available(), reason="DAISY Ace is not installed (scripts/setup.sh)")


def test_everything_built_from_sources_passes(built, check, tmp_path):
    junit = tmp_path / "reports" / "junit.xml"
    code, out = check(built, "--source", SOURCES, "--allow-read", SOURCES, "--twice", "--skip", "ace", "--junit", junit,
                      "--format", "json", "--fail-on-skip")
    report = json.loads(out)
    assert code == 0, [r for r in report["results"] if r["status"] != "passed"]
    checked = {(r["checker"], r["output"].rsplit("/", 1)[1]) for r in report["results"]}
    for stem in ("harbour-ledger", "type-case"):
        assert {("epubcheck", f"{stem}.epub"), ("claims", f"{stem}.epub"), ("nu", f"{stem}.html"),
                ("pdf", f"{stem}.pdf")} <= checked
        for suffix in ("epub", "pdf", "html"):
            assert {("completeness", f"{stem}.{suffix}"), ("reproducible", f"{stem}.{suffix}")} <= checked
    assert report["ok"] and report["passed"] == len(report["results"]) == 10 * SAMPLES
    tree = etree.parse(str(junit))
    root = tree.getroot()
    assert root.tag == "testsuites" and root.get("tests") == str(10 * SAMPLES) and root.get("failures") == "0"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"epubcheck", "claims", "nu", "pdf", "completeness", "reproducible"}
    n = SAMPLES
    assert {name: s.get("tests") for name, s in suites.items()} == {
        "epubcheck": str(n), "claims": str(n), "nu": str(n), "pdf": str(n), "completeness": str(3 * n), "reproducible": str(3 * n)}
    names = {case.get("name") for case in suites["pdf"].iter("testcase")}
    assert names == {str(built / f"{stem_of(source)}.pdf") for source in discover([SOURCES])}


def _declares_accessibility(epub) -> bool:
    with zipfile.ZipFile(epub) as book:
        return any(b'property="schema:accessMode"' in book.read(n) for n in book.namelist() if n.endswith(".opf"))


@needs_ace
def test_ace_passes_on_everything_built_from_sources(built, check):
    if not all(_declares_accessibility(built / f"{stem}.epub") for stem in ("harbour-ledger", "type-case")):
        pytest.xfail("the EPUB writer does not declare schema.org accessibility metadata yet "
                     "(the EPUB branch adds it); Ace fails these EPUBs until then")
    code, out = check(built, "--only", "ace")
    assert code == 0, out


def test_text_summary_lists_failures_under_their_output(built, tmp_path, check):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes((built / "type-case.pdf").read_bytes()[:2000])
    good = copy(built / "harbour-ledger.pdf", tmp_path)
    code, out = check(good, bad, "--only", "pdf")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == str(good) and lines[1].split() == ["passed", "pdf"]
    assert lines[2] == str(bad) and lines[3].split()[:2] == ["FAILED", "pdf"]
    assert lines[4].strip().startswith("error[syntax]:")
    assert lines[-1].startswith("2 outputs, 2 checks: 1 passed, 1 failed, 0 skipped in ")
    assert lines[-1].endswith("(failing on errors)")


def test_junit_failures_and_skips(built, tmp_path, check, monkeypatch):
    monkeypatch.setattr(ace, "available", lambda: False)
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html lang=en><head><title>t</title></head><body><p><div>x</div></p>"
                    "</body></html>", encoding="utf-8")
    book = copy(built / "type-case.epub", tmp_path)
    junit = tmp_path / "junit.xml"
    code, _ = check(page, book, "--only", "nu,ace", "--junit", junit)
    assert code == 1
    root = etree.parse(str(junit)).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("2", "1", "1")
    failure = root.find("testsuite[@name='nu']/testcase/failure")
    assert failure.get("message").startswith("1 error; first: line 1, column ")
    assert "No “p” element in scope but a “p” end tag seen" in failure.text
    skipped = root.find("testsuite[@name='ace']/testcase/skipped")
    assert "DAISY Ace is not installed" in skipped.get("message")
    assert root.find("testsuite[@name='ace']/testcase").get("name") == str(book)


@pytest.mark.parametrize("args", [["nowhere"], ["EMPTY"], ["SOURCE_FILE"], ["BUILT", "--only", "nu", "--skip", "nu"]])
def test_usage_errors_exit_2(built, tmp_path, check, args):
    (tmp_path / "empty").mkdir()
    replace = {"nowhere": tmp_path / "nowhere", "EMPTY": tmp_path / "empty", "SOURCE_FILE": SOURCES / "type-case.txt",
               "BUILT": built}
    code, _ = check(*[replace.get(a, a) for a in args])
    assert code == 2
    assert check.err.startswith("error: ")


def test_unknown_checker_is_a_usage_error(built, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["check", str(built), "--only", "epubcheck,spellcheck"])
    assert exit_.value.code == 2
    assert "unknown checker 'spellcheck'" in capsys.readouterr().err


def test_build_check_knows_its_sources(tmp_path, capsys):
    out = tmp_path / "out"
    junit = tmp_path / "junit.xml"
    code = main(["build", str(SOURCES / "type-case.txt"), "-o", str(out), "--check", "--skip", "ace", "--twice",
                 "--junit", str(junit), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report["check"]
    assert report["ok"] == 1 and report["check"]["ok"]
    assert {r["checker"] for r in report["check"]["results"]} == {"epubcheck", "claims", "nu", "pdf",
                                                                 "completeness", "reproducible"}
    assert report["check"]["skipped"] == 0  # completeness and --twice found the source without --source
    assert etree.parse(str(junit)).getroot().get("tests") == str(len(report["check"]["results"]))


def test_build_check_fails_when_an_output_lost_text(tmp_path, capsys, monkeypatch):
    suffix, writer = WRITERS["html"]

    def lossy(ctx) -> bytes:  # a writer bug: the article's last paragraph goes missing
        page = writer(ctx)
        text = page.index(b"Find a workshop that lets you make a mess.")
        start, end = page.rindex(b"<p", 0, text), page.index(b"</p>", text) + 4
        return page[:start] + page[end:]

    monkeypatch.setitem(WRITERS, "html", (suffix, lossy))
    out = tmp_path / "out"
    code = main(["build", str(SOURCES / "type-case.txt"), "-o", str(out), "--check", "--only", "completeness"])
    text = capsys.readouterr().out
    assert code == 1
    assert (out / "type-case.html").is_file()  # built, but the gate failed
    assert "FAILED   completeness" in text and "text block missing: “Find a workshop" in text
    assert text.count("passed   completeness") == 2  # EPUB and PDF are complete


def test_a_checker_that_breaks_fails_its_check(built, check, monkeypatch):
    from exporter.checks import pdf

    def broken(path):
        if path.name == "type-case.pdf":
            raise KeyError("/Font")
        return []

    monkeypatch.setattr(pdf, "check", broken)
    code, out = check(built / "harbour-ledger.pdf", built / "type-case.pdf", "--only", "pdf", "--format", "json")
    assert code == 1
    results = {r["output"].rsplit("/", 1)[1]: r for r in json.loads(out)["results"]}
    assert results["harbour-ledger.pdf"]["status"] == "passed"
    assert results["type-case.pdf"]["status"] == "failed"
    assert results["type-case.pdf"]["findings"][0]["code"] == "checker-failed"
    assert "KeyError" in results["type-case.pdf"]["findings"][0]["message"]

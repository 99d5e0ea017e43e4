"""Completeness in `exporter check`: every text block of the source must be in the EPUB,
the PDF and the HTML. Outputs that lost a paragraph (or changed a word) fail."""

from __future__ import annotations

import json
import shutil

import pytest

from exporter.cli import main

from .conftest import EPOCH, SAMPLES, SOURCES

LOST = "It is also a good way to slow down."
CHANGED = ("Set your name, print it twenty times", "Set your name, print it twelve times")


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """type-case built from a copy of its source that lost a paragraph and changed a word."""
    folder = tmp_path_factory.mktemp("damaged")
    for path in SOURCES.glob("type-case.*"):
        shutil.copy(path, folder / path.name)
    source = folder / "type-case.txt"
    text = source.read_text(encoding="utf-8")
    start = text.index(LOST)
    end = text.index("\n\n", start) + 2
    assert CHANGED[0] in text
    source.write_text((text[:start] + text[end:]).replace(*CHANGED), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert main(["build", str(source), "-o", str(folder / "out")]) == 0
    return folder / "out"


def test_outputs_of_the_sources_are_complete(built, check):
    code, out = check(built, "--source", SOURCES, "--allow-read", SOURCES, "--only", "completeness", "--format", "json")
    assert code == 0, out
    report = json.loads(out)
    assert report["passed"] == 3 * SAMPLES and report["failed"] == report["skipped"] == 0


def test_outputs_that_lost_a_paragraph_fail(damaged, check):
    code, out = check(damaged, "--source", SOURCES / "type-case.txt", "--only", "completeness", "--format", "json")
    assert code == 1
    results = json.loads(out)["results"]
    assert sorted(r["output"].rsplit(".", 1)[1] for r in results) == ["epub", "html", "pdf"]
    for result in results:
        assert result["status"] == "failed", result
        messages = [f["message"] for f in result["findings"]]
        assert len(messages) == 2, messages  # the lost paragraph and the one with a changed word
        assert any(LOST in m for m in messages)
        assert any("Find a workshop that lets you make a mess" in m for m in messages)
        assert all(f["code"] == "missing-text" and f["location"].startswith("block ") for f in result["findings"])


def test_without_a_source_completeness_is_skipped(built, check):
    code, out = check(built / "type-case.pdf", "--only", "completeness")
    assert code == 0
    assert "skipped  completeness  no source given" in out
    code, out = check(built / "type-case.pdf", "--source", SOURCES / "harbour-ledger.xhtml", "--only", "completeness")
    assert code == 0 and "no source named type-case" in out
    assert check(built / "type-case.pdf", "--only", "completeness", "--fail-on-skip")[0] == 1

"""DAISY Ace in `exporter check`: accessible EPUBs pass, inaccessible ones fail, and a
machine without Ace reports the check as skipped (never as passed)."""

from __future__ import annotations

import json
import re

import pytest

from exporter.checks import ace, gate

from .broken import copy, edit_entry, opf_name, rewrite_zip

needs_ace = pytest.mark.skipif(not ace.available(), reason="DAISY Ace is not installed (scripts/setup.sh)")

#: the schema.org accessibility metadata Ace requires, as a publisher would declare it
A11Y = {
    "schema:accessMode": ["textual", "visual"],
    "schema:accessModeSufficient": ["textual"],
    "schema:accessibilityFeature": ["structuralNavigation", "alternativeText", "tableOfContents"],
    "schema:accessibilityHazard": ["none"],
    "schema:accessibilitySummary": ["The text is fully marked up; images have text alternatives."],
}
_SCHEMA_META = re.compile(rb'\s*<meta\b[^>]*property="schema:[^"]*"[^>]*>[^<]*</meta>')


def add_a11y_metadata(opf: bytes) -> bytes:
    present = set(re.findall(rb'property="(schema:[^"]+)"', opf))
    metas = b"".join(f'<meta property="{key}">{value}</meta>'.encode()
                     for key, values in A11Y.items() if key.encode() not in present for value in values)
    return opf.replace(b"</metadata>", metas + b"</metadata>", 1)


def strip_a11y_metadata(opf: bytes) -> bytes:
    return _SCHEMA_META.sub(b"", opf)


@pytest.fixture(scope="module")
def books(built, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ace")
    source = built / "type-case.epub"
    opf = opf_name(source)
    return {
        # (the writer may already declare some or all of it: then the copy keeps what it has)
        "accessible": rewrite_zip(source, folder / "accessible.epub",
                                  edit_entry(opf, add_a11y_metadata, must_change=False)),
        "no-metadata": rewrite_zip(source, folder / "no-metadata.epub",
                                   edit_entry(opf, strip_a11y_metadata, must_change=False)),
    }


@needs_ace
def test_accessible_epub_passes_and_inaccessible_fails(books, check):
    code, out = check(books["accessible"], books["no-metadata"], "--only", "ace", "--format", "json")
    assert code == 1
    results = {r["output"]: r for r in json.loads(out)["results"]}
    good, bad = results[str(books["accessible"])], results[str(books["no-metadata"])]
    assert good["status"] == "passed", good["findings"]
    assert not [f for f in good["findings"] if f["severity"] == "error"]
    assert bad["status"] == "failed"
    codes = {f["code"] for f in bad["findings"] if f["severity"] == "error"}
    assert {"metadata-accessmode", "metadata-accessibilityfeature", "metadata-accessibilityhazard"} <= codes
    assert all("content.opf" in f["location"] for f in bad["findings"] if f["code"].startswith("metadata-"))


@needs_ace
def test_ace_on_a_file_that_is_not_an_epub_fails(tmp_path, check):
    bad = tmp_path / "broken.epub"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    code, out = check(bad, "--only", "ace")
    assert code == 1
    assert "FAILED   ace" in out and "ace-failed" in out


def test_without_ace_the_check_is_skipped_never_passed(built, tmp_path, check, monkeypatch):
    monkeypatch.setattr(ace, "available", lambda: False)
    book = copy(built / "type-case.epub", tmp_path)
    code, out = check(book, "--only", "ace")
    assert code == 0
    assert "skipped  ace" in out and "DAISY Ace is not installed" in out
    assert "0 passed, 0 failed, 1 skipped" in out
    code, out = check(book, "--only", "ace", "--fail-on-skip", "--format", "json")
    assert code == 1
    result = json.loads(out)["results"][0]
    assert result["status"] == "failed" and "not installed" in result["reason"]


def test_ace_impacts_map_to_severities():
    violation = ace.Violation(rule="color-contrast", impact="serious", message="low contrast", file="a.xhtml")
    assert gate._ace_finding(violation).severity.value == "error"
    minor = ace.Violation(rule="epub-type-has-matching-role", impact="moderate", message="no role")
    assert gate._ace_finding(minor).severity.value == "warning"

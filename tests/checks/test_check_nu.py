"""The Nu HTML Checker in `exporter check`: valid print HTML passes, HTML with errors fails."""

from __future__ import annotations

import json

import pytest

from exporter.checks import nu

from .broken import copy

pytestmark = pytest.mark.skipif(not nu.available(), reason="the Nu HTML Checker is not installed (scripts/setup.sh)")


def test_valid_html_passes_and_broken_html_fails(built, tmp_path, check):
    good = copy(built / "harbour-ledger.html", tmp_path)
    page = good.read_text(encoding="utf-8")
    body = page.index(">", page.index("<body")) + 1
    # two elements with one id, a block inside a paragraph's phrasing, a stray end tag
    injected = '<p id="twice">one</p><p id="twice">two</p><span><div>block</div></span></em>'
    bad = tmp_path / "broken.html"
    bad.write_text(page[:body] + injected + page[body:], encoding="utf-8")
    line = page[:body].count("\n") + 1

    code, out = check(good, bad, "--only", "nu", "--format", "json")
    assert code == 1
    results = {r["output"]: r for r in json.loads(out)["results"]}
    assert results[str(good)]["status"] == "passed"
    failed = results[str(bad)]
    assert failed["status"] == "failed"
    errors = [f for f in failed["findings"] if f["severity"] == "error"]
    assert any("Duplicate ID" in f["message"] and "twice" in f["message"] for f in errors)
    assert any("Stray end tag" in f["message"] for f in errors)
    assert all(f["location"].startswith(f"line {line}") for f in errors)

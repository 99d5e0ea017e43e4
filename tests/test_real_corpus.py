"""A small slice of the real-world corpus (corpus/, docs/corpus.md) in the normal test run:
one small document of each kind is built into EPUB, PDF and HTML with the CLI, its EPUB
passes EPUBCheck with no error or warning, and every output keeps at least 99.5 % of the
article's text blocks. The full corpus runs with `make corpus`."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from exporter.checks import epubcheck

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SCRIPT = ROOT / "scripts" / "corpus.py"

#: one small document per kind (each builds in a few seconds)
SLICE = [
    "text/rfc4180.txt",
    "jats/elife07586-correction.xml",
    "markdown/18f-open-source-policy-README.md",
    "html/pg3-jfk-inaugural.htm",
    "epub/w3c-epub-tests/cnt-mathml-support",
]

pytestmark = pytest.mark.slow


def harness():
    if not (CORPUS / "index.tsv").is_file() or not SCRIPT.is_file():
        pytest.skip("corpus/ is not present")
    spec = importlib.util.spec_from_file_location("corpus_harness", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_harness", module)
    spec.loader.exec_module(module)
    return module


def test_the_slice_is_in_the_index():
    corpus = harness()
    rows = {row["path"]: row for row in corpus.documents()}
    assert set(SLICE) <= set(rows)
    assert {rows[path]["kind"] for path in SLICE} == {"text", "jats", "markdown", "html", "epub"}
    assert not any(rows[path]["big"] for path in SLICE)


def test_index_entries_exist():
    corpus = harness()
    rows = corpus.documents()
    assert len(rows) >= 80
    missing = [row["path"] for row in rows if not (CORPUS / row["path"]).exists()]
    assert not missing


@pytest.mark.parametrize("path", SLICE)
def test_corpus_document_builds_clean_and_complete(path, tmp_path):
    corpus = harness()
    if not epubcheck.available():
        pytest.skip("EPUBCheck (Java) is not installed")
    row = next(row for row in corpus.documents() if row["path"] == path)
    result = corpus.build(row, tmp_path, timeout=300)
    assert result["status"] == "built", result.get("traceback") or result.get("error")
    assert set(result["outputs"]) == {"epub", "pdf", "html"}
    report = epubcheck.check(Path(result["outputs"]["epub"]))
    assert not report.errors and not report.warnings, report.summary()
    measured = corpus.kept(row, result["outputs"])
    assert measured["blocks"] > 0
    for fmt, share in measured["kept"].items():
        assert share >= 99.5, f"{fmt}: {share} % kept; lost: {measured['lost'][fmt]}"

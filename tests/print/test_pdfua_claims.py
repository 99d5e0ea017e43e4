"""PDF/UA is claimed only when the structure passes the machine-checkable conditions
(exporter/checks/pdfua.py): real documents — the seed, a PLOS and an eLife article, the
opensource.guide Markdown article with its lists — build PDFs that pass and claim it;
a PDF that cannot pass is made without the claim and with P005."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from _printing import build
from conftest import SOURCES

from exporter.checks import pdf as pdfcheck
from exporter.checks import pdfua
from exporter.writers.pdftags import DECORATIVE

SHARED = Path("/work/shared")
CORPUS = [SHARED / "seeds" / "000_85822bf7518e5c42.txt",
          SHARED / "corpus" / "jats" / "journal.pone.0119074.xml",
          SHARED / "corpus" / "jats" / "elife00240.xml",
          SHARED / "corpus" / "markdown" / "opensource.guide" / "_articles" / "starting-a-project.md"]

pytestmark = pytest.mark.slow


def claim_and_violations(path: Path) -> tuple[str, list[str]]:
    with pikepdf.open(path) as pdf:
        return pdfcheck.claims_of(pdf).pdfua, [v.describe() for v in pdfua.violations(pdf)]


@pytest.mark.parametrize("source", CORPUS, ids=lambda p: p.name)
def test_real_documents_pass_and_claim_pdfua(source, tmp_path):
    if not source.exists():
        pytest.skip(f"{source} is not on this machine")
    result = build(source, tmp_path)
    assert "P005" not in result.diagnostics.codes()
    assert claim_and_violations(result.outputs["pdf"]) == ("1", [])
    assert not [f for f in pdfcheck.check(result.outputs["pdf"]) if f.severity.value == "error"]


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pictures")
    shutil.copy(SOURCES / "images" / "ledger-chart.png", folder)
    (folder / "pictures.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Pictures</title></head><body><h1>Pictures</h1>'
        '<p>A decorative picture follows.</p><p><img src="ledger-chart.png" alt=""></p>'
        "<figure><img src=\"ledger-chart.png\"><figcaption>The ledger's entries by month.</figcaption></figure>"
        "<p>And that is all.</p></body></html>", encoding="utf-8")
    (folder / "missing.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Missing</title></head><body><h1>Missing</h1>'
        '<p>A chart without a word about it:</p><p><img src="ledger-chart.png"></p>'
        "<p>And that is all.</p></body></html>", encoding="utf-8")
    (folder / "math.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Math</title></head><body><h1>Math</h1>'
        '<p>Energy is <math alttext="E equals m c squared"><mi>E</mi><mo>=</mo><mi>m</mi>'
        "<msup><mi>c</mi><mn>2</mn></msup></math>, and <math><mi>a</mi><mo>+</mo><mi>b</mi></math>.</p>"
        "</body></html>", encoding="utf-8")
    return folder


def test_formulas_are_tagged_with_their_alternative_text(pictures, tmp_path):
    result = build(pictures / "math.html", tmp_path)
    assert claim_and_violations(result.outputs["pdf"]) == ("1", [])
    with pikepdf.open(result.outputs["pdf"]) as pdf:
        formulas = [(str(e.S), str(e.Alt)) for e, _ in pdfua.elements(pdf) if e.get("/S") in ("/Formula", "/Figure")]
    assert formulas == [("/Formula", "E equals m c squared"), ("/Formula", "a + b")]


def test_decorative_images_are_artifacts_and_captions_stand_for_missing_alt(pictures, tmp_path):
    result = build(pictures / "pictures.html", tmp_path)
    pdf_path = result.outputs["pdf"]
    assert claim_and_violations(pdf_path) == ("1", [])
    with pikepdf.open(pdf_path) as pdf:
        figures = [e for e, _ in pdfua.elements(pdf) if e.get("/S") == "/Figure"]
        assert [str(f.Alt) for f in figures] == ["The ledger's entries by month."]
        assert DECORATIVE.encode() not in pdf_path.read_bytes()
        artifacts = [ops for ops in pikepdf.parse_content_stream(pdf.pages[0])
                     if str(ops.operator) == "BDC" and ops.operands[0] == pikepdf.Name.Artifact]
        assert artifacts


def test_a_pdf_that_fails_a_condition_gets_no_claim_and_p005(pictures, tmp_path):
    result = build(pictures / "missing.html", tmp_path)
    messages = [d.message for d in result.diagnostics if d.code == "P005"]
    assert len(messages) == 1 and "figure-alt (Matterhorn 13-004)" in messages[0] and "once" in messages[0]
    claim, found = claim_and_violations(result.outputs["pdf"])
    assert claim == "" and len(found) == 1
    with pikepdf.open(result.outputs["pdf"]) as pdf:
        assert pdf.Root.MarkInfo.Marked is True  # still tagged, only not declared PDF/UA
    checked = pdfcheck.check(result.outputs["pdf"])
    assert not [f for f in checked if f.severity.value == "error"]
    assert "figure-alt" in {f.code for f in checked if f.severity.value == "warning"}

"""--pdf-variant: archival PDF/A levels, PDF/A-3 carrying the article's source as an
associated file, PDF/A + PDF/UA for accessible archives; and the CLI's checks."""

from __future__ import annotations

import pikepdf
import pytest
from _printing import build
from conftest import SOURCES

from exporter.cli import main
from exporter.model.file import read_model
from exporter.pipeline import load

LEDGER = SOURCES / "harbour-ledger.xhtml"


@pytest.fixture(scope="module")
def archive_pdf(tmp_path_factory):
    return build(LEDGER, tmp_path_factory.mktemp("a3"), variant="pdf/a-3a+ua-1").outputs["pdf"]


def test_pdf_a3_identification_and_ua(archive_pdf):
    with pikepdf.open(archive_pdf) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "3A"
        assert meta.get("pdfuaid:part") == "1"
        xmp = bytes(pdf.Root.Metadata.read_bytes())
        # pdfuaid is declared for PDF/A validators, which accept only known schemas
        assert b"pdfaExtension:schemas" in xmp and b"<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp
        assert pdf.Root.MarkInfo.Marked is True and str(pdf.Root.Lang) == "en"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1" and "/DestOutputProfile" in intent


def test_pdf_a3_embeds_the_canonical_source(archive_pdf):
    with pikepdf.open(archive_pdf) as pdf:
        assert list(pdf.attachments) == ["harbour-ledger.xhtml"]
        spec = pdf.attachments["harbour-ledger.xhtml"]
        assert spec.obj.AFRelationship == "/Source"
        assert [str(af.UF) for af in pdf.Root.AF] == ["harbour-ledger.xhtml"]  # listed once, associated with the document
        embedded = spec.get_file()
        assert str(embedded.mime_type) == "application/xhtml+xml"
        assert str(embedded.obj.Params.ModDate) == "D:20231114221320Z"
        data = embedded.read_bytes()
    copy = read_model(LEDGER.with_name("embedded.xhtml"), data)
    original = load(LEDGER)
    assert copy.meta.title == original.meta.title
    assert copy.text_blocks() == original.text_blocks()


def test_pdf_a2_has_no_attachment(tmp_path):
    pdf_path = build(SOURCES / "type-case.txt", tmp_path, variant="pdf/a-2a").outputs["pdf"]
    with pikepdf.open(pdf_path) as pdf:
        assert pdf.open_metadata().pdfa_status == "2A"
        assert len(pdf.attachments) == 0 and "/AF" not in pdf.Root
        assert pdf.Root.MarkInfo.Marked is True  # still tagged


def test_attachment_links_in_a_source_are_not_followed(tmp_path):
    """Only exporter attaches files: a source's rel="attachment" link embeds nothing."""
    (tmp_path / "secret.txt").write_text("CANARY-7f3a", encoding="utf-8")
    source = tmp_path / "a.xhtml"
    source.write_text('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>T</title></head><body>'
                      '<article><p>See <a href="secret.txt" rel="attachment nofollow">this</a>.</p></article>'
                      "</body></html>", encoding="utf-8")
    pdf_path = build(source, tmp_path / "out", variant="pdf/a-3b").outputs["pdf"]
    with pikepdf.open(pdf_path) as pdf:
        assert list(pdf.attachments) == ["a.xhtml"]
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                assert b"CANARY-7f3a" not in obj.read_bytes()


@pytest.mark.parametrize("args, message", [
    (["--pdf-variant", "pdf/a-9z"], "invalid choice"),
    (["--page-size", "b5"], "unknown page size"),
    (["--bleed", "3"], "needs a unit"),
    (["--bleed", "3furlongs"], "is not a length"),
    (["--bleed", "40mm"], "out of range"),
])
def test_bad_print_options_are_usage_errors(tmp_path, capsys, args, message):
    try:
        code = main(["build", str(SOURCES / "type-case.txt"), "-o", str(tmp_path), *args])
    except SystemExit as exit:  # argparse rejects it while parsing
        code = exit.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_check_twice_rebuilds_with_the_same_print_options(tmp_path, capsys, monkeypatch):
    """`exporter check --twice` takes the print options the outputs were built with."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    source = SOURCES / "type-case.txt"
    options = ["--pdf-variant", "pdf/a-3b", "--page-size", "a5"]
    assert main(["build", str(source), "-o", str(tmp_path), "--to", "pdf", *options]) == 0
    check = ["check", str(tmp_path / "type-case.pdf"), "--source", str(source), "--only", "reproducible", "--twice"]
    assert main([*check, *options]) == 0
    assert main(check) == 1  # rebuilt as a default PDF/UA on A4: not the same bytes

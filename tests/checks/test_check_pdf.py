"""PDF checks: good PDFs pass; each kind of broken PDF fails with its own code."""

from __future__ import annotations

import json
from decimal import Decimal

import pikepdf
import pytest

from exporter.checks import pdf as pdfcheck

from .broken import copy


def codes(path, severity=None) -> set[str]:
    return {f.code for f in pdfcheck.check(path) if severity is None or f.severity.value == severity}


@pytest.fixture
def good(built, tmp_path):
    return copy(built / "harbour-ledger.pdf", tmp_path, "good.pdf")


def edited(good, name, change):
    """A copy of ``good`` saved after ``change(pdf)``."""
    target = good.with_name(name)
    with pikepdf.open(good) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def test_built_pdfs_pass(built):
    for name in ("harbour-ledger.pdf", "type-case.pdf"):
        assert pdfcheck.check(built / name) == [], name
    with pikepdf.open(built / "harbour-ledger.pdf") as pdf:  # what the checks rely on is really there
        assert pdfcheck.claims_of(pdf).pdfua == "1"


def test_standard_font_without_embedding(tmp_path):
    """A hand-made PDF that shows text in Helvetica, a standard-14 font it does not embed."""
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                              Contents=pdf.make_stream(b"BT /F1 12 Tf 72 770 Td (Hello) Tj ET"))
    pdf.pages.append(pikepdf.Page(page))
    pdf.docinfo["/Title"] = "Hello"
    path = tmp_path / "helvetica.pdf"
    pdf.save(path)
    found = pdfcheck.check(path)
    fonts = [f for f in found if f.code == "font-not-embedded"]
    assert len(fonts) == 1 and "Helvetica" in fonts[0].message and fonts[0].location == "page 1"
    assert fonts[0].severity.value == "error"
    # no PDF/UA claim: the missing tags and language are warnings, not errors
    assert {f.code for f in found if f.severity.value == "warning"} == {"untagged", "no-lang"}


def test_fonts_stripped_from_a_good_pdf(good):
    def unembed(pdf):
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).FontDescriptor
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        del descriptor[key]
    bad = edited(good, "unembedded.pdf", unembed)
    found = [f for f in pdfcheck.check(bad) if f.code == "font-not-embedded"]
    with pikepdf.open(good) as pdf:
        fonts = {str(f.BaseFont) for p in pdf.pages for f in p.Resources.Font.values()}
    assert len(found) == len(fonts) > 1


def test_pdfua_claim_without_tags_or_language(good):
    def untag(pdf):
        del pdf.Root["/MarkInfo"]
        del pdf.Root["/StructTreeRoot"]
        del pdf.Root["/Lang"]
        del pdf.Root["/ViewerPreferences"]
    bad = edited(good, "untagged.pdf", untag)
    assert {"untagged", "no-lang", "display-doc-title"} <= codes(bad, "error")

    def unclaim(pdf):
        untag(pdf)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            del meta["pdfuaid:part"]
    plain = edited(good, "unclaimed.pdf", unclaim)
    assert codes(plain, "error") == set()
    assert {"untagged", "no-lang"} <= codes(plain, "warning")


def test_figure_without_alternative_text(good):
    def drop_alt(pdf):
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure" and "/Alt" in node:
                    del node["/Alt"]
                if "/K" in node:
                    stack.append(node.K)
    bad = edited(good, "no-alt.pdf", drop_alt)
    found = [f for f in pdfcheck.check(bad) if f.code == "figure-alt"]
    assert found and all(f.severity.value == "error" and f.location.startswith("page ") for f in found)


def test_declared_pdfa_without_output_intent(good):
    def claim_pdfa(pdf):
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "1"
            meta["pdfaid:conformance"] = "B"
        pdf.docinfo["/Title"] = "Another title"
    bad = edited(good, "pdfa.pdf", claim_pdfa)
    assert {"pdfa-output-intent", "pdf-version", "metadata-mismatch"} <= codes(bad, "error")


def test_page_boxes_that_do_not_nest(good):
    def widen(pdf):
        media = [Decimal(str(v)) for v in pdf.pages[0].MediaBox]
        pdf.pages[0].TrimBox = pikepdf.Array([media[0], media[1], media[2] + 50, media[3]])
        pdf.pages[-1].CropBox = pikepdf.Array([-20, -20, 100, 100])
    bad = edited(good, "boxes.pdf", widen)
    found = [(f.location, f.message.split()[0], f.message.split("beyond ")[1].split()[0])
             for f in pdfcheck.check(bad) if f.code == "page-box"]
    last = f"page {len(pikepdf.open(bad).pages)}"
    assert ("page 1", "/TrimBox", "/CropBox") in found and ("page 1", "/TrimBox", "/BleedBox") in found
    assert (last, "/CropBox", "/MediaBox") in found
    assert {location for location, _, _ in found} == {"page 1", last}


def test_outline_leading_to_a_removed_page(good):
    with pikepdf.open(good) as pdf:
        pages = len(pdf.pages)
    assert pages > 1

    def drop_last_page(pdf):
        del pdf.pages[-1]
    bad = edited(good, "short.pdf", drop_last_page)
    found = [f for f in pdfcheck.check(bad) if f.code == "outline-target"]
    assert found and all("does not lead to a page" in f.message for f in found)


def test_damaged_file(good, tmp_path):
    data = good.read_bytes()
    cut = tmp_path / "truncated.pdf"
    cut.write_bytes(data[: len(data) // 2])
    assert "syntax" in codes(cut, "error")
    xref = tmp_path / "bad-xref.pdf"
    xref.write_bytes(data[: data.rindex(b"startxref")] + b"startxref\n12\n%%EOF\n")
    assert "syntax" in codes(xref, "error")


def test_missing_outline_is_a_warning_that_the_threshold_can_fail(good, check):
    def drop_outline(pdf):
        del pdf.Root["/Outlines"]
    bad = edited(good, "no-outline.pdf", drop_outline)
    assert codes(bad) == {"no-outline"}
    code, out = check(bad, "--only", "pdf")
    assert code == 0 and "passed   pdf           1 warning" in out and "warning[no-outline]" in out
    code, out = check(bad, "--only", "pdf", "--fail-on", "warning", "--format", "json")
    assert code == 1 and json.loads(out)["results"][0]["status"] == "failed"
    assert check(bad, "--only", "pdf", "--warnings-as-errors")[0] == 1

"""The machine-checkable PDF/UA-1 conditions (exporter/checks/pdfua.py): a real PDF passes
and claims PDF/UA; a copy that breaks one condition is found by the conditions and
fails `exporter check` while it claims PDF/UA; the writer's last step withholds the
claim from such a PDF."""

from __future__ import annotations

import pikepdf
import pytest

from exporter.checks import pdf as pdfcheck
from exporter.checks import pdfua
from exporter.writers import pdftags

from .broken import copy


@pytest.fixture
def good(built, tmp_path):
    """The scholarly sample: tables with header cells, lists, notes, a figure."""
    return copy(built / "copying-the-page.pdf", tmp_path, "good.pdf")


def elements_of(pdf, kind):
    return [element for element, _ in pdfua.elements(pdf) if element.get("/S") == kind]


def parent_of(pdf, element):
    return next(parent for kid, parent in pdfua.elements(pdf) if kid.objgen == element.objgen)


def kids(element):
    k = element.K
    return list(k) if isinstance(k, pikepdf.Array) else [k]


# -- one way to break each condition (each edit is what a faulty tagger would write) --

def loose_list_item(pdf):
    """An LI holding its paragraph directly (what WeasyPrint writes for loose lists)."""
    item = next(li for li in elements_of(pdf, "/LI") if any(k.get("/S") == "/LBody" for k in kids(li)))
    body = next(k for k in kids(item) if k.get("/S") == "/LBody")
    inner = kids(body)
    for k in inner:
        if isinstance(k, pikepdf.Dictionary):
            k.P = item
    item.K = pikepdf.Array([k for k in kids(item) if k.objgen != body.objgen] + inner)


def cell_outside_row(pdf):
    row = elements_of(pdf, "/TR")[-1]
    group = parent_of(pdf, row)
    cell = kids(row)[0]
    cell.P = group
    group.K = pikepdf.Array([*kids(group), cell])
    row.K = pikepdf.Array(kids(row)[1:])


def unscoped_headers(pdf):
    for th in elements_of(pdf, "/TH"):
        if "/Scope" in th.A:
            del th.A["/Scope"]
    for td in elements_of(pdf, "/TD"):
        td.A.Headers = pikepdf.Array()


def headers_to_nowhere(pdf):
    elements_of(pdf, "/TD")[0].A.Headers = pikepdf.Array([pikepdf.String("no-such-header")])


def figure_without_alt(pdf):
    del elements_of(pdf, "/Figure")[0]["/Alt"]


def formula_without_alt(pdf):
    elements_of(pdf, "/P")[0].S = pikepdf.Name.Formula


def note_without_id(pdf):
    del elements_of(pdf, "/Note")[0]["/ID"]


def duplicate_ids(pdf):
    notes = elements_of(pdf, "/Note")
    notes[1].ID = notes[0].ID


def element_cut_off(pdf):
    """A paragraph left out of the tree: its text is neither tagged nor an artifact."""
    paragraph = elements_of(pdf, "/P")[0]
    parent = parent_of(pdf, paragraph)
    parent.K = pikepdf.Array([k for k in kids(parent) if not (isinstance(k, pikepdf.Dictionary)
                                                               and k.objgen == paragraph.objgen)])


def unmarked_drawing(pdf):
    page = pdf.pages[0]
    page.contents_add(pdf.make_stream(b"0 0 m 10 10 l S"), prepend=False)


def no_display_title(pdf):
    pdf.Root.ViewerPreferences.DisplayDocTitle = False


BREAKS = {
    "list-structure": loose_list_item, "table-structure": cell_outside_row, "table-headers": unscoped_headers,
    "figure-alt": figure_without_alt, "formula-alt": formula_without_alt, "note-id": note_without_id,
    "untagged-content": element_cut_off, "display-doc-title": no_display_title,
}


def edited(good, name, change):
    target = good.with_name(name)
    with pikepdf.open(good) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def test_the_good_pdf_claims_pdfua_and_passes(good):
    with pikepdf.open(good) as pdf:
        assert pdfcheck.claims_of(pdf).pdfua == "1"
        assert pdfua.violations(pdf) == []
        # what the repairs made is really there
        assert all("/Scope" in th.A for th in elements_of(pdf, "/TH"))
        for li in elements_of(pdf, "/LI"):
            assert {str(k.S) for k in kids(li) if isinstance(k, pikepdf.Dictionary)} <= {"/Lbl", "/LBody"}
    assert pdfcheck.check(good) == []


@pytest.mark.parametrize("code, change", [
    *BREAKS.items(),
    ("table-headers", headers_to_nowhere), ("note-id", duplicate_ids), ("untagged-content", unmarked_drawing),
], ids=lambda value: value if isinstance(value, str) else value.__name__)
def test_each_broken_condition_is_found_and_fails_a_claimed_pdf(good, code, change):
    bad = edited(good, f"{change.__name__}.pdf", change)
    with pikepdf.open(bad) as pdf:
        found = pdfua.violations(pdf)
        assert pdfcheck.claims_of(pdf).pdfua == "1"
    assert [v.code for v in found] == [code], [v.describe() for v in found]
    assert found[0].matterhorn == pdfua.CONDITIONS[code][0]
    if change not in (no_display_title, duplicate_ids):  # conditions on the document as a whole
        assert "first on page" in found[0].describe()
    errors = [f for f in pdfcheck.check(bad) if f.severity.value == "error"]
    assert errors and {f.code for f in errors} == {code}


@pytest.mark.parametrize("code", ["list-structure", "table-headers", "note-id", "untagged-content"])
def test_without_the_claim_a_violation_is_a_warning(good, code):
    def change(pdf):
        BREAKS[code](pdf)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            del meta["pdfuaid:part"]
    bad = edited(good, "unclaimed.pdf", change)
    found = pdfcheck.check(bad)
    assert {f.code for f in found if f.severity.value == "warning"} == {code}
    assert not [f for f in found if f.severity.value == "error"]


@pytest.mark.parametrize("code", ["figure-alt", "table-structure", "formula-alt"])
def test_the_writer_withholds_the_claim_from_a_pdf_that_violates_a_condition(good, code):
    bad = edited(good, "bad.pdf", BREAKS[code])
    data, found = pdftags.finish(bad.read_bytes(), 1)
    assert [v.code for v in found] == [code]
    fixed = good.with_name("finished.pdf")
    fixed.write_bytes(data)
    with pikepdf.open(fixed) as pdf:
        assert pdfcheck.claims_of(pdf).pdfua == ""
        assert pdf.open_metadata().get("dc:title") == "Copying What the Page Says"
    assert not [f for f in pdfcheck.check(fixed) if f.severity.value == "error"]


def test_the_writer_repairs_what_it_can_and_keeps_the_claim(good):
    """A loose list item, unscoped header cells and a cut-off running head are repaired."""
    def change(pdf):
        loose_list_item(pdf)
        for th in elements_of(pdf, "/TH"):
            del th.A["/Scope"]
    bad = edited(good, "repairable.pdf", change)
    with pikepdf.open(bad) as pdf:
        assert {v.code for v in pdfua.violations(pdf)} == {"list-structure"}
    data, found = pdftags.finish(bad.read_bytes(), 1)
    assert found == []
    fixed = good.with_name("repaired.pdf")
    fixed.write_bytes(data)
    with pikepdf.open(fixed) as pdf:
        assert pdfcheck.claims_of(pdf).pdfua == "1"
    assert pdftags.finish(bad.read_bytes(), 1)[0] == data  # reproducible


def test_headers_of_cells_after_a_row_span_come_from_the_grid(good):
    """In a table with spans, each data cell's /Headers is worked out on the grid
    (WeasyPrint gives cells below a row span the headers of the wrong columns)."""
    def span(pdf):
        table = elements_of(pdf, "/Table")[0]
        body = next(k for k in kids(table) if k.get("/S") == "/TBody")
        first, second = kids(body)[:2]
        kids(first)[1].A.RowSpan = 2  # the first data cell spans two rows …
        second.K = pikepdf.Array([kids(second)[0], *kids(second)[2:]])  # … so the row below has one cell less
        for td in elements_of(pdf, "/TD"):
            td.A.Headers = pikepdf.Array()  # forget WeasyPrint's headers
    bad = edited(good, "spanned.pdf", span)
    data, found = pdftags.finish(bad.read_bytes(), 1)
    assert found == []
    fixed = good.with_name("spanned-fixed.pdf")
    fixed.write_bytes(data)
    with pikepdf.open(fixed) as pdf:
        table = elements_of(pdf, "/Table")[0]
        head = next(k for k in kids(table) if k.get("/S") == "/THead")
        body = next(k for k in kids(table) if k.get("/S") == "/TBody")
        columns = [str(th.ID) for th in kids(kids(head)[0])]
        first, second = kids(body)[:2]
        # the spanning cell is under the second header and in both rows
        assert {str(h) for h in kids(first)[1].A.Headers} == {columns[1], str(kids(first)[0].ID),
                                                             str(kids(second)[0].ID)}
        # the row below: its first data cell is in the third column, under the third header
        assert {str(h) for h in kids(second)[1].A.Headers} == {columns[2], str(kids(second)[0].ID)}

"""The PDF a publisher sends out: tagged PDF/UA-1 by default, metadata in the
document information and in XMP, bookmarks from headings, fonts embedded, figures
with alternative text, every paragraph in the text, notes at the foot of the page."""

from __future__ import annotations

import subprocess

import pikepdf
import pytest
from _printing import build, page_texts
from conftest import SOURCES

from exporter.checks.completeness import missing, normalize, pdf_text
from exporter.pipeline import load

SCHOLARLY = SOURCES / "copying-the-page.xhtml"


@pytest.fixture(scope="module")
def scholarly_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("scholarly")
    result = build(SCHOLARLY, out, theme="scholarly")
    return result.outputs["pdf"]


def test_tagged_pdf_ua(scholarly_pdf):
    with pikepdf.open(scholarly_pdf) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        meta = pdf.open_metadata()
        assert meta.get("pdfuaid:part") == "1"
        assert meta.get("dc:title") == "Copying What the Page Says"
        assert "/AF" not in pdf.Root and len(pdf.attachments) == 0
    check = subprocess.run(["qpdf", "--check", str(scholarly_pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_document_metadata(scholarly_pdf):
    with pikepdf.open(scholarly_pdf) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "Copying What the Page Says"
        assert str(info["/Author"]) == "Maren Holt, Ilse Varga"
        assert str(info["/Subject"]).startswith("A sample scholarly article")
        assert str(info["/Keywords"]) == "Transcription, Diplomatic editing, Volunteer projects, Port records"
        assert str(info["/CreationDate"]) == str(info["/ModDate"]) == "D:20231114221320Z"  # SOURCE_DATE_EPOCH
        assert str(info["/Publisher"]) == "exporter sample press"
        meta = pdf.open_metadata()
        assert meta.get("xmp:CreateDate") == "2023-11-14T22:13:20Z"
        assert meta.get("dc:creator") == ["Maren Holt", "Ilse Varga"]
        assert meta.get("dc:language") == {"en"}
        assert meta.get("dc:subject") == {"Transcription", "Diplomatic editing", "Volunteer projects", "Port records"}
        assert meta.get("dc:identifier") == "doi:10.5555/exporter.sample.2025.017"
        assert meta.get("xmpRights:WebStatement") == "https://creativecommons.org/licenses/by/4.0/"


def test_fonts_embedded(scholarly_pdf):
    out = subprocess.run(["pdffonts", str(scholarly_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        assert row[-5] == "yes", f"font not embedded: {row[0]}"  # the "emb" column
    names = " ".join(row[0] for row in rows)
    assert "Linux-Libertine-O" in names and "Linux-Biolinum-O" in names


def test_bookmarks_from_headings(scholarly_pdf):
    with pikepdf.open(scholarly_pdf) as pdf:
        with pdf.open_outline() as outline:
            top = outline.root
            assert [item.title for item in top] == ["Copying What the Page Says"]
            sections = [item.title for item in top[0].children]
            assert sections == ["Abstract", "Introduction", "The register and its hands", "Rules for volunteers",
                                "Results", "Discussion", "Acknowledgements", "References"]
            rules = top[0].children[3]
            assert [item.title for item in rules.children] == [
                "What counts as the text", "Corrections and normalisation", "Marginal notes"]


def _struct_elements(pdf, kind):
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == kind:
                found.append(node)
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                for kid in kids:
                    walk(kid)
            elif isinstance(kids, pikepdf.Dictionary):
                walk(kids)
    walk(pdf.Root.StructTreeRoot)
    return found


def test_figures_have_alt_text(scholarly_pdf):
    article = load(SCHOLARLY)
    alt = article.body.find(".//img").get("alt")
    with pikepdf.open(scholarly_pdf) as pdf:
        figures = _struct_elements(pdf, "/Figure")
        assert [str(f.Alt) for f in figures] == [alt]
        tables = _struct_elements(pdf, "/Table")
        assert len(tables) == 2
        assert _struct_elements(pdf, "/TH")


def test_every_paragraph_is_in_the_text(scholarly_pdf):
    article = load(SCHOLARLY)
    assert not missing(article.text_blocks(), pdf_text(scholarly_pdf))


def test_notes_sit_at_the_foot_of_the_page_of_their_call(scholarly_pdf):
    article = load(SCHOLARLY)
    pages = [normalize(text) for text in page_texts(scholarly_pdf)]
    notes = {note.get("id"): normalize("".join(note.itertext())) for note in article.body.iter("aside")
             if note.get("class") == "note"}
    calls = {}
    for a in article.body.iter("a"):
        if a.get("class") == "noteref":
            paragraph = a.getparent()
            calls[a.get("href")[1:]] = normalize((paragraph.text or "") + "".join(
                "".join(child.itertext()) + (child.tail or "") for child in paragraph if child is not a))[-40:]
    assert len(notes) == 4
    for key, text in notes.items():
        on = [i for i, page in enumerate(pages) if text[:60] in page]
        assert len(on) == 1, key
        assert calls[key][-25:] in pages[on[0]], f"note {key} is not on the page of its reference"
        # the foot of the page: after the page's last line of text
        assert pages[on[0]].rindex(text[:60]) > pages[on[0]].rindex(calls[key][-25:])
    assert "notes" not in [normalize(line) for page in page_texts(scholarly_pdf) for line in page.splitlines()]


def test_running_heads_are_not_text(scholarly_pdf):
    """Running heads and folios are artifacts: they are not in the reading order."""
    text = pdf_text(scholarly_pdf)
    assert normalize(text).count(normalize("Sample Journal of Archival Practice")) == 1  # the masthead only


def test_footnotes_are_tagged_as_notes_with_ids(scholarly_pdf):
    """PDF/UA: page footnotes are Note elements, each with an ID, and the IDs are in
    the structure tree's IDTree (which the PDF specification requires)."""
    with pikepdf.open(scholarly_pdf) as pdf:
        notes = _struct_elements(pdf, "/Note")
        assert [str(n.ID) for n in notes] == ["footnote-1", "footnote-2", "footnote-3", "footnote-4"]
        names = pdf.Root.StructTreeRoot.IDTree.Names
        keys = [str(names[i]) for i in range(0, len(names), 2)]
        assert keys == sorted(keys)
        assert {"footnote-1", "footnote-4"} <= set(keys)
        for i in range(0, len(names), 2):
            assert str(names[i + 1].ID) == str(names[i])

"""One note model, two placements: page footnotes in the PDF (numbers and links as in
the EPUB and HTML), endnotes with --pdf-notes end; wide tables never overflow."""

from __future__ import annotations

import pikepdf
import pytest
from _printing import build, page_texts
from conftest import SOURCES
from lxml import etree
from lxml import html as lxml_html

from exporter.checks.completeness import missing, normalize, pdf_text
from exporter.pipeline import load
from exporter.writers.footnotes import move_to_call_sites


def _page(body: str) -> etree._Element:
    return lxml_html.fromstring(f"<html><body><article><div class='article-body'>{body}</div>"
                                "<section class='notes'><h2>Notes</h2><ol>"
                                "<li id='a'><p>First note <em>body</em>. <a class='backlink' href='#ref-a'>↩</a></p></li>"
                                "<li id='b'><p>Note with a table</p><table><tr><td>x</td></tr></table></li>"
                                "<li id='c'><p>Never called.</p></li>"
                                "<li id='d'><p>Two</p><p>paragraphs.</p><ul><li>and a list</li></ul></li>"
                                "</ol></section></article></body></html>")


def test_notes_move_to_their_first_call():
    root = _page("<p>One<a class='noteref' href='#a'>1</a> more.</p><p>Two<a class='noteref' href='#b'>2</a>"
                 " and<a class='noteref' href='#d'>4</a>, again<a class='noteref' href='#a'>1</a>.</p>")
    assert move_to_call_sites(root) == 2
    first = root.find(".//p")
    footnote = first.find("span[@class='footnote']")
    assert footnote.get("id") == "a" and footnote.get("data-n") == "1"
    assert footnote.getprevious().get("class") == "noteref"  # right after its call
    assert "".join(footnote.itertext()) == "First note body."  # no backlink, no trailing space
    assert footnote.tail == " more."
    assert [el.get("class") for el in root.find(".//span[@id='d']")] == ["fn-p", "fn-p", "fn-list"]
    # a second call stays a link to the footnote; notes that cannot move keep their number
    assert [a.get("href") for a in root.iter("a") if a.get("class") == "noteref"] == ["#a", "#b", "#d", "#a"]
    remaining = root.findall(".//section[@class='notes']/ol/li")
    assert [(li.get("id"), li.get("value")) for li in remaining] == [("b", "2"), ("c", "3")]


def test_all_notes_moved_removes_the_notes_section():
    root = lxml_html.fromstring("<html><body><article><p>x<a class='noteref' href='#a'>1</a></p>"
                                "<section class='notes'><h2>Notes</h2><ol><li id='a'><p>n</p></li></ol></section>"
                                "</article></body></html>")
    assert move_to_call_sites(root) == 1
    assert root.find(".//section") is None


@pytest.fixture(scope="module")
def mid_paragraph(tmp_path_factory):
    """Notes called in the middle of paragraphs, in a paragraph that crosses a page."""
    folder = tmp_path_factory.mktemp("mid")
    filler = " ".join(["The quay was busy in every season, and the ledger grew by a page a week."] * 30)
    source = folder / "mid.xhtml"
    source.write_text(
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>Notes in the middle</title></head>'
        f"<body><article><p>{filler}</p><p>{filler} A claim<a class=\"noteref\" href=\"#n1\"/> in the middle "
        f"of a paragraph that goes on across the page. {filler}</p><p>Short one.<a class=\"noteref\" href=\"#n2\"/>"
        " It ends here.</p>"
        '<aside class="note" id="n1"><p>The first note, with <em>emphasis</em>.</p></aside>'
        '<aside class="note" id="n2"><p>The second note.</p><p>It has two paragraphs.</p></aside>'
        "</article></body></html>", encoding="utf-8")
    return source, build(source, folder / "out", theme="scholarly").outputs["pdf"]


def test_footnotes_keep_every_paragraph_whole(mid_paragraph):
    source, pdf_path = mid_paragraph
    article = load(source)
    text = pdf_text(pdf_path)
    # the note call's number is part of the paragraph's text in every format
    blocks = [b.replace("A claim in the middle", "A claim1 in the middle").replace("Short one. It", "Short one.2 It")
              for b in article.text_blocks()]
    assert not missing(blocks, text)
    pages = [normalize(t) for t in page_texts(pdf_path)]
    assert len(pages) >= 3
    call = [i for i, p in enumerate(pages) if normalize("A claim1 in the middle") in p]
    note = [i for i, p in enumerate(pages) if normalize("1 The first note, with emphasis.") in p]
    assert call == note and len(call) == 1


def test_notes_at_the_end_when_asked(tmp_path):
    source = SOURCES / "harbour-ledger.xhtml"
    pdf_path = build(source, tmp_path, notes="end").outputs["pdf"]
    pages = page_texts(pdf_path)
    lines = [normalize(line) for line in pages[-2].splitlines() + pages[-1].splitlines()]
    assert "notes" in lines  # the Notes heading, on the last pages
    with pikepdf.open(pdf_path) as pdf, pdf.open_outline() as outline:
        assert "Notes" in [item.title for item in outline.root[0].children]
    assert not missing(load(source).text_blocks(), pdf_text(pdf_path))


@pytest.mark.parametrize("theme", ["magazine", "scholarly"])
def test_wide_tables_fit_their_column(tmp_path, theme):
    from exporter.settings import Context, Settings
    from exporter.themes import load_theme
    from exporter.transforms import apply
    from exporter.writers import pdf

    source = tmp_path / "wide.xhtml"
    cells = "".join(f"<td>{100000 + i:,}</td>" for i in range(24))
    source.write_text('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>Wide</title></head>'
                      "<body><article><p>Before.</p><table><caption>Very wide</caption><tbody>"
                      f"<tr>{cells}</tr></tbody></table><p>After.</p></article></body></html>", encoding="utf-8")
    result = build(source, tmp_path / "out", theme=theme)
    warnings = [d for d in result.diagnostics if d.code.startswith("P")]
    assert [d.code for d in warnings] == ["P003"] and "still" not in warnings[0].message
    assert normalize("100,023") in normalize(pdf_text(result.outputs["pdf"]))
    # what the writer measures: the table overflows as written, and fits once fitted
    settings = Settings(theme=theme)
    ctx = Context(settings=settings, article=load(source, settings), theme=load_theme(theme))
    apply(ctx)
    for fit, overflowing in (({}, {0}), ({0: 2}, set())):
        html_doc, sheets, _, _ = pdf.print_document(ctx, fit)
        document = html_doc.render(stylesheets=sheets, **pdf.pdf_options(ctx))
        assert pdf._overflowing_tables(html_doc, document) == overflowing


def test_note_calls_are_not_in_bookmarks():
    from exporter.writers.footnotes import label_headings

    root = lxml_html.fromstring("<html><body><h2>A <em>heading<b>!</b></em> here<a class='noteref' href='#a'>1</a>"
                                "<span class='footnote'>Note.</span> too</h2><h3>Plain</h3></body></html>")
    label_headings(root)
    assert root.find(".//h2").get("data-bookmark") == "A heading! here too"
    assert root.find(".//h3").get("data-bookmark") is None

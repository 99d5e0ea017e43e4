"""End to end through the CLI: the reference interview and every sample article come
out as a valid EPUB (EPUBCheck 0/0), a PDF holding every paragraph, and valid HTML5."""

from __future__ import annotations

import zipfile

import pytest
from conftest import SEED_SIDECAR, SOURCES, assert_epubcheck_clean, assert_html5_valid
from lxml import etree, html

from exporter.book.project import is_project
from exporter.checks.completeness import missing, pdf_text
from exporter.checks.gate import stem_of
from exporter.cli import main
from exporter.pipeline import discover, load

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XH = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def build(source, out, *extra) -> None:
    assert main(["build", str(source), "-o", str(out), *extra]) == 0


def epub_part(path, name) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def check_outputs(source, out, stem):
    article = load(source)
    blocks = article.text_blocks()
    epub, pdf, page = (out / f"{stem}.epub", out / f"{stem}.pdf", out / f"{stem}.html")
    assert_epubcheck_clean(epub)
    assert not missing(blocks, pdf_text(pdf, [article.meta.title, article.meta.publication or ""]))
    with zipfile.ZipFile(epub) as z:
        xhtml = etree.fromstring(z.read("EPUB/text/article.xhtml"))
    assert not missing(blocks, "".join(xhtml.itertext()))
    tree = html.fromstring(page.read_bytes())
    assert not missing(blocks, tree.text_content())
    return article


@pytest.mark.parametrize("with_sidecar", [False, True])
def test_reference_interview(tmp_path, copy_seed, with_sidecar):
    source = copy_seed(SEED_SIDECAR if with_sidecar else None)
    out = tmp_path / "out"
    build(source, out)
    article = check_outputs(source, out, "interview")
    assert_html5_valid([out / "interview.html"])
    opf = epub_part(out / "interview.epub", "EPUB/content.opf")
    assert opf.xpath("string(//dc:title)", namespaces=OPF) == article.meta.title
    xhtml = epub_part(out / "interview.epub", "EPUB/text/article.xhtml")
    assert len(xhtml.xpath("//x:div[@class='question']", namespaces=XH)) == 4
    if with_sidecar:
        assert opf.xpath("//dc:creator/text()", namespaces=OPF) == ["Joel Wing", "Stephen Kalin"]
        assert opf.xpath("//opf:meta[@property='role']/text()", namespaces=OPF) == ["ivr", "ive"]
        page = html.fromstring((out / "interview.html").read_bytes())
        assert page.xpath("string(//p[@class='publication'])") == "Musings on Iraq"
        assert "Interview by Joel Wing" in page.text_content()


def test_sample_sources(tmp_path):
    out = tmp_path / "dist"
    # the sample book uses the sample articles beside it: only the command line may allow that
    assert main(["build", str(SOURCES), "-o", str(out)]) == 2  # exporter.toml: a usage error
    assert main(["build", str(SOURCES), "-o", str(out), "--allow-read", str(SOURCES)]) == 0
    sources = discover([SOURCES])
    articles = [s for s in sources if not is_project(s)]  # the sample book: tests/collection
    assert len(articles) >= 2 and len(sources) == len(articles) + 1
    for source in articles:
        check_outputs(source, out, source.stem)
    assert_html5_valid([out / f"{stem_of(s)}.html" for s in sources])


def test_samples_use_every_element_of_the_model():
    from exporter.model import ELEMENTS

    used = set()
    classes = set()
    for source in (s for s in discover([SOURCES]) if not is_project(s)):
        article = load(source)
        for el in article.body.iter(etree.Element):
            used.add(el.tag)
            classes.update(f"{el.tag}.{c}" for c in el.get("class", "").split())
        if any(el.get("lang") for el in article.body.iter()):
            used.add("@lang")
    for needed in ("section", "h2", "h3", "p", "em", "a", "ul", "ol", "li", "blockquote", "figure", "img",
                   "figcaption", "table", "thead", "th", "td", "aside", "dl", "dt", "dd", "code", "hr",
                   "abbr", "time", "@lang"):
        assert needed in used, needed
    for needed in ("aside.note", "a.noteref", "div.question", "div.answer", "div.lead", "span.credit",
                   "aside.pullquote", "aside.sidebar"):
        assert needed in classes, needed
    assert set(ELEMENTS)  # the vocabulary is defined


def test_epub_metadata_and_navigation(tmp_path):
    out = tmp_path / "o"
    build(SOURCES / "harbour-ledger.xhtml", out, "--to", "epub")
    epub = out / "harbour-ledger.epub"
    opf = epub_part(epub, "EPUB/content.opf")
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert opf.xpath("string(//dc:language)", namespaces=OPF) == "en"
    assert opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=OPF) == ["2023-11-14T22:13:20Z"]
    assert opf.xpath("//dc:subject/text()", namespaces=OPF) == ["Archives", "Digitisation"]
    assert opf.xpath("//opf:item[@media-type='image/png']/@href", namespaces=OPF) == ["images/cover.png",
                                                                                       "images/ledger-chart.png"]
    nav = epub_part(epub, "EPUB/nav.xhtml")
    toc = nav.xpath("//x:nav[@epub:type='toc']//x:a/text()", namespaces=XH)
    assert toc == ["What the Harbour Ledger Remembers", "A line at a time", "What the numbers show",
                   "Voices in the margin", "How to take part", "Terms used in the ledger", "Notes"]
    assert nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=XH) == ["cover", "bodymatter",
                                                                                          "endnotes"]
    with zipfile.ZipFile(epub) as z:
        assert "EPUB/toc.ncx" in z.namelist()
        assert z.namelist()[0] == "mimetype" and z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    xhtml = epub_part(epub, "EPUB/text/article.xhtml")
    refs = xhtml.xpath("//x:a[@epub:type='noteref']", namespaces=XH)
    assert [(a.text, a.get("href")) for a in refs] == [("1", "#n-names"), ("2", "#n-damp")]
    notes = xhtml.xpath("//x:section[contains(@epub:type, 'endnotes')]//x:li", namespaces=XH)
    assert [n.get("id") for n in notes] == ["n-names", "n-damp"]
    back = xhtml.xpath("//x:a[@epub:type='backlink']/@href", namespaces=XH)
    assert back == ["#ref-n-names", "#ref-n-damp"]
    french = xhtml.xpath("//x:span[@lang='fr']", namespaces=XH)
    assert french and french[0].text.startswith("« pas de droits")


def test_reproducible_outputs(tmp_path, monkeypatch):
    source = SOURCES / "type-case.txt"
    first, second = tmp_path / "a", tmp_path / "b"
    build(source, first)
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    monkeypatch.chdir(tmp_path)
    build(source, second)
    for suffix in (".epub", ".pdf", ".html"):
        assert (first / f"type-case{suffix}").read_bytes() == (second / f"type-case{suffix}").read_bytes(), suffix


def test_pdf_metadata_and_fonts(tmp_path):
    import pikepdf

    out = tmp_path / "o"
    build(SOURCES / "harbour-ledger.xhtml", out, "--to", "pdf")
    with pikepdf.open(out / "harbour-ledger.pdf") as pdf:
        assert str(pdf.docinfo["/Title"]) == "What the Harbour Ledger Remembers"
        assert str(pdf.docinfo["/Author"]) == "Maren Holt, Tomas Reyes" or "Maren Holt" in str(pdf.docinfo["/Author"])
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20231114221320")
        for page in pdf.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont

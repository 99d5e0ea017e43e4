"""The EPUB's page list matches the PDF built from the same source: one page-break
marker per PDF page, in order, and the text right after each marker is on that page
of the PDF. Checked on the reference interview and the samples, in two themes, and on
a long article with figures, tables, lists, quotations and notes."""

from __future__ import annotations

import random
import subprocess

import pytest
from conftest import SEED_SIDECAR, SOURCES, require_seed
from epubtools import assert_valid, build, meta, opf, part, write_article, xpath
from lxml import etree

from exporter.checks.completeness import normalize

CHART = SOURCES / "images" / "ledger-chart.png"
WORDS = ("harbour ledger volume entry vessel cargo quay tide fee shilling keeper storm winter "
         "volunteer page column copy line reading archive record boat name owner port survey "
         "season herring timber salt coal decade margin note register survival damp scan").split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(7, 16))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 7)))


def long_article(folder):
    """About ten pages of generated text with every kind of block."""
    rng = random.Random(7)
    parts = ['<div class="lead"><p>' + _paragraph(rng) + "</p></div>"]
    for section in range(1, 9):
        body = [f"<h2>Part {section} of the survey</h2>"]
        for index in range(6):
            text = _paragraph(rng)
            if index == 1:
                text += f'<a class="noteref" href="#note-{section}"/>'
            body.append(f"<p>{text}</p>")
            if index == 2 and section % 3 == 1:
                body.append('<figure><img src="chart.png" alt="Bar chart of entries by decade."/>'
                            f"<figcaption>Entries counted in part {section}.</figcaption></figure>")
            if index == 3 and section % 3 == 2:
                count = 90 if section == 5 else 8  # the long one breaks across pages, its header repeated
                rows = "".join(f"<tr><td>{1000 + 10 * r}</td><td>{rng.randint(100, 400)}</td></tr>" for r in range(count))
                body.append('<table><caption>Entries by decade</caption><thead><tr><th scope="col">Decade</th>'
                            f'<th scope="col">Entries</th></tr></thead><tbody>{rows}</tbody></table>')
            if index == 4 and section % 3 == 0:
                items = "".join(f"<li>{_sentence(rng)}</li>" for _ in range(5))
                body.append(f"<ul>{items}</ul><blockquote><p>{_sentence(rng)}</p></blockquote>")
        body.append(f'<aside class="note" id="note-{section}"><p>{_sentence(rng)}</p></aside>')
        parts.append("<section>" + "".join(body) + "</section>")
    return write_article(folder, "survey.xhtml", "".join(parts), title="A long survey of the ledger",
                         head='<meta name="author" content="Test Writer"/>', files={"chart.png": CHART})


def pdf_pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")
    return [normalize(page) for page in text.split("\f")][: _page_count(pdf)]


def _page_count(pdf) -> int:
    import pikepdf

    with pikepdf.open(pdf) as document:
        return len(document.pages)


def text_after(body: etree._Element, marker: etree._Element, length: int = 24) -> str:
    """The normalised text that follows ``marker`` in reading order, up to the first
    note reference (whose number the PDF may set elsewhere)."""
    collected, started = [], False
    for event, element in etree.iterwalk(body, events=("start", "end")):
        if element is marker:
            started = started or event == "end"
            if event == "end":
                collected.append(element.tail or "")
            continue
        if not started:
            continue
        if element.get("role") in ("doc-noteref", "doc-pagebreak"):
            if len(normalize("".join(collected))) >= 8:
                break
            if event == "end":
                collected.append(element.tail or "")
            continue
        collected.append((element.text or "") if event == "start" else (element.tail or ""))
        if len(normalize("".join(collected))) >= length:
            break
    return normalize("".join(collected))[:length]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    books = []
    for theme in ("magazine", "scholarly"):
        folder = out / theme
        build(SOURCES / "harbour-ledger.xhtml", folder, "--to", "epub,pdf", "--theme", theme)
        books.append((folder, "harbour-ledger"))
    survey = long_article(tmp_path_factory.mktemp("survey-src"))
    build(survey, out / "survey", "--to", "epub,pdf")
    books.append((out / "survey", "survey"))
    return books


@pytest.fixture(scope="module")
def interview(tmp_path_factory):
    seed = require_seed()
    folder = tmp_path_factory.mktemp("interview-src")
    (folder / "interview.txt").write_bytes(seed.read_bytes())
    (folder / "interview.toml").write_text(SEED_SIDECAR, encoding="utf-8")
    out = tmp_path_factory.mktemp("interview")
    build(folder / "interview.txt", out, "--to", "epub,pdf")
    return out, "interview"


def check_pages(folder, stem) -> int:
    epub, pdf = folder / f"{stem}.epub", folder / f"{stem}.pdf"
    pages = pdf_pages(pdf)
    article = part(epub, "EPUB/text/article.xhtml")
    body = article.find("{http://www.w3.org/1999/xhtml}body")
    markers = xpath(article, "//*[@role='doc-pagebreak']")
    assert [m.get("aria-label") for m in markers] == [str(n) for n in range(1, len(pages) + 1)]
    links = xpath(part(epub, "EPUB/nav.xhtml"), "//x:nav[@epub:type='page-list']//x:a")
    assert [a.text for a in links] == [m.get("aria-label") for m in markers]
    assert [a.get("href").partition("#")[2] for a in links] == [m.get("id") for m in markers]
    for marker in markers:
        number = int(marker.get("aria-label"))
        snippet = text_after(body, marker)
        assert len(snippet) >= 8, (stem, number, snippet)
        assert snippet in pages[number - 1], (stem, number, snippet)
    return len(pages)


def test_page_list_matches_the_pdf(built):
    counts = [check_pages(folder, stem) for folder, stem in built]
    assert counts[-1] >= 4  # the long article really spans many pages


def test_page_list_matches_the_pdf_of_the_interview(interview):
    assert check_pages(*interview) >= 2


def test_page_source_metadata(built):
    folder, stem = built[1]
    package = opf(folder / f"{stem}.epub")
    source = meta(package, "pageBreakSource")[0]
    # exporter's own print edition (named by the PDF's identifier), not the source's identifier
    assert "scholarly" in source and "exporter's PDF edition" in source and source.startswith("urn:uuid:")
    assert xpath(package, "string(//dc:identifier)") not in source
    features = set(meta(package, "schema:accessibilityFeature"))
    assert {"pageBreakMarkers", "pageNavigation"} <= features and "printPageNumbers" not in features


def test_epubcheck_and_ace_pass(built):
    assert_valid(*(folder / f"{stem}.epub" for folder, stem in built))


def test_interview_is_valid(interview):
    folder, stem = interview
    assert_valid(folder / f"{stem}.epub")

"""The print-ready HTML: one self-contained, valid HTML5 file that a browser prints at
the paper size and about the length of exporter's PDF; and byte-identical outputs
under SOURCE_DATE_EPOCH."""

from __future__ import annotations

import pikepdf
import pytest
from _printing import build
from conftest import SEED_SIDECAR, SOURCES, assert_html5_valid, require_seed
from lxml import html as lxml_html

from exporter.checks import browser

SCHOLARLY = SOURCES / "copying-the-page.xhtml"


@pytest.fixture(scope="module")
def seed_source(tmp_path_factory):
    require_seed()
    from conftest import SEED

    folder = tmp_path_factory.mktemp("seed")
    (folder / "interview.txt").write_bytes(SEED.read_bytes())
    (folder / "interview.toml").write_text(SEED_SIDECAR, encoding="utf-8")
    return folder / "interview.txt"


CASES = [("seed", "magazine", "a4"), ("seed", "scholarly", "letter"), ("scholarly", "scholarly", "a4"),
         ("scholarly", "magazine", "6x9")]


@pytest.fixture(scope="module")
def printed(tmp_path_factory, request):
    """(case) -> (exporter's PDF, the HTML, Chromium's print of the HTML)"""
    if not browser.available():
        pytest.fail("Chromium is not installed: run scripts/setup.sh")
    results = {}

    def get(case):
        if case not in results:
            which, theme, size = case
            source = request.getfixturevalue("seed_source") if which == "seed" else SCHOLARLY
            out = tmp_path_factory.mktemp(f"{which}-{theme}-{size}")
            outputs = build(source, out, formats=("pdf", "html"), theme=theme, size=size).outputs
            chrome = browser.print_to_pdf(outputs["html"], out / "chromium.pdf")
            results[case] = (outputs["pdf"], outputs["html"], chrome)
        return results[case]
    return get


def _pages(path):
    with pikepdf.open(path) as pdf:
        sizes = {tuple(round(float(v), 0) for v in page.trimbox) for page in pdf.pages}
        return len(pdf.pages), sizes


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_chromium_prints_the_html_like_the_pdf(printed, case):
    pdf, _, chrome = printed(case)
    pdf_count, pdf_sizes = _pages(pdf)
    chrome_count, chrome_sizes = _pages(chrome)
    assert len(pdf_sizes) == 1 and len(chrome_sizes) == 1
    (pw, ph), (cw, ch) = [s[2:] for s in pdf_sizes][0], [s[2:] for s in chrome_sizes][0]
    assert abs(pw - cw) <= 1 and abs(ph - ch) <= 1, (pdf_sizes, chrome_sizes)
    assert abs(pdf_count - chrome_count) <= max(1, round(pdf_count * 0.2)), (pdf_count, chrome_count)


def test_html_is_valid_and_self_contained(printed):
    pages = [printed(case)[1] for case in CASES]
    assert_html5_valid(pages)
    for path in pages:
        tree = lxml_html.fromstring(path.read_bytes())
        assert not tree.xpath("//link[@rel='stylesheet'] | //script")
        assert all(src.startswith("data:") for src in tree.xpath("//img/@src"))
        style = tree.xpath("string(//style)")
        assert "@page { size:" in style
        # only the PDF engine sees paged.css
        assert "string-set" not in style and "float: footnote" not in style
        assert tree.get("class").startswith("page-")
        # no untitled sections in the outline (the Nu checker warns about them)
        assert not tree.xpath("//section[not(h1 | h2 | h3 | h4 | h5 | h6 | header)]"), path
    seed = lxml_html.fromstring(printed(CASES[0])[1].read_bytes())
    assert seed.xpath("//div[contains(@class, 'interview')]/div[contains(@class, 'question')]")


def test_reproducible_pdf_and_html(tmp_path):
    """Footnotes, PDF/A-3 with the embedded source, bleed: still the same bytes."""
    options = {"formats": ("pdf", "html"), "theme": "scholarly", "variant": "pdf/a-3a+ua-1", "bleed_mm": 3.0}
    first = build(SCHOLARLY, tmp_path / "a", **options).outputs
    second = build(SCHOLARLY, tmp_path / "b", **options).outputs
    for kind in ("pdf", "html"):
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind

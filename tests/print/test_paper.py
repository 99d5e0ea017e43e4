"""Paper and print shop: --page-size, --bleed and --crop-marks with TrimBox and
BleedBox, the 300 ppi check for print-shop builds, theme margins per paper size."""

from __future__ import annotations

import pikepdf
import pytest
from _printing import MM, POINTS, box, build
from conftest import SOURCES

from exporter.errors import UsageError
from exporter.pagesetup import PageSetup, page_css, press_css, resolve
from exporter.themes import load_theme

TYPE_CASE = SOURCES / "type-case.txt"


@pytest.mark.parametrize("size", ["a4", "letter", "a5", "6x9"])
def test_page_sizes(tmp_path, size):
    pdf_path = build(TYPE_CASE, tmp_path, size=size).outputs["pdf"]
    width, height = POINTS[size]
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            left, bottom, right, top = box(page, "/MediaBox")
            assert right - left == pytest.approx(width, abs=0.01)
            assert top - bottom == pytest.approx(height, abs=0.01)
            assert box(page, "/TrimBox") == box(page, "/MediaBox")


def test_bleed_and_crop_marks_set_the_boxes(tmp_path):
    result = build(TYPE_CASE, tmp_path, bleed_mm=3.0, crop_marks=True)
    width, height = POINTS["a4"]
    with pikepdf.open(result.outputs["pdf"]) as pdf:
        for page in pdf.pages:
            trim, bleed, media = box(page, "/TrimBox"), box(page, "/BleedBox"), box(page, "/MediaBox")
            assert trim == pytest.approx([0, 0, width, height], abs=0.01)
            assert bleed == pytest.approx([-3 * MM, -3 * MM, width + 3 * MM, height + 3 * MM], abs=0.01)
            # the marks sit outside the bleed, so the media box is larger still
            assert media[0] < bleed[0] and media[1] < bleed[1] and media[2] > bleed[2] and media[3] > bleed[3]


def test_bleed_without_marks(tmp_path):
    result = build(TYPE_CASE, tmp_path, bleed_mm=0.125 * 25.4, size="letter")
    with pikepdf.open(result.outputs["pdf"]) as pdf:
        page = pdf.pages[0]
        b = 0.125 * 72
        assert box(page, "/TrimBox") == pytest.approx([0, 0, 612, 792], abs=0.01)
        assert box(page, "/BleedBox") == pytest.approx([-b, -b, 612 + b, 792 + b], abs=0.01)
        assert box(page, "/MediaBox") == pytest.approx(box(page, "/BleedBox"), abs=0.01)


def test_low_resolution_images_are_reported_for_print_shops(tmp_path):
    """type-case.png is 1600 px wide, set across the full A4 text width (~174 mm): ~233 ppi."""
    shop = build(TYPE_CASE, tmp_path / "shop", bleed_mm=3.0)
    warnings = [d for d in shop.diagnostics if d.code == "P002"]
    assert len(warnings) == 1
    assert "type-case.png" in warnings[0].message and "ppi" in warnings[0].message
    office = build(TYPE_CASE, tmp_path / "office")
    assert "P002" not in office.diagnostics.codes()
    # the harbour chart (1500 px in one column) and the scholarly chart (2100 px across) are fine for the press
    assert "P002" not in build(SOURCES / "harbour-ledger.xhtml", tmp_path / "ledger", crop_marks=True).diagnostics.codes()
    assert "P002" not in build(SOURCES / "copying-the-page.xhtml", tmp_path / "journal", theme="scholarly",
                               bleed_mm=3.0).diagnostics.codes()


def test_page_css_comes_from_allowlists_and_numbers():
    theme = load_theme("scholarly")
    css = page_css(resolve(PageSetup(size="6x9"), theme))
    assert css == "@page { size: 6in 9in; margin: 19.05mm 17.78mm 21.59mm; }\n"
    assert press_css(resolve(PageSetup(), theme)) == ""
    assert press_css(resolve(PageSetup(bleed_mm=3.0), theme)) == "@page { bleed: 8.504pt; marks: none; }\n"
    with pytest.raises(UsageError):
        PageSetup(size="a4; } body { display: none")


def test_theme_margins_are_validated(tmp_path):
    theme_dir = tmp_path / "bad"
    theme_dir.mkdir()
    (theme_dir / "theme.toml").write_text('extends = "magazine"\n[page.margins]\na4 = "20mm; color: red"\n',
                                          encoding="utf-8")
    with pytest.raises(UsageError) as error:
        resolve(PageSetup(), load_theme(str(theme_dir)))
    assert "theme.toml" in str(error.value)

"""Accessibility metadata is computed from the content, never defaulted: access modes,
features, hazards, summary and the conformance claim change with what the article
holds. DAISY Ace agrees: EPUBs with complete alternatives pass with 0 violations; the
one whose source lacks alt text fails on exactly that (and exporter said so)."""

from __future__ import annotations

import pytest
from conftest import SOURCES
from epubtools import ace_violations, assert_epubcheck_clean, assert_valid, build, meta, opf, part, write_article, xpath
from PIL import Image

from exporter.writers.epub.a11y import CONFORMANCE

CHART = SOURCES / "images" / "ledger-chart.png"
MATH = ('<math xmlns="http://www.w3.org/1998/Math/MathML"{alt}><msup><mi>a</mi><mn>2</mn></msup><mo>+</mo>'
        '<msup><mi>b</mi><mn>2</mn></msup></math>')


def _animated_gif(path):
    frames = [Image.new("RGB", (120, 80), colour) for colour in ((200, 0, 0), (0, 0, 200))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    src = tmp_path_factory.mktemp("a11y-src")
    out = tmp_path_factory.mktemp("a11y")
    plain = write_article(src / "plain", "plain.xhtml", "<h2>Only words</h2><p>Nothing here but text.</p>")
    build(plain, out, "--to", "epub", "--no-page-list")
    rich = write_article(src / "rich", "rich.xhtml", (
        '<p>Sums of squares, <math xmlns="http://www.w3.org/1998/Math/MathML" alttext="a squared plus b squared">'
        '<msup><mi>a</mi><mn>2</mn></msup><mo>+</mo><msup><mi>b</mi><mn>2</mn></msup></math>, and a reading: '
        '<ruby>漢<rt>kan</rt></ruby>.</p>'
        '<figure><img src="chart.png" alt="Bar chart of ledger entries by decade."/><figcaption>Entries.</figcaption></figure>'
        '<p><img class="inline" src="chart.png" alt=""/> A decorative mark.</p>'
        '<table><thead><tr><th scope="col">Year</th><th scope="col">Entries</th></tr></thead>'
        '<tbody><tr><td>1950</td><td>410</td></tr></tbody></table>'), files={"chart.png": CHART})
    build(rich, out, "--to", "epub", "--page-list")
    flawed = write_article(src / "flawed", "flawed.xhtml", (
        '<p>A formula without words: ' + MATH.format(alt="") + '.</p>'
        '<figure><img src="chart.png"/><figcaption>No description.</figcaption></figure>'
        '<table><tr><td>1950</td><td>410</td></tr></table>'), files={"chart.png": CHART})
    build(flawed, out, "--to", "epub")
    animated = src / "animated"
    animated.mkdir()
    _animated_gif(animated / "blink.gif")
    moving = write_article(animated, "animated.xhtml",
                           '<figure><img src="blink.gif" alt="Two colours, alternating."/></figure>')
    build(moving, out, "--to", "epub")
    return out


def test_epubcheck_and_ace_pass(books):
    assert_valid(*(books / f"{name}.epub" for name in ("plain", "rich", "animated")))


def test_text_only_article(books):
    package = opf(books / "plain.epub")
    assert meta(package, "schema:accessMode") == ["textual"]
    assert meta(package, "schema:accessModeSufficient") == ["textual"]
    features = meta(package, "schema:accessibilityFeature")
    assert {"structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"} <= set(features)
    assert not {"alternativeText", "printPageNumbers", "pageBreakMarkers", "pageNavigation", "MathML"} & set(features)
    assert meta(package, "schema:accessibilityHazard") == ["none"]
    assert meta(package, "pageBreakSource") == []  # --no-page-list
    assert xpath(part(books / "plain.epub", "EPUB/nav.xhtml"), "//x:nav[@epub:type='page-list']") == []
    summary = meta(package, "schema:accessibilitySummary")[0]
    assert "no images that carry content" in summary and "page" not in summary.split("navigation")[1]
    assert meta(package, "dcterms:conformsTo") == [CONFORMANCE]


def test_images_maths_tables_and_ruby(books):
    package = opf(books / "rich.epub")
    assert meta(package, "schema:accessMode") == ["textual", "visual"]
    assert meta(package, "schema:accessModeSufficient") == ["textual", "textual,visual"]
    features = set(meta(package, "schema:accessibilityFeature"))
    assert {"alternativeText", "MathML", "describedMath", "rubyAnnotations", "ARIA",
            "pageBreakMarkers", "pageNavigation"} <= features
    assert "printPageNumbers" not in features  # deprecated in EPUB Accessibility 1.1
    assert xpath(package, "//opf:item[@href='text/article.xhtml']/@properties") == ["mathml"]
    claim = xpath(package, "//opf:meta[@property='dcterms:conformsTo']")[0]
    assert claim.text == "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
    assert xpath(package, f"//opf:meta[@refines='#{claim.get('id')}'][@property='a11y:certifiedBy']/text()") == ["exporter"]
    summary = meta(package, "schema:accessibilitySummary")[0]
    assert "The image has a text description" in summary and "MathML with text alternatives" in summary
    article = part(books / "rich.epub", "EPUB/text/article.xhtml")
    assert xpath(article, "//m:math/@alttext") == ["a squared plus b squared"]


def test_missing_alternatives_are_not_claimed(books):
    package = opf(books / "flawed.epub")
    assert meta(package, "schema:accessModeSufficient") == ["textual,visual"]
    features = set(meta(package, "schema:accessibilityFeature"))
    assert "MathML" in features and not {"alternativeText", "describedMath"} & features
    assert meta(package, "dcterms:conformsTo") == [] and meta(package, "a11y:certifiedBy") == []
    summary = meta(package, "schema:accessibilitySummary")[0]
    assert summary.startswith("This publication does not claim to meet WCAG 2.2 Level AA: 1 image without "
                              "alternative text; 1 formula without a text alternative; 1 table without header cells.")
    assert "1 of its 1 image has no text description" in summary


def test_flawed_article_diagnostics(tmp_path, capsys):
    source = write_article(tmp_path, "flawed.xhtml", '<figure><img src="chart.png"/></figure>',
                           files={"chart.png": CHART})
    import json

    from exporter.cli import main

    assert main(["build", str(source), "-o", str(tmp_path / "o"), "--to", "epub", "--format", "json",
                 "--no-page-list"]) == 0
    report = json.loads(capsys.readouterr().out)
    codes = [d["code"] for d in report["documents"][0]["diagnostics"]]
    assert "M001" in codes and "E006" in codes
    e006 = next(d for d in report["documents"][0]["diagnostics"] if d["code"] == "E006")
    assert "1 image without alternative text" in e006["message"]
    epub = tmp_path / "o" / "flawed.epub"
    assert_epubcheck_clean(epub)
    assert {v.rule for v in ace_violations(epub)} == {"image-alt"}


def test_ace_fails_exactly_on_the_missing_alt_text(books):
    epub = books / "flawed.epub"
    assert_epubcheck_clean(epub)
    rules = {v.rule for v in ace_violations(epub)}
    assert rules == {"image-alt"}


def test_animated_images_are_an_unknown_hazard(books):
    package = opf(books / "animated.epub")
    assert meta(package, "schema:accessibilityHazard") == ["unknown"]
    assert meta(package, "dcterms:conformsTo") == []
    assert "not checked for flashing" in meta(package, "schema:accessibilitySummary")[0]


def test_skipped_heading_levels_and_empty_header_cells_are_tidied(tmp_path):
    source = write_article(tmp_path, "structure.xhtml", (
        "<h2>One</h2><p>a</p><h4>Deep</h4><p>b</p><h5>Deeper</h5><p>c</p><h2>Two</h2><h3>Two a</h3><p>d</p>"
        '<table><thead><tr><th scope="col"> </th><th scope="col">Value</th></tr></thead>'
        '<tbody><tr><th scope="row">x</th><td>1</td></tr></tbody></table>'))
    build(source, tmp_path / "o", "--to", "epub", "--no-page-list")
    epub = tmp_path / "o" / "structure.epub"
    article = part(epub, "EPUB/text/article.xhtml")
    headings = [(h.tag.rsplit("}")[1], h.text) for h in xpath(article, "//x:h1|//x:h2|//x:h3|//x:h4|//x:h5")]
    assert headings == [("h1", "A test article"), ("h2", "One"), ("h3", "Deep"), ("h4", "Deeper"), ("h2", "Two"),
                        ("h3", "Two a")]
    assert xpath(article, "//x:thead//x:td") and not xpath(article, "//x:th[not(normalize-space())]")
    assert meta(opf(epub), "dcterms:conformsTo") == [CONFORMANCE]
    assert_valid(epub)

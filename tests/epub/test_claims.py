"""The conformance claim is computed, never stamped: the writer makes it only when the
rules behind it pass (exporter.writers.epub.conformance), says why not with E006
otherwise, and ``exporter check`` (the ``claims`` checker) fails an EPUB whose claim
or declared features the content does not bear out."""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest
from conftest import SEED, SHARED, SOURCES
from epubtools import build, meta, opf, part, write_article, xpath
from lxml import etree

from exporter.checks import claims, epubcheck
from exporter.cli import main
from exporter.writers.epub.a11y import CONFORMANCE
from exporter.writers.epub.conformance import Publication, shortfalls

GUIDE = SHARED / "corpus" / "markdown" / "opensource.guide" / "_articles"
X = "http://www.w3.org/1999/xhtml"
EPUB = "http://www.idpf.org/2007/ops"


def _build_json(source, out, *extra):
    """Build through the CLI; the E006 message (or None)."""
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["build", str(source), "-o", str(out), "--to", "epub", "--format", "json", *extra]) == 0
    report = json.loads(buffer.getvalue())
    return next((d["message"] for d in report["documents"][0]["diagnostics"] if d["code"] == "E006"), None)


BROKEN = {
    # another script without a language: Cyrillic in English, Hebrew script inside Arabic (Hebrew or Yiddish?)
    "cyrillic": ("en", "<p>The sign read Добро пожаловать and nothing else.</p>", "passage in another script"),
    "hebrew-in-arabic": ("ar", "<p>قال الكاتب: שלום עולם في رسالته.</p>", "passage in another script"),
    "han-in-english": ("en", "<p>The word 漢字 means Chinese characters.</p>", "passage in another script"),
    "no-alt": ("en", '<figure><img src="chart.png"/></figure>', "image without alternative text"),
    "headless-table": ("en", "<table><tr><td>1</td><td>2</td></tr></table>", "table without header cells"),
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    src = tmp_path_factory.mktemp("claims-src")
    out = tmp_path_factory.mktemp("claims")
    found = {}
    for name, (lang, body, _) in BROKEN.items():
        source = write_article(src / name, f"{name}.xhtml", body, lang=lang,
                               files={"chart.png": SOURCES / "images" / "ledger-chart.png"})
        found[name] = _build_json(source, out, "--no-page-list")
    return out, found


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_rule_withholds_the_claim(broken, name):
    out, messages = broken
    assert BROKEN[name][2] in (messages[name] or ""), messages[name]
    package = opf(out / f"{name}.epub")
    assert meta(package, "dcterms:conformsTo") == [] and meta(package, "a11y:certifiedBy") == []
    assert meta(package, "schema:accessibilitySummary")[0].startswith("This publication does not claim")
    findings = claims.check(out / f"{name}.epub")
    assert not [f for f in findings if f.severity.value == "error"], findings
    assert any(f.code == "no-claim" and BROKEN[name][2] in f.message for f in findings)


# --- the rules themselves, on documents made to break each ------------------------------

def _doc(body, lang="en"):
    lang_attrs = f' lang="{lang}" xml:lang="{lang}"' if lang else ""
    return etree.fromstring(f'<html xmlns="{X}" xmlns:epub="{EPUB}"{lang_attrs}><head><title>t</title></head>'
                            f"<body>{body}</body></html>")


def _nav(toc, pages=None):
    page_list = "" if pages is None else f'<nav epub:type="page-list"><ol>{pages}</ol></nav>'
    return _doc(f'<nav epub:type="toc"><ol>{toc}</ol></nav>{page_list}')


GOOD = '<h1 id="a">Title</h1><p id="p">Text <a href="#a">back</a>.</p><h2 id="b">Part</h2><p>More.</p>'
GOOD_TOC = '<li><a href="text/a.xhtml#a">Title</a></li><li><a href="text/a.xhtml#b">Part</a></li>'


def _pub(body=GOOD, toc=GOOD_TOC, *, lang="en", doc_lang="en", pages=None, source=False):
    return Publication(lang, [("text/a.xhtml", _doc(body, doc_lang))], "nav.xhtml", _nav(toc, pages),
                       page_break_source=source)


def test_the_rules_hold_on_a_good_publication():
    assert shortfalls(_pub()) == []
    pages = '<li><a href="text/a.xhtml#p">1</a></li>'
    assert shortfalls(_pub(pages=pages, source=True)) == []


@pytest.mark.parametrize("pub, reason", [
    (lambda: _pub(doc_lang=""), "1 document without a language"),
    (lambda: _pub(lang=""), "no publication language"),
    (lambda: _pub(GOOD.replace("<h2", "<h4").replace("</h2", "</h4")), "1 heading skips a level"),
    (lambda: _pub(GOOD + "<h2></h2>"), "1 empty heading"),
    (lambda: _pub(GOOD + '<p><a href="https://example.org/"></a></p>'), "1 link without text"),
    (lambda: _pub(toc=GOOD_TOC.split("</li>")[1] + "</li>" + GOOD_TOC.split("</li>")[0] + "</li>"),
     "the table of contents is not in reading order"),
    (lambda: _pub(toc='<li><a href="text/other.xhtml">Elsewhere</a></li>'),
     "the table of contents points outside the reading order"),
    (lambda: _pub(toc=""), "no table of contents"),
    (lambda: _pub(source=True), "a pageBreakSource is declared without a page list"),
    (lambda: _pub(source=True, pages='<li><a href="text/a.xhtml#nowhere">1</a></li>'),
     "1 page list entry without a target"),
    (lambda: _pub(GOOD + '<p>Ein <span>Привет</span> hier.</p>'), "1 passage in another script"),
    (lambda: _pub(GOOD + '<img src="x.png"/>'), "1 image without alternative text"),
], ids=["doc-lang", "pub-lang", "heading-skip", "empty-heading", "empty-link", "toc-order", "toc-outside",
        "no-toc", "no-page-list", "dead-page", "language-of-parts", "alt"])
def test_each_rule(pub, reason):
    assert any(found.startswith(reason) for found in shortfalls(pub())), shortfalls(pub())


def test_what_is_not_judged():
    # Latin in Arabic (names, code), a language-tagged passage, Greek symbols, Han and kana in Japanese
    body = ('<p>GitHub و Node.js</p><p lang="en">x</p><p>Ein <span lang="ru">Привет</span>, α and π.</p>')
    assert shortfalls(_pub(GOOD + body)) == []
    assert shortfalls(_pub("<h1>日本語のテキストと漢字</h1><p>GitHub で</p>",
                           '<li><a href="text/a.xhtml">x</a></li>', lang="ja", doc_lang="ja")) == []


# --- exporter check fails a claim the content does not bear out ---------------------------

@pytest.fixture(scope="module")
def claimed(tmp_path_factory):
    out = tmp_path_factory.mktemp("claimed")
    source = write_article(tmp_path_factory.mktemp("claimed-src"), "claimed.xhtml",
                           '<h2 id="one">One</h2><p>Words.</p><h2 id="two">Two</h2><p>More words.</p>')
    build(source, out, "--to", "epub", "--no-page-list")
    epub = out / "claimed.epub"
    assert meta(opf(epub), "dcterms:conformsTo") == [CONFORMANCE]
    assert claims.check(epub) == []
    return epub


def _tampered(epub, tmp_path, name, change):
    copy = tmp_path / f"{name}.epub"
    with zipfile.ZipFile(epub) as original, zipfile.ZipFile(copy, "w") as made:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "EPUB/text/article.xhtml":
                data = change(data.decode("utf-8")).encode("utf-8")
            elif info.filename == "EPUB/content.opf" and name == "page-source":
                data = data.replace(b"</metadata>", b'<meta property="pageBreakSource">print</meta>'
                                    b'<meta property="schema:accessibilityFeature">pageNavigation</meta></metadata>')
            made.writestr(info, data)
    return copy


@pytest.mark.parametrize("name, change, code, words", [
    ("alt", lambda t: t.replace("<p>Words.</p>", '<p>Words. <img src="../images/x.png"/></p>'),
     "claim-unmet", "image without alternative text"),
    ("heading", lambda t: t.replace("<h2", "<h4").replace("</h2>", "</h4>"), "claim-unmet", "skips a level"),
    ("link", lambda t: t.replace("<p>Words.</p>", '<p>Words.<a href="https://example.org/"/></p>'),
     "claim-unmet", "link without text"),
    ("parts", lambda t: t.replace("Words.", "Слова и ещё."), "claim-unmet", "passage in another script"),
    ("page-source", lambda t: t, "claim-unmet", "pageBreakSource is declared without a page list"),
], ids=["alt", "heading", "link", "parts", "page-source"])
def test_a_claim_without_its_checks_fails(claimed, tmp_path, name, change, code, words):
    epub = _tampered(claimed, tmp_path, name, change)
    findings = claims.check(epub)
    assert any(f.code == code and words in f.message and f.severity.value == "error" for f in findings), findings
    if name == "page-source":
        assert any(f.code == "feature-unmet" and "pageNavigation" in f.message for f in findings)
    assert main(["check", str(epub), "--only", "claims"]) != 0


# --- real documents build with claims that hold ---------------------------------------------

REAL = {"seed": SEED, "harbour-ledger": SOURCES / "harbour-ledger.xhtml",
        "copying-the-page": SOURCES / "copying-the-page.xhtml", "type-case": SOURCES / "type-case.txt",
        "ar": GUIDE / "ar" / "starting-a-project.md", "ja": GUIDE / "ja" / "starting-a-project.md",
        "jats": SHARED / "corpus" / "jats" / "elife04490.xml"}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    out = tmp_path_factory.mktemp("real")
    built = {}
    for name, source in REAL.items():
        if not source.is_file():
            pytest.skip(f"{source} is not present on this machine")
        folder = tmp_path_factory.mktemp(name)
        copy = folder / source.name
        shutil.copy(source, copy)
        for extra in source.parent.glob(source.stem + ".*"):  # sidecars
            if extra != source:
                shutil.copy(extra, folder / extra.name)
        if (source.parent / "images").is_dir() and source.parent == SOURCES:
            shutil.copytree(source.parent / "images", folder / "images")
        assert _build_json(copy, out / name, "--page-list") is None, name  # the page list as with a PDF
        built[name] = next((out / name).glob("*.epub"))
    return built


def test_real_documents_claim_and_the_claims_hold(real):
    for name, epub in real.items():
        assert meta(opf(epub), "dcterms:conformsTo") == [CONFORMANCE], name
        assert claims.check(epub) == [], name
    if not epubcheck.available():
        pytest.fail("EPUBCheck is not installed: run scripts/setup.sh")
    for path, report in epubcheck.check_many(list(real.values())).items():
        assert not report.errors and not report.warnings, f"{path}: {report.summary()}"


def test_real_rtl_and_cjk_text_marks_its_latin_runs(real):
    for name in ("ar", "ja"):
        article = part(real[name], "EPUB/text/article.xhtml")
        spans = xpath(article, "//x:span[@dir='ltr']")
        assert spans and all(not s.get("lang") for s in spans), name  # Latin: isolated, no language guessed
        assert "GitHub" in {s.text for s in spans}, name


def test_the_page_source_is_exporters_print_edition_not_the_journals(real):
    package = opf(real["jats"])
    doi = xpath(package, "string(//dc:identifier)")
    source = meta(package, "pageBreakSource")[0]
    assert doi.startswith("doi:") and doi not in source and "10.7554" not in source
    assert source.startswith("urn:uuid:") and "exporter's PDF edition" in source
    features = meta(package, "schema:accessibilityFeature")
    assert {"pageBreakMarkers", "pageNavigation"} <= set(features) and "printPageNumbers" not in features


def test_interview_questions_are_headings_to_assistive_technology(real):
    for name in ("seed", "type-case"):
        article = part(real[name], "EPUB/text/article.xhtml")
        questions = xpath(article, "//x:div[contains(concat(' ', @class, ' '), ' question ')]")
        assert questions and all(q.get("role") == "heading" and q.get("aria-level") for q in questions), name
        for question in questions:  # one level below the heading before it
            before = xpath(question, "preceding::x:h1|preceding::x:h2|preceding::x:h3|preceding::x:h4")
            assert question.get("aria-level") == str(int(before[-1].tag[-1]) + 1), name


def test_the_writer_claims_only_what_the_rules_allow(tmp_path, monkeypatch):
    """The claim comes from the rules: when they find a shortfall, no claim is written."""
    from exporter.writers.epub import conformance

    source = write_article(tmp_path / "src", "plain.xhtml", "<h2>One</h2><p>Words.</p>")
    monkeypatch.setattr(conformance, "shortfalls", lambda pub: ["a rule that failed"])
    assert _build_json(source, tmp_path / "out", "--no-page-list") == "no accessibility conformance claimed: " \
        "a rule that failed"
    assert meta(opf(tmp_path / "out" / "plain.epub"), "dcterms:conformsTo") == []

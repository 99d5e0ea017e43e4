"""Every article of ../shared/corpus/ (real third-party sources: JATS, Markdown, web HTML,
a Standard Ebooks subset) through the CLI to EPUB, PDF and HTML:

* EPUBCheck 0 errors / 0 warnings, and valid HTML5;
* every paragraph of the *source* (tests/importers/oracle.py) in each output;
* the right language and direction, and for right-to-left and CJK articles an embedded
  font that covers the script;
* the diagnostics a reader of the source would expect (missing assets, remote images…).

Every document is built once per session (two at a time), and the checkers run once over
all outputs (one JVM each): EPUBCheck alone needs seconds to start. The problems of all
documents are reported together. Content credits: see ../shared/corpus/MANIFEST.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import zipfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import oracle
import pikepdf
import pytest
from conftest import SHARED
from lxml import etree
from lxml import html as lxml_html

from exporter.checks import epubcheck, nu
from exporter.checks.completeness import missing, normalize, pdf_text
from exporter.cli import main
from exporter.pipeline import load
from exporter.settings import Settings

CORPUS = SHARED / "corpus"
XH = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/"}

# source, kind, language, direction, expected diagnostic codes, font that must cover the script
DOCUMENTS = [
    ("jats/elife00240.xml", "jats", "en", "ltr", {"S022"}, None),
    ("jats/elife00013.xml", "jats", "en", "ltr", {"S022", "M005"}, None),
    ("jats/elife04490.xml", "jats", "en", "ltr", {"S022", "S032"}, None),
    ("jats/journal.pone.0081648.xml", "jats", "en", "ltr", {"S022", "S032"}, None),
    ("jats/journal.pone.0119074.xml", "jats", "en", "ltr", {"S022", "M005"}, None),
    ("jats/elife-1234567890-v3.xml", "jats", "en", "ltr", {"S022", "S032", "S038", "M005"}, None),
    ("markdown/opensource.guide/_articles/starting-a-project.md", "markdown", "en", "ltr",
     {"S022", "S023", "S025", "S041"}, None),
    ("markdown/opensource.guide/_articles/ar/starting-a-project.md", "markdown", "ar", "rtl",
     {"S022", "S023"}, r"Arabic|Naskh|Amiri"),
    ("markdown/opensource.guide/_articles/fa/starting-a-project.md", "markdown", "fa", "rtl",
     {"S022", "S023"}, r"Arabic|Naskh|Amiri|Vazir"),
    ("markdown/opensource.guide/_articles/ja/starting-a-project.md", "markdown", "ja", "ltr",
     {"S022", "S023"}, r"CJK"),
    ("html/18f-blog/_posts/2014-09-08-the-encasement-strategy-on-legacy-systems-and-the.html", "html", "en",
     "ltr", set(), None),
    ("html/18f-blog/_posts/2014-05-14-hacking-bureaucracy-improving-hiring-and-software.html", "html", "en",
     "ltr", {"S005", "S027"}, None),
    ("html/benyehuda/html/p89/m181.html", "html", "he", "rtl", {"S029"}, r"Hebrew|Ezra"),
    ("html/aozora/cards/000879/files/92_14545.html", "html", "ja", "ltr", {"S030"}, r"CJK"),
    ("standard-ebooks/walt-whitman_leaves-of-grass/src", "epub", "en-US", "ltr", {"S035", "S036", "S037"}, None),
]


def _blocks(kind: str, source: Path, print_: bool):
    if kind == "jats":
        return oracle.jats(source, print_)
    if kind == "markdown":
        return oracle.markdown(source, print_)
    if kind == "html":
        return oracle.web_html(source, print_)
    return oracle.epub_folder(source, print_)


_MARKS = re.compile(r"[\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200e\u200f\u202a-\u202e"
                    r"\u2066-\u2069\u061c]")
_QUOTES = re.compile(r"[\"'“”‘’«»„‚‹›]")
_MIRRORED = str.maketrans("()[]{}<>", "((((((((")  # right-to-left text mirrors brackets
# list markers that pdftotext puts on lines of their own, in runs, between other text:
# bullets, and two or more numbers in a row ("1." alone may be the end of a sentence)
_BULLETS = re.compile(r"[•◦▪‣]")
_NUMBERS = re.compile(r"(?m)(?:^[ \t]*\d{1,4}\.[ \t]*\n){2,}")


def _print_normal(text: str, words: list[str], rtl: bool) -> str:
    """Normalised PDF-comparison text: ruby annotations (set above the line) and quotation
    marks that CSS adds to <q> out; for right-to-left text also the combining marks and
    bidi controls, which text extraction separates from their letters."""
    text = _BULLETS.sub("", _QUOTES.sub("", normalize(text)))
    for word in words:
        text = text.replace(_QUOTES.sub("", normalize(word)), "")
    return _MARKS.sub("", text).translate(_MIRRORED) if rtl else text


def _pdf_text(pdf: Path, furniture: list[str], raw: bool) -> str:
    """pdftotext's text without page numbers, furniture lines and runs of list numbers:
    ``raw`` is content-stream order (fast, right for left-to-right columns); otherwise
    reading order, which puts right-to-left words in order."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-raw"] if raw else []), str(pdf), "-"]
    text = subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")
    known = [normalize(f) for f in furniture if normalize(f)]
    pages = []
    for page in text.split("\f"):
        lines = [line for line in page.split("\n") if line.strip()
                 and not re.fullmatch(r"\s*\d{1,5}\s*", line) and normalize(line) not in known]
        pages.append("\n".join(lines))
    return _NUMBERS.sub("", "\n".join(pages) + "\n")


def _build(source: Path, out: Path) -> dict:
    """Build all formats through the CLI (in a worker process); the document's JSON report."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(io.StringIO()):
        code = main(["build", str(source), "-o", str(out), "--format", "json"])
    (document,) = json.loads(buffer.getvalue())["documents"]
    document["exit"] = code
    return document


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Every corpus document built once (two at a time), then checked in one JVM per checker."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present on this machine")
    root = tmp_path_factory.mktemp("corpus")
    jobs = {entry[0]: (CORPUS / entry[0], root / f"out{index}") for index, entry in enumerate(DOCUMENTS)}
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        futures = {name: pool.submit(_build, source, out) for name, (source, out) in jobs.items()}
        reports = {name: future.result() for name, future in futures.items()}
    epubs = [Path(r["outputs"]["epub"]) for r in reports.values() if r["exit"] == 0]
    checks = epubcheck.check_many(epubs)
    pages = [Path(r["outputs"]["html"]) for r in reports.values() if r["exit"] == 0]
    html_problems = nu.check(pages)
    return {name: (jobs[name][0], reports[name], checks.get(Path(reports[name]["outputs"].get("epub", ""))),
                   html_problems.get(Path(reports[name]["outputs"].get("html", "/")).resolve(), []))
            for name in jobs}


def _check(entry, source, report, epub_report, html_messages) -> list[str]:
    relative, kind, language, direction, expected, script_font = entry
    problems: list[str] = []
    if report["exit"] != 0:
        return [f"build failed: {report.get('error')}"]
    epub, pdf, page = (Path(report["outputs"][k]) for k in ("epub", "pdf", "html"))
    article = load(source)

    # valid outputs
    if epub_report.errors or epub_report.warnings:
        problems.append("EPUBCheck: " + epub_report.summary()[:500])
    if html_messages:
        problems.append("HTML5: " + "; ".join(m.get("message", "") for m in html_messages)[:500])

    # every paragraph of the source, in every output
    blocks, roots = _blocks(kind, source, print_=False)
    if len(blocks) <= 5:
        problems.append(f"the oracle found only {len(blocks)} paragraphs")
    with zipfile.ZipFile(epub) as z:
        xhtml = etree.fromstring(z.read("EPUB/text/article.xhtml"))
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    tree = lxml_html.fromstring(page.read_bytes())
    for name, text in (("EPUB", "".join(xhtml.itertext())), ("HTML", tree.text_content())):
        lost = missing(blocks, text)
        if lost:
            problems.append(f"{name} lost {len(lost)} of {len(blocks)}: {lost[:2]}")
    print_blocks, _ = _blocks(kind, source, print_=True)
    annotations = sorted({a for root in (roots if isinstance(roots, list) else [roots])
                          for a in oracle.ruby_annotations(root)}, key=len, reverse=True)
    rtl = direction == "rtl"
    furniture = [article.meta.title, article.meta.publication or ""]
    haystack = _print_normal(_pdf_text(pdf, furniture, raw=not rtl), annotations, rtl)
    if rtl:
        # text extraction cannot give right-to-left lines with combining marks back in order:
        # every letter of the source must be on the pages, and the title must read right
        letters = Counter("".join(_print_normal(b, annotations, rtl) for b in print_blocks))
        short = letters - Counter(haystack)
        if short:
            problems.append(f"PDF lost letters: {short.most_common(10)}")
        if _print_normal(article.meta.title, [], rtl) not in haystack:
            problems.append("PDF title does not read in order")
    else:
        lost = [b for b in print_blocks if _print_normal(b, annotations, rtl)
                and _print_normal(b, annotations, rtl) not in haystack]
        for other in (lambda: _pdf_text(pdf, furniture, raw=False), lambda: pdf_text(pdf, furniture)):
            if not lost:  # raw order can interleave a float of the other column: reading order,
                break     # then the tagged structure (slow: only when needed)
            text = _print_normal(other(), annotations, False)
            lost = [b for b in lost if _print_normal(b, annotations, False) not in text]
        if lost:
            problems.append(f"PDF lost {len(lost)} of {len(print_blocks)}: {lost[:2]}")
    if kind == "jats":  # cells of very wide tables: every character is on the page (none clipped)
        wide = Counter(normalize("".join("".join(c.itertext()) for c in oracle.wide_cells(roots))))
        if wide - Counter(haystack):
            problems.append(f"PDF lost characters of wide tables: {wide - Counter(haystack)}")

    # language and direction everywhere
    found = (article.meta.language, opf.xpath("string(//dc:language)", namespaces=XH), opf.get("dir"),
             xhtml.get("lang"), xhtml.get("dir"), tree.get("lang"), tree.get("dir"))
    if found != (language, language, direction, language, direction, language, direction):
        problems.append(f"language/direction: {found}")
    with pikepdf.open(pdf) as document:
        if str(document.Root.get("/Lang", "")) != language:
            problems.append(f"PDF /Lang is {document.Root.get('/Lang')}")

    # real glyphs: embedded fonts, and one that covers the script
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    if not rows or not all(" yes " in row for row in rows):
        problems.append("fonts not embedded: " + fonts)
    if script_font and not re.search(script_font, fonts):
        problems.append(f"no font for the script ({script_font}): " + fonts)

    # what a careful reader of the source expects to be told, and nothing broken
    codes = {d["code"] for d in report["diagnostics"]}
    if not expected <= codes:
        problems.append(f"expected diagnostics {sorted(expected - codes)} missing")
    broken = [d for d in report["diagnostics"] if d["code"] in ("P001", "M004", "S020", "H001")]
    if broken:
        problems.append(f"unexpected diagnostics: {broken[:3]}")
    return problems


@pytest.mark.slow
def test_corpus_builds_valid_and_complete(corpus):
    failures = {}
    for entry in DOCUMENTS:
        problems = _check(entry, *corpus[entry[0]])
        if problems:
            failures[entry[0]] = problems
    assert not failures, "\n".join(f"{name}:\n  " + "\n  ".join(p) for name, p in failures.items())


@pytest.mark.slow
def test_corpus_specifics(tmp_path):
    """Points the manifest calls out, checked in the model."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present on this machine")
    aozora = load(CORPUS / "html/aozora/cards/000879/files/92_14545.html")
    text = aozora.body.xpath("string()")
    assert text.count("犍") == 17 and "～" in text and len(aozora.body.xpath("//ruby")) == 68
    assert aozora.meta.title == "蜘蛛の糸" and aozora.meta.names("aut") == ["芥川龍之介"]
    assert aozora.body.xpath("//h2/text()") or aozora.body.xpath("//h2/a/text()") == ["一", "二", "三"]

    bialik = load(CORPUS / "html/benyehuda/html/p89/m181.html")
    assert bialik.meta.title == "שלמה המלך והדבורה" and bialik.meta.names("aut") == ["חיים נחמן ביאליק"]
    assert len(bialik.body.xpath("//blockquote")) == 37

    fa = load(CORPUS / "markdown/opensource.guide/_articles/fa/starting-a-project.md")
    assert fa.meta.dir == "rtl"
    assert fa.body.xpath("//a[starts-with(@href, '#')]/@href") == ["#آیا-پروژهای-متن-باز-مجانی--رایگان-هستند"]
    assert "\u200c" in fa.body.xpath("string()")
    ar = load(CORPUS / "markdown/opensource.guide/_articles/ar/starting-a-project.md")
    assert len(ar.body.xpath("//*[@dir='ltr']")) == 5 and ar.body.xpath("/article/div/@dir") == ["rtl"]
    ja = load(CORPUS / "markdown/opensource.guide/_articles/ja/starting-a-project.md")
    assert ja.body.xpath("//a[starts-with(@href, '#')]/@href") == ["#オープンソースは無料で使える事を意味している"]

    hacking = load(CORPUS / "html/18f-blog/_posts/2014-05-14-hacking-bureaucracy-improving-hiring-and-software.html")
    assert hacking.meta.date == "2014-05-14T11:02:00-04:00" and "speakerdeck" not in hacking.body.xpath("string()")
    encasement_source = CORPUS / "html/18f-blog/_posts/2014-09-08-the-encasement-strategy-on-legacy-systems-and-the.html"
    encasement = load(encasement_source)  # site paths (/assets/…) need the site folder the user names
    assert len(encasement.body.xpath("//figure/img")) == 0 and encasement.meta.date == "2014-09-08"
    encasement = load(encasement_source, Settings(allow_read=((CORPUS / "html/18f-blog").resolve(),)))
    assert len(encasement.body.xpath("//figure/img")) == 3

    leaves = load(CORPUS / "standard-ebooks/walt-whitman_leaves-of-grass/src")
    assert leaves.stem == "walt-whitman_leaves-of-grass"
    assert len(leaves.body.xpath("//div[@class='verse']")) == 31
    assert len(leaves.body.xpath("//a[@class='noteref']")) == 3 and len(leaves.body.xpath("//aside[@class='note']")) == 10
    assert leaves.body.xpath("//figure/img/@src") == ["images/signature.svg"]

    kitchen = load(CORPUS / "jats/elife-1234567890-v3.xml")
    assert len(kitchen.body.xpath("//section[@class='sub-article']")) == 3
    maths = kitchen.body.xpath("//m:math", namespaces={"m": "http://www.w3.org/1998/Math/MathML"})
    assert len(maths) == 13 and all(m.get("alttext") for m in maths)
    plos = load(CORPUS / "jats/journal.pone.0119074.xml")
    assert len(plos.body.xpath("//m:math", namespaces={"m": "http://www.w3.org/1998/Math/MathML"})) == 86
    tables = load(CORPUS / "jats/elife04490.xml")
    assert len(tables.body.xpath("//figure[table]")) == 12
    assert len(tables.body.xpath("//section[@class='sub-article']")) == 2
    assert len(tables.body.xpath("//ol[@class='references']/li")) == 89
    cc0 = load(CORPUS / "jats/journal.pone.0081648.xml")
    assert "publicdomain/zero" in cc0.meta.license and len(cc0.meta.names("aut")) == 18
    assert len(cc0.body.xpath("//ol[@class='references']/li")) == 259

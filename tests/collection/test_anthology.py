"""An anthology from the sample articles and the reference interview, built once through
the CLI and read back: contents with page numbers, continuous folios, running heads,
each article's metadata, links between articles, the checkers, and determinism."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import SEED_SIDECAR, SOURCES, assert_epubcheck_clean, assert_html5_valid, require_seed
from lxml import etree
from lxml import html as lhtml

from exporter.book import load_book
from exporter.book import parts as book_parts
from exporter.checks import ace
from exporter.cli import main
from exporter.settings import Settings
from exporter.themes import load_theme

pytestmark = pytest.mark.slow

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
INTERVIEW = "Stephen Kalin on the battle for east Mosul"
HARBOUR = "What the Harbour Ledger Remembers"
COPYING = "Copying What the Page Says"
TYPE_CASE = "Every Letter Has a Home"
DOI = "10.5555/exporter.sample.2025.017"

PROJECT = '''# an anthology for the tests
[book]
title = "Front Lines and Ledgers"
subtitle = "An anthology for the tests"
editors = ["Ann Editor"]
publisher = "Test Press"
date = 2026-01-15
identifier = "urn:isbn:9780000000002"
license = "https://creativecommons.org/licenses/by/4.0/"

[front]
introduction = "preface.md"
imprint_text = "Printed for the tests."

[[part]]
title = "Archives"
articles = ["harbour-ledger.xhtml", "copying-the-page.xhtml"]

[[part]]
title = "Voices"
subtitle = "Interviews and shop talk"
articles = ["interview.txt", "type-case.txt"]
'''

PREFACE = '''---
title: Preface
author: Ann Editor
date: 2026-01-10
---

This book begins in an archive and ends in a print shop. Start with
[the interview](interview.txt), or go straight to
[the rules for volunteers](copying-the-page.xhtml#rules-for-volunteers) or to
[the chart of entries](harbour-ledger.xhtml#fig-decades).
'''


def make_project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("harbour-ledger.xhtml", "copying-the-page.xhtml", "type-case.txt", "type-case.toml",
                 "type-case.png"):
        shutil.copy(SOURCES / name, folder / name)
    shutil.copytree(SOURCES / "images", folder / "images", dirs_exist_ok=True)
    shutil.copy(require_seed(), folder / "interview.txt")
    (folder / "interview.toml").write_text('date = "2017-01-12"\nlicense = "All rights reserved"\n' + SEED_SIDECAR,
                                           encoding="utf-8")
    (folder / "preface.md").write_text(PREFACE, encoding="utf-8")
    (folder / "exporter.toml").write_text(PROJECT, encoding="utf-8")
    return folder


def build(folder: Path, out: Path) -> dict[str, Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        assert main(["build", str(folder), "-o", str(out)]) == 0
    return {ext: out / f"{folder.name}.{ext}" for ext in ("epub", "pdf", "html")}


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> dict[str, Path]:
    require_seed()
    base = tmp_path_factory.mktemp("anthology")
    return build(make_project(base / "anthology"), base / "out")


# -- readers ------------------------------------------------------------------------------

def epub_part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def epub_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def pdf_pages(path: Path) -> list[str]:
    """The text of each page (pdftotext -layout, one call per page)."""
    count = len(pikepdf.open(path).pages)
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
                           capture_output=True, text=True, check=True).stdout for n in range(1, count + 1)]


@pytest.fixture(scope="module")
def pages(book) -> list[str]:
    return pdf_pages(book["pdf"])


@pytest.fixture(scope="module")
def page_html(book):
    return lhtml.fromstring(book["html"].read_bytes())


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def contents_numbers(pages: list[str]) -> dict[str, int]:
    """Title -> page number, read from the printed contents (leaders, then the number)."""
    page = next(p for p in pages if lines(p) and lines(p)[0] == "Contents")
    found = {}
    for line in lines(page):
        match = re.match(r"^(.*?)\s*(?:\.\s)+\.?\s*(\d+)$", line)
        if match:
            title = re.sub(r"^PART \d+\s+", "", match.group(1)).strip()
            found[title.title() if title.isupper() else title] = int(match.group(2))  # part titles are in capitals
    return found


# -- the contents --------------------------------------------------------------------------

def test_epub_navigation_lists_the_book_in_order(book):
    nav = epub_part(book["epub"], "EPUB/nav.xhtml")
    top = [a.text for a in nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li/x:a", namespaces=NS)]
    assert top == ["Preface", "Archives", "Voices"]
    voices = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li[3]/x:ol/x:li/x:a", namespaces=NS)
    assert [a.text for a in voices] == [INTERVIEW, TYPE_CASE]
    hrefs = [a.get("href") for a in voices]
    assert all(h.startswith("text/c0") and h.endswith(".xhtml") for h in hrefs)
    names = epub_names(book["epub"])
    assert all(f"EPUB/{h}" in names for h in hrefs)
    # the reading order: cover, title page, imprint, contents, preface, part 1, …
    opf = epub_part(book["epub"], "EPUB/content.opf")
    spine = opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)
    assert spine == ["cover", "title-page", "imprint", "nav", "c1", "part-1", "c2", "c3", "part-2", "c4", "c5"]


def test_print_html_contents(page_html):
    toc = page_html.xpath("//nav[@id='contents']")[0]
    assert [t.text_content() for t in toc.xpath(".//span[@class='toc-text']")] == [
        "Preface", "Archives", HARBOUR, COPYING, "Voices", INTERVIEW, TYPE_CASE]
    for a in toc.xpath(".//a"):
        target = a.get("href")[1:]
        assert page_html.xpath(f"//*[@id='{target}']"), target
    assert toc.xpath(".//li[@class='toc-chapter'][span[@class='toc-byline']='Joel Wing and Stephen Kalin']")


def test_pdf_contents_page_numbers_match_where_articles_start(pages):
    numbers = contents_numbers(pages)
    assert set(numbers) >= {"Preface", "Archives", HARBOUR, COPYING, "Voices", INTERVIEW, TYPE_CASE}, numbers
    ordered = [numbers[t] for t in ("Preface", "Archives", HARBOUR, COPYING, "Voices", INTERVIEW, TYPE_CASE)]
    assert ordered == sorted(ordered) and len(set(ordered)) == len(ordered)
    for title in ("Preface", HARBOUR, COPYING, INTERVIEW, TYPE_CASE):
        start = numbers[title]
        page = lines(pages[start - 1])
        assert title in " ".join(page[:6]), (title, start, page[:6])  # the article's title opens its first page
        if start >= 2:
            assert title not in " ".join(lines(pages[start - 2])[:-1]) or title == "Preface"
    for title in ("Archives", "Voices"):
        assert title in lines(pages[numbers[title] - 1])


def test_page_numbers_run_on_through_the_book(pages):
    numbers = contents_numbers(pages)
    first = numbers["Preface"]
    folios = {}
    for index, text in enumerate(pages, start=1):
        last = lines(text)[-1] if lines(text) else ""
        if last.isdigit():
            folios[index] = int(last)
    assert all(folios[i] == i for i in folios)  # the folio is the page's place in the book
    body = range(first, len(pages) + 1)
    part_pages = {numbers["Archives"], numbers["Voices"]}
    assert all(i in folios for i in body if i not in part_pages), sorted(set(body) - set(folios))


def test_running_heads_name_each_article_and_its_authors(pages):
    numbers = contents_numbers(pages)
    starts = sorted((n, t) for t, n in numbers.items())
    heads = {"Preface": "ANN EDITOR", HARBOUR: "MAREN HOLT", COPYING: "MAREN HOLT AND ILSE VARGA",
             INTERVIEW: "JOEL WING AND STEPHEN KALIN"}
    checked = 0
    for (start, title), (following, _) in zip(starts, starts[1:] + [(len(pages) + 1, None)]):
        if title not in heads:
            continue
        for n in range(start + 1, following):  # the pages after the opening one
            head = lines(pages[n - 1])[0]
            squeezed = "".join(head.split()).upper()  # the author is letter-spaced capitals
            assert "".join(heads[title].split()) in squeezed and "".join(title.split()).upper() in squeezed, (n, head)
            checked += 1
    assert checked >= 3


# -- each article's metadata -----------------------------------------------------------------

def test_bylines_in_print_html(page_html):
    articles = page_html.xpath("//article[contains(@class,'chapter')]")
    assert [a.get("id") for a in articles] == ["c1", "c2", "c3", "c4", "c5"]
    copying = articles[2]
    assert copying.xpath(".//h1")[0].text_content() == COPYING
    byline = copying.xpath(".//div[contains(@class,'byline')]")[0]
    assert "Maren Holt and Ilse Varga" in byline.text_content()
    assert byline.xpath(f".//a[@href='https://doi.org/{DOI}']")
    assert byline.xpath(".//a[@rel='license'][@href='https://creativecommons.org/licenses/by/4.0/']")[0] \
        .text_content() == "CC BY 4.0"
    assert byline.xpath(".//time/@datetime") == ["2025-05-20"]
    interview = articles[3].xpath(".//div[contains(@class,'byline')]")[0].text_content()
    assert "Joel Wing" in interview and "Stephen Kalin" in interview and "Licence: All rights reserved" in interview
    # the imprint lists where every text comes from
    credits = page_html.xpath("//ul[@class='imprint-credits']/li")
    assert len(credits) == 5 and "Musings on Iraq" in credits[3].text_content()
    assert f"DOI {DOI}" in credits[2].text_content()


def test_each_chapter_carries_its_metadata_in_the_epub(book):
    path = book["epub"]
    opf = epub_part(path, "EPUB/content.opf")
    assert opf.xpath("string(/opf:package/opf:metadata/dc:identifier)", namespaces=NS) == "urn:isbn:9780000000002"
    collections = opf.xpath("//opf:collection[@role='distributable-object']", namespaces=NS)
    assert len(collections) == 5
    by_title = {c.xpath("string(opf:metadata/dc:title[1])", namespaces=NS): c for c in collections}
    interview = by_title[INTERVIEW]
    people = {el.text: interview.xpath(f"string(opf:metadata/opf:meta[@property='role'][@refines='#{el.get('id')}'])",
                                       namespaces=NS)
              for el in interview.xpath("opf:metadata/dc:creator", namespaces=NS)}
    assert people == {"Joel Wing": "ivr", "Stephen Kalin": "ive"}
    assert interview.xpath("string(opf:metadata/dc:date)", namespaces=NS) == "2017-01-12"
    document = interview.xpath("opf:link/@href", namespaces=NS)[0]
    copying = by_title[COPYING]
    assert copying.xpath("string(opf:metadata/dc:identifier)", namespaces=NS) == f"doi:{DOI}"
    assert copying.xpath("opf:metadata/opf:link[@rel='dcterms:license']/@href", namespaces=NS) == [
        "https://creativecommons.org/licenses/by/4.0/"]
    assert "images/register-notes.png" in copying.xpath("opf:link/@href", namespaces=NS)
    # and in the chapter document's own head, with the byline
    chapter = epub_part(path, f"EPUB/{document}")
    head = {m.get("name"): m.get("content") for m in chapter.xpath("//x:head/x:meta[@name]", namespaces=NS)}
    assert head["dcterms.date"] == "2017-01-12" and head["dcterms.isPartOf"] == "Musings on Iraq"
    assert chapter.xpath("//x:head/x:meta[@name='author']/@content", namespaces=NS) == ["Joel Wing", "Stephen Kalin"]
    copying_doc = epub_part(path, "EPUB/" + copying.xpath("opf:link/@href", namespaces=NS)[0])
    assert copying_doc.xpath("//x:div[contains(@class,'byline')]//x:a/@href", namespaces=NS)[0] == \
        f"https://doi.org/{DOI}"


def test_pdf_bookmarks_name_each_article_and_author(book):
    with pikepdf.open(book["pdf"]) as pdf, pdf.open_outline() as outline:
        top = [(item.title, [child.title for child in item.children]) for item in outline.root]
    titles = [t for t, _ in top]
    assert titles[:4] == ["Contents", "Preface \u2014 Ann Editor", "Archives", "Voices"], titles
    archives = dict(top)["Archives"]
    assert archives == [f"{HARBOUR} \u2014 Maren Holt", f"{COPYING} \u2014 Maren Holt and Ilse Varga"]
    assert dict(top)["Voices"][0] == f"{INTERVIEW} \u2014 Joel Wing and Stephen Kalin"


def test_pdf_metadata_is_the_books(book):
    with pikepdf.open(book["pdf"]) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Front Lines and Ledgers"
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root


# -- links between articles ------------------------------------------------------------------

def test_links_between_articles_lead_to_chapters_in_the_epub(book):
    path = book["epub"]
    preface = epub_part(path, "EPUB/text/c01-preface.xhtml")
    hrefs = preface.xpath("//x:article//x:p//x:a/@href", namespaces=NS)
    assert hrefs == ["c04-interview.xhtml", "c03-copying-the-page.xhtml#c3-rules-for-volunteers",
                     "c02-harbour-ledger.xhtml#c2-fig-decades"]
    for href in hrefs:
        document, _, fragment = href.partition("#")
        target = epub_part(path, f"EPUB/text/{document}")
        assert not fragment or target.xpath(f"//*[@id='{fragment}']"), href


def _destination_page(pdf: pikepdf.Pdf, annotation) -> int | None:
    """The page index a link annotation leads to (named or explicit destination)."""
    dest = annotation.get("/Dest")
    if dest is None and "/A" in annotation and annotation.A.get("/S") == "/GoTo":
        dest = annotation.A.D
    if dest is None:
        return None
    if not isinstance(dest, pikepdf.Array):
        names = pikepdf.NameTree(pdf.Root.Names.Dests)
        dest = names[str(dest)]
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.D
    return next(i for i, page in enumerate(pdf.pages) if page.obj.objgen == dest[0].objgen)


def test_links_between_articles_are_internal_in_the_pdf(book, pages):
    numbers = contents_numbers(pages)
    with pikepdf.open(book["pdf"]) as pdf:
        page = pdf.pages[numbers["Preface"] - 1]
        targets = {_destination_page(pdf, a) for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"}
    assert numbers[INTERVIEW] - 1 in targets
    rules = next(i for i, text in enumerate(pages) if "Rules for volunteers" in lines(text)[1:]
                 or any(line.startswith("Rules for volunteers") for line in lines(text)))
    assert rules in targets


# -- checkers and determinism ------------------------------------------------------------------

def test_epubcheck_and_ace(book):
    assert_epubcheck_clean(book["epub"])
    if not ace.available():
        pytest.fail("DAISY Ace is not installed: run npm ci")
    assert ace.check(book["epub"]) == []


def test_print_html_is_valid_html5(book):
    assert_html5_valid([book["html"]])


def test_two_builds_give_the_same_bytes(book, tmp_path):
    again = build(book["epub"].parent.parent / "anthology", tmp_path / "again")
    for ext, path in book.items():
        assert again[ext].read_bytes() == path.read_bytes(), ext


def test_a_bad_project_file_is_reported_and_leaves_the_outputs(book, tmp_path, capsys):
    folder = make_project(tmp_path / "anthology")
    out = tmp_path / "out"
    out.mkdir()
    before = {f"anthology.{ext}": f"previous {ext}".encode() for ext in ("epub", "pdf", "html")}
    for name, data in before.items():
        (out / name).write_bytes(data)
    text = PROJECT.replace('articles = ["interview.txt", "type-case.txt"]',
                           'articles = ["interview.txt",\n  "type-cases.txt"]')
    (folder / "exporter.toml").write_text(text, encoding="utf-8")
    assert main(["build", str(folder), "-o", str(out)]) == 2  # a configuration error
    err = capsys.readouterr().err
    line = text.splitlines().index('  "type-cases.txt"]') + 1
    assert f"{folder / 'exporter.toml'}:{line}: 'part[1].articles[1]': no such file: 'type-cases.txt'" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing partial, nothing replaced


# -- a long book's PDF, laid out in groups of chapters and joined -------------------------------

@pytest.fixture(scope="module")
def grouped(book, tmp_path_factory) -> Path:
    """The same book's PDF laid out a few chapters at a time (small groups, so that a
    part is split across groups) and joined."""
    folder = make_project(tmp_path_factory.mktemp("grouped") / "anthology")
    (folder / "exporter.toml").write_text(PROJECT + '\n[build]\npdf_layout = "parts"\n', encoding="utf-8")
    out = folder.parent / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(book_parts, "GROUP_CHARS", 3_000)
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        _, groups = book_parts.groups(load_book(folder / "exporter.toml", Settings(), load_theme("magazine")))
        assert len(groups) >= 3 and any(g[0].kind == "chapter" and g[0].chapter.part for g in groups[1:])
        assert main(["build", str(folder), "-o", str(out), "--to", "pdf"]) == 0
        first = (out / "anthology.pdf").read_bytes()
        assert main(["build", str(folder), "-o", str(folder.parent / "again"), "--to", "pdf"]) == 0
        assert (folder.parent / "again" / "anthology.pdf").read_bytes() == first  # reproducible
    return out / "anthology.pdf"


def _outline_tree(path: Path) -> list:
    def walk(items):
        return [(item.title, walk(item.children)) for item in items]
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        return walk(outline.root)


def _links(path: Path) -> list[tuple[int, int | None]]:
    with pikepdf.open(path) as pdf:
        return [(n, _destination_page(pdf, a)) for n, page in enumerate(pdf.pages)
                for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link" and "/A" not in a]


def test_pdf_in_groups_is_the_same_book(book, pages, grouped):
    assert pdf_pages(grouped) == pages  # same pages, folios, running heads and contents numbers
    assert _outline_tree(grouped) == _outline_tree(book["pdf"])
    assert _links(grouped) == _links(book["pdf"])  # every internal link leads to the same page
    with pikepdf.open(grouped) as joined, pikepdf.open(book["pdf"]) as whole:
        assert joined.Root.MarkInfo.Marked and str(joined.docinfo["/Title"]) == "Front Lines and Ledgers"
        assert joined.Root.PageLabels.Nums[1].S == "/D"

        def elements(pdf):
            tree = pdf.Root.StructTreeRoot
            return sum(1 for _ in _walk_struct(tree.K))
        assert elements(joined) == elements(whole)
        nums = joined.Root.StructTreeRoot.ParentTree.Nums
        keys = [int(k) for k in nums[::2]]
        assert len(set(keys)) == len(keys)
        assert {int(p.StructParents) for p in joined.pages if "/StructParents" in p} <= set(keys)
    assert subprocess.run(["qpdf", "--check", str(grouped)], capture_output=True).returncode == 0


def _walk_struct(node):
    if isinstance(node, pikepdf.Array):
        for item in node:
            yield from _walk_struct(item)
    elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") == "/StructElem":
        yield node
        yield from _walk_struct(node.get("/K"))

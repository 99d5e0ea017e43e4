"""Notes: one note in the model becomes a note reference and a note body that pop up
in Apple Books, Kobo and Thorium, and work by links both ways everywhere else:

* the reference is ``<a epub:type="noteref" role="doc-noteref">`` holding only its
  number (Apple Books opens no pop-up for a reference holding other elements);
* it points forward, within the same document, at the note (Kobo pops up a target
  that follows the link; Thorium one in the same document);
* the note is a list item, ``epub:type="endnote footnote"`` (Apple Books pops up
  ``footnote``), never an ``<aside>`` that reading systems hide;
* the note ends with a ``doc-backlink`` to its reference, distinguishable as a link
  without colour (Ace's link-in-text-block);
* the print page carries the same ids, for the PDF's page footnotes.
"""

from __future__ import annotations

import pytest
from conftest import SOURCES
from epubtools import NS, assert_valid, build, part, raw, write_article, xpath
from lxml import html as lxml_html

EPUB_TYPE = "{%s}type" % NS["epub"]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = tmp_path_factory.mktemp("notes")
    build(SOURCES / "harbour-ledger.xhtml", out, "--to", "epub,html", "--no-page-list")
    body = ('<p>First mention.<a class="noteref" href="#twice"/> A second mention of the same note.'
            '<a class="noteref" href="#twice"/> And a quotation.<a class="noteref" href="#quote"/></p>'
            '<aside class="note" id="twice"><p>A note referenced twice in the text above.</p></aside>'
            '<aside class="note" id="quote" lang="fr"><p>Une note en français, pour voir.</p>'
            '<p>Elle a deux paragraphes.</p></aside>'
            '<aside class="note" id="lonely"><p>A note nothing refers to, kept at the end.</p></aside>')
    source = write_article(tmp_path_factory.mktemp("notes-src"), "twice.xhtml", body)
    build(source, out, "--to", "epub,html", "--no-page-list")
    return out


def test_epubcheck_and_ace_pass(books):
    assert_valid(books / "harbour-ledger.epub", books / "twice.epub")


def test_references_hold_only_their_number_and_point_forward(books):
    article = part(books / "harbour-ledger.epub", "EPUB/text/article.xhtml")
    order = {el: i for i, el in enumerate(article.iter())}
    refs = xpath(article, "//x:a[@epub:type='noteref']")
    assert [r.text for r in refs] == ["1", "2"] and all(len(r) == 0 for r in refs)
    for ref in refs:
        assert ref.get("role") == "doc-noteref" and "noteref" in ref.get("class")
        target = xpath(article, f"//*[@id='{ref.get('href')[1:]}']")[0]
        assert order[target] > order[ref]  # the note follows its reference in the same document
        assert len("".join(target.itertext()).strip()) >= 9  # Kobo's pop-up threshold


def test_notes_are_visible_list_items_marked_for_pop_ups(books):
    article = part(books / "harbour-ledger.epub", "EPUB/text/article.xhtml")
    section = xpath(article, "//x:section[@role='doc-endnotes']")[0]
    assert section.get(EPUB_TYPE).split() == ["endnotes", "footnotes"] and section.get("id") == "notes"
    heading = xpath(article, f"//*[@id='{section.get('aria-labelledby')}']")[0]
    assert heading.tag.endswith("}h2") and heading.text == "Notes"
    items = xpath(section, "x:ol/x:li")
    assert [li.get("id") for li in items] == ["n-names", "n-damp"]
    for li in items:
        assert li.get(EPUB_TYPE).split() == ["endnote", "footnote"]
        assert li.get("role") is None  # doc-endnote is deprecated in DPUB-ARIA 1.1
    assert xpath(article, "//x:aside[contains(@epub:type, 'note')]") == []


def test_back_links(books):
    article = part(books / "harbour-ledger.epub", "EPUB/text/article.xhtml")
    for li in xpath(article, "//x:section[@role='doc-endnotes']//x:li"):
        back = xpath(li, ".//x:a[@role='doc-backlink']")
        assert len(back) == 1 and back[0].get(EPUB_TYPE) == "backlink"
        assert back[0].get("href") == f"#ref-{li.get('id')}"
        assert xpath(article, f"//x:a[@id='ref-{li.get('id')}']/@epub:type") == ["noteref"]
        assert back[0].text == "\u21a9\ufe0e" and back[0].get("aria-label").startswith("Back to text")
        assert back[0].getparent().tag.endswith("}p")  # inside the note's last paragraph
    css = raw(books / "harbour-ledger.epub", "EPUB/css/style.css").decode()
    assert "a.backlink { text-decoration: underline; }" in css


def test_a_note_referenced_twice_and_a_note_in_another_language(books):
    article = part(books / "twice.epub", "EPUB/text/article.xhtml")
    refs = xpath(article, "//x:a[@role='doc-noteref']")
    assert [(r.text, r.get("href"), r.get("id")) for r in refs] == [
        ("1", "#twice", "ref-twice"), ("1", "#twice", "ref-twice-2"), ("2", "#quote", "ref-quote")]
    french = xpath(article, "//x:li[@id='quote']")[0]
    assert french.get("lang") == "fr" and french.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert xpath(french, "string(x:p[last()]/x:a[@role='doc-backlink']/@href)") == "#ref-quote"
    lonely = xpath(article, "//x:li[@id='lonely']")[0]  # M002: kept, numbered, no link back to nowhere
    assert xpath(lonely, ".//x:a") == [] and "nothing refers to" in "".join(lonely.itertext())


def test_print_page_has_the_same_note_model(books):
    page = lxml_html.fromstring((books / "harbour-ledger.html").read_bytes())
    refs = page.xpath("//a[@role='doc-noteref']")
    assert [(r.text, r.get("href"), r.get("id")) for r in refs] == [("1", "#n-names", "ref-n-names"),
                                                                     ("2", "#n-damp", "ref-n-damp")]
    assert page.xpath("//section[@role='doc-endnotes']/ol/li/@id") == ["n-names", "n-damp"]
    assert page.xpath("//a[@role='doc-backlink']/@href") == ["#ref-n-names", "#ref-n-damp"]
    assert not page.xpath("//@*[starts-with(name(), 'epub')]")

"""Full-width pieces longer than a page (a long lead, a long table) in the two-column
magazine theme: WeasyPrint cannot break a ``column-span: all`` element across pages
(it dropped the rest silently, or failed with ``assert not page_is_empty``, issue 19),
so the print page sets text in column runs between them (writers/html.py ``_flows``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _printing import build, page_texts
from lxml import html as lxml_html

from exporter.importers.load import load
from exporter.model import text_of

WORDS = "The laws of Athens answer him, and the argument goes on at some length before the end. "


def _normal(text: str) -> str:
    return " ".join(text.replace("-\n", "").split())


@pytest.mark.parametrize("theme", ["magazine", "scholarly"])
def test_a_table_longer_than_a_page_is_printed_whole(tmp_path, theme):
    rows = "".join(f"<tr><td>Row {i:03d}</td><td>{WORDS}</td></tr>" for i in range(160))
    source = tmp_path / "table.html"
    source.write_text(f"<html lang='en'><head><title>Long table</title></head><body><article>"
                      f"<p>{WORDS * 3}</p><table><caption>A long table</caption>{rows}</table>"
                      f"<p>After the table.</p></article></body></html>", encoding="utf-8")
    result = build(source, tmp_path / "out", theme=theme)
    text = _normal(" ".join(page_texts(result.outputs["pdf"])))
    missing = [i for i in range(160) if f"Row {i:03d}" not in text]
    assert not missing and "After the table." in text


def test_a_lead_longer_than_a_page_is_printed_whole(tmp_path):
    """A model document may hold a lead of any length (the model does not limit it)."""
    paragraphs = "".join(f"<p>Lead paragraph {i:02d}. {WORDS * 3}</p>" for i in range(45))
    source = tmp_path / "lead.xhtml"
    source.write_text('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>Lead</title></head>'
                      f'<body><article><div class="lead">{paragraphs}</div><p>{WORDS}</p>'
                      "<p>After the lead.</p></article></body></html>", encoding="utf-8")
    assert load(source).body.xpath("//div[@class='lead']")
    result = build(source, tmp_path / "out")
    text = _normal(" ".join(page_texts(result.outputs["pdf"])))
    missing = [i for i in range(45) if f"Lead paragraph {i:02d}." not in text]
    assert not missing and "After the lead." in text


def test_a_dialogue_with_a_long_introduction_builds_whole(tmp_path):
    """Shaped like Project Gutenberg's Crito: many paragraphs of front matter and
    introduction, then a question-and-answer dialogue."""
    intro = "\n\n".join(f"Paragraph {i:02d} of the introduction. {WORDS * 4}" for i in range(60))
    dialogue = "\n\n".join(f"Why did you come so early, friend number {i}?\n\nI came at dawn, as you see, {i}."
                           for i in range(40))
    source = tmp_path / "dialogue.txt"
    source.write_text(f"{intro}\n\n{dialogue}\n", encoding="utf-8")
    article = load(source)
    assert not article.body.xpath("//div[@class='lead']")  # sixty paragraphs are not a lead
    result = build(source, tmp_path / "out", formats=("pdf", "html"))
    text = _normal(" ".join(page_texts(result.outputs["pdf"])))
    missing = [i for i in range(60) if f"Paragraph {i:02d}" not in text]
    missing += [f"q{i}" for i in range(40) if f"friend number {i}?" not in text]
    assert not missing
    page = lxml_html.fromstring(Path(result.outputs["html"]).read_bytes())
    assert page.xpath("//div[@class='article-body']/div[@class='flow']")
    assert not page.xpath("//div[@class='article-body']/p")  # every paragraph is in a run


def test_the_lead_of_an_interview_stays_a_lead(seed):
    article = load(seed)
    lead = article.body.xpath("//div[@class='lead']")
    assert len(lead) == 1 and len(lead[0]) == 2 and text_of(lead[0]).startswith("After stalling")


def test_a_layout_weasyprint_cannot_do_is_done_again_in_safe_mode(tmp_path):
    """A theme that spans a long lead across the columns trips WeasyPrint's layout
    (``assert not page_is_empty``): the document is laid out again in one column (P004)
    and the PDF holds all of its text; the EPUB is built too."""
    theme = tmp_path / "spanning"
    theme.mkdir()
    (theme / "theme.toml").write_text('description = "spans the lead"\nextends = "magazine"\n', encoding="utf-8")
    (theme / "print.css").write_text("@media print { .article-body { columns: 2; } .article-body > .flow "
                                     "{ columns: auto; } .article-body > div.lead { column-span: all; } }\n",
                                     encoding="utf-8")
    paragraphs = "".join(f"<p>Lead paragraph {i:02d}. {WORDS * 3}</p>" for i in range(45))
    source = tmp_path / "lead.xhtml"
    source.write_text('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>Lead</title></head>'
                      f'<body><article><div class="lead">{paragraphs}</div>'
                      "<p>After the lead.</p></article></body></html>", encoding="utf-8")
    result = build(source, tmp_path / "out", formats=("pdf", "epub"), theme=str(theme))
    assert "P004" in result.diagnostics.codes()
    text = _normal(" ".join(page_texts(result.outputs["pdf"])))
    assert all(f"Lead paragraph {i:02d}." in text for i in range(45)) and "After the lead." in text

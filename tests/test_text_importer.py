"""The plain-text importer on the reference interview and on small inline inputs."""

from __future__ import annotations

from pathlib import Path

from exporter.diagnostics import Diagnostics
from exporter.importers import text
from exporter.model import normalize_space, text_of
from exporter.pipeline import load


def read(tmp_path: Path, content: str):
    path = tmp_path / "a.txt"
    path.write_text(content, encoding="utf-8")
    return text.read(path, Diagnostics())


def test_seed_structure(seed):
    article = load(seed)
    body = article.body
    figure = body.find("figure")
    assert figure is not None and figure.find("img") is None
    caption = figure.find("figcaption")
    assert normalize_space(text_of(caption)).startswith("Iraqi Special Operations Forces in eastern Mosul")
    assert caption.find("span").get("class") == "credit" and caption.find("span").text == "Reuters"
    lead = body.xpath("div[@class='lead']/p")
    assert len(lead) == 2 and text_of(lead[0]).startswith("After stalling for weeks")
    questions = body.xpath("//div[@class='question']")
    answers = body.xpath("//div[@class='answer']")
    assert [text_of(q)[:20] for q in questions] == [
        "What changes were ma", "The Islamic State se", "What’s life like for", "What has the fightin"]
    assert [len(a.findall("p")) for a in answers] == [3, 2, 1, 1]
    editorial = body.xpath("//span[@class='editorial']")
    assert [e.text for e in editorial] == ["[The Iraqi elite counter-terrorism unit]"]


def test_seed_every_paragraph_kept(seed):
    article = load(seed)
    source_paragraphs = [normalize_space(p) for p in seed.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    blocks = article.text_blocks()
    for paragraph in source_paragraphs[1:]:
        assert paragraph in blocks
    assert "S001" in article.diagnostics.codes()  # no title: derived, with a warning
    assert article.meta.title.startswith("After stalling for weeks")


def test_sidecar_metadata(copy_seed):
    from conftest import SEED_SIDECAR

    article = load(copy_seed(SEED_SIDECAR))
    assert article.meta.title == "Stephen Kalin on the battle for east Mosul"
    assert [(c.name, c.role) for c in article.meta.contributors] == [("Joel Wing", "ivr"), ("Stephen Kalin", "ive")]
    assert "S001" not in article.diagnostics.codes()


def test_explicit_q_and_a(tmp_path):
    article = read(tmp_path, "Intro.\n\nQ: First?\n\nA: One.\n\nMore.\n\nQ: Second?\n\nA: Two.\n")
    kinds = [(d.get("class"), [text_of(p) for p in d]) for d in article.body.iter("div")]
    assert kinds == [("question", ["First?"]), ("answer", ["One.", "More."]),
                     ("question", ["Second?"]), ("answer", ["Two."])]


def test_prose_is_not_an_interview(tmp_path):
    article = read(tmp_path, "A story.\n\nWho knows?\n\nNobody does.\n\nThe end.\n")
    assert not article.body.xpath("//div[@class='question']")
    assert len(article.body.findall("p")) == 4


def test_lists_headings_quotes_and_links(tmp_path):
    article = read(tmp_path, "# Part one\n\n- a\n- b\n\n1. x\n2. y\n\n> quoted\n> text\n\n"
                             "See https://example.org/x. Done.\n\n* * *\n\nEnd.\n")
    body = article.body
    assert body.find("section/h2").text == "Part one"
    assert [li.text for li in body.iter("li")] == ["a", "b", "x", "y"]
    assert text_of(body.find(".//blockquote/p")) == "quoted text"
    link = body.find(".//a")
    assert link.get("href") == "https://example.org/x" and link.tail.startswith(".")
    assert body.find(".//hr") is not None


def test_control_characters_removed_with_line(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("Fine line.\n\nBad\x0cline\x00.\n", encoding="utf-8")  # valid UTF-8: stray controls go
    diagnostics = Diagnostics()
    article = text.read(path, diagnostics)
    assert "Bad line." in [text_of(p) for p in article.body.iter("p")]
    s002 = [d for d in diagnostics if d.code == "S002"]
    assert s002 and s002[0].line == 3


def test_non_utf8_is_decoded_with_warning(tmp_path):
    path = tmp_path / "w.txt"
    path.write_bytes("Caf\u00e9 society.\n".encode("cp1252"))
    diagnostics = Diagnostics()
    article = text.read(path, diagnostics)
    assert text_of(article.body.find("p")) == "Café society."
    assert diagnostics.codes() == ["S006"]


def test_image_next_to_source_becomes_the_photo(tmp_path):
    from PIL import Image

    Image.new("RGB", (40, 30), "red").save(tmp_path / "a.png")
    article = read(tmp_path, "PHOTO: A red square (Studio)\n\nText.\n")
    img = article.body.find("figure/img")
    assert img.get("src") == "a.png" and img.get("alt") == "A red square"


def test_project_gutenberg_header_gives_title_contributors_and_language(tmp_path):
    path = tmp_path / "pg.txt"
    path.write_text("The Project Gutenberg EBook of Boule de Suif, by Guy de Maupassant\n\n"
                    "Title: Boule de Suif\n\nAuthor: Guy de Maupassant\n\nTranslator: A. N. Other\n\n"
                    "Release Date: January 1, 2004 [EBook #10746]\n\nLanguage: French\n\n"
                    "*** START OF THIS PROJECT GUTENBERG EBOOK BOULE DE SUIF ***\n\n"
                    "Pendant plusieurs jours de suite des lambeaux d'armée en déroute avaient traversé la ville.\n\n"
                    "Author: not a header line once the text has started\n", encoding="utf-8")
    from exporter.importers.load import load

    article = load(path)
    assert article.meta.title == "Boule de Suif" and article.meta.language == "fr"
    assert [(c.name, c.role) for c in article.meta.contributors] == [("Guy de Maupassant", "aut"),
                                                                    ("A. N. Other", "trl")]
    assert "S001" not in article.diagnostics.codes()
    assert any("Title: Boule de Suif" in text_of(p) for p in article.body.iter("p"))  # the header stays text


def test_title_lines_in_other_texts_are_text(tmp_path):
    path = tmp_path / "memo.txt"
    path.write_text("Title: Budget memo\n\nLanguage: Klingon\n\nThe budget is fine.\n", encoding="utf-8")
    text.read(path, Diagnostics())  # no Project Gutenberg header: no metadata taken
    assert text.catalogue_metadata(path.read_text()).title == ""


def test_a_rule_or_banner_line_is_no_title(tmp_path):
    path = tmp_path / "banner.txt"
    path.write_text("==========================\n\n*****\n\nThe real first sentence. And more.\n", encoding="utf-8")
    from exporter.importers.load import load

    assert load(path).meta.title == "The real first sentence"

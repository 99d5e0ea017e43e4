"""Figure and table numbers in the scholarly theme: a caption that already carries its
number (as JATS and most web pages give it) is not numbered a second time, and a table
held in a figure counts as a table, not as a figure."""

from __future__ import annotations

import io

import pytest
from _printing import build, page_texts
from lxml import html as lxml_html
from PIL import Image

SOURCE = """<!DOCTYPE html><html lang="en"><head><title>Captions</title></head><body><article>
<h1>Captions</h1>
<p>Some running text before the figures.</p>
<figure><img src="dot.png" alt="A grey square"/><figcaption>Figure 7. A labelled figure.</figcaption></figure>
<figure><img src="dot.png" alt="A grey square"/><figcaption>An unlabelled figure.</figcaption></figure>
<figure><figcaption>Table 4: A labelled table in a figure.</figcaption>
<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table></figure>
<table><caption>An unlabelled table.</caption><tr><th>c</th></tr><tr><td>3</td></tr></table>
</article></body></html>
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("captions")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (128, 128, 128)).save(buffer, "PNG")
    (folder / "dot.png").write_bytes(buffer.getvalue())
    (folder / "captions.html").write_text(SOURCE, encoding="utf-8")
    return build(folder / "captions.html", tmp_path_factory.mktemp("out"), formats=("pdf", "html"),
                 theme="scholarly").outputs


def test_labelled_captions_are_marked(built):
    page = lxml_html.fromstring(built["html"].read_bytes())
    figures = page.xpath("//figure")
    assert [f.get("class", "").split() for f in figures] == [["labelled"], [], ["table-figure", "labelled"]]
    assert page.xpath("//table[not(ancestor::figure)]")[0].get("class") is None


def test_numbers_are_not_doubled(built):
    text = " ".join(" ".join(page_texts(built["pdf"])).split())
    assert "Figure 7. A labelled figure." in text and "Figure 1. Figure 7" not in text
    # the unlabelled figure is the second one counted
    assert "Figure 2. An unlabelled figure." in text
    # the table in a figure is table 1 (not a figure); the next table is table 2
    assert "Table 4: A labelled table" in text and "Figure 3." not in text
    assert "Table 2. An unlabelled table." in text

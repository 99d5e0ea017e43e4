"""Case 9: hostile metadata strings come out as text in all three outputs: the same
elements and attributes as with harmless strings, and the strings themselves back."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from lxml import html as lxml_html

from exporter.cli import main

from . import figures

HOSTILE = {
    "title": '<script>alert("t")</script> & {{ 7*7 }} ]]>',
    "subtitle": '"><img src=x onerror=alert(1)> {% raw %}',
    "publisher": "' onmouseover='alert(1)' x='",
    "publication": "&amp; &lt;b&gt; &#x26; ${7*7}",
    "rights": "<!-- comment --> <![CDATA[ x ]]>",
    "license": "javascript:alert(1)",
    "source": "javascript:alert(document.cookie)",
    "description": "</title><style>body{background:url(http://127.0.0.1:9/x)}</style>",
    "identifier": "urn:x:<a href='javascript:alert(1)'>",
}
AUTHOR = '<b onclick="alert(1)">Eve</b> & "Mallory"'
SUBJECT = "{{ config }} <i>subject</i>"
BENIGN = {key: f"plain {key} text" for key in HOSTILE}


def _sidecar(values: dict[str, str], author: str, subject: str) -> str:
    lines = [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    lines += ["language = \"en\"", f"subjects = [{json.dumps(subject)}]", "",
              "[[contributors]]", f"name = {json.dumps(author)}", 'role = "aut"']
    return "\n".join(lines) + "\n"


def _build(folder: Path, values, author, subject) -> Path:
    folder.mkdir()
    (folder / "doc.txt").write_text("The article's only paragraph.\n", encoding="utf-8")
    (folder / "doc.toml").write_text(_sidecar(values, author, subject), encoding="utf-8")
    assert main(["build", str(folder / "doc.txt"), "-o", str(folder / "out")]) == 0
    return folder / "out"


def _shape(root: etree._Element) -> list[tuple[str, tuple[str, ...]]]:
    """Every element with its attribute names, in document order."""
    return [(etree.QName(el).localname, tuple(sorted(etree.QName(a).localname for a in el.attrib)))
            for el in root.iter(etree.Element)]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("escaping")
    hostile = _build(root / "hostile", HOSTILE, AUTHOR, SUBJECT)
    benign = _build(root / "benign", BENIGN, "plain author", "plain subject")
    figures.add("attacks", len(HOSTILE) + 2)
    return hostile, benign


def _epub(out: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(out / "doc.epub") as archive:
        return etree.fromstring(archive.read(name))


@pytest.mark.parametrize("part", ["html", "EPUB/text/article.xhtml", "EPUB/content.opf", "EPUB/nav.xhtml"])
def test_no_new_elements_or_attributes(outputs, part):
    hostile, benign = outputs
    if part == "html":
        shapes = [_shape(lxml_html.fromstring((o / "doc.html").read_bytes())) for o in (hostile, benign)]
    else:
        shapes = [_shape(_epub(o, part)) for o in (hostile, benign)]
    assert shapes[0] == shapes[1]


def test_strings_round_trip_in_html(outputs):
    page = lxml_html.fromstring((outputs[0] / "doc.html").read_bytes())
    assert page.xpath("string(//h1)") == HOSTILE["title"]
    assert page.xpath("string(//title)") == HOSTILE["title"]
    assert page.xpath("string(//p[@class='subtitle'])") == HOSTILE["subtitle"]
    assert page.xpath("string(//p[@class='publication'])") == HOSTILE["publication"]
    assert page.xpath("string(//p[@class='rights'])") == HOSTILE["rights"]
    assert page.xpath("//meta[@name='author']/@content") == [AUTHOR]
    assert page.xpath("//meta[@name='description']/@content") == [HOSTILE["description"]]
    assert page.xpath("//meta[@name='dcterms.publisher']/@content") == [HOSTILE["publisher"]]
    assert HOSTILE["license"] in page.xpath("string(//p[@class='license'])")
    assert not page.xpath("//a[contains(@href, 'javascript')]")  # never turned into links
    assert not page.xpath("//script | //style[contains(., '127.0.0.1')] | //*[@onclick or @onerror]")


def test_strings_round_trip_in_epub(outputs):
    ns = {"dc": "http://purl.org/dc/elements/1.1/", "opf": "http://www.idpf.org/2007/opf",
          "x": "http://www.w3.org/1999/xhtml"}
    opf = _epub(outputs[0], "EPUB/content.opf")
    assert opf.xpath("//dc:title/text()", namespaces=ns)[0] == HOSTILE["title"]
    assert opf.xpath("//dc:creator/text()", namespaces=ns) == [AUTHOR]
    for key in ("publisher", "rights", "description", "source"):
        assert opf.xpath(f"//dc:{key}/text()", namespaces=ns) == [HOSTILE[key]], key
    assert opf.xpath("//dc:subject/text()", namespaces=ns) == [SUBJECT]
    assert opf.xpath("//dc:identifier/text()", namespaces=ns) == [HOSTILE["identifier"]]
    page = _epub(outputs[0], "EPUB/text/article.xhtml")
    assert page.xpath("string(//x:h1)", namespaces=ns) == HOSTILE["title"]
    assert not page.xpath("//x:a[contains(@href, 'javascript')]", namespaces=ns)


def test_strings_round_trip_in_pdf(outputs):
    with pikepdf.open(outputs[0] / "doc.pdf") as pdf:
        assert str(pdf.docinfo["/Title"]) == HOSTILE["title"]
        assert AUTHOR in str(pdf.docinfo["/Author"])
        for annot in (a for page in pdf.pages for a in page.get("/Annots") or []):
            action = annot.get("/A")
            assert action is None or "javascript" not in str(action.get("/URI", "")).lower()
            assert action is None or action.get("/S") != pikepdf.Name.JavaScript
    text = subprocess.run(["pdftotext", str(outputs[0] / "doc.pdf"), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")
    flat = "".join(text.split()).lower()  # themes letter-space and upper-case some lines
    for value in (HOSTILE["title"], HOSTILE["subtitle"], HOSTILE["publication"], HOSTILE["rights"]):
        assert "".join(value.split()).lower() in flat, value


def test_command_line_metadata_is_text_too(tmp_path):
    (tmp_path / "a.txt").write_text("Body.\n", encoding="utf-8")
    assert main(["build", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "--to", "html",
                 "--title", HOSTILE["title"], "--author", AUTHOR, "--source-url", "javascript:alert(1)"]) == 0
    page = lxml_html.fromstring((tmp_path / "out" / "a.html").read_bytes())
    assert page.xpath("string(//h1)") == HOSTILE["title"]
    assert not page.xpath("//script | //a[starts-with(@href, 'javascript')]")
    figures.add("attacks")

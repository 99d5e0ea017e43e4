"""Completeness: does every text block of the source appear in an output's text?

Text is compared after NFKC normalisation and case folding, with whitespace, hyphens
and soft hyphens removed, so that line breaks, hyphenation, ligatures and
``text-transform`` in a PDF do not count as differences while a lost or altered word
still does.

PDF text is read in logical order from the tagged structure when the PDF has one
(what a screen reader reads): page furniture (running heads, page numbers) is not in
it, and the notes at the foot of each page, which the structure places between one
page's text and the next, are moved after the text so that a paragraph crossing a
page reads as one. An untagged PDF is read as raw text with page furniture removed.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote

from lxml import etree

from exporter.checks import tools
from exporter.checks.result import Finding, Severity
from exporter.errors import ExporterError
from exporter.model import Metadata
from exporter.safety.xml import parse_xml

_IGNORED = re.compile(r"[\s\u00ad\u200b-\u200f\u2060\ufeff\-\u2010\u2011]+")


def normalize(text: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


def missing(blocks: list[str], text: str) -> list[str]:
    """The blocks whose normalised text is not in the normalised ``text``."""
    haystack = normalize(text)
    return [block for block in blocks if normalize(block) not in haystack]


_PAGE_NUMBER = re.compile(r"^\s*([0-9]{1,5}|[ivxlcdm]{1,8})\s*$", re.I)


def pdf_text(path: Path, furniture: Sequence[str] = ()) -> str:
    """The PDF's text without page furniture: from the tagged structure when there is
    one, else the raw text without page-number lines at a page's top or bottom and
    lines made only of the ``furniture`` strings (title, publication…)."""
    structured = pdf_structure_text(path)
    if structured is not None:
        return structured
    exe = tools.pdftotext()
    if exe is None:
        raise RuntimeError("pdftotext is not installed (apt-get install poppler-utils)")
    result = subprocess.run([exe, "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=120)
    pages = result.stdout.decode("utf-8").split("\f")
    known = sorted({normalize(f) for f in furniture if normalize(f)}, key=len, reverse=True)
    cleaned = []
    for page in pages:
        lines = [line for line in page.split("\n") if line.strip()]
        for edge in (0, -1):
            if lines and _PAGE_NUMBER.match(lines[edge]):
                lines.pop(edge)
        cleaned.append("\n".join(line for line in lines if not _only_furniture(normalize(line), known)))
    return "\n".join(cleaned)


def pdf_structure_text(path: Path) -> str | None:
    """The text of a tagged PDF's structure tree in reading order, with page-foot notes
    (top-level elements that are not the article) after the text; None if untagged."""
    exe = tools.pdfinfo()
    if exe is None:
        return None
    result = subprocess.run([exe, "-struct-text", str(path)], capture_output=True, timeout=120)
    lines = result.stdout.decode("utf-8", errors="replace").splitlines()
    if result.returncode != 0 or not lines or lines[0].strip() != "Document":
        return None
    text: list[str] = []
    notes: list[str] = []
    target = text
    for line in lines[1:]:
        depth = (len(line) - len(line.lstrip(" "))) // 2
        content = line.strip()
        if depth == 1 and not content.startswith('"'):
            target = notes if content.split()[0] == "NonStruct" else text
        if content.startswith('"') and content.endswith('"') and len(content) >= 2:
            target.append(content[1:-1])
    return "\n".join(text + notes)


def _only_furniture(line: str, known: list[str]) -> bool:
    if not line or not known:
        return False
    for item in known:
        line = line.replace(item, "")
    return not line


# --- the text of each kind of output ---------------------------------------------------

def epub_text(path: Path) -> str:
    """The text of an EPUB's reading order (spine documents, navigation excluded)."""
    with zipfile.ZipFile(path) as book:
        container = _xml(book.read("META-INF/container.xml"), "META-INF/container.xml")
        opf_name = container.xpath("string(//*[local-name()='rootfile']/@full-path)")
        opf = _xml(book.read(opf_name), opf_name)
        base = posixpath.dirname(opf_name)
        items = {item.get("id"): item for item in opf.xpath("//*[local-name()='manifest']/*[local-name()='item']")}
        texts = []
        for ref in opf.xpath("//*[local-name()='spine']/*[local-name()='itemref']/@idref"):
            item = items.get(ref)
            if item is None or "nav" in (item.get("properties") or "").split():
                continue
            name = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
            texts.append(_visible_text(_xml(book.read(name), name)))
    return "\n".join(texts)


def html_text(path: Path) -> str:
    """The text of an HTML page's body."""
    from lxml import html

    return _visible_text(html.fromstring(path.read_bytes()))


def output_text(path: Path, furniture: Sequence[str] = ()) -> str:
    suffix = path.suffix.lower()
    if suffix == ".epub":
        return epub_text(path)
    if suffix == ".pdf":
        return pdf_text(path, furniture)
    if suffix in (".html", ".htm", ".xhtml"):
        return html_text(path)
    raise ValueError(f"{path.name}: no text extraction for {suffix or 'files without a suffix'}")


_MAX_REPORTED = 20


class Texts(Protocol):
    """What completeness compares an output with: an article, or a book of them."""

    @property
    def meta(self) -> Metadata: ...

    def text_blocks(self) -> list[str]: ...


def check(path: Path, article: Texts) -> list[Finding]:
    """An error for every text block of ``article`` that is missing from the output at ``path``."""
    blocks = article.text_blocks()
    furniture = [article.meta.title, article.meta.publication or ""]
    try:
        text = output_text(path, furniture)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, subprocess.CalledProcessError, ExporterError) as error:
        return [Finding(Severity.ERROR, f"the output's text cannot be read: {error}", "unreadable")]
    lost = set(missing(blocks, text))
    found = []
    for number, block in enumerate(blocks, 1):
        if block in lost:
            shown = block if len(block) <= 100 else block[:97] + "…"
            found.append(Finding(Severity.ERROR, f"text block missing: “{shown}”", "missing-text",
                                 f"block {number} of {len(blocks)}"))
    if len(found) > _MAX_REPORTED:
        found = found[:_MAX_REPORTED] + [Finding(Severity.ERROR, f"… and {len(found) - _MAX_REPORTED} more blocks "
                                                                 "are missing", "missing-text")]
    return found


def _xml(data: bytes, name: str) -> etree._Element:
    return parse_xml(data, name).getroot()


_NOT_TEXT = ("script", "style", "template", "head", "title")


def _visible_text(root: etree._Element) -> str:
    """The text of a document in reading order, without its head, scripts and styles."""
    parts, hidden = [], 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        named = isinstance(element.tag, str)
        skip = named and etree.QName(element).localname in _NOT_TEXT
        if event == "start":
            hidden += skip
            if named and not hidden:
                parts.append(element.text or "")
        else:
            hidden -= skip
            if not hidden and element is not root:
                parts.append(element.tail or "")
    return "".join(parts)

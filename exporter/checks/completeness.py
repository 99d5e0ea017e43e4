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

import re
import subprocess
import unicodedata
from pathlib import Path

from . import tools

_IGNORED = re.compile(r"[\s\u00ad\u200b-\u200f\u2060\ufeff\-\u2010\u2011]+")


def normalize(text: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


def missing(blocks: list[str], text: str) -> list[str]:
    """The blocks whose normalised text is not in the normalised ``text``."""
    haystack = normalize(text)
    return [block for block in blocks if normalize(block) not in haystack]


_PAGE_NUMBER = re.compile(r"^\s*([0-9]{1,5}|[ivxlcdm]{1,8})\s*$", re.I)


def pdf_text(path: Path, furniture: list[str] = ()) -> str:
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

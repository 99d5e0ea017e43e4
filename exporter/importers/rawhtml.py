"""Raw HTML that would hide what follows it, found and kept as text.

A few HTML constructs make the parser read everything after them as text or as
nothing: the raw-text elements (``<title>`` and ``<textarea>`` read until their own
end tag; ``<style>``, ``<script>``, ``<iframe>``, ``<noembed>``, ``<noframes>`` and
``<xmp>`` likewise; ``<plaintext>`` never ends) and comments, declarations and tags
that are never closed. Written in prose — ``Put the page name in the <title>
element.`` — such a tag swallows the rest of the document.

:func:`confine` reads a piece of HTML with the HTML5 tokenizer, switching into the
raw-text states exactly where a parser would, and asks two questions: would markup
written right after the piece still be read as markup, and does a raw-text element
that holds only text (all but ``<script>``) hold the end tag of the element it sits in?
Either way the construct at fault is made text (its ``<`` becomes ``&lt;``) and the
reading starts again after it, so each piece of a source — a Markdown paragraph, an
HTML block, a whole web page — ends where it should and nothing after it is lost. Each
repair is returned with its offset so the importer can report it (**S042**) with its
line.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from tinyhtml5.constants import Token
from tinyhtml5.tokenizer import HTMLTokenizer

from exporter.diagnostics import Diagnostics

__all__ = ["RAW_TEXT", "LIMIT", "Repair", "confine", "confine_page"]

#: raw-text elements and the tokenizer state a parser switches to after their start tag
RAW_TEXT = {"title": "rcdata", "textarea": "rcdata", "style": "rawtext", "xmp": "rawtext", "iframe": "rawtext",
            "noembed": "rawtext", "noframes": "rawtext", "script": "script_data", "plaintext": "plaintext"}
_SENTINEL = "x-exporter-end"
_RAW_START = re.compile(r"<(" + "|".join(RAW_TEXT) + r")[\s/>]", re.I)
#: repairs per piece; past it, the piece is left as the HTML parser reads it
LIMIT = 50


@dataclass(frozen=True)
class Repair:
    offset: int  #: where the construct starts in the returned text
    what: str  #: "<title>", "comment", "tag" …


class _Scanner(HTMLTokenizer):  # type: ignore[misc]  # tinyhtml5 ships no types
    """The HTML5 tokenizer, remembering where the last tag (or comment) began."""

    def __init__(self, text: str) -> None:
        super().__init__(io.StringIO(text))  # a string naming a file would be read as that file
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.tag_start = -1

    def offset(self) -> int:
        line, column = self.stream.position()
        return int(self.starts[line - 1] + column)

    def tag_open_state(self) -> bool:
        self.tag_start = self.offset() - 1  # the '<' was just read
        return bool(super().tag_open_state())


#: raw-text elements whose text is never markup: one holding the end tag of the element it
#: sits in (``<p>the <title> element.</p><p>…</title>``) has swallowed what followed it.
#: A script's text may hold such tags in its strings: it is only repaired when left open.
_TEXT_ONLY = frozenset(RAW_TEXT) - {"script", "plaintext"}
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")


def _swallowed(content: str) -> bool:
    """Whether raw text holds an end tag of an element it did not open (the end of its container)."""
    opened: list[str] = []
    for match in _TAG.finditer(content):
        name = match.group(2).lower()
        if not match.group(1):
            opened.append(name)
        elif name in opened:
            del opened[len(opened) - 1 - opened[::-1].index(name):]
        else:
            return True
    return False


def _first_problem(text: str) -> Repair | None:
    """The first construct that hides what follows it: one still open at the end of
    ``text``, or a text-only raw element that swallowed the end of its container."""
    scanner = _Scanner(text + f"<{_SENTINEL}>")
    raw: tuple[int, str, int] | None = None  # (start of its tag, name, start of its text)
    for token in scanner:
        kind = token["type"]
        if kind == Token.START_TAG:
            name = token["name"]
            if name == _SENTINEL and scanner.tag_start == len(text):
                return None
            if name in RAW_TEXT:
                raw = (scanner.tag_start, name, scanner.offset())
                scanner.state = getattr(scanner, f"{RAW_TEXT[name]}_state")
        elif kind == Token.END_TAG and raw is not None and token["name"] == raw[1]:
            end = text.rfind("</", raw[2], scanner.offset())
            if raw[1] in _TEXT_ONLY and _swallowed(text[raw[2]:end]):
                return Repair(raw[0], f"<{raw[1]}>")
            raw = None
    if raw is not None:
        return Repair(raw[0], f"<{raw[1]}>")
    start = max(scanner.tag_start, 0)
    head = text[start:start + 9]
    what = ("comment" if head.startswith("<!--") else "CDATA section" if head.upper().startswith("<![CDATA[")
            else "declaration" if head.startswith("<!") else "processing instruction" if head.startswith("<?")
            else "end tag" if head.startswith("</") else "tag")
    return Repair(start, what)


def _may_hide(text: str, thorough: bool) -> bool:
    """A quick test with no false negatives: can anything in ``text`` hide what follows?"""
    if "<" not in text:
        return False
    if thorough or text.rfind("<") > text.rfind(">") or text.rfind("<!--") > text.rfind("-->"):
        return True
    lower = text.lower()
    for match in _RAW_START.finditer(lower):
        name = match.group(1)
        end = re.compile(rf"</{name}[\s/>]").search(lower, match.end()) if name != "plaintext" else None
        if end is None or name in _TEXT_ONLY and "</" in lower[match.end():end.start()]:
            return True
    return False


def confine(text: str, *, thorough: bool = True) -> tuple[str, list[Repair]]:
    """``text`` with every construct that would hide what follows it made text.

    ``thorough``: read the whole text with the tokenizer; otherwise (whole pages) only
    when a quick look finds a raw-text element, comment or tag that may be left open
    (an attribute quote left open is then not looked for)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    repairs: list[Repair] = []
    base = 0  # the text before base is read in the data state: reading may restart there
    while len(repairs) < LIMIT and _may_hide(text[base:], thorough):
        found = _first_problem(text[base:])
        if found is None:
            break
        at = base + found.offset
        repairs.append(Repair(at, found.what))
        text = text[:at] + "&lt;" + text[at + 1:]
        base = at + 4
    return text, repairs


def confine_page(text: str, path: Path, diagnostics: Diagnostics) -> str:
    """:func:`confine` on a whole page (web HTML, an e-book chapter read as tag soup),
    each repair reported (S042) with its line."""
    text, repairs = confine(text, thorough=False)
    for repair in repairs:
        line = text.count("\n", 0, repair.offset) + 1
        diagnostics.add("S042", f"{repair.what} is left open: the page after it would be hidden in it; "
                        "kept as text", file=path, line=line, hint="close it, or write it as &lt; in text")
    if len(repairs) >= LIMIT:
        diagnostics.add("S042", f"more than {LIMIT} places left open; the rest of the page is read as a browser "
                        "reads it", file=path, hint="repair the page's markup")
    return text

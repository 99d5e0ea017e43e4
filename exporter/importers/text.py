"""Plain-text importer.

Blocks are separated by blank lines; lines inside a block are joined. Recognised:

* ``PHOTO: caption (Credit)`` (also ``IMAGE:``, ``PICTURE:``) → a figure whose caption
  and credit are kept as text. When an image with the source's stem sits next to it
  (``story.jpg`` for ``story.txt``), it becomes the figure's image.
* ``# Heading`` / ``## Heading`` → section headings; ``* * *`` or ``---`` → a break.
* blocks whose lines all start with ``- ``, ``* ``, ``• `` or ``1. `` → lists;
  lines starting with ``>`` → a block quote.
* interviews: ``Q:``/``A:`` prefixes, or — as in most published interviews — a
  question paragraph (ending in "?") followed by answer paragraphs. Questions and
  answers are marked up as such; the paragraphs before the first question are the lead
  when they read as one (at most three, 1,500 characters; more is body text).
* ``[bracketed words]`` inside a paragraph → an editorial insertion (kept, marked up);
  ``http(s)://`` URLs → links.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.importers._common import clean_text, decode_text, read_source, require_text
from exporter.importers.assets import root_for
from exporter.model import Article, Contributor, Metadata, new_article
from exporter.model.links import encoded
from exporter.safety.confine import Root

if TYPE_CHECKING:
    from exporter.settings import Settings

PHOTO_RE = re.compile(r"^(?:PHOTO|Photo|IMAGE|Image|PICTURE|Picture|FOTO|Foto)\s*:\s*(.+)$", re.S)
CREDIT_RE = re.compile(r"^(.*?)[\s,]*\(([^()]{2,80})\)\s*$", re.S)
HEADING_RE = re.compile(r"^(#{1,5})\s+(.+?)\s*#*$")
BREAK_RE = re.compile(r"^\s*(?:\*\s*){3,}$|^\s*-{3,}\s*$|^\s*(?:#\s*){3}$|^\s*(?:~\s*){3,}$")
BULLET_RE = re.compile(r"^\s*[-*•]\s+(.*)$")
NUMBER_RE = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
QA_RE = re.compile(r"^(Q|A|Question|Answer)\s*[:.]\s+(.*)$", re.S)
URL_RE = re.compile(r"https?://[^\s<>\"]+")
BRACKET_RE = re.compile(r"\[([^\[\]\d][^\[\]]{0,200})\]")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")


@dataclass
class Block:
    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(part.strip() for part in self.lines).strip()


def split_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: Block | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if current is None:
                current = Block(number, [])
                blocks.append(current)
            current.lines.append(line.rstrip())
        else:
            current = None
    return blocks


def read(path: Path, diagnostics: Diagnostics, settings: Settings | None = None) -> Article:
    encoding = settings.encoding if settings is not None else None
    text = clean_text(decode_text(read_source(path), path, diagnostics, encoding), path, diagnostics)
    require_text(text, path)
    body = new_article()
    builder = _Builder(path, body, diagnostics, root_for(path.parent, settings))
    builder.build(split_blocks(text))
    return Article(meta=catalogue_metadata(text), body=body, source=path, root=path.parent,
                   diagnostics=diagnostics)


#: a catalogue header's fields (Project Gutenberg's): field -> MARC relator role
_ROLES = {"author": "aut", "translator": "trl", "editor": "edt", "illustrator": "ill"}
_FIELD = re.compile(r"^(Title|Author|Translator|Editor|Illustrator|Language):[ \t]*(\S.*?)\s*$", re.M | re.I)


def catalogue_metadata(text: str) -> Metadata:
    """Title, contributors and language from a Project Gutenberg text's header (``Title:``,
    ``Author:``, ``Translator:``, ``Language: French`` lines before the text starts);
    empty metadata for any other text. The header itself stays in the text."""
    meta = Metadata(language="")
    head = text[:6000]
    if "project gutenberg" not in head.lower():
        return meta
    head = head.split("*** START OF", 1)[0]
    for match in _FIELD.finditer(head):
        field, value = match.group(1).lower(), match.group(2)
        if field == "title" and not meta.title:
            meta.title = value
        elif field == "language" and not meta.language:
            meta.language = _language_code(value) or ""
        elif field in _ROLES and value.lower() not in ("various", "anonymous", "unknown"):
            meta.contributors.append(Contributor(name=value, role=_ROLES[field]))
    return meta


def _language_code(name: str) -> str | None:
    """The language tag for an English language name ("French" -> "fr"), from Babel's
    names; None for a name it does not know (or for several languages)."""
    from babel import Locale

    names = {label.lower(): code for code, label in Locale("en").languages.items() if "_" not in code}
    return names.get(name.strip().lower())


def _every_line(pattern: re.Pattern[str], lines: list[str]) -> list[re.Match[str]] | None:
    """The match of ``pattern`` at the start of each line, or None if a line does not match."""
    matches = []
    for line in lines:
        match = pattern.match(line)
        if match is None:
            return None
        matches.append(match)
    return matches


#: a lead is at most this many paragraphs and characters
LEAD_BLOCKS, LEAD_CHARS = 3, 1500


def _reads_as_lead(blocks: list[Block]) -> bool:
    prose = [b for b in blocks
             if not PHOTO_RE.match(b.text) and not BREAK_RE.match(b.text) and not HEADING_RE.match(b.text)]
    return len(prose) <= LEAD_BLOCKS and sum(len(b.text) for b in prose) <= LEAD_CHARS


def _is_question(text: str) -> bool:
    stripped = text.rstrip(" \"'”’»)")
    return stripped.endswith(("?", "؟", "？")) and len(text) <= 600


class _Builder:
    def __init__(self, path: Path, body: etree._Element, diagnostics: Diagnostics, root: Root) -> None:
        self.path = path
        self.root = root
        self.body = body
        self.diagnostics = diagnostics
        self.container = body
        self._questions: set[int] = set()

    # -- element helpers ---------------------------------------------------------
    def element(self, parent: etree._Element, tag: str, line: int, **attrs: str) -> etree._Element:
        el = etree.SubElement(parent, tag, **attrs)
        el.sourceline = min(line, 65535)  # lxml keeps line numbers in 16 bits
        return el

    def paragraph(self, parent: etree._Element, text: str, line: int, cls: str | None = None) -> etree._Element:
        p = self.element(parent, "p", line, **({"class": cls} if cls else {}))
        inline(p, text)
        return p

    # -- structure ---------------------------------------------------------------
    def build(self, blocks: list[Block]) -> None:
        explicit_qa = sum(1 for b in blocks if QA_RE.match(b.text))
        interview_start = self._interview_start(blocks) if explicit_qa < 2 else None
        # the paragraphs before the first question are a lead only when they read as one:
        # a few short paragraphs (a book's worth of introduction is body text)
        has_lead = interview_start is not None and _reads_as_lead(blocks[:interview_start])
        in_interview = False
        lead: etree._Element | None = None
        group: etree._Element | None = None
        for index, block in enumerate(blocks):
            text = block.text
            if photo := PHOTO_RE.match(text):
                self.figure(photo.group(1).strip(), block.line)
                continue
            if BREAK_RE.match(text):
                self.element(self.container, "hr", block.line)
                group = None
                continue
            if heading := HEADING_RE.match(text):
                level = min(len(heading.group(1)) + 1, 6)
                section = self.element(self.body, "section", block.line)
                self.element(section, f"h{level}", block.line).text = heading.group(2)
                self.container = section
                in_interview, group = False, None
                continue
            if explicit_qa >= 2 and (qa := QA_RE.match(text)):
                kind = "question" if qa.group(1).lower().startswith("q") else "answer"
                group = self.element(self._interview(block.line), "div", block.line, **{"class": kind})
                self.paragraph(group, qa.group(2), block.line)
                in_interview = True
                continue
            if interview_start is not None and index >= interview_start:
                if index in self._questions:
                    group = self.element(self._interview(block.line), "div", block.line,
                                         **{"class": "question"})
                    self.paragraph(group, text, block.line)
                    in_interview = True
                    continue
                if group is None or "answer" != group.get("class"):
                    group = self.element(self._interview(block.line), "div", block.line,
                                         **{"class": "answer"})
                self.block(group, block)
                continue
            if has_lead and not in_interview:
                if lead is None:
                    lead = self.element(self.container, "div", block.line, **{"class": "lead"})
                self.block(lead, block)
                continue
            if in_interview and group is not None:
                self.block(group, block)
                continue
            self.block(self.container, block)

    def _interview_start(self, blocks: list[Block]) -> int | None:
        """Index of the first question when the text reads as an implicit Q&A."""
        prose = [i for i, b in enumerate(blocks)
                 if not PHOTO_RE.match(b.text) and not BREAK_RE.match(b.text) and not HEADING_RE.match(b.text)]
        questions = []
        for position, index in enumerate(prose[:-1]):
            following = blocks[prose[position + 1]].text
            if _is_question(blocks[index].text) and not _is_question(following) and position > 0:
                questions.append(index)
        self._questions = set(questions)
        return questions[0] if len(questions) >= 2 else None

    def _interview(self, line: int) -> etree._Element:
        last = self.container[-1] if len(self.container) else None
        if last is not None and last.tag == "section" and last.get("class") == "interview":
            return last
        return self.element(self.container, "section", line, **{"class": "interview"})

    def block(self, parent: etree._Element, block: Block) -> None:
        lines = block.lines
        bullets = _every_line(BULLET_RE, lines)
        if bullets is not None:
            ul = self.element(parent, "ul", block.line)
            for offset, match in enumerate(bullets):
                inline(self.element(ul, "li", block.line + offset), match.group(1))
            return
        numbers = _every_line(NUMBER_RE, lines)
        if numbers is not None:
            ol = self.element(parent, "ol", block.line)
            first = int(numbers[0].group(1))
            if first != 1:
                ol.set("start", str(first))
            for offset, match in enumerate(numbers):
                inline(self.element(ol, "li", block.line + offset), match.group(2))
            return
        if all(line.lstrip().startswith(">") for line in lines):
            quote = self.element(parent, "blockquote", block.line)
            inner = [line.lstrip()[1:].strip() for line in lines]
            self.paragraph(quote, " ".join(inner), block.line)
            return
        self.paragraph(parent, block.text, block.line)

    def figure(self, caption: str, line: int) -> None:
        figure = self.element(self.container, "figure", line)
        credit = None
        if match := CREDIT_RE.match(caption):
            caption, credit = match.group(1).strip(), match.group(2).strip()
        # the photo beside the source, by its name; each guess confined (exporter.safety.confine)
        image = next((self.path.with_suffix(s) for s in IMAGE_SUFFIXES
                      if self.root.is_file(self.path.with_suffix(s))), None)
        if image is not None:
            self.element(figure, "img", line, src=image.name, alt=caption)
        else:
            self.diagnostics.add("S003", "the photo line has no image file; its caption is kept as text",
                                 file=self.path, line=line,
                                 hint=f"put the picture next to the source as {self.path.stem}.jpg to include it")
        figcaption = self.element(figure, "figcaption", line)
        inline(figcaption, caption)
        if credit:
            if len(figcaption):
                figcaption[-1].tail = (figcaption[-1].tail or "") + " "
            else:
                figcaption.text = (figcaption.text or "") + " "
            self.element(figcaption, "span", line, **{"class": "credit"}).text = credit


def _valid_url(url: str) -> bool:
    try:
        urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return True


def inline(parent: etree._Element, text: str) -> None:
    """Append ``text`` to ``parent`` with URLs as links and [insertions] marked up."""
    pattern = re.compile(f"(?P<url>{URL_RE.pattern})|(?P<bracket>{BRACKET_RE.pattern})")
    position = 0
    last: etree._Element | None = None

    def add_text(value: str) -> None:
        if not value:
            return
        if last is None:
            parent.text = (parent.text or "") + value
        else:
            last.tail = (last.tail or "") + value

    for match in pattern.finditer(text):
        add_text(text[position:match.start()])
        if match.group("url"):
            url = match.group("url")
            trailing = ""
            while url and url[-1] in ".,;:!?)]}'\"’”":
                trailing = url[-1] + trailing
                url = url[:-1]
            href = encoded(url) if _valid_url(url) else None  # written as a valid URL (links.py)
            if href is None:  # e.g. "http://[" : kept as text
                add_text(url + trailing)
                position = match.end()
                continue
            last = etree.SubElement(parent, "a", href=href)
            last.text = url
            add_text(trailing)
        else:
            last = etree.SubElement(parent, "span", **{"class": "editorial"})
            last.text = match.group(0)
        position = match.end()
    add_text(text[position:])

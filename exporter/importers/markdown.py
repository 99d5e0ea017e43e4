"""Markdown importer: CommonMark with tables, footnotes, strikethrough, definition
lists and task lists (markdown-it-py), with YAML front matter for metadata.

Raw HTML in the Markdown is never passed through: the rendered page goes through the
allowlist sanitiser like any web page (:mod:`.sanitize`). kramdown's ``markdown="1"``
(Markdown inside an HTML block, as GitHub Pages sites write it) is honoured for the
text directly inside such an element. Headings get GitHub-style ids (letters of every
script kept, other punctuation dropped, spaces to hyphens), so in-page links written
for GitHub or Jekyll keep working; a leading ``# Title`` becomes the title when the
front matter has none. An image alone in a paragraph is a figure captioned with its
alt text, as pandoc makes it. Diagnostics point at the Markdown line.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block.html_block import HTML_SEQUENCES
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from exporter.diagnostics import Diagnostics
from exporter.importers import frontmatter
from exporter.importers._common import clean_text, decode_text, read_source, require_text
from exporter.importers.assets import Assets
from exporter.importers.finish import finish
from exporter.importers.html import _title_from_heading
from exporter.importers.htmlparse import parse_html
from exporter.importers.rawhtml import LIMIT, confine
from exporter.importers.sanitize import Sanitizer
from exporter.model import Article, new_article, normalize_space, text_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.renderer import RendererProtocol
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

    from exporter.settings import Settings

__all__ = ["read", "render", "github_slug"]

_MARKER = re.compile(r"^exporter-line:(\d+)$")
#: a line that may open an HTML block ending only at its closing sequence (CommonMark types 1–5),
#: after the marks of quotes and list items
_OPENINGS = re.compile(r"^[ \t>*+\-0-9.)]*<(?:(?:script|pre|style|textarea)(?=[\s>]|$)|!|\?)", re.M | re.I)
_INLINE_SYNTAX = re.compile(r"\[[^\]]*\]\([^)]*\)|\*\*|__|(?<!\w)[*_]\S|`|!\[")


class _Renderer(RendererHTML):
    """markdown-it's renderer, with the raw HTML of each paragraph and each HTML block
    confined to itself (:mod:`.rawhtml`): an unclosed ``<title>``, ``<style>`` or
    comment is made text there and cannot hide what follows. Repairs are listed in
    ``env["repairs"]`` as (Markdown line, what)."""

    def render(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType) -> str:
        out: list[str] = []
        line = 1
        skip = 0
        for i, token in enumerate(tokens):
            if skip:
                skip -= 1
                continue
            if token.map:
                line = token.map[0] + 1
            image = _lone_image(tokens, i)
            if image is not None:  # pandoc's implicit figure: the alt text is the caption
                attrs = f' data-line="{line}"' if token.map else ""
                img = self.renderInline([image], options, env)
                caption = self.renderInline(image.children or [], options, env)
                out.append(f"<figure{attrs}>{img}<figcaption>{_confined(caption, line, env)}</figcaption></figure>\n")
                skip = 2
                continue
            if token.type == "inline":
                if token.children:  # inline raw HTML is whole tags: only raw text and comments can stay open
                    out.append(_confined(self.renderInline(token.children, options, env), line, env, thorough=False))
            elif token.type in self.rules:
                out.append(self.rules[token.type](tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, env))
        return "".join(out)


def _lone_image(tokens: Sequence[Token], i: int) -> Token | None:
    """The image token when tokens[i:i+3] is a paragraph holding one image with alt text."""
    if tokens[i].type != "paragraph_open" or tokens[i].hidden or i + 2 >= len(tokens):
        return None
    inline, close = tokens[i + 1], tokens[i + 2]
    if inline.type != "inline" or close.type != "paragraph_close":
        return None
    children = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
    if len(children) != 1 or children[0].type != "image" or not children[0].content.strip():
        return None
    return children[0]


def _confined(html: str, line: int, env: EnvType, thorough: bool = True) -> str:
    html, repairs = confine(html, thorough=thorough)
    for repair in repairs:
        env.setdefault("repairs", []).append((line + html.count("\n", 0, repair.offset), repair.what))
    return html


def _parser(html: bool = True) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html, "linkify": False, "typographer": False}, renderer_cls=_Renderer)
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin)

    def html_block(renderer: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict,
                   env: EnvType) -> str:
        token = tokens[idx]
        line = token.map[0] + 1 if token.map else 0
        return f"<!--exporter-line:{line}-->" + _confined(token.content, line, env)

    md.add_render_rule("html_block", html_block)
    return md


def render(source: str, repairs: list[tuple[int, str]] | None = None) -> str:
    """Markdown text to HTML, each block marked with its source line (``data-line``).

    Raw HTML that would hide the text after it is made text; ``repairs`` receives
    (line, what) for each such place."""
    md = _parser()
    env: dict[str, Any] = {}
    tokens = md.parse(source, env)
    for token in tokens:
        if token.map and token.nesting >= 0 and token.type != "html_block" and token.tag:
            token.attrSet("data-line", str(token.map[0] + 1))
    html: str = md.renderer.render(tokens, md.options, env)
    if repairs is not None:
        repairs.extend(env.get("repairs", []))
    return html


def close_html_blocks(source: str, repairs: list[tuple[int, str]] | None = None) -> str:
    """CommonMark ends an HTML block that opens with ``<script``, ``<pre``, ``<style``,
    ``<textarea``, ``<!--``, ``<?`` or ``<!`` only at its closing sequence — without one,
    the rest of the document (or of its list item or quote) is raw HTML, not Markdown.
    Such an opening is made text (``&lt;``) so the Markdown after it is read as Markdown;
    ``repairs`` receives (line, what)."""
    if not _OPENINGS.search(source):
        return source
    md = _parser()
    lines = source.split("\n")
    for _ in range(LIMIT):  # each repair is read again; a hostile source is bounded
        for token in md.parse(source):
            if token.type != "html_block" or not token.map:
                continue
            first = token.content.lstrip(" ").split("\n", 1)[0]
            kind = next((seq for seq in HTML_SEQUENCES[:5] if seq[0].search(first)), None)
            if kind is None:
                continue
            opening = _opening(first)
            if kind is HTML_SEQUENCES[0]:  # the block ends at any of four end tags; its own must be there
                if re.search(rf"</{opening[1:-1]}>", token.content, re.I):
                    continue
            elif any(kind[1].search(text) for text in token.content.split("\n")):
                continue
            number = token.map[0]
            at = lines[number].find(first[:40])
            if at < 0:
                continue
            lines[number] = lines[number][:at] + "&lt;" + lines[number][at + 1:]
            if repairs is not None:
                repairs.append((number + 1, opening))
            source = "\n".join(lines)
            break
        else:
            break
    return source


def _opening(line: str) -> str:
    match = re.match(r"<([A-Za-z]+)", line)
    if match:
        return f"<{match.group(1).lower()}>"
    return "comment" if line.startswith("<!--") else "processing instruction" if line.startswith(
        "<?") else "CDATA section" if line.startswith("<![") else "declaration"


def read(path: Path, diagnostics: Diagnostics, settings: Settings | None = None) -> Article:
    encoding = settings.encoding if settings is not None else None
    raw = read_source(path)
    decoded = Diagnostics()
    text = require_text(clean_text(decode_text(raw, path, decoded, encoding), path, decoded), path)
    block, text, first = frontmatter.split(text)
    meta_front: dict[str, Any] = frontmatter.parse(block, first, path, decoded) if block is not None else {}
    declared = meta_front.pop("encoding", None)
    if isinstance(declared, str) and declared.strip() and encoding is None:
        # the front matter names the file's encoding (its keys are ASCII, so readable
        # before it is known): read the file again in it
        decoded = Diagnostics()
        text = require_text(clean_text(decode_text(raw, path, decoded, declared.strip()), path, decoded), path)
        block, text, first = frontmatter.split(text)
        meta_front = frontmatter.parse(block, first, path, decoded) if block is not None else {}
        meta_front.pop("encoding", None)
    diagnostics.extend(decoded)
    if block is None:
        meta_front, text = pandoc_title_block(text)
        first = 1 if meta_front else first
    from exporter.model import Metadata

    meta, rest = frontmatter.to_metadata(meta_front, path, first or 1, diagnostics) if meta_front else (
        Metadata(title="", language=""), {})
    if not meta.date and (name_date := frontmatter.date_from_name(path, diagnostics)):
        meta.date = name_date
    repairs: list[tuple[int, str]] = []
    text = close_html_blocks(text, repairs)
    root = parse_html(render(text, repairs), fragment=True)
    for line, what in repairs:
        diagnostics.add("S042", f"{what} is left open: the text after it would be hidden; kept as text",
                        file=path, line=line,
                        hint=f"write it in backticks (`{what}`) to show it as code, or close it" if what.startswith(
                            "<") else "close it where it starts")
    _source_lines(root)
    _kramdown_markdown(root)
    assets = Assets(path, path.parent, diagnostics, settings=settings)
    if isinstance(rest.get("image"), str) and rest["image"]:
        cover = assets.image(rest["image"], first or 1, what="cover image")
        if cover and not cover.startswith("data:"):
            meta.cover = cover
    sanitizer = Sanitizer(path, diagnostics, assets,
                          base_url=meta.source if (meta.source or "").startswith(("http://", "https://")) else None)
    sanitizer.prepare(root)
    body = new_article()
    sanitizer.convert(root, body)
    for note in sanitizer.notes:
        body.append(note)
    _title_from_heading(body, meta)
    _heading_ids(body)
    finish(body, diagnostics, path)
    return Article(meta=meta, body=body, source=path, root=path.parent, diagnostics=diagnostics)


def pandoc_title_block(text: str) -> tuple[dict[str, Any], str]:
    """pandoc's title block — ``% title``, ``% author(s)``, ``% date`` as the first lines —
    as front matter (its lines blanked, so lines keep their numbers). A field may be
    empty (``%`` alone) or go on over lines that begin with a space; authors are
    separated by ``;`` or given one a line."""
    lines = text.split("\n")
    fields: list[list[str]] = []
    used = 0
    for line in lines:
        if line.startswith("%") and len(fields) < 3:
            fields.append([line[1:].strip()])
        elif fields and line[:1] in (" ", "\t") and line.strip():
            fields[-1].append(line.strip())
        else:
            break
        used += 1
    if not fields:
        return {}, text
    data: dict[str, Any] = {"title": " ".join(p for p in fields[0] if p)}
    if len(fields) > 1:
        data["author"] = [name.strip() for part in fields[1] for name in part.split(";") if name.strip()]
    if len(fields) > 2:
        data["date"] = " ".join(p for p in fields[2] if p)
    return {k: v for k, v in data.items() if v}, "\n" * used + "\n".join(lines[used:])


def _source_lines(root: etree._Element) -> None:
    """Turn rendered-HTML lines into Markdown lines (data-line attributes, line markers)."""
    marker: tuple[int, int] | None = None  # (rendered line, source line)
    anchors: set[etree._Element] = set()  # elements rendered from Markdown (they carry their own line)
    for node in root.iter():
        if node.tag is etree.Comment:
            match = _MARKER.match(node.text or "")
            if match:
                marker = (node.sourceline or 0, int(match.group(1)))
                anchors = set()
            continue
        if not isinstance(node.tag, str):
            continue
        own = node.get("data-line")
        if own is not None:
            node.attrib.pop("data-line")
            node.sourceline = int(own)
            anchors.add(node)
            continue
        owner = next((a for a in node.iterancestors() if a in anchors), None)
        if owner is not None:
            node.sourceline = owner.sourceline
        elif marker is not None and node.sourceline:
            node.sourceline = max(1, marker[1] + node.sourceline - marker[0])


def _kramdown_markdown(root: etree._Element) -> None:
    """kramdown's markdown="1": Markdown inside raw HTML (text right inside the element).
    That text was HTML text already: a ``<`` in it is a character, never a tag again."""
    md = _parser(html=False)
    for el in list(root.iter(etree.Element)):
        if el.get("markdown") not in ("1", "span", "block"):
            continue
        del el.attrib["markdown"]
        if el.text and _INLINE_SYNTAX.search(el.text):
            nodes = _inline(md, el.text, el.sourceline)
            el.text = None
            _splice(el, 0, nodes)
        for child in list(el):
            if child.tail and _INLINE_SYNTAX.search(child.tail):
                nodes = _inline(md, child.tail, child.sourceline)
                child.tail = None
                _splice(el, el.index(child) + 1, nodes)


def _inline(md: MarkdownIt, text: str, line: int | None) -> etree._Element:
    holder = parse_html(md.renderInline(text), fragment=True)
    for node in holder.iter():
        if line and isinstance(node.tag, str):
            node.sourceline = line
    return holder


def _splice(parent: etree._Element, index: int, holder: etree._Element) -> None:
    """Insert the content of ``holder`` (text and children) into ``parent`` at ``index``."""
    text = holder.text or ""
    if text:
        if index == 0:
            parent.text = (parent.text or "") + text
        else:
            parent[index - 1].tail = (parent[index - 1].tail or "") + text
    for offset, child in enumerate(list(holder)):
        parent.insert(index + offset, child)


def github_slug(text: str) -> str:
    """GitHub's heading anchors: lower case, letters/marks/digits/_/-/space kept, spaces → '-'."""
    kept = []
    for char in text.lower():
        category = unicodedata.category(char)
        if char in "- " or char == "_" or category[0] in ("L", "M", "N"):
            kept.append(char)
    return "".join(kept).replace(" ", "-")


def _heading_ids(body: etree._Element) -> None:
    used = {el.get("id") for el in body.iter(etree.Element) if el.get("id")}
    counts: dict[str, int] = {}
    for heading in body.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        if heading.get("id"):
            continue
        base = github_slug(normalize_space(text_of(heading)))
        if not base:
            continue
        n = counts.get(base, 0)
        slug = base if n == 0 else f"{base}-{n}"
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        counts[base] = n + 1
        used.add(slug)
        heading.set("id", slug)

"""Markdown importer: CommonMark with tables, footnotes, strikethrough, definition
lists and task lists (markdown-it-py), with YAML front matter for metadata.

Raw HTML in the Markdown is never passed through: the rendered page goes through the
allowlist sanitiser like any web page (:mod:`.sanitize`). kramdown's ``markdown="1"``
(Markdown inside an HTML block, as GitHub Pages sites write it) is honoured for the
text directly inside such an element. Headings get GitHub-style ids (letters of every
script kept, other punctuation dropped, spaces to hyphens), so in-page links written
for GitHub or Jekyll keep working; a leading ``# Title`` becomes the title when the
front matter has none. Diagnostics point at the Markdown line.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from markdown_it import MarkdownIt
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
_INLINE_SYNTAX = re.compile(r"\[[^\]]*\]\([^)]*\)|\*\*|__|(?<!\w)[*_]\S|`|!\[")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin)

    def html_block(renderer: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict,
                   env: EnvType) -> str:
        token = tokens[idx]
        line = token.map[0] + 1 if token.map else 0
        return f"<!--exporter-line:{line}-->" + token.content

    md.add_render_rule("html_block", html_block)
    return md


def render(source: str) -> str:
    """Markdown text to HTML, each block marked with its source line (``data-line``)."""
    md = _parser()
    tokens = md.parse(source)
    for token in tokens:
        if token.map and token.nesting >= 0 and token.type != "html_block" and token.tag:
            token.attrSet("data-line", str(token.map[0] + 1))
    rendered: str = md.renderer.render(tokens, md.options, {})
    return rendered


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
    from exporter.model import Metadata

    meta, rest = frontmatter.to_metadata(meta_front, path, first or 1, diagnostics) if meta_front else (
        Metadata(title="", language=""), {})
    if not meta.date and (name_date := frontmatter.date_from_name(path, diagnostics)):
        meta.date = name_date
    root = parse_html(render(text), fragment=True)
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
    """kramdown's markdown="1": Markdown inside raw HTML (text right inside the element)."""
    md = _parser()
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

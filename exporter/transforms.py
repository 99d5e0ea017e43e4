"""Ordered Article → Article steps that run after import and validation, before any
writer (after docutils' transforms). Each is a plain function of the document
context; :data:`TRANSFORMS` lists them in order. They fill in what every writer needs
(a title, ids on headings, checked images) so that no writer repeats that logic.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from lxml import etree

from exporter.model import MATHML_NS, Article, Metadata, normalize_space, slugify, text_of
from exporter.model.scripts import CJK_FAMILY, RTL_SCRIPTS, language_of_script, runs, script_of, scripts_of
from exporter.model.tree import remove_keep_tail
from exporter.safety.fetch import FetchRefused
from exporter.settings import Context

__all__ = ["TRANSFORMS", "apply", "finish_metadata", "derive_title"]


def derive_title(article: Article) -> str:
    """A short title from the first paragraph's first sentence (or the file name)."""
    for p in article.body.iter("p", "h2", "h3"):
        text = normalize_space(text_of(p)).strip("*=#~_-–—· ")  # rules and banners are no title
        if any(c.isalnum() for c in text):
            sentence = re.split(r"(?<=[.!?。！？])\s", text, maxsplit=1)[0]
            if len(sentence) <= 90:
                return sentence.rstrip(".")
            cut = sentence[:90].rsplit(" ", 1)[0].rstrip(",;:—–- ")
            return cut + "…"
    return article.source.stem.replace("_", " ").replace("-", " ").strip() or "Untitled"


def clean_metadata(article: Article) -> None:
    """Remove XML-illegal characters from every metadata string (S002), wherever it came
    from (source, sidecar, command line), so that no output can be malformed by them;
    line ends are normalised to LF on the way (silently, as XML parsers do)."""
    from exporter.importers._common import clean_string

    def clean(value: object, changed: list[str], name: str) -> object:
        if isinstance(value, str):
            cleaned = clean_string(value)
            if cleaned != value.replace("\r\n", "\n").replace("\r", "\n"):
                changed.append(name)
            return cleaned
        if isinstance(value, list):
            return [clean(v, changed, name) for v in value]
        return value

    meta: Metadata = article.meta
    changed: list[str] = []
    for item in fields(meta):
        if item.name != "contributors":
            setattr(meta, item.name, clean(getattr(meta, item.name), changed, item.name))
    for contributor in meta.contributors:
        for name in ("name", "role", "file_as"):
            setattr(contributor, name, clean(getattr(contributor, name), changed, "contributors"))
    if changed:
        article.diagnostics.add(
            "S002", "removed characters that XML cannot carry from the metadata: "
            + ", ".join(dict.fromkeys(changed)), file=article.source,
            hint="remove control characters from the sidecar or the command-line options")


def drop_attachment_links(ctx: Context) -> None:
    """Only exporter attaches files to a PDF: ``rel="attachment"`` in a source is removed
    (WeasyPrint would otherwise embed the linked file in the PDF)."""
    for el in ctx.article.body.iter(etree.Element):
        rel = el.get("rel")
        if rel is None:
            continue
        tokens = [t for t in rel.split() if t.lower() != "attachment"]
        if len(tokens) != len(rel.split()):
            ctx.diagnostics.add("S010", f"attachment link to '{el.get('href', '')[:80]}' is kept as an ordinary "
                                "link; sources cannot attach files", file=ctx.article.source,
                                line=el.sourceline, hint="remove rel=\"attachment\" from the link")
        if tokens:
            el.set("rel", " ".join(tokens))
        else:
            del el.attrib["rel"]


def finish_metadata(article: Article) -> None:
    """Fill in what the metadata must have: a title (S001) and a language."""
    clean_metadata(article)
    meta: Metadata = article.meta
    if not meta.title.strip():
        meta.title = derive_title(article)
        article.diagnostics.add(
            "S001", f"no title given; using \u201c{meta.title}\u201d", file=article.source,
            hint=f"set title = \"…\" in {article.source.with_suffix('.toml').name} or pass --title")
    if not meta.language:
        meta.language = article.body.get("lang") or "en"
    article.body.attrib.pop("lang", None)


def assign_ids(ctx: Context) -> None:
    """Give every heading and section an id (for the table of contents and links)."""
    body = ctx.article.body
    used = {el.get("id") for el in body.iter(etree.Element) if el.get("id")}
    for heading in body.iter("h2", "h3", "h4", "h5", "h6"):
        if heading.get("id"):
            continue
        parent = heading.getparent()
        if parent.tag == "section" and parent.get("id"):
            continue
        base = slugify(normalize_space(text_of(heading)))
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        heading.set("id", candidate)


def check_notes(ctx: Context) -> None:
    body = ctx.article.body
    referenced = {a.get("href", "")[1:] for a in body.iter("a") if "noteref" in a.get("class", "").split()}
    for note in body.iter("aside"):
        if "note" in note.get("class", "").split() and note.get("id") not in referenced:
            ctx.diagnostics.add("M002", f"note '{note.get('id')}' is never referenced; it is kept at the end",
                                file=ctx.article.source, line=note.sourceline,
                                hint="add <a class=\"noteref\" href=\"#id\"/> where the note belongs")


def check_links(ctx: Context) -> None:
    """Internal links must point at an id; a broken one keeps its text, loses the link."""
    body = ctx.article.body
    ids = {el.get("id") for el in body.iter(etree.Element) if el.get("id")}
    for a in list(body.iter("a")):
        href = a.get("href")
        if href and href.startswith("#") and "noteref" not in a.get("class", "").split():
            if urllib.parse.unquote(href[1:]) not in ids:
                ctx.diagnostics.add("M004", f"link to '#{href[1:]}', which is not in the article",
                                    file=ctx.article.source, line=a.sourceline,
                                    hint="fix the id, or remove the link")
                del a.attrib["href"]
                a.tag = "span"


def check_images(ctx: Context) -> None:
    """Fetch every image through the confined fetcher; keep what cannot be shown as text."""
    from PIL import Image, UnidentifiedImageError

    for img in list(ctx.article.body.iter("img")):
        src = img.get("src", "")
        if img.get("alt") is None:
            ctx.diagnostics.add("M001", f"image '{src}' has no alternative text", file=ctx.article.source,
                                line=img.sourceline, hint="add alt=\"…\" describing the image (alt=\"\" if decorative)")
        try:
            fetched = ctx.fetcher.get(ctx.url_for(src))
        except FetchRefused:
            _drop_image(img)
            continue
        if fetched.media_type == "image/svg+xml":
            continue
        try:
            with Image.open(io.BytesIO(fetched.data)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            ctx.diagnostics.add("R007", f"image '{src}' cannot be decoded ({error.__class__.__name__})",
                                file=ctx.article.source, line=img.sourceline, hint="re-save it as PNG or JPEG")
            _drop_image(img)


def _drop_image(img: etree._Element) -> None:
    """Replace an unusable image: in a figure the caption stands; inline, the alt text."""
    parent = img.getparent()
    alt = img.get("alt") or ""
    if parent.tag == "figure" or not alt:
        replacement = None
    else:
        replacement = etree.Element("span", {"class": "missing-image"})
        replacement.text = f"[{alt}]"
    if replacement is not None:
        replacement.tail = img.tail
        parent.replace(img, replacement)
        return
    remove_keep_tail(img)
    if parent.tag == "figure" and parent.find("figcaption") is None:
        if alt:
            caption = etree.SubElement(parent, "figcaption")
            caption.text = alt
        elif not len(parent):
            parent.getparent().remove(parent)


def tidy_structure(ctx: Context) -> None:
    """What assistive technology needs of the structure, in every output: heading levels
    that do not skip (an h4 straight after an h2 becomes an h3; the title is the h1), and
    no empty header cells (a ``<th>`` with nothing in it labels nothing: it becomes a
    ``<td>``). Sources from other tools (JATS tables, nested web pages) often have both."""
    body = ctx.article.body
    last = 1
    for heading in body.iter("h2", "h3", "h4", "h5", "h6"):
        level = int(heading.tag[1])
        if level > last + 1:
            level = last + 1
            heading.tag = f"h{level}"
        last = level
    for cell in list(body.iter("th")):
        if not "".join(cell.itertext()).strip() and cell.find(".//img") is None and not any(
                isinstance(el.tag, str) and el.tag.startswith("{") for el in cell.iter()):
            cell.tag = "td"
            for name in ("scope", "abbr"):
                cell.attrib.pop(name, None)



def check_math(ctx: Context) -> None:
    """Say where math degrades: EPUB and HTML keep MathML, the PDF sets it with CSS (M005)."""
    if "pdf" not in ctx.settings.formats:
        return
    maths = list(ctx.article.body.iter(f"{{{MATHML_NS}}}math"))
    if maths:
        ctx.diagnostics.add("M005", f"{len(maths)} formula(s): the PDF sets MathML with a simplified layout "
                            "(EPUB and HTML keep MathML and its alternative text)", file=ctx.article.source,
                            line=maths[0].sourceline,
                            hint="check display formulas in the PDF; the EPUB and HTML are exact")



#: elements whose text is not running prose (code, formulas, ruby annotations, explicit isolation)
_NOT_PROSE = {"code", "pre", "kbd", "samp", "var", "bdi", "bdo", "rt", "rp"}
_CODE = ("code", "pre", "kbd", "samp", "var")
_NUMBERS = re.compile(r"(?:[ \u00a0.,:/+-]*[0-9])+")
_INLINE = {"span", "em", "strong", "i", "b", "a", "cite", "q", "abbr", "dfn", "mark", "small", "u", "s", "sub",
           "sup", "time", "ins", "del"}


def mark_passages(ctx: Context) -> None:
    """Language of parts and direction, in every output. A passage in a script the
    language around it is not written in gets ``lang`` when its script belongs to one
    language only (Hangul: ko, kana: ja, Thai: th…; never Latin, Cyrillic, Arabic,
    Hebrew or Han alone, which several languages share: those need the source's own
    ``lang``), and is isolated with ``dir`` when its direction differs from the
    document's: ``<span dir="ltr">`` around Latin runs in Arabic, Persian or Hebrew text,
    ``dir="rtl"`` around Arabic or Hebrew in a left-to-right document. Latin runs in
    Chinese, Japanese and Korean text are isolated too. Code in a right-to-left document
    is set left to right."""
    mark(ctx.article.body, ctx.article.meta.language, ctx.article.meta.dir)


def mark(body: etree._Element, language: str, direction: str) -> None:
    """:func:`mark_passages` on a model body in ``language`` and ``direction``."""
    primary = language.split("-")[0].lower()
    rtl = direction == "rtl"
    if rtl:
        for el in body.iter(*_CODE):
            text = "".join(el.itertext())
            scripts = {script_of(c) for c in text} - {None}
            if el.get("dir") is None and "Latin" in scripts and not scripts & RTL_SCRIPTS:
                el.set("dir", "ltr")
    _mark(body, language, direction, isolate_latin=rtl or primary in ("ja", "zh", "ko"))


def _mark(el: etree._Element, lang: str, direction: str, *, isolate_latin: bool) -> None:
    lang = el.get("lang") or lang
    direction = el.get("dir") or direction
    if not isinstance(el.tag, str) or el.tag.startswith("{") or el.tag in _NOT_PROSE:
        return
    children = list(el)
    if el.text:
        spans = _passages(el.text, lang, direction, isolate_latin)
        if len(spans) == 2 and not children and el.tag in _INLINE and el.get("dir") is None \
                and not (spans[0].strip() or spans[1].tail.strip()):
            # the whole of an inline element (a span with the source's lang, an emphasis): mark it
            el.set("dir", spans[1].get("dir"))
            if spans[1].get("lang") and not el.get("lang"):
                el.set("lang", spans[1].get("lang"))
        elif spans:
            el.text = spans[0]
            for index, span in enumerate(spans[1:]):
                el.insert(index, span)
    for child in children:
        _mark(child, lang, direction, isolate_latin=isolate_latin)
        if child.tail:
            spans = _passages(child.tail, lang, direction, isolate_latin)
            if spans:
                child.tail = spans[0]
                parent = child.getparent()
                for index, span in enumerate(spans[1:]):
                    parent.insert(parent.index(child) + 1 + index, span)


def _passages(text: str, lang: str, direction: str, isolate_latin: bool) -> list[Any]:
    """``text`` cut into the text before the first marked passage and one span per passage
    (with the text that follows it as its tail); [] when nothing is marked."""
    allowed = scripts_of(lang)
    primary = lang.split("-")[0].lower()
    out: list[Any] = [""]
    position = 0
    for run in runs(text, CJK_FAMILY):
        run_dir = "rtl" if run.scripts & RTL_SCRIPTS else "ltr"
        foreign = allowed is None or not run.scripts <= allowed
        language = language_of_script(run.scripts) if foreign else None
        if language == primary:
            language = None
        needs_dir = run_dir != direction or (isolate_latin and run.scripts == {"Latin"})
        if not language and not needs_dir:
            continue
        if run_dir == "ltr":  # numbers that follow belong to the passage ("Node.js 18"), as without isolation
            following = _NUMBERS.match(text, run.end)
            run.end = following.end() if following else run.end
        if len(out) == 1:
            out[0] += text[position:run.start]
        else:
            out[-1].tail += text[position:run.start]
        span = etree.Element("span", {"dir": run_dir})
        if language:
            span.set("lang", language)
        span.text = text[run.start:run.end]
        out.append(span)
        position = run.end
        span.tail = ""
    if len(out) == 1:
        return []
    out[-1].tail = text[position:]
    return out


TRANSFORMS: list[Callable[[Context], None]] = [drop_attachment_links, assign_ids, check_notes, check_links,
                                               check_images, check_math, tidy_structure, mark_passages]


def apply(ctx: Context) -> None:
    for transform in TRANSFORMS:
        transform(ctx)

"""The e-book's cover image: the source's own cover (metadata ``cover``), else its lead
image (a figure before the first heading, large enough to stand as a cover), else a
typographic cover drawn with Pillow in the theme's fonts and colours.

The generated cover shows the publication, title, subtitle, byline and date. Its
look comes from custom properties in the theme's ``epub.css`` (``--cover-background``,
``--cover-text``, ``--cover-accent``, ``--cover-title-font``, ``--cover-text-font``),
so a theme styles its covers where it styles its e-books; reading systems ignore
those properties. Text is shaped with Raqm (right-to-left scripts, Arabic joining),
and a script the theme's font lacks is drawn in a font fontconfig finds for the
book's language. The same input gives the same PNG bytes.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from typing import TypedDict

import tinycss2
from lxml import etree
from PIL import Image, ImageColor, ImageDraw, ImageFont, UnidentifiedImageError

from exporter.model import normalize_space
from exporter.safety.fetch import FetchRefused
from exporter.settings import Context
from exporter.writers.epub.fonts import find_font
from exporter.writers.html import byline, format_date
from exporter.writers.labels import labels

__all__ = ["Cover", "choose", "typographic", "strip_style", "SIZE"]

SIZE = (1600, 2400)
#: a lead image smaller than this (shorter side, longer side) is not used as the cover
MIN_LEAD = (400, 800)
_DEFAULTS = {"--cover-background": "#f5f1ea", "--cover-text": "#1a1a1a", "--cover-accent": "#8a1c1c",
             "--cover-title-font": "serif", "--cover-text-font": "serif"}
_CJK = ("ja", "zh", "ko")


@dataclass(frozen=True)
class Cover:
    src: str | None  #: the model's src of an image the book already holds (None: ``data`` is new)
    data: bytes | None
    media_type: str
    alt: str
    generated: bool


def choose(ctx: Context) -> Cover:
    """The source's cover, its lead image, or a generated typographic cover."""
    meta = ctx.article.meta
    words = labels(meta.language)
    if meta.cover:
        usable = _usable(ctx, meta.cover, minimum=(1, 1))
        if usable:
            return Cover(None, usable[0], usable[1], f"{words['cover']}: {meta.title}", generated=False)
        ctx.diagnostics.add("E004", f"the cover image '{meta.cover}' cannot be used; a cover was generated",
                            file=ctx.article.source, hint="give a PNG or JPEG file next to the source")
    lead = _lead_image(ctx)
    if lead is not None:
        src = lead.get("src", "")
        usable = _usable(ctx, src, minimum=MIN_LEAD)
        if usable:
            alt = normalize_space(lead.get("alt") or "") or meta.title
            return Cover(src, None, usable[1], f"{words['cover']}: {alt}", generated=False)
    where = "[book] in exporter.toml" if ctx.article.source.name == "exporter.toml" else "the sidecar"  # a book's
    ctx.diagnostics.add("E001", "no cover image in the source; a typographic cover was generated",
                        file=ctx.article.source, hint=f"set cover = \"cover.jpg\" in {where} to use your own")
    return Cover(None, typographic(ctx), "image/png", _alt(ctx), generated=True)


def _usable(ctx: Context, src: str, minimum: tuple[int, int]) -> tuple[bytes, str] | None:
    try:
        fetched = ctx.fetcher.get(ctx.url_for(src))
    except FetchRefused:
        return None
    if fetched.media_type == "image/svg+xml":  # cleaned by the fetcher (exporter.safety.svg)
        size = _svg_size(fetched.data)
        if size is None:  # a drawing that names no size scales to the page: a cover, not a lead image
            return (fetched.data, fetched.media_type) if minimum == (1, 1) else None
    else:
        try:
            with Image.open(io.BytesIO(fetched.data)) as image:
                size = image.size
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            return None
    if min(size) < minimum[0] or max(size) < minimum[1]:
        return None
    return fetched.data, fetched.media_type


def _svg_size(data: bytes) -> tuple[float, float] | None:
    """An SVG drawing's size from its width and height, else its viewBox."""
    from exporter.errors import SourceError
    from exporter.safety.xml import parse_xml

    try:
        root = parse_xml(data, "cover.svg").getroot()
    except SourceError:
        return None
    number = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")
    width, height = (number.match(root.get(name) or "") for name in ("width", "height"))
    if width and height:
        return float(width.group(1)), float(height.group(1))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        return (float(box[2]), float(box[3])) if len(box) == 4 else None
    except ValueError:
        return None


def _lead_image(ctx: Context) -> etree._Element | None:
    """The first figure image before the first heading of the article."""
    for element in ctx.article.body.iter("img", "h2", "h3", "h4", "h5", "h6", "section"):
        if element.tag != "img":
            return None
        if element.getparent().tag == "figure":
            return element
    return None


def _alt(ctx: Context) -> str:
    meta = ctx.article.meta
    words = labels(meta.language)
    parts = [meta.title, meta.subtitle, *byline(ctx.article), meta.publication]
    return f"{words['cover']}: " + ". ".join(normalize_space(p).rstrip(".") for p in parts if p)


# -- the typographic cover ----------------------------------------------------------------

def _style(css: str) -> dict[str, str]:
    """The cover's custom properties from the theme's epub.css (later rules win)."""
    found = dict(_DEFAULTS)
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "qualified-rule":
            continue
        for decl in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True):
            if decl.type == "declaration" and decl.name.startswith("--cover-"):
                found[decl.name] = tinycss2.serialize(decl.value).strip()
    return found


def strip_style(css: str) -> str:
    """``css`` without the cover's custom properties (the e-book's style sheet has no
    use for them, and old reading systems' CSS parsers do not know custom properties)
    and without comments (written for theme authors, not for reading systems)."""
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type == "qualified-rule":
            decls = tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True)
            if any(d.type == "declaration" and d.name.startswith("--cover-") for d in decls):
                kept = [d for d in decls if not (d.type == "declaration" and d.name.startswith("--cover-"))]
                if not kept:
                    continue
                body = "; ".join(tinycss2.serialize([d]).strip() for d in kept)
                out.append(f"{tinycss2.serialize(rule.prelude).strip()} {{ {body}; }}")
                continue
        out.append(tinycss2.serialize([rule]).strip())
    return "\n".join(out) + "\n"


def _colour(value: str, default: str) -> tuple[int, int, int]:
    try:
        return ImageColor.getrgb(value)[:3]
    except ValueError:
        return ImageColor.getrgb(default)[:3]


def _families(value: str) -> list[str]:
    return [part.strip().strip("\"'") for part in value.split(",") if part.strip()]


@functools.lru_cache(maxsize=64)
def _coverage(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, fontNumber=index, lazy=True)
        return frozenset(font.getBestCmap() or {})
    except Exception:  # a font fontTools cannot read covers nothing we can check
        return frozenset()


def _font(families: list[str], weight: int, style: str, text: str, lang: str, size: int) -> ImageFont.FreeTypeFont:
    needed = {ord(c) for c in text if not c.isspace()}
    candidates = [find_font(f, weight, style, exact=False) for f in families]
    candidates.append(find_font("serif", weight, style, lang=lang.split("-")[0], exact=False))
    for found in candidates:
        if found is not None and needed <= _coverage(str(found.path), found.index):
            break
    else:
        found = next((c for c in candidates if c is not None), None)
    if found is None:
        default = ImageFont.load_default(size)
        assert isinstance(default, ImageFont.FreeTypeFont)  # Pillow with FreeType (and Raqm) is required
        return default
    return ImageFont.truetype(str(found.path), size, index=found.index, layout_engine=ImageFont.Layout.RAQM)


class _Shaping(TypedDict):
    direction: str
    language: str


class _Page:
    def __init__(self, ctx: Context) -> None:
        meta = ctx.article.meta
        self.style = _style(ctx.theme.css("epub.css"))
        self.lang = meta.language
        self.rtl = meta.dir == "rtl"
        self.image = Image.new("RGB", SIZE, _colour(self.style["--cover-background"], "#ffffff"))
        self.draw = ImageDraw.Draw(self.image)
        self.margin = 150
        self.width = SIZE[0] - 2 * self.margin

    def font(self, role: str, weight: int, style: str, text: str, size: int) -> ImageFont.FreeTypeFont:
        return _font(_families(self.style[f"--cover-{role}-font"]), weight, style, text, self.lang, size)

    def colour(self, name: str) -> tuple[int, int, int]:
        return _colour(self.style[f"--cover-{name}"], _DEFAULTS[f"--cover-{name}"])

    def _kw(self) -> _Shaping:
        return {"direction": "rtl" if self.rtl else "ltr", "language": self.lang}

    def wrap(self, text: str, font: ImageFont.FreeTypeFont) -> list[str]:
        cjk = self.lang.split("-")[0] in _CJK
        units = list(text) if cjk else text.split()
        joiner = "" if cjk else " "
        lines: list[str] = []
        line = ""
        for unit in units:
            trial = f"{line}{joiner}{unit}" if line else unit
            if line and font.getlength(trial, **self._kw()) > self.width:
                lines.append(line)
                line = unit
            else:
                line = trial
        if line:
            lines.append(line)
        return lines

    def lines(self, lines: list[str], font: ImageFont.FreeTypeFont, y: int, colour: tuple[int, int, int],
              leading: float) -> int:
        x, anchor = (SIZE[0] - self.margin, "ra") if self.rtl else (self.margin, "la")
        for line in lines:
            self.draw.text((x, y), line, font=font, fill=colour, anchor=anchor, **self._kw())
            y += round(font.size * leading)
        return y

    def rule(self, y: int, thickness: int) -> None:
        self.draw.rectangle((self.margin, y, SIZE[0] - self.margin, y + thickness), fill=self.colour("accent"))


def typographic(ctx: Context) -> bytes:
    """A PNG cover with the publication, title, subtitle, byline and date."""
    meta = ctx.article.meta
    page = _Page(ctx)
    page.rule(page.margin, 18)
    y = page.margin + 80
    if meta.publication:
        text = normalize_space(meta.publication).upper()
        font = page.font("text", 700, "normal", text, 58)
        y = page.lines(page.wrap(text, font), font, y, page.colour("accent"), 1.25)
    if meta.date:
        text = format_date(meta.date, meta.language)
        font = page.font("text", 400, "normal", text, 50)
        y = page.lines([text], font, y + 10, page.colour("text"), 1.25)
    y = max(y + 120, round(SIZE[1] * 0.26))
    title = normalize_space(meta.title)
    for size in range(168, 71, -8):
        font = page.font("title", 700, "normal", title, size)
        wrapped = page.wrap(title, font)
        if len(wrapped) <= 5:
            break
    if len(wrapped) > 6:  # a title longer than a cover: its start, then an ellipsis
        wrapped = wrapped[:6]
        wrapped[-1] += "\u2026"
    y = page.lines(wrapped, font, y, page.colour("text"), 1.12)
    if meta.subtitle:
        text = normalize_space(meta.subtitle)
        font = page.font("text", 400, "italic", text, 64)
        page.lines(page.wrap(text, font)[:6], font, y + 50, page.colour("text"), 1.3)
    credits = byline(ctx.article)[:3]
    if credits:
        font = page.font("text", 400, "normal", " ".join(credits), 60)
        wrapped = [line for credit in credits for line in page.wrap(credit, font)][:5]
        top = SIZE[1] - page.margin - round(len(wrapped) * 60 * 1.3)
        page.rule(top - 60, 6)
        page.lines(wrapped, font, top, page.colour("text"), 1.3)
    out = io.BytesIO()
    page.image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


"""Page setup for print: paper size, PDF variant, notes placement, bleed and crop marks.

What the user chooses (``--page-size``, ``--pdf-variant``, ``--bleed``, ``--crop-marks``,
``--pdf-notes``) is held in a frozen :class:`PageSetup` inside the run's settings. Every
value is checked against an allowlist or parsed into a number here, and the CSS that
carries it is written from fixed strings and those numbers, never from the text the
user typed: nothing from the command line, a source or its metadata reaches a
stylesheet.

Themes give margins per paper size in ``theme.toml``::

    [page]
    size = "a4"                       # the theme's default paper
    notes = "foot"                    # PDF notes: "foot" of the page or "end"
    [page.margins]                    # top right bottom left, like CSS
    a4 = "20mm 18mm 22mm"
    a5 = "14mm 13mm 16mm"

Margins are lengths in mm, cm, in or pt; anything else is a usage error naming the
theme file. The print page's ``<html>`` element gets a ``page-<size>`` class so that a
theme can adapt its type and columns to the paper (``html.page-a5 { … }``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from exporter.errors import UsageError

__all__ = ["PAGE_SIZES", "PDF_VARIANTS", "PageSetup", "PaperSize", "PdfVariant", "parse_length_mm",
           "page_size_key", "page_css", "press_css", "css_bleed_mm", "margins_for", "resolve", "Resolved",
           "parse_margins", "NOTES", "ThemeSettings"]


class ThemeSettings(Protocol):
    """What the page setup reads of a theme (an :class:`exporter.themes.Theme`, which
    checks its ``theme.toml`` with this module's sizes and lengths)."""

    @property
    def dirs(self) -> tuple[Path, ...]: ...

    def setting(self, *keys: str, default: Any = None) -> Any: ...


@dataclass(frozen=True)
class PaperSize:
    key: str
    label: str
    css: str  # the fixed value of the CSS `size` descriptor
    width_mm: float
    height_mm: float


#: the paper sizes exporter sets pages on (key -> size); keys are what --page-size takes
PAGE_SIZES: dict[str, PaperSize] = {
    "a4": PaperSize("a4", "A4 (210 × 297 mm)", "210mm 297mm", 210.0, 297.0),
    "letter": PaperSize("letter", "US Letter (8.5 × 11 in)", "8.5in 11in", 215.9, 279.4),
    "a5": PaperSize("a5", "A5 (148 × 210 mm)", "148mm 210mm", 148.0, 210.0),
    "6x9": PaperSize("6x9", "6 × 9 in (US trade)", "6in 9in", 152.4, 228.6),
}
_SIZE_ALIASES = {"us-letter": "letter", "usletter": "letter", "6x9in": "6x9", "6inx9in": "6x9", "trade": "6x9"}


@dataclass(frozen=True)
class PdfVariant:
    key: str
    weasyprint: str  # WeasyPrint's pdf_variant
    ua: int | None  # PDF/UA part declared in the XMP metadata
    attach_source: bool  # embed the canonical source as an associated file (PDF/A-3, PDF/A-4f)
    summary: str


#: the PDF flavours --pdf-variant offers. Every one is tagged (structure tree, /Lang,
#: alt text); the "+ua-1" ones also declare PDF/UA-1, for accessible archives.
PDF_VARIANTS: dict[str, PdfVariant] = {v.key: v for v in (
    PdfVariant("pdf/ua-1", "pdf/ua-1", 1, False, "tagged, accessible PDF/UA-1 (the default)"),
    PdfVariant("pdf/ua-2", "pdf/ua-2", 2, False, "PDF/UA-2 (PDF 2.0)"),
    PdfVariant("pdf/a-2b", "pdf/a-2b", None, False, "archival PDF/A-2b"),
    PdfVariant("pdf/a-2u", "pdf/a-2u", None, False, "archival PDF/A-2u (searchable text)"),
    PdfVariant("pdf/a-2a", "pdf/a-2a", None, False, "archival and accessible PDF/A-2a"),
    PdfVariant("pdf/a-2a+ua-1", "pdf/a-2a", 1, False, "PDF/A-2a that is also PDF/UA-1"),
    PdfVariant("pdf/a-3b", "pdf/a-3b", None, True, "PDF/A-3b with the article's source embedded"),
    PdfVariant("pdf/a-3u", "pdf/a-3u", None, True, "PDF/A-3u with the article's source embedded"),
    PdfVariant("pdf/a-3a", "pdf/a-3a", None, True, "PDF/A-3a (accessible) with the source embedded"),
    PdfVariant("pdf/a-3a+ua-1", "pdf/a-3a", 1, True, "PDF/A-3a and PDF/UA-1 with the source embedded"),
    PdfVariant("pdf/a-4f", "pdf/a-4f", None, True, "PDF/A-4f (PDF 2.0) with the source embedded"),
)}

NOTES = ("foot", "end")
MAX_BLEED_MM = 20.0
_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?\s*$", re.I)


def parse_length_mm(text: str, *, what: str, zero_unitless: bool = True) -> float:
    """A physical length ("3mm", "0.125in", "9pt", "0") in millimetres."""
    match = _LENGTH.match(str(text))
    if not match:
        raise UsageError(f"{what} {text!r} is not a length", hint="write it like 3mm, 0.125in or 9pt")
    number, unit = float(match.group(1)), (match.group(2) or "").lower()
    if not unit:
        if number != 0 or not zero_unitless:
            raise UsageError(f"{what} {text!r} needs a unit", hint="write it like 3mm, 0.125in or 9pt")
        return 0.0
    return number * _UNITS_MM[unit]


def page_size_key(text: str) -> str:
    key = text.strip().lower().replace(" ", "")
    key = _SIZE_ALIASES.get(key, key)
    if key not in PAGE_SIZES:
        raise UsageError(f"unknown page size {text!r}", hint="choose from " + ", ".join(PAGE_SIZES))
    return key


@dataclass(frozen=True)
class PageSetup:
    """The print choices of a run. ``None`` means "the theme's default"."""

    size: str | None = None
    variant: str = "pdf/ua-1"
    notes: str | None = None
    bleed_mm: float = 0.0
    crop_marks: bool = False

    def __post_init__(self) -> None:
        if self.size is not None and self.size not in PAGE_SIZES:
            raise UsageError(f"unknown page size {self.size!r}", hint="choose from " + ", ".join(PAGE_SIZES))
        if self.variant not in PDF_VARIANTS:
            raise UsageError(f"unknown PDF variant {self.variant!r}", hint="choose from " + ", ".join(PDF_VARIANTS))
        if self.notes is not None and self.notes not in NOTES:
            raise UsageError(f"unknown notes placement {self.notes!r}", hint="choose foot or end")
        if not 0 <= self.bleed_mm <= MAX_BLEED_MM:
            raise UsageError(f"bleed of {self.bleed_mm:g}mm is out of range",
                             hint=f"printers ask for 3mm (or 0.125in); at most {MAX_BLEED_MM:g}mm")

    @property
    def print_shop(self) -> bool:
        """A build for a print shop (bleed or crop marks): images are held to 300 ppi."""
        return self.crop_marks or self.bleed_mm > 0

    @property
    def pdf_variant(self) -> PdfVariant:
        return PDF_VARIANTS[self.variant]


@dataclass(frozen=True)
class Resolved:
    """A page setup with the theme's defaults filled in."""

    paper: PaperSize
    margins: str  # validated CSS margin value
    notes: str
    setup: PageSetup


def parse_margins(value: str, key: str) -> str:
    """A theme's margins for paper ``key`` ("20mm 18mm 22mm": 1 to 4 lengths, as CSS
    margin) as the CSS value exporter writes; :class:`UsageError` when they are not."""
    parts = str(value).split()
    if not 1 <= len(parts) <= 4:
        raise UsageError(f"page margins {value!r} for {key}: give 1 to 4 lengths", hint='like "20mm 18mm 22mm"')
    lengths = []
    for part in parts:
        mm = parse_length_mm(part, what="page margin", zero_unitless=True)
        if mm > 80:
            raise UsageError(f"page margin {part} is too large", hint="margins are at most 80mm")
        lengths.append(f"{mm:.2f}mm")
    return " ".join(lengths)


def _theme_margins(theme: ThemeSettings, key: str) -> str | None:
    table = theme.setting("page", "margins", default={}) or {}
    if not isinstance(table, dict):
        raise UsageError("[page.margins] in theme.toml must be a table of paper size = \"lengths\"",
                         file=theme.dirs[0] / "theme.toml")
    value = table.get(key, table.get("default"))
    if value is None:
        return None
    try:
        return parse_margins(value, key)
    except UsageError as error:
        raise UsageError(error.message, file=theme.dirs[0] / "theme.toml", hint=error.hint) from None


def margins_for(theme: ThemeSettings, key: str) -> str:
    return _theme_margins(theme, key) or "20.00mm 18.00mm 22.00mm"


def resolve(setup: PageSetup, theme: ThemeSettings) -> Resolved:
    size = setup.size or page_size_key(str(theme.setting("page", "size", default="a4")))
    notes = setup.notes or str(theme.setting("page", "notes", default="foot"))
    if notes not in NOTES:
        raise UsageError(f"theme notes = {notes!r}: choose foot or end", file=theme.dirs[0] / "theme.toml")
    return Resolved(paper=PAGE_SIZES[size], margins=margins_for(theme, size), notes=notes, setup=setup)


def page_css(resolved: Resolved) -> str:
    """Plain CSS for the chosen paper: size and the theme's margins (browsers read it too)."""
    return f"@page {{ size: {resolved.paper.css}; margin: {resolved.margins}; }}\n"


def press_css(resolved: Resolved) -> str:
    """Paged-media CSS for a print shop: bleed and crop marks (WeasyPrint only).

    Crop marks are drawn inside the CSS bleed area, so when they are asked for the area
    is made wide enough for the marks to stay clear of the bleed itself; the PDF's
    BleedBox is then set to exactly the requested bleed (see ``writers/pdf.py``).
    """
    setup = resolved.setup
    if not setup.print_shop:
        return ""
    area = css_bleed_mm(setup) * 72 / 25.4
    rules = [f"bleed: {area:.3f}pt;"]
    rules.append("marks: crop cross;" if setup.crop_marks else "marks: none;")
    return "@page { " + " ".join(rules) + " }\n"


def css_bleed_mm(setup: PageSetup) -> float:
    """The CSS bleed area: the requested bleed, plus room for crop marks outside it."""
    if setup.crop_marks:
        return 2 * setup.bleed_mm + 6.0
    return setup.bleed_mm

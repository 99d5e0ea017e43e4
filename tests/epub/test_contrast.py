"""Text contrast in every theme is at least 4.5:1 (WCAG 2.2 1.4.3, AA): the print page
and HTML (print.css, on its white page and tinted boxes) and the e-book (epub.css), which
reading systems show in light and dark modes. An e-book theme colours text only where
the colour holds on both a white and a dark (#121212) page, or inside a
``prefers-color-scheme`` block on that scheme's page; the generated cover's text is
checked against the cover's background."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STYLES = Path(__file__).resolve().parents[2] / "styles"
THEMES = ("base", "magazine", "scholarly")
WHITE, DARK = "#ffffff", "#121212"
_DECLARATION = re.compile(r"(?<![-\w])(--[\w-]+|color)\s*:\s*([^;}]+)")
_SCHEME = re.compile(r"@media[^{]*prefers-color-scheme\s*:\s*(dark|light)[^{]*\{((?:[^{}]*\{[^{}]*\})*[^{}]*)\}")


def _luminance(colour: str) -> float:
    hex_ = colour.lstrip("#")
    if len(hex_) == 3:
        hex_ = "".join(c * 2 for c in hex_)
    channels = [int(hex_[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _css(theme: str, name: str) -> str:
    parts = [STYLES / "base" / name] + ([STYLES / theme / name] if theme != "base" else [])
    return "\n".join(re.sub(r"/\*.*?\*/", "", p.read_text(encoding="utf-8"), flags=re.S) for p in parts
                     if p.is_file())


def _colours(css: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(custom properties, [(where, colour)] of text colours), var() resolved."""
    variables = dict(_DECLARATION.findall(css))
    variables = {k: v.strip() for k, v in variables.items() if k.startswith("--")}
    found = []
    for name, value in _DECLARATION.findall(css):
        if name != "color":
            continue
        value = value.strip()
        resolved = re.sub(r"var\((--[\w-]+)\)", lambda m: variables.get(m.group(1), ""), value).strip()
        if resolved.startswith("#"):
            found.append((value, resolved))
    return variables, found


@pytest.mark.parametrize("theme", THEMES)
def test_print_text_contrast(theme):
    css = _css(theme, "print.css")
    variables, colours = _colours(css)
    backgrounds = [WHITE] + [variables[v] for v in ("--tint",) if v in variables]
    low = [(value, colour, background, round(contrast(colour, background), 2)) for value, colour in colours
           for background in backgrounds if contrast(colour, background) < 4.5]
    assert not low, low


@pytest.mark.parametrize("theme", THEMES)
def test_ebook_text_contrast_in_light_and_dark_modes(theme):
    css = _css(theme, "epub.css")
    schemes = dict(_SCHEME.findall(css))
    plain = _SCHEME.sub("", css)
    low = []
    for scheme, body, backgrounds in [("any", plain, (WHITE, DARK)), ("dark", schemes.get("dark", ""), (DARK,)),
                                      ("light", schemes.get("light", ""), (WHITE,))]:
        for value, colour in _colours(body)[1]:
            low += [(scheme, value, b, round(contrast(colour, b), 2)) for b in backgrounds
                    if contrast(colour, b) < 4.5]
    assert not low, low
    variables = _colours(css)[0]
    for text in ("--cover-text", "--cover-accent"):
        if text in variables and "--cover-background" in variables:
            assert contrast(variables[text], variables["--cover-background"]) >= 4.5, (text, variables[text])


def test_the_contrast_formula():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54

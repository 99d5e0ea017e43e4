"""Themes: --theme picks a built-in theme or a user's folder; a theme extends another
(CSS cascaded parent first, theme.toml merged, templates inherited)."""

from __future__ import annotations

import pikepdf
import pytest
from _printing import POINTS, build
from conftest import SOURCES, assert_epubcheck_clean
from lxml import html as lxml_html

from exporter.cli import main
from exporter.errors import UsageError
from exporter.themes import builtin_themes, load_theme

SCHOLARLY = SOURCES / "copying-the-page.xhtml"


def test_builtin_themes():
    assert {"base", "magazine", "scholarly"} <= set(builtin_themes())
    for name in ("magazine", "scholarly"):
        theme = load_theme(name)
        assert [p.parent.name for p in theme.css_files("print.css")] == ["base", name]
        assert theme.setting("page", "margins", "a5")


def test_user_theme_extends_a_builtin_one(tmp_path):
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "theme.toml").write_text(
        'description = "Our house style"\nextends = "scholarly"\n'
        '[page]\nsize = "a5"\n[page.margins]\na5 = "12mm 11mm 14mm"\n', encoding="utf-8")
    (folder / "print.css").write_text(":root { --accent: #006d5b; }\n.title { color: rgb(0, 109, 91); }\n",
                                      encoding="utf-8")
    theme = load_theme(str(folder))
    assert [p.parent.name for p in theme.css_files("print.css")] == ["base", "scholarly", "house"]
    assert theme.setting("header", "keywords") is True  # inherited from scholarly
    outputs = build(SCHOLARLY, tmp_path / "out", formats=("pdf", "html"), theme=str(folder)).outputs
    with pikepdf.open(outputs["pdf"]) as pdf:
        width, height = POINTS["a5"]
        assert [round(float(v), 2) for v in pdf.pages[0].mediabox] == [0, 0, round(width, 2), round(height, 2)]
    page = lxml_html.fromstring(outputs["html"].read_bytes())
    style = page.xpath("string(//style)")
    assert style.index("Linux Libertine") < style.index("#006d5b")  # the child's CSS comes last
    assert "@page { size: 148mm 210mm; margin: 12.00mm 11.00mm 14.00mm; }" in style
    assert page.xpath("string(//p[@class='keywords'])").startswith("Keywords")


def test_theme_header_options(tmp_path):
    magazine = lxml_html.fromstring(build(SCHOLARLY, tmp_path / "m", formats=("html",)).outputs["html"].read_bytes())
    scholarly = lxml_html.fromstring(
        build(SCHOLARLY, tmp_path / "s", formats=("html",), theme="scholarly").outputs["html"].read_bytes())
    assert magazine.xpath("//p[@class='byline-line']/text()") == ["By Maren Holt and Ilse Varga"]
    assert not magazine.xpath("//p[@class='keywords'] | //p[@class='identifier']")
    assert scholarly.xpath("//div[@class='authors']/p[@class='author']/span[@class='name']/text()") == [
        "Maren Holt", "Ilse Varga"]
    assert scholarly.xpath("//p[@class='identifier']/a/@href") == ["https://doi.org/10.5555/exporter.sample.2025.017"]
    assert scholarly.xpath("string(//p[@class='dateline'])") == "Published 20 May 2025"


def test_scholarly_header_in_the_epub_is_valid(tmp_path):
    """The header options change the shared page template: the EPUB stays valid."""
    assert_epubcheck_clean(build(SCHOLARLY, tmp_path, formats=("epub",), theme="scholarly").outputs["epub"])


def test_missing_theme_is_a_usage_error(tmp_path, capsys):
    assert main(["build", str(SCHOLARLY), "-o", str(tmp_path), "--theme", "no-such-theme"]) == 2
    assert "theme 'no-such-theme' not found" in capsys.readouterr().err
    with pytest.raises(UsageError):
        load_theme(str(tmp_path))

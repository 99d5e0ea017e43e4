"""Fuzz targets: one function per entry point for untrusted bytes.

A target takes ``bytes`` and returns normally when exporter handled the input the way
it promises: accepted (and the result keeps the invariants checked here), or refused
with exporter's own error (``ExporterError``, ``FetchRefused``, ``SVGRefused``).
Anything else raised — an ``IndexError`` from deep inside an importer, a page that is
not well-formed XML, an accepted path outside the source folder — is a crash.

Every importer in ``exporter.importers.IMPORTERS`` is a target (``import.txt``,
``import.xhtml``, and whatever importers are added later), through the whole of
``load`` (importer, sidecar, metadata, validation) and on to the rendered pages.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lxml import etree

from exporter.errors import ExporterError
from exporter.importers import IMPORTERS
from exporter.model.sidecar import read_sidecar
from exporter.pipeline import load
from exporter.safety.fetch import FetchRefused
from exporter.safety.svg import SVGRefused, clean_svg
from exporter.safety.xml import parse_xml
from exporter.settings import Context, Settings
from exporter.themes import load_theme
from exporter.transforms import apply
from exporter.writers import html as html_writer

EXPECTED = (ExporterError, FetchRefused, SVGRefused)

_WORK = Path(tempfile.mkdtemp(prefix="exporter-fuzz-"))
_THEME = None


def _theme():
    global _THEME
    if _THEME is None:
        _THEME = load_theme("magazine")
    return _THEME


def _file(name: str, data: bytes) -> Path:
    path = _WORK / name
    path.write_bytes(data)
    return path


def _pages(article) -> None:
    """Render both page targets; the EPUB page must be well-formed XML."""
    ctx = Context(settings=Settings(), article=article, theme=_theme())
    apply(ctx)
    page = html_writer.page(ctx, "epub")
    parse_xml(etree.tostring(page.root, encoding="utf-8"), "page.xhtml")
    html_writer.render(ctx)


def importer_target(suffix: str):
    def target(data: bytes) -> None:
        source = _file("fuzzed" + suffix, data)
        try:
            article = load(source)
        except EXPECTED:
            return
        _pages(article)
    target.__name__ = f"import{suffix}"
    return target


def xml(data: bytes) -> None:
    try:
        parse_xml(data, "fuzzed.xml")
    except EXPECTED:
        return


def svg(data: bytes) -> None:
    try:
        cleaned, _ = clean_svg(data, "fuzzed.svg", max_pixels=89_478_485)
    except EXPECTED:
        return
    again, removed = clean_svg(cleaned, "cleaned.svg", max_pixels=89_478_485)
    if removed:
        raise AssertionError(f"cleaning is not complete: a second pass removed {removed}")


def sidecar(data: bytes) -> None:
    (_WORK / "side.txt").write_text("Text.\n")
    path = _file("side.toml", data)
    try:
        read_sidecar(path)
        article = load(_WORK / "side.txt")
    except EXPECTED:
        return
    _pages(article)


def reference(data: bytes) -> None:
    """A reference as an author would write it in ``src``: accepted only inside the folder."""
    folder = _WORK / "ref"
    if not folder.exists():
        folder.mkdir()
        (folder / "doc.txt").write_text("Text.\n")
        (folder / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        os.symlink("/etc", folder / "etc-link")
    text = data.decode("utf-8", "replace")
    article = load(folder / "doc.txt")
    ctx = Context(settings=Settings(), article=article, theme=_theme())
    try:
        fetched = ctx.fetcher.get(ctx.url_for(text))
    except (FetchRefused, ValueError):
        return
    real = Path(os.path.realpath(fetched.path)) if fetched.path else None
    if real is not None and not (real == folder.resolve() or folder.resolve() in real.parents):
        raise AssertionError(f"accepted a file outside the folder: {text!r} -> {real}")


_SUFFIXES = {}
for _suffix, _importer in IMPORTERS.items():
    _SUFFIXES.setdefault(_importer, _suffix)  # one target per importer, not per suffix

TARGETS = {**{f"import{suffix}": importer_target(suffix) for suffix in _SUFFIXES.values()},
           "xml": xml, "svg": svg, "sidecar": sidecar, "reference": reference}

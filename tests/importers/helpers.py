"""Helpers for the importer tests: write a source into a temporary folder and load it."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from exporter.model import Article
from exporter.pipeline import load


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def imported(folder: Path, name: str, content: str | bytes, **settings) -> Article:
    from exporter.settings import Settings

    return load(write(folder, name, content), Settings(**settings) if settings else None)


def body(article: Article) -> str:
    return etree.tostring(article.body, encoding="unicode")


def codes(article: Article) -> list[str]:
    return article.diagnostics.codes()


def find(article: Article, xpath: str):
    return article.body.xpath(xpath, namespaces={"m": "http://www.w3.org/1998/Math/MathML"})


XHTML_NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
            "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def build_epub(source: Path, out: Path, *extra: str) -> Path:
    """``exporter build SOURCE --to epub`` (one job); the EPUB's path."""
    from exporter.cli import main

    assert main(["build", str(source), "-o", str(out), "--to", "epub", "-j", "1", "-q", *extra]) == 0
    name = source.name.split(".")[0] if source.is_file() else source.name
    return out / f"{name}.epub"


def epub_part(epub: Path, suffix: str) -> etree._Element:
    """The parsed member of the EPUB whose name ends with ``suffix`` (the content document: ``.xhtml``
    that is not the navigation or cover)."""
    import zipfile

    with zipfile.ZipFile(epub) as book:
        names = [n for n in book.namelist() if n.endswith(suffix) and not n.endswith(("nav.xhtml", "cover.xhtml"))]
        return etree.fromstring(book.read(names[0]))


def epubcheck_messages(*epubs: Path) -> list[str]:
    """EPUBCheck's errors and warnings for each EPUB (one JVM for all), as "name: ID message"."""
    from exporter.checks import epubcheck

    reports = epubcheck.check_many(list(epubs))
    return [f"{path.name}: {m.get('ID')} {m.get('message')}" for path, report in reports.items()
            for m in report.errors + report.warnings]

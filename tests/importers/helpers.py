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

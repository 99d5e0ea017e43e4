"""Importer for the canonical model file (``.xhtml`` with one ``<article>``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from exporter.diagnostics import Diagnostics
from exporter.importers._common import read_source
from exporter.model import Article
from exporter.model.file import read_model
from exporter.model.links import allowed_link, normalized, scheme_of
from exporter.model.tree import unwrap

if TYPE_CHECKING:
    from exporter.settings import Settings


def read(path: Path, diagnostics: Diagnostics, settings: Settings | None = None) -> Article:
    article = read_model(path, read_source(path))
    diagnostics.extend(article.diagnostics)
    article.diagnostics = diagnostics
    _local_links(article, getattr(settings, "link_documents", False))
    return article


def _local_links(article: Article, documents: bool) -> None:
    """Links to local files (``other.xhtml``, ``/etc/passwd``) become their text (S025),
    as in every importer: an output links to the web, to mail or inside itself. A book
    keeps links to its other articles (``documents``) and maps them to chapters. Links
    with a scheme the model does not allow are left for validation to refuse."""
    for a in list(article.body.iter("a")):
        href = a.get("href")
        if href is None or "noteref" in a.get("class", "").split():
            continue
        url = normalized(href)
        kept = allowed_link(url, documents=documents)
        if kept is not None and url == href and scheme_of(kept) == scheme_of(url) and not url.startswith(("#", "//")):
            a.set("href", kept)  # the same address, written as a valid URL
        if scheme_of(url) or url.startswith(("#", "//", "\\\\")) or kept:
            continue
        article.diagnostics.add("S025", f"link to '{href[:80]}' (a local file) kept as text", file=article.source,
                                line=a.sourceline, hint="link to a web address (https://…) or to an id (#id)")
        if a.get("id"):
            a.tag = "span"
            for name in ("href", "rel", "hreflang", "type"):
                a.attrib.pop(name, None)
        else:
            unwrap(a)

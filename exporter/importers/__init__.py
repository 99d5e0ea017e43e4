"""Importers: one module per source format, each a function ``read(path, diagnostics,
settings=None) -> Article`` listed in :data:`IMPORTERS` by file suffix. An importer
writes only the model (``docs/model.md``); whatever it cannot map becomes a diagnostic.
Folders holding an unpacked EPUB (``META-INF/container.xml``) are one source.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..diagnostics import Diagnostics
from ..errors import UsageError
from ..model import Article
from ..project import PROJECT_FILE
from . import epub, html, jats, markdown, text, xhtml

Importer = Callable[..., Article]

#: file suffix -> importer
IMPORTERS: dict[str, Importer] = {
    ".txt": text.read,
    ".text": text.read,
    ".xhtml": xhtml.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".mdown": markdown.read,
    ".mkd": markdown.read,
    ".html": html.read,
    ".htm": html.read,
    ".xml": jats.read,
    ".nxml": jats.read,
    ".jats": jats.read,
    ".epub": epub.read,
    ".opf": epub.read,
}


def importer_for(path: Path) -> Importer:
    if path.is_dir() and epub.is_unpacked(path):
        return epub.read
    importer = IMPORTERS.get(path.suffix.lower())
    if importer is None:
        raise UsageError(f"no importer for '{path.suffix or path.name}' files", file=path,
                         hint="exporter reads: " + ", ".join(sorted(IMPORTERS))
                         + ", and folders holding an unpacked EPUB")
    return importer


def read(path: Path, diagnostics: Diagnostics, settings=None) -> Article:
    """Import ``path`` with the importer its type calls for."""
    return importer_for(path)(path, diagnostics, settings)


def is_source(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMPORTERS and not path.name.startswith(".")


def find_sources(folder: Path) -> list[Path]:
    """The sources in ``folder`` and below (sorted; hidden files skipped). An unpacked
    EPUB is one source; files inside it are not sources of their own. So is a folder
    holding a book's ``exporter.toml``: the book (docs/collections.md). ``.xml`` files
    count only when they are JATS articles."""
    found: list[Path] = []

    def walk(directory: Path) -> None:
        if (directory / PROJECT_FILE).is_file():  # a book: its project file is the source
            found.append(directory / PROJECT_FILE)
            return
        if directory != folder and epub.is_unpacked(directory):
            found.append(directory)
            return
        if directory == folder and epub.is_unpacked(directory):
            found.append(directory)
            return
        for entry in sorted(directory.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir() and not entry.is_symlink():
                walk(entry)
            elif is_source(entry) and (entry.suffix.lower() not in (".xml", ".opf") or (
                    entry.suffix.lower() == ".xml" and jats.looks_like_jats(entry))):
                found.append(entry)

    walk(folder)
    return sorted(found)

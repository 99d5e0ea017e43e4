"""Importers: one module per source format, each a function ``read(path, diagnostics,
settings=None) -> Article`` listed in :data:`IMPORTERS` by file suffix. An importer
writes only the model (``docs/model.md``); whatever it cannot map becomes a diagnostic.
Folders holding an unpacked EPUB (``META-INF/container.xml``) are one source.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError, UsageError
from exporter.importers import epub, html, jats, markdown, text, xhtml
from exporter.model import Article

if TYPE_CHECKING:
    from exporter.settings import Settings

#: the project file that makes a folder a book (exporter.book.project reads it)
PROJECT_FILE = "exporter.toml"

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


def read(path: Path, diagnostics: Diagnostics, settings: Settings | None = None) -> Article:
    """Import ``path`` with the importer its type calls for."""
    return importer_for(path)(path, diagnostics, settings)


def is_source(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMPORTERS and not path.name.startswith(".")


#: how deep below a folder given on the command line sources are looked for
MAX_FOLDER_DEPTH = 64
#: entries read from one folder, and from the whole tree under a folder given
MAX_FOLDER_ENTRIES = 100_000
MAX_TREE_ENTRIES = 1_000_000


def find_sources(folder: Path, problems: list[SourceError] | None = None,
                 passed: list[Path] | None = None) -> list[Path]:
    """The sources in ``folder`` and below (sorted; hidden files skipped). An unpacked
    EPUB is one source; files inside it are not sources of their own. So is a folder
    holding a book's ``exporter.toml``: the book (docs/collections.md). ``.xml`` files
    count only when they are JATS articles; the others are added to ``passed`` (a batch
    says it did not build them: :func:`not_jats`).

    The walk is iterative and bounded: symbolic links to folders are not followed (nor
    is a folder seen before, by device and inode), folders more than
    :data:`MAX_FOLDER_DEPTH` below ``folder``, a folder of more than
    :data:`MAX_FOLDER_ENTRIES` entries, a tree of more than :data:`MAX_TREE_ENTRIES`,
    and a folder the system cannot read (permissions, a name too long) are not
    searched. Each is a :class:`SourceError` naming the folder, appended to
    ``problems`` (a batch reports it as a failed document and builds the rest), or
    raised when ``problems`` is None."""
    found: list[Path] = []
    folder = Path(folder)
    seen: set[tuple[int, int]] = set()
    budget = MAX_TREE_ENTRIES
    pending: list[tuple[Path, int]] = [(folder, 0)]

    def problem(path: Path, message: str, hint: str) -> None:
        error = SourceError(message, file=path, hint=hint)
        if problems is None:
            raise error
        problems.append(error)

    while pending:
        directory, depth = pending.pop()
        try:
            info = directory.stat()
            if (info.st_dev, info.st_ino) in seen:  # a loop (a bind mount); never searched twice
                continue
            seen.add((info.st_dev, info.st_ino))
            if (directory / PROJECT_FILE).is_file():  # a book: its project file is the source
                found.append(directory / PROJECT_FILE)
                continue
            if epub.is_unpacked(directory):
                found.append(directory)
                continue
            entries = []
            with os.scandir(directory) as listing:
                for entry in listing:
                    entries.append(entry)
                    if len(entries) > MAX_FOLDER_ENTRIES or len(entries) > budget:
                        break
        except (OSError, ValueError) as error:
            problem(directory, f"this folder cannot be searched for sources: {_reason(error)}",
                    "check its permissions and name; the other folders were searched")
            continue
        if len(entries) > budget:
            problem(directory, f"the folders given hold more than {MAX_TREE_ENTRIES:,} files and folders; "
                    "this folder and those after it were not searched",
                    "build the submissions in smaller batches")
            break
        budget -= len(entries)
        if len(entries) > MAX_FOLDER_ENTRIES:
            problem(directory, f"this folder holds more than {MAX_FOLDER_ENTRIES:,} entries; it was not searched",
                    "split it into several folders")
            continue
        subfolders = []
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            path = directory / entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(path)
                elif is_source(path) and (path.suffix.lower() not in (".xml", ".opf") or (
                        path.suffix.lower() == ".xml" and jats.looks_like_jats(path))):
                    found.append(path)
                elif is_source(path) and path.suffix.lower() == ".xml" and passed is not None:
                    passed.append(path)
            except (OSError, ValueError) as error:
                problem(path, f"this file cannot be read: {_reason(error)}", "check its permissions and name")
        if subfolders and depth >= MAX_FOLDER_DEPTH:
            problem(directory, f"folders nested more than {MAX_FOLDER_DEPTH} levels deep below {folder}; "
                    "the folders in this one were not searched",
                    "move the sources into shallower folders, or give the deep folder itself")
            continue
        pending += [(sub, depth + 1) for sub in reversed(subfolders)]
    return sorted(found)


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[:1].lower() + error.strerror[1:]
    return str(error)


_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w:.-]*)")


def not_jats(path: Path, diagnostics: Diagnostics) -> None:
    """Say that an ``.xml`` file found in a folder is not built: it is no JATS article
    (a fragment, a sitemap, a configuration file); its root element and its line."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        head = b""
    match = _ROOT.search(head)
    root = match.group(1).decode("utf-8", "replace") if match else None
    line = head[: match.start()].count(b"\n") + 1 if match else None
    diagnostics.add("S043", (f"not a JATS article (its root element is <{root}>)" if root else
                             "not a JATS article") + "; not built", file=path, line=line,
                    hint="give the file itself to build it as JATS, or move it out of the folder")

"""Importers: one module per source format, each a function ``read(path, diagnostics)
-> Article`` listed in :data:`IMPORTERS` by file suffix. An importer writes only the
model (``docs/model.md``); whatever it cannot map becomes a diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..diagnostics import Diagnostics
from ..errors import UsageError
from ..model import Article
from . import model as model_importer
from . import text

Importer = Callable[[Path, Diagnostics], Article]

#: file suffix -> importer
IMPORTERS: dict[str, Importer] = {
    ".txt": text.read,
    ".text": text.read,
    ".xhtml": model_importer.read,
}


def importer_for(path: Path) -> Importer:
    importer = IMPORTERS.get(path.suffix.lower())
    if importer is None:
        raise UsageError(f"no importer for '{path.suffix or path.name}' files", file=path,
                         hint="exporter reads: " + ", ".join(sorted(IMPORTERS)))
    return importer


def is_source(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMPORTERS and not path.name.startswith(".")

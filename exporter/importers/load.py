"""Loading one source: the importer its suffix names, its sidecar metadata and the
command line's, then the model's validation — the article every later stage may rely on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.importers import importer_for
from exporter.importers.decoding import codec_for
from exporter.model import Article
from exporter.model.sidecar import metadata_from_mapping, read_table, sidecar_for
from exporter.model.validate import validate
from exporter.settings import Settings
from exporter.transforms import finish_metadata

__all__ = ["load"]


def load(source: Path, settings: Settings | None = None) -> Article:
    """Import ``source`` into a valid article, with sidecar and command-line metadata applied."""
    settings = settings or Settings()
    source = Path(source)
    if not source.exists():
        raise SourceError("file not found", file=source, hint="check the path")
    diagnostics = Diagnostics()
    sidecar = sidecar_for(source)
    table, lines = read_table(sidecar) if sidecar is not None else (None, None)
    if table is not None and lines is not None and "encoding" in table:
        encoding = table.pop("encoding")
        if not isinstance(encoding, str) or codec_for(encoding) is None:
            raise SourceError(f"'encoding' names no known encoding: {encoding!r}", file=sidecar,
                              line=lines.of("encoding"),
                              hint='write encoding = "shift_jis" (or utf-8, koi8-r, windows-1252, …)')
        if settings.encoding is None:  # --encoding wins
            settings = replace(settings, encoding=encoding)
    article = importer_for(source)(source, diagnostics, settings)
    if sidecar is not None and table is not None:
        article.meta.update(metadata_from_mapping(table, sidecar, lines))
        diagnostics.add("S007", f"metadata from {sidecar.name}", file=source)
    if settings.metadata is not None:
        article.meta.update(settings.metadata)
    finish_metadata(article)
    validate(article, documents=settings.link_documents)
    return article

"""Loading one source: the importer its suffix names, its sidecar metadata and the
command line's, then the model's validation — the article every later stage may rely on."""

from __future__ import annotations

from pathlib import Path

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.importers import importer_for
from exporter.model import Article
from exporter.model.sidecar import read_sidecar, sidecar_for
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
    article = importer_for(source)(source, diagnostics, settings)
    sidecar = sidecar_for(source)
    if sidecar is not None:
        article.meta.update(read_sidecar(sidecar, diagnostics))
        diagnostics.add("S007", f"metadata from {sidecar.name}", file=source)
    if settings.metadata is not None:
        article.meta.update(settings.metadata)
    finish_metadata(article)
    validate(article, documents=settings.link_documents)
    return article

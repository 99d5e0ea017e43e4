"""exporter: articles to EPUB 3, PDF and print-ready HTML.

Pipeline: ``importers/`` → model (:mod:`exporter.model`) → ``transforms`` →
``writers/``, with ``checks/`` beside. The public API is :data:`__all__`.
"""

__version__ = "0.1.0"

from exporter.errors import ExporterError, ModelError, OutputError, ResourceError, SourceError, UsageError
from exporter.model import Article, Contributor, Metadata
from exporter.pagesetup import PageSetup
from exporter.pipeline import build, discover, load
from exporter.settings import Settings

__all__ = [
    "__version__",
    "Article",
    "Contributor",
    "Metadata",
    "Settings",
    "PageSetup",
    "load",
    "build",
    "discover",
    "ExporterError",
    "UsageError",
    "SourceError",
    "ModelError",
    "ResourceError",
    "OutputError",
]

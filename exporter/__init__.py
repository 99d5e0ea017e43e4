"""exporter: articles to EPUB 3, PDF and print-ready HTML.

Pipeline: ``importers/`` → model (:mod:`exporter.model`) → ``transforms`` →
``writers/``, with ``checks/`` beside. The public API is :data:`__all__`.
"""

__version__ = "0.1.0"

from .errors import ExporterError, ModelError, OutputError, ResourceError, SourceError, UsageError  # noqa: E402
from .model import Article, Contributor, Metadata  # noqa: E402
from .pipeline import build, discover, load  # noqa: E402
from .pagesetup import PageSetup  # noqa: E402
from .settings import Settings  # noqa: E402

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

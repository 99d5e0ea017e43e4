"""The pipeline, in two calls: ``load(source) -> Article`` (importer, metadata,
validation) and ``build(article, …) -> {format: path}`` (transforms, writers, atomic
writes). The CLI and the public API both go through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostics, Severity
from .errors import ExporterError, SourceError, UsageError
from .importers import find_sources, importer_for
from .metadata import read_sidecar, sidecar_for
from .model import Article
from .outputs import write_bytes
from .settings import Context, Settings
from .themes import Theme, load_theme
from .transforms import apply, finish_metadata
from .validate import validate
from .writers import WRITERS

__all__ = ["load", "build", "discover", "BuildResult"]


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
    validate(article)
    return article


@dataclass
class BuildResult:
    source: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    error: ExporterError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def build(article: Article, outdir: Path, settings: Settings | None = None,
          theme: Theme | None = None) -> dict[str, Path]:
    """Render ``article`` to every requested format and write ``outdir/<stem>.<ext>``.

    All formats are rendered in memory first; nothing is written unless every format
    rendered (and, under ``strict``, no warning was raised), so a failure leaves the
    previous outputs as they were.
    """
    settings = settings or Settings()
    theme = theme or load_theme(settings.theme)
    ctx = Context(settings=settings, article=article, theme=theme)
    apply(ctx)
    rendered: dict[str, bytes] = {}
    for name in settings.formats:
        _, writer = WRITERS[name]
        rendered[name] = writer(ctx)
    failing = article.diagnostics.at_least(Severity.WARNING if settings.strict else Severity.ERROR)
    if failing:
        first = failing[0]
        raise SourceError(
            f"{'warnings' if settings.strict else 'errors'} while building; no output written: {first.message}",
            file=first.file or article.source, line=first.line,
            hint="fix the problems listed above" + (" or build without --strict" if settings.strict else ""))
    written = {}
    for name, data in rendered.items():
        suffix, _ = WRITERS[name]
        target = Path(outdir) / f"{article.stem}{suffix}"
        written[name] = write_bytes(target, data)
    return written


def discover(paths: list[Path]) -> list[Path]:
    """Source files from files and folders (folders searched recursively, sorted)."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found += find_sources(path)
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder", hint="check the path")
    if not found:
        raise UsageError("no sources found in " + ", ".join(map(str, paths)),
                         hint="give .txt, .md, .html, .xhtml, .xml (JATS) or .epub files, or folders that hold them")
    return found


def build_one(source: Path, outdir: Path, settings: Settings, theme: Theme) -> BuildResult:
    """Load and build one source; any failure is captured in the result."""
    result = BuildResult(source=source)
    try:
        article = load(source, settings)
        result.diagnostics = article.diagnostics
        result.outputs = build(article, outdir, settings, theme)
    except ExporterError as error:
        result.error = error
    except Exception as error:  # a renderer's own bug must not stop the batch
        result.error = ExporterError(
            f"internal error while building: {error.__class__.__name__}: {error}".rstrip(": "), file=source,
            hint="please report this with the source file attached")
    return result

"""The pipeline, in two calls: ``load(source) -> Article`` (importer, metadata,
validation) and ``build(article, …) -> {format: path}`` (transforms, writers, atomic
writes). The CLI and the public API both go through here.

``build_one``/``build_many`` do the same for source files, each document in a child
process under the run's time and memory limits (:mod:`exporter.safety.isolation`): the child
loads and renders to bytes, the parent writes the outputs, so a document that hangs,
exhausts memory or crashes the renderer ends as ``timeout``/``oom``/``crash`` in its
result, leaves no partial file, and the batch goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from exporter.book.project import is_project
from exporter.diagnostics import Diagnostics, Severity
from exporter.errors import ExporterError, OutputError, SourceError, UsageError
from exporter.importers import find_sources
from exporter.importers.load import load
from exporter.model import Article
from exporter.safety import isolation
from exporter.safety.outputs import collision_key, write_all
from exporter.settings import SUFFIXES, Context, Settings
from exporter.themes import Theme, load_theme
from exporter.transforms import apply

__all__ = ["load", "build", "render", "write", "discover", "build_one", "build_many", "BuildResult",
           "render_source", "collect", "Rendered"]


@dataclass
class BuildResult:
    source: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    error: ExporterError | None = None
    #: one of isolation.STATUSES: ok, failed, timeout, oom, crash; or "skipped" when a
    #: batch found the outputs up to date (exporter.batch)
    status: str = "ok"
    #: wall-clock seconds and peak memory (bytes) of the document's build, when isolated
    elapsed: float | None = None
    peak_memory: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status in ("ok", "skipped")


def render(article: Article, settings: Settings | None = None, theme: Theme | None = None) -> dict[str, bytes]:
    """Render ``article`` to every requested format, in memory: ``{format: bytes}``.

    Raises :class:`SourceError` when the diagnostics fail the document (errors, or
    warnings under ``strict``).
    """
    settings = settings or Settings()
    theme = theme or load_theme(settings.theme)
    ctx = Context(settings=settings, article=article, theme=theme)
    apply(ctx)
    from exporter.writers import WRITERS  # here, not at the top: WeasyPrint loads only when something renders

    rendered: dict[str, bytes] = {}
    for name in settings.formats:
        _, writer = WRITERS[name]
        isolation.stage(f"writing the {name.upper()}")
        rendered[name] = writer(ctx)
    failing = article.diagnostics.at_least(Severity.WARNING if settings.strict else Severity.ERROR)
    if failing:
        first = failing[0]
        raise SourceError(
            f"{'warnings' if settings.strict else 'errors'} while building; no output written: {first.message}",
            file=first.file or article.source, line=first.line,
            hint="fix the problems listed above" + (" or build without --strict" if settings.strict else ""))
    return rendered


def write(stem: str, rendered: dict[str, bytes], outdir: Path) -> dict[str, Path]:
    """Write rendered outputs as ``outdir/<stem>.<ext>``, all or nothing (atomically)."""
    targets = {name: Path(outdir) / f"{stem}{SUFFIXES[name]}" for name in rendered}
    write_all({targets[name]: data for name, data in rendered.items()})
    return targets


def build(article: Article, outdir: Path, settings: Settings | None = None,
          theme: Theme | None = None) -> dict[str, Path]:
    """Render ``article`` to every requested format and write ``outdir/<stem>.<ext>``.

    All formats are rendered in memory first; nothing is written unless every format
    rendered (and, under ``strict``, no warning was raised), so a failure leaves the
    previous outputs as they were.
    """
    return write(article.stem, render(article, settings, theme), outdir)


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


@dataclass
class Rendered:
    """What a child sends back: the outputs' bytes, or the error, and the diagnostics."""

    stem: str | None
    files: dict[str, bytes] | None
    diagnostics: Diagnostics
    error: ExporterError | None = None
    #: the folder the article's resources may come from (``Article.root``), once loaded
    root: Path | None = None
    #: what the build read ({path: digest}), when a batch records it (exporter.batch)
    inputs: dict[str, str | None] | None = None


def render_source(source: Path, settings: Settings, theme: Theme) -> Rendered:
    """Load and render one source (in the child process)."""
    diagnostics = Diagnostics()
    root = None
    try:
        if is_project(source):  # a book (exporter.toml): exporter.book
            from exporter.book import render as render_book

            name, files, diagnostics, root = render_book(source, settings, theme)
            return Rendered(name, files, diagnostics, root=root)
        isolation.stage("importing the source")
        article = load(source, settings)
        diagnostics, root = article.diagnostics, article.root
        return Rendered(article.stem, render(article, settings, theme), diagnostics, root=root)
    except ExporterError as error:
        return Rendered(None, None, diagnostics, error, root=root)


def collect(source: Path, outcome: isolation.Outcome, outdir: Path, stem: str | None = None) -> BuildResult:
    """The parent's half of an isolated build: write what the child rendered as
    ``outdir/<stem>.<ext>`` (``stem`` defaults to the article's) and describe the outcome."""
    result = BuildResult(source=source, status=outcome.status, elapsed=outcome.elapsed,
                         peak_memory=outcome.peak_memory)
    if outcome.status == "ok":
        rendered: Rendered = outcome.value
        result.diagnostics = rendered.diagnostics
        if rendered.error is not None:
            result.error, result.status = rendered.error, "failed"
            return result
        try:
            name, files = stem or rendered.stem, rendered.files
            assert name is not None and files is not None  # a rendering without an error has both
            result.outputs = write(name, files, outdir)
        except ExporterError as error:
            result.error, result.status = error, "failed"
        except Exception as error:
            result.status = "failed"
            result.error = ExporterError(f"internal error while writing: {error.__class__.__name__}: {error}",
                                         file=source, hint="the previous outputs were kept; please report this")
        return result
    if outcome.status == "failed":  # a renderer's own bug must not stop the batch
        failure = outcome.error
        if isinstance(failure, RecursionError):
            result.error = ExporterError("the document is nested too deeply to lay out (RecursionError)",
                                         file=source, hint="flatten deeply nested lists, quotes or sections")
            return result
        result.error = ExporterError(
            f"internal error while building: {failure.__class__.__name__}: {failure}".rstrip(": "), file=source,
            hint="please report this with the source file attached")
        return result
    slow_layout = "laying out" in (outcome.stage or "")
    hints = {
        "timeout": ("laying out the print edition is what takes longest for a long document: raise the limit "
                    "(--timeout 1h), or build the EPUB and HTML on their own first (--to epub,html --no-page-list)"
                    if slow_layout else "the document may be pathological (huge tables, thousands of pages); "
                    "raise --timeout if it is legitimately long"),
        "oom": "the document may be pathological (image bombs, enormous pages); "
               "raise --memory-limit if it is legitimately large",
        "crash": "please report this with the source file attached",
    }
    result.error = ExporterError(outcome.describe(), file=source, hint=hints[outcome.status])
    return result


def build_many(sources: list[Path], outdir: Path, settings: Settings, theme: Theme,
               workers: int = 1) -> Iterator[BuildResult]:
    """Build each source in its own child process (at most ``workers`` at a time) and
    yield a :class:`BuildResult` per source as each finishes. A source whose outputs
    would have the name (compared as a case-insensitive file system would) of outputs an
    earlier source wrote in this call fails instead of overwriting them."""

    written: dict[str, Path] = {}  # outputs' name -> the source that wrote them
    jobs = ((source, render_source, (source, settings, theme)) for source in sources)
    for source, outcome in isolation.run_many(jobs, settings.limits, workers):
        stem = outcome.value.stem if outcome.ok and outcome.value.error is None else None
        first = written.get(collision_key(Path(outdir) / stem)) if stem else None
        if first is not None and first != source:  # never overwrite what an earlier source wrote
            yield BuildResult(source=source, status="failed", elapsed=outcome.elapsed, error=OutputError(
                f"{stem}.* was already written by {first}; this source was not built", file=source,
                hint="rename one of the sources (a book: its [build] name), or build them into different "
                     "output folders"))
            continue
        result = collect(source, outcome, outdir)
        if result.ok and stem:
            written[collision_key(Path(outdir) / stem)] = source
        yield result


def build_one(source: Path, outdir: Path, settings: Settings, theme: Theme) -> BuildResult:
    """Load and build one source in a child process; any failure is captured in the result."""
    return next(build_many([source], outdir, settings, theme))

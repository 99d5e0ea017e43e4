"""Batch builds: many sources into one output folder, in parallel, incrementally.

:func:`plan` turns the paths a user gave into :class:`Job`\\ s, one per source, each
with the place its outputs go: a source found under a folder keeps its folder
relative to that folder (``corpus/markdown/guide/ar/a.md`` given as ``corpus`` builds
to ``OUT/markdown/guide/ar/a.epub``), a file given directly goes to ``OUT/a.epub``.
Two sources that would write the same output (``a.md`` and ``a.txt`` side by side,
two folders holding ``a.md``, a book whose ``[build] name`` is another submission's
name), or an output that would replace a source, are errors of those documents —
never an overwrite. Names are compared as a case-insensitive file system (macOS,
Windows) would: ``Paper`` and ``paper`` are one name. A folder that cannot be searched
(nested too deeply, too many entries, unreadable: :func:`~exporter.importers.find_sources`)
and a source whose name cannot even be worked out are failed jobs too, so the rest of
the batch is built and the report lists them.

:func:`run` skips every document whose outputs are up to date
(:mod:`exporter.batch.cache`; ``force`` rebuilds all), builds the others on a pool of
``workers`` child processes (:mod:`exporter.safety.isolation`: each document alone in its
process, under the run's limits), records what each build read, and returns one
:class:`~exporter.pipeline.BuildResult` per job, in the plan's order, carrying on
past failures. :func:`report` is the JSON report of a run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from exporter import __version__
from exporter.batch.cache import (
    Digests,
    Entry,
    Manifest,
    Recorder,
    diagnostics_from_json,
    output_record,
    outputs_intact,
    run_fingerprint,
)
from exporter.book.project import PROJECT_FILE, book_name, is_project
from exporter.diagnostics import Diagnostics
from exporter.errors import ExporterError, OutputError, SourceError, UsageError
from exporter.importers import epub as epub_importer
from exporter.importers import find_sources, not_jats
from exporter.model import Article, Metadata
from exporter.pipeline import BuildResult, Rendered, collect, render_source
from exporter.safety import isolation
from exporter.safety.outputs import collision_key, sweep_stale
from exporter.settings import SUFFIXES, Settings
from exporter.themes import Theme

__all__ = ["Job", "plan", "run", "report", "default_workers", "output_stem"]

#: seconds between manifest saves during a long run (so an interrupted run keeps its progress)
SAVE_EVERY = 15.0


@dataclass
class Job:
    source: Path
    #: the folder the outputs go to, and their name without suffix
    outdir: Path
    stem: str
    #: the outputs' path relative to the output folder, without suffix (the manifest's key)
    key: str
    #: why this job cannot be built (an output collision), found while planning
    error: ExporterError | None = None

    def targets(self, formats: Iterable[str]) -> dict[str, Path]:
        return {name: self.outdir / f"{self.stem}{SUFFIXES[name]}" for name in formats}


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def output_stem(source: Path) -> tuple[str, Path]:
    """The outputs' name for ``source`` and the path it is named after (the source, or
    for an unpacked EPUB the folder that names it), the same as the article's
    :attr:`~exporter.model.Article.stem` but known without reading the source."""
    if source.is_dir():
        named = epub_importer.named_folder(source)
        return named.name, named
    if is_project(source):  # a book: named for its folder (exporter.book)
        return book_name(source), source.parent
    return Article(meta=Metadata(), body=None, source=source, root=source.parent).stem, source


def plan(paths: list[Path], output: Path, formats: Iterable[str] = tuple(SUFFIXES),
         notices: Diagnostics | None = None) -> list[Job]:
    """One job per source found in ``paths`` (files and folders, folders searched
    recursively), in order; the same source given twice is built once. Files found in
    a folder and not built (``.xml`` that is no JATS article) are said in ``notices``
    (S043)."""
    output = Path(output)
    jobs: list[Job] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        problems: list[SourceError] = []
        passed: list[Path] = []
        if path.is_dir():
            found, base = find_sources(path, problems, passed), path
            for skipped in passed:
                if notices is not None:
                    not_jats(skipped, notices)
        elif path.exists():
            found, base = [path], None
        else:
            raise UsageError(f"{path}: no such file or folder", hint="check the path")
        for source in found:
            real = source.resolve()
            if real in seen:
                continue
            seen.add(real)
            try:
                stem, named = output_stem(source)
            except (OSError, ValueError, RecursionError, MemoryError) as error:
                # a book's project file the parent cannot read: that document fails, the batch goes on
                jobs.append(_failed(source, SourceError(
                    f"cannot work out the outputs' name: {_reason(error)}", file=source,
                    hint="check the file (and a book's [build] name); the other documents were built")))
                continue
            folder = Path()
            if base is not None:
                try:
                    folder = named.parent.relative_to(base)
                except ValueError:  # the folder given is the book itself (book/src)
                    folder = Path()
            key = (folder / stem).as_posix()
            jobs.append(Job(source, output / folder if folder.parts else output, stem, key))
        for problem in problems:  # folders not searched: failed documents of their own
            assert problem.file is not None  # find_sources names the folder
            jobs.append(_failed(Path(problem.file), problem))
    if not jobs:
        raise UsageError("no sources found in " + ", ".join(map(str, paths)),
                         hint="give .txt, .md, .html, .xhtml, .xml (JATS) or .epub files, or folders that hold them")
    _find_collisions([job for job in jobs if job.error is None], formats, seen)
    return jobs


def _failed(source: Path, error: ExporterError) -> Job:
    """A job that cannot be built (its error is its result); it writes nothing."""
    return Job(source, Path(), "", "", error=error)


def _reason(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "it is nested too deeply to read"
    if isinstance(error, MemoryError):
        return "it needs too much memory to read"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[:1].lower() + error.strerror[1:]
    return str(error) or error.__class__.__name__


def _book(job: Job) -> str:
    return f" (the book named '{job.stem}')" if job.source.name == PROJECT_FILE else ""


def _named(job: Job) -> str:
    return f"{job.source}{_book(job)}"


def _find_collisions(jobs: list[Job], formats: Iterable[str], sources: set[Path]) -> None:
    source_keys = {collision_key(source) for source in sources}
    by_target: dict[str, list[Job]] = {}
    for job in jobs:
        by_target.setdefault(collision_key(job.outdir / job.stem), []).append(job)
    for group in by_target.values():
        if len(group) < 2:
            continue
        keys = sorted({job.key for job in group})
        for job in group:
            others = ", ".join(_named(other) for other in group if other is not job)
            alike = (f" (a case-insensitive file system, as on macOS and Windows, makes "
                     f"{' and '.join(k + '.*' for k in keys)} one file)") if len(keys) > 1 else ""
            job.error = OutputError(
                f"{job.key}.* would be written by {len(group)} sources: this one{_book(job)} and {others}; "
                f"none of them was built{alike}", file=job.source,
                hint="rename one of the sources (a book: its [build] name in exporter.toml), or build them "
                     "into different output folders")
    for job in jobs:
        if job.error is None:
            for target in job.targets(formats).values():
                if collision_key(target.resolve()) in source_keys:
                    job.error = OutputError(f"the output {target} would replace a source", file=job.source,
                                            hint="build into another output folder (-o)")
                    break


# -- running ---------------------------------------------------------------------------

def _render_recorded(source: Path, settings: Settings, theme: Theme) -> Rendered:
    """In the child: build one source, noting every file it read."""
    with Recorder() as recorder:
        rendered = render_source(source, settings, theme)
    if not recorder.network:
        home = source if source.is_dir() else source.parent
        rendered.inputs = recorder.inputs([rendered.root, home])
    return rendered


def _up_to_date(job: Job, entry: Entry | None, fingerprint: str, formats: Iterable[str], output: Path,
                digests: Digests) -> bool:
    if not entry or entry.get("run") != fingerprint or entry.get("source") != str(job.source.resolve()):
        return False
    outputs, inputs = entry.get("outputs"), entry.get("inputs")
    if not isinstance(outputs, dict) or set(outputs) != set(formats) or not isinstance(inputs, dict) or not inputs:
        return False
    if any(digests(path) != digest for path, digest in inputs.items()):
        return False
    return outputs_intact(output, outputs)


def _skipped(job: Job, entry: Entry, output: Path) -> BuildResult:
    outputs = {name: output / record["file"] for name, record in entry["outputs"].items()}
    return BuildResult(source=job.source, outputs=outputs, status="skipped",
                       diagnostics=diagnostics_from_json(entry.get("diagnostics")))


#: exporter's own small article, built in the parent before workers fork (it lives in the
#: package, so the warm-up reads nothing outside exporter's own files)
WARM_UP_SOURCE = Path(__file__).resolve().parent / "warmup" / "warm-up.md"


def _warm_up(settings: Settings | None = None, theme: Theme | None = None) -> None:
    """Import the renderers once in this process, so that every child forked from it
    starts with them loaded (instead of each importing WeasyPrint on its own); with
    ``settings``, also build a small article of exporter's own here, in the parent, so
    that what every build sets up once (fontconfig, the theme's fonts and templates,
    caches) is set up before the children fork and not again in each of them."""
    import fontTools.subset  # noqa: F401
    import PIL.Image

    from exporter import writers  # noqa: F401
    from exporter.writers import pdf  # noqa: F401
    from exporter.writers.epub import fonts as epub_fonts  # noqa: F401

    PIL.Image.init()
    if settings is None or os.environ.get("EXPORTER_NO_WARM_UP"):
        return
    from exporter.pipeline import load, render

    try:
        own = replace(settings, metadata=None, strict=False)
        render(load(WARM_UP_SOURCE, own), own, theme)
    except Exception:
        pass


@dataclass
class RunInfo:
    """About a run as a whole, for the report."""

    workers: int
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    skipped: int = 0


def run(jobs: list[Job], settings: Settings, theme: Theme, *, output: Path, workers: int = 1, force: bool = False,
        on_start: Callable[[int, int], None] | None = None,
        on_result: Callable[[BuildResult], None] | None = None,
        info: RunInfo | None = None) -> list[BuildResult]:
    """Build ``jobs`` (see the module documentation). ``on_start(total, skipped)`` is
    called once the up-to-date documents are known, ``on_result`` with each result as
    it comes (skipped ones first)."""
    clock = time.monotonic()
    output = Path(output)
    manifest = Manifest.load(output)
    fingerprint = run_fingerprint(settings, theme)
    digests = Digests()
    results: dict[int, BuildResult] = {}
    pending: list[int] = []
    for index, job in enumerate(jobs):
        entry = manifest.get(job.key)
        if job.error is not None:
            results[index] = BuildResult(source=job.source, error=job.error, status="failed")
        elif not force and entry is not None and _up_to_date(job, entry, fingerprint, settings.formats, output, digests):
            results[index] = _skipped(job, entry, output)
        else:
            pending.append(index)
    skipped = [i for i, r in results.items() if r.status == "skipped"]
    if info is not None:
        info.skipped = len(skipped)
    if on_start is not None:
        on_start(len(jobs), len(skipped))
    if on_result is not None:
        for index in sorted(results):
            on_result(results[index])
    if pending:
        for folder in {jobs[i].outdir for i in pending}:
            sweep_stale(folder)
        # a head start shared by every child, worth it when each worker builds several documents
        _warm_up(settings, theme) if len(pending) > workers else _warm_up()
        # the longest first (by size): a pool then rarely waits on one long document at the end
        pending.sort(key=lambda i: -_size(jobs[i].source))
        work = ((i, _render_recorded, (jobs[i].source, settings, theme)) for i in pending)
        saved = time.monotonic()
        try:
            for index, outcome in isolation.run_many(work, settings.limits, workers):
                job = jobs[index]
                result = collect(job.source, outcome, job.outdir, job.stem)
                if result.ok:
                    inputs = outcome.value.inputs
                    if inputs:
                        manifest.put(job.key, _entry(job, result, inputs, fingerprint, output))
                    else:
                        manifest.drop(job.key)
                results[index] = result
                if on_result is not None:
                    on_result(result)
                if manifest.dirty and time.monotonic() - saved > SAVE_EVERY:
                    _save(manifest)
                    saved = time.monotonic()
        finally:
            _save(manifest)
    if info is not None:
        info.seconds = time.monotonic() - clock
    return [results[i] for i in range(len(jobs))]


def _save(manifest: Manifest) -> None:
    try:
        manifest.save()
    except ExporterError:  # the outputs are written; without a manifest the next run rebuilds
        pass


def _size(source: Path, most: int = 10_000) -> int:
    """Bytes in ``source`` (a file, or an unpacked EPUB's folder: its first ``most``
    entries, walked without recursion or links), for ordering only."""
    try:
        if not source.is_dir():
            return source.stat().st_size
        total, folders = 0, [source]
        while folders and most > 0:
            with os.scandir(folders.pop()) as listing:
                for entry in listing:
                    most -= 1
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
        return total
    except (OSError, ValueError):
        return 0


def _entry(job: Job, result: BuildResult, inputs: dict[str, str | None], fingerprint: str, output: Path) -> Entry:
    return {
        "source": str(job.source.resolve()),
        "run": fingerprint,
        "inputs": inputs,
        "outputs": {name: output_record(output, path) for name, path in result.outputs.items()},
        "diagnostics": [d.to_json() for d in result.diagnostics],
        "seconds": round(result.elapsed, 3) if result.elapsed is not None else None,
    }


# -- the report --------------------------------------------------------------------------

def _problem_json(error: ExporterError) -> dict[str, Any]:
    data: dict[str, Any] = {"message": error.message, "file": error.file, "line": error.line, "hint": error.hint,
            "type": type(error).__name__}
    return {key: value for key, value in data.items() if value is not None}


def document_json(result: BuildResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": str(result.source),
        "status": result.status,
        "outputs": {name: str(path) for name, path in result.outputs.items()},
    }
    if result.elapsed is not None:
        data["seconds"] = round(result.elapsed, 3)
    if result.peak_memory is not None:
        data["peak_memory"] = result.peak_memory
    data["diagnostics"] = [d.to_json() for d in result.diagnostics]
    if result.error is not None:
        # the error as one line (file:line: message (hint: …)), and each problem it stands
        # for (several for an article that breaks the model) with its own file and line
        data["error"] = result.error.plain()
        data["problems"] = [_problem_json(problem) for problem in result.error.problems or [result.error]]
    return data


def report(results: list[BuildResult], info: RunInfo | None = None, *, output: Path | None = None,
           settings: Settings | None = None) -> dict[str, Any]:
    """The JSON report of a run: every document (status, outputs, diagnostics, time,
    error, and its problems with file and line) and the totals."""
    failed = [r for r in results if not r.ok]
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    data: dict[str, Any] = {
        "exporter": __version__,
        "documents": [document_json(r) for r in results],
        "ok": len(results) - len(failed),
        "built": sum(1 for r in results if r.status == "ok"),
        "skipped": sum(1 for r in results if r.status == "skipped"),
        "failed": len(failed),
        "statuses": statuses,
    }
    if output is not None:
        data["output"] = str(output)
    if settings is not None:
        data["formats"] = list(settings.formats)
    if info is not None:
        data["workers"] = info.workers
        data["seconds"] = round(info.seconds, 3)
        data["started"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(info.started))
    return data

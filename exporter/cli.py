"""The command line: ``exporter build``, ``check``, ``import``. The only module that
prints or exits. ``main(argv)`` returns the exit code (0 ok, 1 a document failed,
2 usage), so tests call it directly.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from exporter import __version__, batch
from exporter.batch import default_workers
from exporter.batch.progress import Progress
from exporter.batch.progress import wanted as progress_wanted
from exporter.book.project import is_project
from exporter.checks import gate as check_gate
from exporter.checks import report as check_report
from exporter.checks.result import Report as CheckReport
from exporter.diagnostics import Diagnostics
from exporter.display import json_text, printable
from exporter.errors import ExporterError, SourceError, UsageError
from exporter.model import ROLES, Contributor, Metadata, valid_language
from exporter.model.dates import DateError, iso_date
from exporter.model.file import dump_model
from exporter.pagesetup import PAGE_SIZES, PDF_VARIANTS, PageSetup, page_size_key, parse_length_mm
from exporter.pipeline import BuildResult, discover, load
from exporter.safety.fetch import MAX_DOCUMENT_BYTES, MAX_RESOURCE_BYTES
from exporter.safety.isolation import DEFAULT_MEMORY, DEFAULT_TIMEOUT, parse_seconds, parse_size
from exporter.safety.outputs import sweep_stale, write_bytes
from exporter.settings import FORMATS, EpubOptions, Settings
from exporter.themes import Theme, builtin_themes, load_theme, styles_dir

__all__ = ["main"]


def _formats(value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or value!r}; "
                                         f"choose from {', '.join(FORMATS)}")
    return names


def _size(value: str) -> int:
    try:
        size = parse_size(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if size is None:
        raise argparse.ArgumentTypeError("give a size such as 50M")
    return size


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("give 1 or more")
    return jobs


def _hosts(value: str) -> list[str]:
    """``--allow-network a.org,b.org``: host names, lower-cased (one option value, so the
    sources that follow it stay sources)."""
    hosts = [part.strip().lower() for part in value.split(",") if part.strip()]
    for host in hosts:
        if "/" in host or any(c.isspace() for c in host):
            raise argparse.ArgumentTypeError(f"{host!r} is not a host name; give a name such as example.org "
                                             "(no scheme or path)")
    if not hosts:
        raise argparse.ArgumentTypeError("give a host name, e.g. example.org")
    return hosts


def _folder(value: str) -> Path:
    """``--allow-read DIR``: an existing folder, resolved."""
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is not a folder")
    return path.resolve()


def _limit_size(value: str) -> int | None:
    try:
        return parse_size(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _seconds(value: str) -> float | None:
    try:
        return parse_seconds(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _encoding(value: str) -> str:
    """``--encoding NAME``: a name Python and browsers know."""
    from exporter.importers.decoding import checked_codec

    try:
        checked_codec(value)
    except UsageError as error:
        raise argparse.ArgumentTypeError(f"{error.message} ({error.hint})") from None
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exporter", description="Articles to EPUB 3, PDF and print-ready HTML.")
    parser.add_argument("--version", action="version", version=f"exporter {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def source_options(p: argparse.ArgumentParser) -> None:
        meta = p.add_argument_group("metadata (overrides the source and its sidecar)")
        meta.add_argument("--title")
        meta.add_argument("--subtitle")
        meta.add_argument("--author", action="append", default=[], metavar="NAME",
                          help="an author (repeatable)")
        meta.add_argument("--contributor", action="append", default=[], metavar="ROLE:NAME",
                          help="a contributor with a MARC relator role, e.g. ivr:'Joel Wing' (repeatable)")
        meta.add_argument("--date", help="publication date: YYYY-MM-DD, YYYY-MM, YYYY or an ISO 8601 date-time")
        meta.add_argument("--lang", dest="language", help="language tag, e.g. en, fr, ar")
        meta.add_argument("--publisher")
        meta.add_argument("--publication", help="name of the periodical or site")
        meta.add_argument("--source-url", dest="source_url", help="where the article was first published")
        meta.add_argument("--rights")
        meta.add_argument("--license", help="licence URL")
        meta.add_argument("--identifier", help="DOI (doi:…), URN or ISBN")
        p.add_argument("--encoding", type=_encoding, metavar="NAME",
                       help="the encoding of text, Markdown and HTML sources, e.g. shift_jis, koi8-r "
                            "(default: byte-order mark, else UTF-8, else detected and reported as S006)")
        safety = p.add_argument_group("safety")
        safety.add_argument("--allow-network", action="extend", type=_hosts, default=[], metavar="HOST",
                            help="let sources fetch resources from this host (off by default); repeat the "
                                 "option or separate hosts with commas: a.org,b.org")
        safety.add_argument("--allow-read", action="append", type=_folder, default=[], metavar="DIR",
                            help="let sources below DIR read any file in DIR (by default a source reads "
                                 "only its own folder, a book only its own); site paths such as "
                                 "/assets/x.png resolve against it; repeatable")
        safety.add_argument("--max-resource-bytes", type=_size, default=MAX_RESOURCE_BYTES, metavar="SIZE",
                            help="largest file a document may use, e.g. 50M (default: 50M)")
        safety.add_argument("--max-document-bytes", type=_size, default=MAX_DOCUMENT_BYTES, metavar="SIZE",
                            help="most bytes of resources one document may use, e.g. 300M (default: 300M)")

    build = sub.add_parser("build", help="build EPUB, PDF and HTML from sources",
                           description="Build every source into OUTDIR/<name>.epub|.pdf|.html.")
    build.add_argument("sources", nargs="*", type=Path, metavar="SOURCE",
                       help="source files or folders (default: ./sources, else the bundled samples)")
    build.add_argument("-o", "--output", type=Path, default=Path("dist"), metavar="OUTDIR",
                       help="output folder (default: dist)")
    build.add_argument("--to", type=_formats, default=FORMATS, metavar="FORMATS",
                       help="comma-separated formats: epub,pdf,html (default: all)")
    build.add_argument("--theme", default="magazine",
                       help=f"a built-in theme ({', '.join(builtin_themes())}) or a theme folder")
    build.add_argument("--strict", action="store_true", help="fail a document on any warning")
    build.add_argument("--format", choices=("text", "json"), default="text",
                       help="report on standard output as text (default) or JSON")
    batch = build.add_argument_group("batch")
    batch.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                       help="documents built at a time, each in its own process (default: all cores, "
                            f"here {default_workers()})")
    batch.add_argument("--force", action="store_true",
                       help="rebuild every document, even those whose outputs are up to date")
    batch.add_argument("--report", type=Path, metavar="FILE",
                       help="also write the JSON report of every document to FILE")
    shown = batch.add_mutually_exclusive_group()
    shown.add_argument("--progress", dest="progress", action="store_const", const=True, default=None,
                       help="draw the progress bar even when standard error is not a terminal")
    shown.add_argument("-q", "--quiet", action="store_true",
                       help="no progress bar, and report only failures and the totals")
    epub = build.add_argument_group("EPUB")
    epub.add_argument("--obfuscate-fonts", action="store_true",
                      help="obfuscate embedded fonts (IDPF algorithm), as some font licences ask")
    epub.add_argument("--no-embed-fonts", dest="embed_fonts", action="store_false",
                      help="do not embed the theme's fonts; reading systems use their own")
    pages = epub.add_mutually_exclusive_group()
    pages.add_argument("--page-list", dest="page_list", action="store_true", default=None,
                       help="mark the PDF's page numbers in the EPUB even when no PDF is built (default: when it is)")
    pages.add_argument("--no-page-list", dest="page_list", action="store_false", help="leave out the page numbers")
    source_options(build)
    print_options(build)
    limits = build.add_argument_group("limits per document (each document is built in its own process)")
    limits.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"stop a document after this long, e.g. 90 or 10m; 0 = no limit "
                             f"(default: {DEFAULT_TIMEOUT:g})")
    limits.add_argument("--memory-limit", type=_limit_size, default=DEFAULT_MEMORY, metavar="SIZE",
                        help=f"stop a document that needs more memory, e.g. 2G; 0 = no limit "
                             f"(default: {DEFAULT_MEMORY // 2**30}G)")
    _check_options(build, after_build=True)

    imp = sub.add_parser("import", help="write a source as an editable model file (.xhtml)",
                         description="Import SOURCE into the canonical article model (docs/model.md).")
    imp.add_argument("source", type=Path, metavar="SOURCE")
    imp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    source_options(imp)

    sub.add_parser("themes", help="list the built-in themes")
    _check_parser(sub)
    return parser


def print_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("print", "paper, PDF flavour and print-shop output (PDF and print HTML)")
    group.add_argument("--page-size", type=_page_size, default=None, metavar="SIZE",
                       help=f"paper: {', '.join(PAGE_SIZES)} (default: the theme's, usually a4)")
    group.add_argument("--pdf-variant", choices=list(PDF_VARIANTS), default="pdf/ua-1", metavar="VARIANT",
                       help="pdf/ua-1 (default, tagged and accessible); archival: "
                            + ", ".join(k for k in PDF_VARIANTS if k.startswith("pdf/a"))
                            + " (PDF/A-3 and 4f embed the article's source)")
    group.add_argument("--pdf-notes", choices=("foot", "end"), default=None,
                       help="notes at the foot of each page or at the end of the article (default: the theme's)")
    group.add_argument("--bleed", type=_bleed, default=0.0, metavar="LENGTH",
                       help="bleed around each page for a print shop, e.g. 3mm or 0.125in (sets the PDF BleedBox)")
    group.add_argument("--crop-marks", action="store_true",
                       help="crop and registration marks outside the bleed, for trimming")


def _page_size(value: str) -> str:
    try:
        return page_size_key(value)
    except UsageError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _bleed(value: str) -> float:
    try:
        return parse_length_mm(value, what="--bleed")
    except UsageError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _page_setup(args: argparse.Namespace) -> PageSetup:
    return PageSetup(size=args.page_size, variant=args.pdf_variant, notes=args.pdf_notes,
                     bleed_mm=args.bleed, crop_marks=args.crop_marks)


def _metadata(args: argparse.Namespace) -> Metadata | None:
    meta = Metadata(title=args.title or "", language=args.language or "")
    for name in ("subtitle", "publisher", "publication", "rights", "license", "identifier"):
        setattr(meta, name, getattr(args, name))
    if args.date is not None:
        try:
            meta.date = iso_date(args.date, "--date")
        except DateError as error:
            raise UsageError(error.message, hint=error.hint) from None
    meta.source = args.source_url
    if args.language is not None and not valid_language(args.language):
        raise UsageError(f"--lang {args.language!r} is not a language tag", hint="use a BCP 47 tag such as en or pt-BR")
    meta.contributors = [Contributor(name=name) for name in args.author]
    for item in args.contributor:
        role, sep, name = item.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--contributor {item!r} must be ROLE:NAME", hint="e.g. --contributor ivr:'Joel Wing'")
        if role.strip() not in ROLES:
            raise UsageError(f"--contributor {item!r}: unknown role {role.strip()!r}",
                             hint="use a MARC relator code: " + ", ".join(sorted(ROLES)))
        meta.contributors.append(Contributor(name=name.strip(), role=role.strip()))
    return meta


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    return Settings(metadata=_metadata(args), allow_hosts=frozenset(args.allow_network),
                    allow_read=tuple(dict.fromkeys(args.allow_read)),
                    max_resource_bytes=args.max_resource_bytes, max_document_bytes=args.max_document_bytes,
                    encoding=args.encoding, **extra)


def _print_diagnostics(diagnostics: Diagnostics, stream: TextIO) -> None:
    for diagnostic in diagnostics:
        print(f"  {diagnostic}", file=stream)


def _default_sources() -> list[Path]:
    local = Path("sources")
    if local.is_dir():
        return [local]
    return [styles_dir().parent / "sources"]


def _build(args: argparse.Namespace) -> int:
    epub = EpubOptions(embed_fonts=args.embed_fonts, obfuscate_fonts=args.obfuscate_fonts,
                       page_list=args.page_list)
    settings = _settings(args, formats=args.to, theme=args.theme, strict=args.strict, page=_page_setup(args),
                         timeout=args.timeout, memory_limit=args.memory_limit, epub=epub)
    theme = load_theme(args.theme)
    notices = Diagnostics()  # about the sources found, not about one document (S043)
    jobs = batch.plan(args.sources or _default_sources(), args.output, settings.formats, notices=notices)
    if args.format == "text" and not args.quiet:
        _print_diagnostics(notices, sys.stderr)
    args.output.mkdir(parents=True, exist_ok=True)
    sweep_stale(args.output)
    info = batch.RunInfo(workers=args.jobs or batch.default_workers())
    bar = Progress(len(jobs), enabled=not args.quiet and progress_wanted(sys.stderr, args.progress))
    text = args.format == "text"

    def started(total: int, skipped: int) -> None:
        bar.done = bar.skipped = skipped
        bar.draw(force=True)

    def finished(r: BuildResult) -> None:
        if r.status == "skipped":
            return
        bar.advance(str(r.source), failed=not r.ok)
        if not text:
            return
        if r.ok:
            if not args.quiet:
                bar.print(f"ok      {printable(r.source)} -> " + ", ".join(printable(p) for p in r.outputs.values()))
                for diagnostic in r.diagnostics:
                    bar.print(f"  {diagnostic}")
            return
        assert r.error is not None  # a result that is not ok carries its error (pipeline.collect)
        lines = [f"{r.status.upper():7} {printable(r.source)}", *(f"  {d}" for d in r.diagnostics),
                 *(f"  error: {problem}" for problem in r.error.problems or [r.error])]
        for line in lines:
            bar.print(line, file=sys.stderr)

    try:
        results = batch.run(jobs, settings, theme, output=args.output, workers=info.workers, force=args.force,
                            on_start=started, on_result=finished, info=info)
    finally:
        bar.finish()
    failed = [r for r in results if not r.ok]
    gate = _check_built(args, results, settings, theme)
    report = batch.report(results, info, output=args.output, settings=settings)
    if len(notices):
        report["notices"] = [notice.to_json() for notice in notices]
    if gate is not None:
        report["check"] = gate.to_json()
    if args.report is not None:
        # names as given; what a terminal could act on (and the lone surrogates of a file
        # name that is not UTF-8) written as JSON \u escapes
        text = json_text(report, indent=2) + "\n"
        write_bytes(args.report, text.encode("utf-8", "backslashreplace"))
    if args.format == "json":
        print(json_text(report, indent=2))
    else:
        limits = [f"{sum(1 for r in failed if r.status == s)} {s}" for s in ("timeout", "oom", "crash")
                  if any(r.status == s for r in failed)]
        summary = f"{report['built']} built, {len(failed)} failed" + (f" ({', '.join(limits)})" if limits else "")
        if info.skipped:
            summary += f", {info.skipped} up to date (skipped; --force rebuilds them)"
        print(summary + f" in {info.seconds:.1f} s")
        if gate is not None:
            print(check_report.text(gate))
    if any(isinstance(r.error, UsageError) and is_project(r.source) for r in failed):
        return 2  # a book's exporter.toml is wrong: a configuration error (docs/collections.md)
    return 1 if failed or (gate is not None and not gate.ok) else 0


def _import(args: argparse.Namespace) -> int:
    try:
        article = load(args.source, _settings(args))
    except (RecursionError, MemoryError) as error:  # in-process: a hostile source must not end in a traceback
        raise SourceError(f"the source {_too_much(error)} to be read; nothing was written", file=args.source,
                          hint="flatten deeply nested lists, quotes or sections") from None
    write_bytes(args.output, dump_model(article))
    _print_diagnostics(article.diagnostics, sys.stderr)
    print(f"wrote {printable(args.output)}")
    return 0


# --- exporter check / exporter build --check -------------------------------------------

def _checker_list(value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [n for n in names if n not in check_gate.CHECKERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown checker {', '.join(unknown) or value!r}; "
                                         f"choose from {', '.join(check_gate.CHECKERS)}")
    return names


def _check_options(p: argparse.ArgumentParser, after_build: bool = False) -> None:
    group = p.add_argument_group("checks" + (" (with --check)" if after_build else ""))
    if after_build:
        group.add_argument("--check", action="store_true",
                           help="check the outputs after building (as `exporter check`, with the sources known; "
                                "--twice and --junit imply it)")
    group.add_argument("--only", type=_checker_list, metavar="CHECKERS",
                       help=f"run only these checkers ({', '.join(check_gate.CHECKERS)})")
    group.add_argument("--skip", type=_checker_list, default=(), metavar="CHECKERS",
                       help="do not run these checkers")
    group.add_argument("--twice", action="store_true",
                       help="build every source again into a temporary folder and compare bytes "
                            "(needs SOURCE_DATE_EPOCH)")
    group.add_argument("--fail-on", choices=("error", "warning"), default="error",
                       help="the lowest severity that fails a check (default: error)")
    group.add_argument("--warnings-as-errors", dest="fail_on", action="store_const", const="warning",
                       help="same as --fail-on warning")
    group.add_argument("--fail-on-skip", action="store_true",
                       help="a check that cannot run (checker not installed, no source) fails instead of "
                            "being skipped")
    group.add_argument("--junit", type=Path, metavar="FILE", help="also write a JUnit XML report to FILE")
    group.add_argument("--ace-jobs", type=int, default=2, metavar="N",
                       help="DAISY Ace runs at a time (each starts Chromium; default: 2)")


def _check_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = sub.add_parser(
        "check", help="check built outputs: EPUBCheck, Ace, Nu HTML Checker, PDF, completeness",
        description="Check EPUB, PDF and HTML outputs (files or folders) with every checker that applies. "
                    "Exit 0 when every check passes, 1 when any fails, 2 on a usage error.")
    check.add_argument("outputs", nargs="+", type=Path, metavar="PATH", help="output files or folders")
    check.add_argument("--source", action="append", type=Path, default=[], metavar="PATH",
                       help="source files or folders the outputs were built from, matched by name "
                            "(needed by completeness and --twice; repeatable)")
    check.add_argument("--theme", default="magazine", help="the theme the outputs were built with (for --twice)")
    check.add_argument("--allow-read", action="append", type=_folder, default=[], metavar="DIR",
                       help="the folders the sources were allowed to read when built (--allow-read of build)")
    check.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    _check_options(check)
    print_options(check)  # for --twice: the print options the outputs were built with


def _gate_options(args: argparse.Namespace, settings: Settings, theme: Theme | None, sources_given: bool) -> check_gate.Options:
    checkers = tuple(c for c in (args.only or check_gate.CHECKERS) if c not in args.skip)
    if not checkers:
        raise UsageError("--only and --skip leave no checker to run", hint="drop one of them")
    if args.ace_jobs < 1:
        raise UsageError("--ace-jobs must be 1 or more")
    return check_gate.Options(checkers=checkers, twice=args.twice, settings=settings, theme=theme,
                              threshold=check_gate.THRESHOLDS[args.fail_on], fail_on_skip=args.fail_on_skip,
                              ace_jobs=args.ace_jobs, sources_given=sources_given)


def _write_junit(args: argparse.Namespace, gate: CheckReport) -> None:
    if args.junit is not None:
        write_bytes(args.junit, check_report.junit(gate))


def _check(args: argparse.Namespace) -> int:
    targets = check_gate.find_outputs(args.outputs)
    if args.source:
        check_gate.match_sources(targets, discover(args.source))
    settings = Settings(theme=args.theme, page=_page_setup(args), allow_read=tuple(dict.fromkeys(args.allow_read)))
    theme = load_theme(args.theme) if args.twice else None  # a bad --theme is a usage error up front
    gate = check_gate.run(targets, _gate_options(args, settings, theme, bool(args.source)))
    _write_junit(args, gate)
    print(check_report.to_json(gate) if args.format == "json" else check_report.text(gate))
    return 0 if gate.ok else 1


def _check_built(args: argparse.Namespace, results: list[BuildResult], settings: Settings,
                 theme: Theme) -> CheckReport | None:
    """``build --check`` (implied by --twice or --junit): the gate on what was just built."""
    if not (args.check or args.twice or args.junit):
        return None
    targets = [check_gate.Target(path, name, r.source) for r in results if r.ok for name, path in r.outputs.items()]
    if not targets:
        return None
    gate = check_gate.run(targets, _gate_options(args, settings, theme, sources_given=True))
    _write_junit(args, gate)
    return gate


def _too_much(error: BaseException) -> str:
    return "is nested too deeply" if isinstance(error, RecursionError) else "needs more memory than there is"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "import":
            return _import(args)
        if args.command == "check":
            return _check(args)
        if args.command == "themes":
            for name in builtin_themes():
                print(f"{name:12} {printable(load_theme(name).setting('description', default=''))}")
            return 0
    except ExporterError as error:
        for problem in error.problems or [error]:
            print(f"error: {problem}", file=sys.stderr)
        return error.exit_code
    except (RecursionError, MemoryError) as error:
        # in-process work on a hostile input (exporter import, planning a batch): a clear
        # error, never a traceback; builds run in children and report these themselves
        print(f"error: an input {_too_much(error)} to be read; nothing was written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())

"""exporter's benchmarks: ``python bench/run.py [--quick]`` (or ``make bench``).

1. **exporter vs pandoc** on the same Markdown articles (the shared corpus's Markdown
   and generated ones): EPUB and HTML against Debian's pandoc, PDF against pandoc with
   ``--pdf-engine=weasyprint``. exporter runs as ``exporter build DIR --to FORMAT -j 2``;
   pandoc gets both cores too (two processes at a time). Throughput and the ratio.
2. **PDF per article vs bare WeasyPrint**: in this process, exporter loading and
   rendering each article to PDF, against WeasyPrint alone rendering the very HTML and
   style sheets exporter hands it (the print page), with WeasyPrint's default options
   and with exporter's (tagged PDF/UA-1).
3. **Scaling**: 1, 10, 100 and 1,000 generated one-page news briefs (``--quick``: 1,
   10, 40), 1 and 2 workers, all three formats: articles per second and peak memory of
   the whole process tree; then a rebuild of the largest set with nothing changed.

Everything is built under ``--workdir`` (default: a fresh temporary folder, removed at
the end unless ``--keep``). The results are printed as Markdown tables and written as
JSON to ``--json`` if given. Needs pandoc (``scripts/setup.sh --bench`` installs it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import articles  # noqa: E402
import measure  # noqa: E402
from measure import human_bytes  # noqa: E402

EPOCH = "1700000000"


def environment() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env["SOURCE_DATE_EPOCH"] = EPOCH
    # pandoc --pdf-engine=weasyprint runs the `weasyprint` command: the one next to this Python
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("CI", None)
    return env


def exporter_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "exporter", "build", *args]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        memory = 0
    return f"{cpu}, {len(os.sched_getaffinity(0))} cores, {human_bytes(memory)} RAM, {platform.system()} " \
           f"{platform.release()}, Python {platform.python_version()}"


def versions() -> dict:
    from importlib import metadata

    from exporter import __version__

    found = {"exporter": __version__}
    for name in ("weasyprint", "ebooklib", "lxml"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    pandoc = shutil.which("pandoc")
    if pandoc:
        found["pandoc"] = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return found


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def exporter_report(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# -- 1. exporter vs pandoc ---------------------------------------------------------------

PANDOC_ARGS = {
    "epub": ["--to", "epub3"],
    "html": ["--to", "html5", "--standalone"],
    "pdf": ["--to", "pdf", "--pdf-engine=weasyprint"],
}


def compare(work: Path, count: int, env: dict, results: dict) -> str:
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        raise SystemExit("bench: pandoc is not installed; run scripts/setup.sh --bench (or make bench)")
    src = work / "compare-src"
    sources = articles.prepare(src, count)
    rows, data = [], {}
    for fmt in ("epub", "html", "pdf"):
        out = work / f"compare-exporter-{fmt}"
        report = work / f"compare-exporter-{fmt}.json"
        ours = measure.run(exporter_command(str(src), "-o", str(out), "--to", fmt, "-j", "2", "--force", "-q",
                                            "--report", str(report)), env=env)
        built = exporter_report(report)["ok"]
        pandoc_out = work / f"compare-pandoc-{fmt}"
        pandoc_out.mkdir(exist_ok=True)
        commands = [[pandoc, str(s), "--from", "markdown", *PANDOC_ARGS[fmt], "-o",
                     str(pandoc_out / f"{s.stem}.{fmt}")] for s in sources]
        theirs = measure.run_many(commands, 2, env=env)
        made = sum(1 for s in sources if (pandoc_out / f"{s.stem}.{fmt}").is_file())
        ratio = (count / ours.seconds) / (count / theirs.seconds)
        data[fmt] = {"exporter_seconds": ours.seconds, "exporter_built": built, "exporter_peak": ours.peak_tree,
                     "pandoc_seconds": theirs.seconds, "pandoc_built": made, "pandoc_peak": theirs.peak_tree,
                     "ratio": ratio}
        engine = "pandoc + WeasyPrint" if fmt == "pdf" else "pandoc"
        rows.append([fmt.upper(), f"{count / ours.seconds:.2f} ({built}/{count} ok)",
                     f"{count / theirs.seconds:.2f} ({made}/{count} ok, {engine})", f"**{ratio:.2f}×**",
                     human_bytes(ours.peak_tree), human_bytes(theirs.peak_tree)])
        print(f"  {fmt}: exporter {ours.seconds:.1f} s, {engine} {theirs.seconds:.1f} s", file=sys.stderr)
    # an EPUB's page list needs the print layout; without it (--no-page-list) no page is laid out
    out, report = work / "compare-exporter-epub-nopages", work / "compare-exporter-epub-nopages.json"
    ours = measure.run(exporter_command(str(src), "-o", str(out), "--to", "epub", "--no-page-list", "-j", "2",
                                        "--force", "-q", "--report", str(report)), env=env)
    built = exporter_report(report)["ok"]
    ratio = data["epub"]["pandoc_seconds"] / ours.seconds
    data["epub_no_page_list"] = {"exporter_seconds": ours.seconds, "exporter_built": built, "ratio": ratio,
                                 "exporter_peak": ours.peak_tree}
    rows.insert(1, ["EPUB, --no-page-list", f"{count / ours.seconds:.2f} ({built}/{count} ok)",
                    f"{count / data['epub']['pandoc_seconds']:.2f} (as above)", f"**{ratio:.2f}×**",
                    human_bytes(ours.peak_tree), human_bytes(data["epub"]["pandoc_peak"])])
    print(f"  epub (no page list): exporter {ours.seconds:.1f} s", file=sys.stderr)
    # the default theme (magazine) sets text in two balanced columns, which costs WeasyPrint far
    # more than pandoc's one column: the same PDF comparison with a one-column theme
    out, report = work / "compare-exporter-pdf-scholarly", work / "compare-exporter-pdf-scholarly.json"
    ours = measure.run(exporter_command(str(src), "-o", str(out), "--to", "pdf", "--theme", "scholarly", "-j", "2",
                                        "--force", "-q", "--report", str(report)), env=env)
    built = exporter_report(report)["ok"]
    ratio = data["pdf"]["pandoc_seconds"] / ours.seconds
    data["pdf_scholarly"] = {"exporter_seconds": ours.seconds, "exporter_built": built, "ratio": ratio,
                             "exporter_peak": ours.peak_tree}
    rows.append(["PDF, theme scholarly (one column)", f"{count / ours.seconds:.2f} ({built}/{count} ok)",
                 f"{count / data['pdf']['pandoc_seconds']:.2f} (as above)", f"**{ratio:.2f}×**",
                 human_bytes(ours.peak_tree), human_bytes(data["pdf"]["pandoc_peak"])])
    print(f"  pdf (scholarly): exporter {ours.seconds:.1f} s", file=sys.stderr)
    # what a publisher runs: all three formats in one exporter run (one layout for PDF and page list)
    out, report = work / "compare-exporter-all", work / "compare-exporter-all.json"
    ours = measure.run(exporter_command(str(src), "-o", str(out), "-j", "2", "--force", "-q",
                                        "--report", str(report)), env=env)
    pandoc_all = sum(data[f]["pandoc_seconds"] for f in ("epub", "html", "pdf"))
    data["all"] = {"exporter_seconds": ours.seconds, "pandoc_seconds": pandoc_all,
                   "ratio": pandoc_all / ours.seconds, "exporter_built": exporter_report(report)["ok"]}
    rows.append(["all three", f"{count / ours.seconds:.2f} (one run)",
                 f"{count / pandoc_all:.2f} (three runs)", f"**{pandoc_all / ours.seconds:.2f}×**",
                 human_bytes(ours.peak_tree), "—"])
    results["compare"] = {"articles": count, "formats": data}
    return table(["format", "exporter articles/s", "pandoc articles/s", "exporter ÷ pandoc",
                  "exporter peak", "pandoc peak"], rows)


# -- 2. PDF per article vs bare WeasyPrint -----------------------------------------------

def versus_weasyprint(work: Path, count: int, results: dict) -> str:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    import weasyprint

    from exporter.pipeline import load, render
    from exporter.settings import Context, Settings
    from exporter.themes import load_theme
    from exporter.transforms import apply
    from exporter.writers import pdf as pdf_writer

    sources = articles.prepare(work / "weasy-src", count)
    settings = Settings(formats=("pdf",), isolate=False)
    theme = load_theme(settings.theme)
    pages = []
    for source in sources:  # the final HTML and style sheets exporter gives WeasyPrint
        ctx = Context(settings=settings, article=load(source, settings), theme=theme)
        apply(ctx)
        _, _, page_bytes, resolved = pdf_writer.print_document(ctx)
        base = source.resolve().as_uri()
        sheets = [(text, url or base) for text, url in pdf_writer._stylesheet_texts(ctx, resolved)]
        pages.append((page_bytes.decode("utf-8"), base, sheets, pdf_writer.pdf_options(ctx)))

    def ours(source: Path) -> bytes:
        return render(load(source, settings), settings, theme)["pdf"]

    def bare(page, **options) -> bytes:
        text, base, sheets, _ = page
        return weasyprint.HTML(string=text, base_url=base).write_pdf(
            stylesheets=[weasyprint.CSS(string=css, base_url=url) for css, url in sheets], **options)

    ours(sources[0]), bare(pages[0])  # warm up (imports, fonts, caches)
    times: dict[str, list[float]] = {"exporter": [], "bare": [], "bare_tagged": []}
    for source, page in zip(sources, pages):
        for name, call in (("exporter", lambda: ours(source)), ("bare", lambda: bare(page)),
                           ("bare_tagged", lambda: bare(page, **page[3]))):
            best = float("inf")
            for _ in range(2):  # the better of two: less noise from the machine
                started = time.perf_counter()
                call()
                best = min(best, time.perf_counter() - started)
            times[name].append(best)
    total = {name: sum(values) for name, values in times.items()}
    over = total["exporter"] / total["bare"] - 1
    over_tagged = total["exporter"] / total["bare_tagged"] - 1
    per_article = [o / b - 1 for o, b in zip(times["exporter"], times["bare"])]
    results["weasyprint"] = {"articles": count, "seconds": total, "overhead": over, "overhead_tagged": over_tagged,
                             "median_overhead_per_article": statistics.median(per_article)}
    rows = [
        ["exporter (load, transforms, layout, tagged PDF/UA-1)", f"{total['exporter'] / count:.3f}", "—"],
        ["bare WeasyPrint, default options", f"{total['bare'] / count:.3f}", f"**{over:+.1%}**"],
        ["bare WeasyPrint, exporter's options (pdf_tags, PDF/UA-1)", f"{total['bare_tagged'] / count:.3f}",
         f"**{over_tagged:+.1%}**"],
    ]
    return table(["PDF, one article at a time, in-process", "s/article", "exporter over it"], rows) + \
        f"\n\nmedian per-article overhead over bare default WeasyPrint: {statistics.median(per_article):+.1%} " \
        f"({count} articles, best of 2 runs each)"


# -- 3. scaling and the no-change rebuild ---------------------------------------------------

def scaling(work: Path, sizes: list[int], env: dict, results: dict) -> str:
    largest = max(sizes)
    src_all = work / "scale-src"
    articles.generate(src_all, largest, brief=True)
    rows, data = [], []
    speed: dict[tuple[int, int], float] = {}
    for size in sizes:
        src = work / f"scale-src-{size}"
        if not src.exists():
            src.mkdir()
            for index in range(size):
                name = f"brief-{index:04d}.md"
                os.link(src_all / name, src / name)
        for workers in (1, 2):
            out, report = work / f"scale-out-{size}-j{workers}", work / f"scale-{size}-j{workers}.json"
            shutil.rmtree(out, ignore_errors=True)
            m = measure.run(exporter_command(str(src), "-o", str(out), "-j", str(workers), "-q",
                                             "--report", str(report)), env=env)
            done = exporter_report(report)
            speed[size, workers] = size / m.seconds
            data.append({"articles": size, "workers": workers, "seconds": m.seconds, "ok": done["ok"],
                         "peak_tree": m.peak_tree, "peak_process": m.peak_process})
            gain = f"{speed[size, 2] / speed[size, 1]:.2f}×" if workers == 2 else ""
            rows.append([size, workers, f"{m.seconds:.1f}", f"{size / m.seconds:.2f}", gain,
                         human_bytes(m.peak_tree), human_bytes(m.peak_process), f"{done['ok']}/{size}"])
            print(f"  {size} articles, {workers} worker(s): {m.seconds:.1f} s", file=sys.stderr)
    out, report = work / f"scale-out-{largest}-j2", work / "scale-rebuild.json"
    src = work / f"scale-src-{largest}"
    again = [measure.run(exporter_command(str(src), "-o", str(out), "-j", "2", "-q", "--report", str(report)),
                         env=env) for _ in range(3)]
    skipped = exporter_report(report)["skipped"]
    best = min(m.seconds for m in again)
    results["scaling"] = {"runs": data, "rebuild_seconds": [m.seconds for m in again], "rebuild_skipped": skipped}
    text = table(["articles", "workers", "seconds", "articles/s", "2 ÷ 1 workers", "peak memory (tree RSS)",
                  "largest process (RSS, sampled)", "ok"], rows)
    text += f"\n\nno-change rebuild of {largest} articles (all formats, 2 workers): **{best:.2f} s** " \
            f"(best of 3; runs: {', '.join(f'{m.seconds:.2f}' for m in again)} s; {skipped} skipped, " \
            f"peak {human_bytes(max(m.peak_tree for m in again))})"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run (about two minutes)")
    parser.add_argument("--only", choices=("compare", "weasyprint", "scaling"), action="append",
                        help="run only this part (repeatable)")
    parser.add_argument("--articles", type=int, help="articles in the exporter/pandoc comparison "
                                                     "(default 40, quick 8)")
    parser.add_argument("--sizes", help="comma-separated scaling sizes (default 1,10,100,1000; quick 1,10,40)")
    parser.add_argument("--workdir", type=Path, help="build here (kept) instead of a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    parts = args.only or ["compare", "weasyprint", "scaling"]
    count = args.articles or (8 if args.quick else 40)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([1, 10, 40] if args.quick
                                                                          else [1, 10, 100, 1000])
    work = args.workdir or Path(tempfile.mkdtemp(prefix="exporter-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = environment()
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
               "versions": versions(), "command": " ".join(["python bench/run.py", *(argv or sys.argv[1:])])}
    sections = [f"# exporter benchmark, {results['date']}", "",
                f"machine: {results['machine']}  ",
                "versions: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items()) + "  ",
                f"command: `{results['command']}`", ""]
    started = time.perf_counter()
    load_before = os.getloadavg()
    try:
        if "compare" in parts:
            print(f"bench: exporter vs pandoc, {count} articles", file=sys.stderr)
            sections += [f"## exporter vs pandoc ({count} Markdown articles, 2 processes each)", "",
                         compare(work, count, env, results), ""]
        if "weasyprint" in parts:
            n = min(count, 12)
            print(f"bench: PDF vs bare WeasyPrint, {n} articles", file=sys.stderr)
            sections += ["## PDF per article vs bare WeasyPrint on the same HTML", "",
                         versus_weasyprint(work, n, results), ""]
        if "scaling" in parts:
            print(f"bench: scaling {sizes}", file=sys.stderr)
            sections += ["## Scaling (generated one-page news briefs, all three formats)", "",
                         scaling(work, sizes, env, results), ""]
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif args.workdir is None:
            print(f"bench: kept {work}", file=sys.stderr)
    results["seconds"] = time.perf_counter() - started
    results["load_average"] = {"before": load_before, "after": os.getloadavg()}
    sections.append(f"(whole run: {results['seconds'] / 60:.1f} min; load average before "
                    f"{load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} (1 min), "
                    f"{os.getloadavg()[1]:.1f} (5 min) on {len(os.sched_getaffinity(0))} cores: "
                    "anything above 0 is other work sharing the machine)")
    print("\n".join(sections))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

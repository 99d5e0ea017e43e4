"""Benchmark (issue 8, point 3c): a 500-page anthology, built on demand.

Generates a book of N articles (Markdown with front matter: authors, dates, a DOI
for every third, a licence, sections, a list, a block quote and notes; links to
the neighbouring articles), writes its ``exporter.toml`` in parts of ten articles,
builds it with the CLI in a child process and prints the wall time, the number of
PDF pages and the peak memory of the largest process (``ru_maxrss``): the PDF laid out
whole and in groups of chapters joined with pikepdf (``pdf_layout``), then the EPUB and
HTML::

    python bench/anthology.py                      # 160 articles (~510 pages)
    python bench/anthology.py --articles 40 --layouts parts --no-epub-html

The text is made from a fixed word list with a seeded generator, so every run builds
the same book. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("harbour ledger volunteer register entry cargo quay dues vessel column hand ink page margin "
         "archive record copy transcription rule reading editor volume decade survey port crew tide "
         "compositor type case letter space line capital proof press forme chase sort lead measure "
         "the of and a to in that is was for on with as by at from it this which were be had not "
         "but they their have been one more when what there all also into only other than then").split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(4, 8)))


def article(number: int, count: int, rng: random.Random) -> str:
    """A Markdown article of about four to five printed pages."""
    authors = [f"Author {chr(65 + number % 26)}{number}"] + ([f"Second Writer {number}"] if number % 4 == 0 else [])
    front = [f"title: \"Article {number}: {' '.join(rng.choice(WORDS) for _ in range(3)).title()}\"",
             "author:", *[f"  - {name}" for name in authors],
             f"date: 20{10 + number % 15:02d}-{1 + number % 12:02d}-{1 + number % 27:02d}",
             "license: https://creativecommons.org/licenses/by/4.0/", "lang: en"]
    if number % 3 == 0:
        front.append(f"identifier: doi:10.5555/bench.{number:04d}")
    body = [_paragraph(rng) for _ in range(3)]
    previous = f"a{number - 1:04d}.md" if number > 1 else f"a{count:04d}.md"
    body.append(f"This piece follows [the one before it]({previous}) and the "
                f"[last section of the next]({f'a{number % count + 1:04d}.md'}#sources).[^a]")
    for section in range(1, 5):
        body.append(f"## Section {section}: {' '.join(rng.choice(WORDS) for _ in range(3))}")
        body += [_paragraph(rng) for _ in range(rng.randint(3, 5))]
        if section == 2:
            body += ["- " + _sentence(rng) for _ in range(4)]
            body.append("> " + _paragraph(rng))
    body.append("## Sources")
    body.append(_paragraph(rng) + "[^b]")
    body.append(f"[^a]: {_sentence(rng)}")
    body.append(f"[^b]: {_sentence(rng)}")
    return "---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(body) + "\n"


def make_book(folder: Path, count: int) -> list[str]:
    """Write the articles; return the ``[[part]]`` tables of the project file."""
    rng = random.Random(8)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        (folder / f"a{number:04d}.md").write_text(article(number, count, rng), encoding="utf-8")
    parts = []
    for start in range(1, count + 1, 10):
        names = ", ".join(f'"a{n:04d}.md"' for n in range(start, min(start + 10, count + 1)))
        parts.append(f'[[part]]\ntitle = "Articles {start} to {min(start + 9, count)}"\narticles = [{names}]\n')
    return parts


def write_project(folder: Path, parts: list[str], layout: str) -> Path:
    project = folder / "exporter.toml"
    project.write_text('[book]\ntitle = "A Long Anthology"\neditors = ["Bench Editor"]\npublisher = "exporter bench"\n'
                       f'date = 2026-01-01\n\n[build]\npdf_layout = "{layout}"\n\n' + "\n".join(parts),
                       encoding="utf-8")
    return project


def run(project: Path, out: Path, formats: str) -> tuple[float, int, str]:
    """Build with the CLI in a child process: (seconds, peak resident bytes of the
    largest process, the CLI's output). The CLI builds the book in a child of its own;
    the kernel's rusage for the reaped child covers it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1700000000"}
    command = [sys.executable, "-m", "exporter", "build", str(project), "-o", str(out), "--to", formats,
               "--timeout", "0", "--memory-limit", "0"]
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    if child.returncode != 0:
        raise SystemExit(f"the build failed ({child.returncode}):\n{output}")
    return elapsed, usage.ru_maxrss * 1024, output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=160, help="how many articles (default: 160, ~510 pages)")
    parser.add_argument("--layouts", default="whole,parts",
                        help="PDF layouts to measure, each a run of its own (default: whole,parts)")
    parser.add_argument("--no-epub-html", action="store_true", help="measure the PDF only")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args(argv)

    import pikepdf

    work = args.keep or Path(tempfile.mkdtemp(prefix="exporter-anthology-"))
    folder = work / "book"
    parts = make_book(folder, args.articles)
    print(f"anthology: {args.articles} articles in {len(parts)} parts, in {work}")
    for layout in [name.strip() for name in args.layouts.split(",") if name.strip()]:
        out = work / f"out-{layout}"
        elapsed, peak, _ = run(write_project(folder, parts, layout), out, "pdf")
        pdf = out / "book.pdf"
        with pikepdf.open(pdf) as opened:
            pages = len(opened.pages)
        print(f"PDF, layout {layout:6}: {pages} pages, {elapsed:6.1f} s, peak memory {peak / 2**20:5.0f} MiB, "
              f"{pdf.stat().st_size / 1e6:.1f} MB")
    if not args.no_epub_html:
        out = work / "out-epub-html"
        elapsed, peak, _ = run(write_project(folder, parts, "auto"), out, "epub,html")
        sizes = ", ".join(f"{p.suffix[1:]} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(out.iterdir()))
        print(f"EPUB and HTML:       {elapsed:6.1f} s, peak memory {peak / 2**20:5.0f} MiB, {sizes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

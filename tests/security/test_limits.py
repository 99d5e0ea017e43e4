"""Case 6: every document is built in a child process under a wall-clock and a memory
limit; a document that hits one ends as timeout / oom / crash and the batch goes on."""

from __future__ import annotations

import io
import json
import os
import pickle
import signal
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from exporter.batch.cache import MANIFEST
from exporter.cli import main
from exporter.pipeline import build, build_one, load
from exporter.safety import isolation
from exporter.safety.isolation import Limits, parse_seconds, parse_size, run, run_many
from exporter.settings import Settings
from exporter.themes import load_theme

from . import figures
from .harness import ROOT, png

SMALL = Limits(timeout=3, memory=300 * 2**20)


def _double(x):
    return x * 2


def _raise():
    raise ValueError("bad input")


def _sleep():
    time.sleep(60)


def _slow_step():
    isolation.stage("importing")
    isolation.stage("laying out the print edition (9 characters of text)")
    time.sleep(60)


def _hog():
    blocks = []
    while True:
        blocks.append(bytearray(20 * 2**20))


def _segfault():
    os.kill(os.getpid(), signal.SIGSEGV)


def _exit_quietly():
    os._exit(3)


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no pickling")


def _raise_unpicklable():
    raise _Unpicklable("odd")


def _return_unpicklable():
    return lambda: None


def _big():
    return b"x" * (40 * 2**20)


def _spans(pid_file):
    start = time.monotonic()
    time.sleep(0.5)
    return os.getpid(), start, time.monotonic()


@pytest.mark.parametrize("function, status, text", [
    (_raise, "failed", "ValueError: bad input"),
    (_sleep, "timeout", "over the time limit of 3 s"),
    (_hog, "oom", "over the memory limit of 300 MiB"),
    (_segfault, "crash", "SIGSEGV"),
    (_exit_quietly, "crash", "without a result"),
    (_raise_unpicklable, "failed", "_Unpicklable"),
    (_return_unpicklable, "failed", "cannot be sent back"),
])
def test_statuses(function, status, text):
    started = time.monotonic()
    outcome = run(function, limits=SMALL)
    assert outcome.status == status, outcome.describe()
    assert text in outcome.describe()
    assert time.monotonic() - started < SMALL.timeout + 5  # killed at the deadline, not later


def test_a_timeout_names_the_step_that_was_slow(tmp_path):
    outcome = run(_slow_step, limits=SMALL)
    assert outcome.status == "timeout" and outcome.stage == "laying out the print edition (9 characters of text)"
    assert "while laying out the print edition" in outcome.describe()
    from exporter.pipeline import collect

    result = collect(tmp_path / "long.txt", outcome, tmp_path)
    assert "--timeout" in result.error.hint and "--to epub,html" in result.error.hint
    assert run(_double, 1, limits=SMALL).stage is None  # nothing said, nothing reported
    isolation.stage("in the parent: no effect")


def test_results_come_back_whole():
    assert run(_double, 21, limits=SMALL).value == 42
    outcome = run(_big, limits=Limits(timeout=30, memory=None))
    assert outcome.ok and len(outcome.value) == 40 * 2**20


def test_in_process_when_isolation_is_off():
    outcome = run(_raise, limits=Limits(isolate=False))
    assert outcome.status == "failed" and isinstance(outcome.error, ValueError)
    assert run(os.getpid, limits=Limits(isolate=False)).value == os.getpid()
    assert run(os.getpid, limits=SMALL).value != os.getpid()


def test_pool_runs_children_side_by_side_and_cleans_up():
    jobs = [(n, _spans, (n,)) for n in range(4)]
    results = dict(run_many(jobs, Limits(timeout=20, memory=None), workers=2))
    assert sorted(results) == [0, 1, 2, 3] and all(o.ok for o in results.values())
    spans = sorted(o.value[1:] for o in results.values())
    assert spans[0][1] > spans[1][0], "two workers should overlap"
    assert len({o.value[0] for o in results.values()}) == 4  # each job in its own process


def test_closing_the_pool_kills_running_children(tmp_path):
    marker = tmp_path / "pids"

    def note_and_sleep():
        with open(marker, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(60)

    jobs = [("quick", _double, (1,)), ("slow1", note_and_sleep, ()), ("slow2", note_and_sleep, ())]
    generator = run_many(jobs, Limits(timeout=60, memory=None), workers=3)
    key, outcome = next(generator)
    assert key == "quick" and outcome.value == 2
    deadline = time.monotonic() + 20
    while (not marker.exists() or len(marker.read_text().split()) < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = [int(p) for p in marker.read_text().split()]
    generator.close()  # the caller stops early (or ^C): the children still running are killed
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_sizes_and_durations():
    assert parse_size("512M") == 512 * 2**20
    assert parse_size("2G") == 2 * 2**30 and parse_size("1.5GiB") == int(1.5 * 2**30)
    assert parse_size("300000") == 300000 and parse_size("0") is None and parse_size("none") is None
    assert parse_seconds("90") == 90 and parse_seconds("10m") == 600 and parse_seconds("0") is None
    for bad in ("-1", "lots", "12X"):
        with pytest.raises(ValueError):
            parse_size(bad)
    with pytest.raises(SystemExit):
        main(["build", "x.txt", "--timeout", "soon"])


def test_outcomes_pickle_and_describe():
    outcome = run(_sleep, limits=Limits(timeout=1, memory=None))
    assert pickle.loads(pickle.dumps(outcome)).status == "timeout"


def _cpu() -> float:
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def test_isolation_overhead_per_document(tmp_path):
    """Measured, not asserted: the extra time per document of building in a child
    (fork, limits, sending the bytes back) against building in-process. CPU seconds
    (this process and its children) are reported beside wall-clock seconds, because
    wall-clock time on a busy machine mostly measures the machine."""
    source = ROOT / "sources" / "harbour-ledger.xhtml"
    theme = load_theme("magazine")
    inside, isolated = Settings(isolate=False), Settings()
    build_one(source, tmp_path / "warm", inside, theme)  # warm both paths' caches
    wall = {"in-process": [], "isolated": []}
    cpu = {"in-process": [], "isolated": []}
    for _ in range(3):
        for label, settings in (("in-process", inside), ("isolated", isolated)):
            started, used = time.monotonic(), _cpu()
            result = build_one(source, tmp_path / label, settings, theme)
            wall[label].append(time.monotonic() - started)
            cpu[label].append(_cpu() - used)
            assert result.ok, result.error
    figures.peak("isolation overhead per document, harbour-ledger, all formats (CPU s)",
                 min(cpu["isolated"]) - min(cpu["in-process"]))
    figures.peak("isolation overhead per document, harbour-ledger, all formats (wall s)",
                 min(wall["isolated"]) - min(wall["in-process"]))
    figures.peak("build of harbour-ledger in-process, all formats (CPU s)", min(cpu["in-process"]))
    for suffix in (".epub", ".pdf", ".html"):
        a = (tmp_path / "in-process" / f"harbour-ledger{suffix}").read_bytes()
        assert a == (tmp_path / "isolated" / f"harbour-ledger{suffix}").read_bytes()


# -- the pathological corpus ------------------------------------------------------------------

H = ('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>Pathological</title></head>'
     "<body><article>{}</article></body></html>")


def _corpus(folder: Path) -> dict[str, set[str]]:
    """Write the pathological documents; return name -> statuses that are right for it."""
    folder.mkdir()
    rows = "".join(f"<tr><td>{i}</td><td>cell</td></tr>" for i in range(30000))
    documents = {
        "huge-table.xhtml": (H.format(f"<table><tbody>{rows}</tbody></table>"), {"timeout", "oom"}),
        "thousands-of-pages.txt": ("\n\n".join(f"Paragraph {i} of a very long text." for i in range(70000)),
                                   {"timeout", "oom"}),
        "long-word.txt": ("a" * 2_000_000, {"timeout", "oom"}),
        "nested-quotes.xhtml": (H.format("<blockquote>" * 250 + "<p>deep</p>" + "</blockquote>" * 250),
                                {"failed"}),
        "nested-lists.xhtml": (H.format("<ul><li>" * 120 + "x" + "</li></ul>" * 120), {"failed"}),
        "nested-divs.xhtml": (H.format("<div>" * 5000 + "<p>x</p>" + "</div>" * 5000), {"failed"}),
        "image-memory.xhtml": (H.format('<figure><img src="big.png" alt="x"/></figure>'), {"oom"}),
        "use-bomb.xhtml": (H.format('<figure><img src="use-bomb.svg" alt="x"/></figure>'), {"ok"}),
        "normal.xhtml": (H.format("<p>A normal article between the monsters.</p>"), {"ok"}),
    }
    for name, (text, _) in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    # 89 megapixels with alpha: just under the pixel cap, 356 MB decoded, over 300 MiB
    (folder / "big.png").write_bytes(png(9000, 9900, color_type=6))
    defs = ['<g id="l0"><rect width="1" height="1"/></g>'] + [
        f'<g id="l{i}">' + "".join(f'<use href="#l{i - 1}" x="{j}"/>' for j in range(10)) + "</g>"
        for i in range(1, 9)]
    (folder / "use-bomb.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><defs>'
                                         + "".join(defs) + '</defs><use href="#l8"/></svg>')
    return {name: statuses for name, (_, statuses) in documents.items()}


def test_pathological_documents_end_within_their_limits(tmp_path):
    expected = _corpus(tmp_path / "src")
    timeout = 5.0
    stdout = io.StringIO()
    with redirect_stdout(stdout):
        code = main(["build", str(tmp_path / "src"), "-o", str(tmp_path / "out"), "--to", "pdf",
                     "--timeout", str(timeout), "--memory-limit", "300M", "--format", "json"])
    assert code == 1
    report = {Path(d["source"]).name: d for d in json.loads(stdout.getvalue())["documents"]}
    problems = []
    for name, statuses in expected.items():
        document = report[name]
        figures.add("patho")
        within = document["seconds"] <= timeout + 3  # the kill and the reaping take a moment
        if document["status"] in statuses and within:
            figures.add("patho_ok")
        else:
            problems.append(f"{name}: {document['status']} after {document['seconds']} s "
                            f"(expected {sorted(statuses)}): {document.get('error', '')}")
    assert not problems, "\n".join(problems)
    assert "R010" in [d["code"] for d in report["use-bomb.xhtml"]["diagnostics"]]
    assert "nested too deeply" in report["nested-quotes.xhtml"]["error"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name != MANIFEST) == \
        ["normal.pdf", "use-bomb.pdf"]


def test_defaults_leave_normal_articles_alone(tmp_path):
    """The default limits are far above what the sample articles need."""
    theme = load_theme("magazine")
    for source in sorted((ROOT / "sources").glob("*.xhtml")) + sorted((ROOT / "sources").glob("*.txt")):
        result = build_one(source, tmp_path, Settings(), theme)
        assert result.ok, result.error
        assert result.elapsed < isolation.DEFAULT_TIMEOUT / 10
        assert result.peak_memory is None or result.peak_memory < isolation.DEFAULT_MEMORY / 4
        figures.peak("peak memory of a sample article build (MiB)", (result.peak_memory or 0) / 2**20)


def test_api_build_stays_in_process(tmp_path):
    article = load(ROOT / "sources" / "type-case.txt")
    written = build(article, tmp_path, Settings(formats=("html",)))
    assert written["html"].is_file()

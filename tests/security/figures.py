"""The security suite's figures, printed at the end of every test run.

Tests call :func:`add` (counts that add up) and :func:`peak` (the largest value seen).
Under pytest-xdist each worker sends its figures to the controller
(``workeroutput``), which adds them up and prints one table in the terminal summary.
The hooks are imported into ``tests/conftest.py``.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

COUNTS: Counter = Counter()
PEAKS: dict[str, float] = {}

#: figure name -> (label, what it should be)
TABLE = [
    ("attacks", "attack inputs tried", None),
    ("outside_reads", "files read outside the source folder (audit hook + FIFO tripwires)", 0),
    ("connections", "network connections made with network off (loopback server + audit hook)", 0),
    ("canary", "canary bytes found in outputs (PDF streams, EPUB entries, HTML + data: URLs)", 0),
    ("attachments", "files attached to PDFs by sources", 0),
    ("faults", "faults injected while writing (exception, ENOSPC, EFBIG, SIGKILL)", None),
    ("partial", "partial outputs or temporary files left after injected faults", 0),
    ("patho_ok", "pathological documents ended within their limit", "patho"),
    ("xml_refused", "XML attack payloads refused with file:line in < 1 s (the other: a PI, dropped unread)",
     "xml"),
    ("repro_ok", "repeated builds byte-identical (different TZ, cwd, clock)", "repro"),
    ("round2", "round-2 attack cases (classes seen from outside, several variants each)", None),
    ("unsafe_links", "  links in outputs that are not web, mail or inside the document", 0),
    ("round2_crashes", "  crashes or internal errors", 0),
    ("csp_blocked", "planted scripts and remote loads blocked by the outputs' CSP (Chromium)", None),
    ("ext_payloads", "external payloads tried (published lists, other sanitizers' tests)", None),
    ("ext_projects", "  projects they come from (external/MANIFEST.md)", None),
    ("ext_documents", "  documents built from them (every importer, SVG images, EPUB archives)", None),
    ("ext_outside_reads", "  files read outside the source folder", 0),
    ("ext_connections", "  network connections made with network off", 0),
    ("ext_canary", "  canary or system-file bytes found in outputs", 0),
    ("ext_attachments", "  files attached to PDFs", 0),
    ("ext_unsafe", "  unsafe output markup or links (scripts, handlers, bad schemes, remote, CSS)", 0),
    ("ext_crashes", "  crashes, internal errors, documents not built", 0),
    ("ext_refused", "  documents a sanitizing importer refused instead of cleaning", 0),
]


def add(name: str, value: int = 1) -> None:
    COUNTS[name] += value


def peak(name: str, value: float) -> None:
    PEAKS[name] = max(PEAKS.get(name, value), value)


def _merge(data: dict) -> None:
    COUNTS.update(data.get("counts", {}))
    for name, value in data.get("peaks", {}).items():
        peak(name, value)


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["security_figures"] = json.dumps({"counts": dict(COUNTS), "peaks": PEAKS})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    data = getattr(node, "workeroutput", {}).get("security_figures")
    if data:
        _merge(json.loads(data))


def pytest_terminal_summary(terminalreporter):
    if not COUNTS and not PEAKS:
        return
    write = terminalreporter.write_line
    terminalreporter.write_sep("=", "security figures")
    for name, label, expected in TABLE:
        if name not in COUNTS and not (isinstance(expected, str) and expected in COUNTS):
            continue
        value = COUNTS.get(name, 0)
        if isinstance(expected, str):
            text = f"{value} of {COUNTS.get(expected, 0)}"
        else:
            text = str(value)
        write(f"  {label:<82} {text}")
    known = {name for name, _, _ in TABLE} | {e for _, _, e in TABLE if isinstance(e, str)}
    for name, value in sorted(COUNTS.items()):
        if name not in known:
            write(f"  {name:<82} {value}")
    for name, value in sorted(PEAKS.items()):
        write(f"  {name:<82} {value:.3f}")

"""DAISY Ace, the EPUB accessibility checker (``@daisy/ace-cli`` from npm, run on Chromium).

:func:`check` runs Ace on one EPUB and returns its violations; an empty list means Ace
found nothing. Ace's impacts map to exporter's severities: ``critical`` and ``serious``
are errors, ``moderate`` and ``minor`` warnings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import tools
from .result import Finding, Severity

IMPACTS = {"critical": Severity.ERROR, "serious": Severity.ERROR, "moderate": Severity.WARNING,
           "minor": Severity.WARNING}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class AceError(RuntimeError):
    """Ace could not check the file (not an EPUB, Chromium failed to start…)."""


@dataclass(frozen=True)
class Violation:
    rule: str  # e.g. "metadata-accessmode", "color-contrast"
    impact: str  # critical | serious | moderate | minor
    message: str
    file: str = ""  # the document inside the EPUB
    where: str = ""  # CSS selector(s) of the offending element

    @property
    def severity(self) -> Severity:
        return IMPACTS.get(self.impact, Severity.ERROR)

    def finding(self) -> Finding:
        location = self.file + (f" {self.where}" if self.where else "")
        return Finding(self.severity, f"{self.message} ({self.impact})", self.rule, location)


def available() -> bool:
    return tools.ace_cli() is not None and tools.node() is not None and tools.chromium() is not None


def check(path: Path, timeout: int = 600) -> list[Violation]:
    """Ace's violations for one EPUB; raises :class:`AceError` when Ace cannot check it."""
    cli, node, chromium = tools.ace_cli(), tools.node(), tools.chromium()
    if cli is None or node is None or chromium is None:
        raise AceError("DAISY Ace is not installed (npm install @daisy/ace-cli, and Chromium)")
    with tempfile.TemporaryDirectory(prefix="exporter-ace-") as temp:
        out = Path(temp) / "report"
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
        result = subprocess.run([node, str(cli), "--force", "--outdir", str(out), "--tempdir", str(Path(temp) / "work"),
                                 str(Path(path).resolve())],
                                capture_output=True, timeout=timeout, check=False, env=env)
        report = out / "report.json"
        if result.returncode != 0 or not report.is_file():
            text = _ANSI.sub("", (result.stderr + result.stdout).decode("utf-8", "replace"))
            errors = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("error:")]
            raise AceError("; ".join(dict.fromkeys(errors)) or text.strip()[-1000:] or f"Ace exited with {result.returncode}")
        return violations(json.loads(report.read_text("utf-8")))


def check_many(paths: list[Path], jobs: int = 2) -> dict[Path, list[Violation] | AceError]:
    """Ace on several EPUBs, ``jobs`` at a time (each run starts its own Chromium)."""
    def one(path: Path):
        try:
            return check(path)
        except (AceError, subprocess.TimeoutExpired, OSError, ValueError) as error:
            return error if isinstance(error, AceError) else AceError(str(error))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return dict(zip(paths, pool.map(one, paths)))


def violations(report: dict) -> list[Violation]:
    """The violations in an Ace ``report.json``."""
    found = []
    for subject in report.get("assertions", []):
        file = (subject.get("earl:testSubject") or {}).get("url", "")
        for assertion in subject.get("assertions", []):
            result = assertion.get("earl:result") or {}
            if result.get("earl:outcome") != "fail":
                continue
            test = assertion.get("earl:test") or {}
            css = (result.get("earl:pointer") or {}).get("css") or []
            found.append(Violation(rule=test.get("dct:title", ""), impact=test.get("earl:impact", "serious"),
                                   message=" ".join(str(result.get("dct:description", "")).split()),
                                   file=file, where=", ".join(dict.fromkeys(css))))
    return found

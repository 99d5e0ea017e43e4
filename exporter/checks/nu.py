"""The Nu HTML Checker (vnu.jar from npm) on print HTML files, many per JVM."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import tools


def available() -> bool:
    return tools.java() is not None and tools.vnu_jar() is not None


def check(paths: list[Path], timeout: int = 300) -> dict[Path, list[dict]]:
    """Errors per file (an empty list means valid HTML5)."""
    jar = tools.vnu_jar()
    if jar is None or tools.java() is None:
        raise RuntimeError("the Nu HTML Checker is not installed (npm install vnu-jar)")
    result = subprocess.run(
        [tools.java(), "-jar", str(jar), "--errors-only", "--no-langdetect", "--format", "json", "--stdout",
         *map(str, paths)], capture_output=True, timeout=timeout, check=False)
    data = json.loads(result.stdout.decode("utf-8") or '{"messages": []}')
    found: dict[Path, list[dict]] = {Path(p).resolve(): [] for p in paths}
    for message in data.get("messages", []):
        url = message.get("url", "")
        path = Path(unquote(urlsplit(url).path)).resolve() if url else None
        found.setdefault(path, []).append(message)
    return found

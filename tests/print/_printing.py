"""Helpers for the print tests: build through the pipeline, read PDFs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from exporter.pagesetup import PageSetup
from exporter.pipeline import build_one
from exporter.settings import Settings
from exporter.themes import load_theme

MM = 72 / 25.4
#: paper sizes in PDF points
POINTS = {"a4": (595.276, 841.890), "letter": (612.0, 792.0), "a5": (419.528, 595.276), "6x9": (432.0, 648.0)}


EPOCH = "1700000000"  # 2023-11-14T22:13:20Z, as tests/conftest.py sets for function-scoped tests


def build(source: Path, out: Path, *, formats=("pdf",), theme="magazine", **page) -> BuildResult:  # noqa: F821
    """Build through the pipeline under SOURCE_DATE_EPOCH (module-scoped fixtures run
    before conftest's per-test epoch fixture, so this sets it itself)."""
    settings = Settings(formats=tuple(formats), theme=theme, page=PageSetup(**page))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = build_one(Path(source), out, settings, load_theme(theme))
    assert result.ok, result.error
    return result


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8").split("\f")


def box(page, name: str) -> list[float]:
    return [float(v) for v in page.obj[name]]

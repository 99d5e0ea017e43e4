"""Fixtures for the `exporter check` tests: the sample sources built once per worker.

Broken outputs are made in the tests from these good builds (see broken.py), so no
binary fixture is committed and each broken file differs from a good one in exactly
the way the test names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.cli import main
from exporter.pipeline import discover

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "sources"
EPOCH = "1700000000"
#: how many sample articles sources/ holds (each builds to an EPUB, a PDF and an HTML file)
SAMPLES = len(discover([SOURCES]))


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """sources/ built into a folder (EPUB, PDF, HTML each), reproducibly. Read only."""
    out = tmp_path_factory.mktemp("built") / "dist"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert main(["build", str(SOURCES), "-o", str(out), "--allow-read", str(SOURCES)]) == 0
    return out


@pytest.fixture
def check(capsys):
    """Run `exporter check ARGS…`; returns (exit code, stdout); ``check.err`` is the last stderr."""
    def run(*args) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["check", *map(str, args)])
        captured = capsys.readouterr()
        run.err = captured.err
        return code, captured.out
    return run

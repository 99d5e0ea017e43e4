"""The fuzz targets in fuzz/ stay runnable: a short, fixed-seed run of each, plus the
inputs that once crashed them (kept in fuzz/seeds/) — 0 crashes expected."""

from __future__ import annotations

import sys

import pytest

from .harness import ROOT

sys.path.insert(0, str(ROOT / "fuzz"))

import run as fuzz_run
from targets import TARGETS

from . import figures


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_target_smoke(name, tmp_path):
    iterations, crashes, _ = fuzz_run.fuzz(name, TARGETS[name], 150, seed=7, per_input=20, crashes=tmp_path)
    figures.add("fuzz inputs in the test run (fuzz/run.py runs more on demand)", iterations)
    assert crashes == 0, "\n".join(p.read_text() for p in tmp_path.glob("*.txt"))


def test_every_importer_has_a_fuzz_target():
    from exporter.importers import IMPORTERS

    covered = {TARGETS[name].__name__ for name in TARGETS if name.startswith("import")}
    for suffix, importer in IMPORTERS.items():
        assert any(f"import{s}" in covered for s, i in IMPORTERS.items() if i is importer), suffix

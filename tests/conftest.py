"""Shared fixtures: paths to the project, the shared corpus and seed, and builders
that run the real CLI into temporary folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from security.figures import pytest_sessionfinish, pytest_terminal_summary, pytest_testnodedown  # noqa: F401

from exporter.checks import epubcheck, nu

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "sources"
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_85822bf7518e5c42.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def require_seed() -> Path:
    if not SEED.is_file():
        pytest.skip("../shared/seeds is not present on this machine")
    return SEED


@pytest.fixture
def seed() -> Path:
    return require_seed()


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    """Every build in the tests is reproducible unless a test says otherwise."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def assert_epubcheck_clean(path: Path) -> None:
    if not epubcheck.available():
        pytest.fail("EPUBCheck is not installed: run scripts/setup.sh")
    report = epubcheck.check(path)
    assert not report.errors and not report.warnings, report.summary()


def assert_html5_valid(paths: list[Path]) -> None:
    if not nu.available():
        pytest.fail("the Nu HTML Checker is not installed: run scripts/setup.sh")
    for path, messages in nu.check(paths).items():
        assert not messages, f"{path}: " + "\n".join(m.get("message", "") for m in messages)


@pytest.fixture
def copy_seed(tmp_path):
    """The seed copied into a fresh folder (optionally with a sidecar)."""
    def make(sidecar: str | None = None) -> Path:
        folder = tmp_path / "seed"
        folder.mkdir(exist_ok=True)
        target = folder / "interview.txt"
        shutil.copy(require_seed(), target)
        if sidecar is not None:
            (folder / "interview.toml").write_text(sidecar, encoding="utf-8")
        return target
    return make


SEED_SIDECAR = '''
title = "Stephen Kalin on the battle for east Mosul"
subtitle = "A Reuters correspondent on what changed at the front"
language = "en"
publication = "Musings on Iraq"
source = "https://musingsoniraq.blogspot.com/"

[[contributors]]
name = "Joel Wing"
role = "ivr"

[[contributors]]
name = "Stephen Kalin"
role = "ive"
'''

"""Importer for the canonical model file (``.xhtml`` with one ``<article>``)."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics
from ..model import Article
from ..modelfile import read_model
from ._common import read_source


def read(path: Path, diagnostics: Diagnostics, settings=None) -> Article:  # noqa: ARG001
    article = read_model(path, read_source(path))
    diagnostics.extend(article.diagnostics)
    article.diagnostics = diagnostics
    return article

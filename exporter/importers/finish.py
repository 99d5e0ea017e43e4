"""The last step of every importer: the imported body repaired and tidied.

:func:`finish` runs :mod:`.structure` (nesting the model allows) and :mod:`.cleanup`
(headings, figures, ids, notes, lists) in the order that leaves a valid model.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.importers import cleanup
from exporter.importers.structure import walk_fix

__all__ = ["finish"]


def finish(body: etree._Element, diagnostics: Diagnostics, source: Path, *, headings: bool = True) -> None:
    """Repair ``body`` (an ``<article>``) in place; see the module documentation."""
    if headings:
        cleanup.normalize_headings(body)
    for el in body.iter("h1"):
        el.tag = "h2"
    cleanup.close_heading_gaps(body)
    walk_fix(body, diagnostics, source)
    cleanup.figures_from_images(body)
    cleanup.tidy(body)
    cleanup.drop_empty(body)
    walk_fix(body, diagnostics, source)  # unwrapping may have left loose text behind
    cleanup.dissolve_wrappers(body)
    cleanup.fix_ids(body, diagnostics, source)
    cleanup.fix_notes(body)
    cleanup.tidy(body)
    cleanup.close_heading_gaps(body)  # again: empty headings may have gone
    cleanup.fix_definition_lists(body)  # last: emptied descriptions may have gone

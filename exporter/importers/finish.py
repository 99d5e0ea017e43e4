"""The last step of every importer: the imported body repaired and tidied.

:func:`finish` runs :mod:`.structure` (nesting the model allows) and :mod:`.cleanup`
(headings, figures, ids, dates, notes, lists) in the order that leaves a valid model.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.importers import cleanup
from exporter.importers.structure import is_block, is_inline, unwrap, walk_fix

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
    cleanup.fix_links(body, diagnostics, source)
    cleanup.fix_datetimes(body, diagnostics, source)  # before the attribute checks: "2017/01/19" is a date
    cleanup.fix_attributes(body, diagnostics, source)
    cleanup.fix_tables(body)
    cleanup.fix_notes(body)
    cleanup.tidy(body)
    cleanup.close_heading_gaps(body)  # again: empty headings may have gone
    cleanup.fix_definition_lists(body)  # last: emptied descriptions may have gone
    for _ in range(4):  # tag soup can leave some; each walk may uncover the next
        if not _unwrap_inlines_holding_blocks(body):
            break
        walk_fix(body, diagnostics, source)
        cleanup.tidy(body)
        walk_fix(body, diagnostics, source)  # what tidying moved, put where the model wants it


def _unwrap_inlines_holding_blocks(body: etree._Element) -> bool:
    """An inline element (a link, emphasis) that still holds a block — tag soup where the
    HTML parser re-opened an unclosed ``<a>`` around later paragraphs — gives way to its
    content: the text stays, the blocks are blocks again."""
    found = [el for el in body.iter(etree.Element)
             if is_inline(el) and el.tag != "math" and any(is_block(c) for c in el)]
    for el in reversed(found):
        unwrap(el)
    return bool(found)

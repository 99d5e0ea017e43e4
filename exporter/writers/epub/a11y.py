"""Accessibility metadata (schema.org and EPUB Accessibility 1.1), computed from the
e-book's own content, never defaulted.

:func:`describe` looks at the content documents as written: images and their
alternative text, animated images, MathML and its text alternatives, tables and
their header cells, headings, the navigation document, the page list and the style
sheet. From that it states the access modes, the sufficient access modes, the
features, the hazards and a plain-language summary, and claims conformance to
EPUB Accessibility 1.1 / WCAG 2.2 Level AA only when none of the rules exporter can
check fails (:mod:`.conformance`, which ``exporter check`` shares). The reasons for not
claiming it become a diagnostic (``E006``) and the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from exporter.model import MATHML_NS, XHTML_NS
from exporter.settings import Context
from exporter.writers.epub import conformance

__all__ = ["Image", "Accessibility", "describe", "CONFORMANCE"]

X = f"{{{XHTML_NS}}}"
M = f"{{{MATHML_NS}}}"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
EVALUATOR = "exporter"
_ABSOLUTE_FONT_SIZE = re.compile(r"font(-size)?\s*:[^;}]*\d(px|pt|pc|cm|mm|in)\b", re.I)


@dataclass(frozen=True)
class Image:
    """An image in the book, as the writer packaged it."""

    alt: str | None  #: None: no alt attribute; "": decorative
    animated: bool = False
    cover: bool = False  #: the cover image (not part of the article's content)


@dataclass
class Accessibility:
    access_modes: list[str]
    sufficient: list[str]
    features: list[str]
    hazards: list[str]
    summary: str
    conforms_to: str | None = None
    certified_by: str | None = None
    shortfalls: list[str] = field(default_factory=list)

    def metadata(self) -> list[tuple[str, str]]:
        """(property, value) pairs for the package document, in a stable order."""
        pairs = [("schema:accessMode", v) for v in self.access_modes]
        pairs += [("schema:accessModeSufficient", v) for v in self.sufficient]
        pairs += [("schema:accessibilityFeature", v) for v in self.features]
        pairs += [("schema:accessibilityHazard", v) for v in self.hazards]
        pairs.append(("schema:accessibilitySummary", self.summary))
        return pairs


def describe(ctx: Context, documents: list[etree._Element], images: list[Image], *, toc_entries: int,
             pages: int, css: str, publication: conformance.Publication) -> Accessibility:
    """The metadata for the content ``documents``; the conformance claim only when no
    rule of :func:`.conformance.shortfalls` fails on ``publication`` (the spine's
    documents and the navigation) and no image is animated."""
    content = [img for img in images if not img.cover]
    visual = [img for img in content if img.alt != ""]  # decorative images carry no content
    described = [img for img in visual if img.alt]
    maths = [m for doc in documents for m in doc.iter(f"{M}math")]
    described_maths = [m for m in maths if m.get("alttext") or m.find(f".//{M}annotation") is not None]
    headings = [h for doc in documents for h in doc.iter(*(f"{X}h{n}" for n in range(1, 7)))]
    roles = any(el.get("role") for doc in documents for el in doc.iter(etree.Element))
    ruby = any(True for doc in documents for _ in doc.iter(f"{X}ruby"))
    foreign = any(el.get("lang") for doc in documents for el in doc.iter(etree.Element)
                  if el.getparent() is not None and el.tag != f"{X}body")
    notes = any(el.get("role") == "doc-noteref" for doc in documents for el in doc.iter(f"{X}a"))
    animated = any(img.animated for img in images)

    modes = ["textual"] + (["visual"] if visual else [])
    sufficient = []
    if len(described) == len(visual):
        sufficient.append("textual")
    if visual:
        sufficient.append("textual,visual")

    features = []
    if headings:
        features.append("structuralNavigation")
    if toc_entries:
        features.append("tableOfContents")
    features.append("readingOrder")
    if visual and len(described) == len(visual):
        features.append("alternativeText")
    if pages:
        features += ["pageBreakMarkers", "pageNavigation"]
    if maths:
        features.append("MathML")
        if len(described_maths) == len(maths):
            features.append("describedMath")
    if roles:
        features.append("ARIA")
    if ruby:
        features.append("rubyAnnotations")
    if not _ABSOLUTE_FONT_SIZE.search(css) and "!important" not in css:
        features.append("displayTransformability")
    features.append("unlocked")

    hazards = ["unknown"] if animated else ["none"]

    shortfalls = conformance.shortfalls(publication)
    if animated:
        shortfalls.append("animated images not checked for flashing")
    conforms = not shortfalls
    if shortfalls:
        ctx.diagnostics.add("E006", "no accessibility conformance claimed: " + "; ".join(shortfalls),
                            file=ctx.article.source,
                            hint="add alt text to images, header cells to tables, alttext to formulas and a "
                                 "lang to passages in other scripts; keep heading levels and give links text")

    summary = _summary(conforms, shortfalls, visual=len(visual), described=len(described), pages=pages,
                       maths=len(maths), described_maths=len(described_maths), notes=notes, foreign=foreign,
                       animated=animated)
    return Accessibility(modes, sufficient, features, hazards, summary,
                         conforms_to=CONFORMANCE if conforms else None,
                         certified_by=EVALUATOR if conforms else None, shortfalls=shortfalls)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _summary(conforms: bool, shortfalls: list[str], *, visual: int, described: int, pages: int, maths: int,
             described_maths: int, notes: bool, foreign: bool, animated: bool) -> str:
    parts = []
    if conforms:
        parts.append("This publication meets EPUB Accessibility 1.1 and WCAG 2.2 Level AA, "
                     "as far as exporter's automated checks can tell.")
    else:
        parts.append("This publication does not claim to meet WCAG 2.2 Level AA: " + "; ".join(shortfalls) + ".")
    navigation = "It has a table of contents and headings for navigation"
    if pages:
        navigation += (f", and page-break markers with a page list matching the {pages} "
                       f"page{'s' if pages != 1 else ''} of its PDF edition")
    parts.append(navigation + ".")
    if not visual:
        parts.append("It has no images that carry content.")
    elif described == visual:
        parts.append(f"{'The image has' if visual == 1 else f'All {visual} images have'} a text description.")
    else:
        missing = visual - described
        parts.append(f"{missing} of its {_count(visual, 'image', 'images')} "
                     f"{'has' if missing == 1 else 'have'} no text description.")
    if maths:
        parts.append("Mathematics is written in MathML"
                     + (" with text alternatives." if described_maths == maths else "."))
    if notes:
        parts.append("Notes are linked from the text and back.")
    if foreign:
        parts.append("Passages in other languages are marked with their language.")
    parts.append("It contains animated images that were not checked for flashing." if animated
                 else "It has no flashing, motion or sound hazards.")
    return " ".join(parts)

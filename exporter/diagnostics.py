"""Coded diagnostics: recoverable problems found while importing, transforming or
writing a document. Each code is stable and listed in :data:`CODES` with its default
severity, so users can grep for it and tests can assert on it (after Standard Ebooks'
lint codes). Prefixes: ``S`` source/importer, ``M`` model, ``R`` resource (fetcher),
``E`` EPUB, ``P`` PDF/print, ``H`` HTML.

Logging policy: exporter does not log; it collects diagnostics in a
:class:`Diagnostics` list that the CLI prints (text or JSON) at the end of each
document. ``--strict`` turns warnings into a failure. ``str(diagnostic)`` escapes
control characters in the file name and the message (:mod:`exporter.display`);
:meth:`Diagnostic.to_json` keeps them as given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from exporter.display import printable
from exporter.errors import location


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


#: code -> (default severity, short description)
CODES: dict[str, tuple[Severity, str]] = {
    # sources and importers
    "S001": (Severity.WARNING, "no title in the source or its metadata; a title was derived"),
    "S002": (Severity.WARNING, "XML-illegal character removed"),
    "S003": (Severity.INFO, "figure has no image file; its caption is kept as text"),
    "S004": (Severity.WARNING, "content that the importer cannot map was dropped"),
    "S005": (Severity.WARNING, "unsafe markup removed (script, event handler, form, frame or javascript: link)"),
    "S006": (Severity.INFO, "source text is not UTF-8; read in the encoding detected for it"),
    "S007": (Severity.INFO, "metadata taken from the sidecar file"),
    "S008": (Severity.WARNING, "unknown metadata key ignored"),
    "S010": (Severity.WARNING, "attachment link removed: only exporter attaches files to a PDF"),
    # importers: Markdown, web HTML, JATS, EPUB (exporter/importers/, docs/importers.md)
    "S020": (Severity.WARNING, "element not in the model: unwrapped, its text kept"),
    "S021": (Severity.INFO, "non-content element left out (navigation, media, inline SVG, styles)"),
    "S022": (Severity.WARNING, "image or other asset not found, or in a format no output can show"),
    "S023": (Severity.WARNING, "remote resource not included: network access is off"),
    "S024": (Severity.WARNING, "resource refused: outside the source folder or scheme not allowed"),
    "S025": (Severity.INFO, "link to a page or file outside the article kept as text"),
    "S026": (Severity.WARNING, "invalid value (language, direction, number, date) dropped"),
    "S027": (Severity.WARNING, "front matter could not be read completely"),
    "S028": (Severity.WARNING, "encoding problem in the source"),
    "S029": (Severity.INFO, "tag soup repaired (nested document, conflicting metadata)"),
    "S030": (Severity.INFO, "gaiji image replaced by the character it stands for"),
    "S031": (Severity.WARNING, "formula without MathML kept as its TeX source or image"),
    "S032": (Severity.INFO, "supplementary file or media not included; its caption is kept"),
    "S033": (Severity.INFO, "source metadata without a place in the model"),
    "S034": (Severity.INFO, "named entities resolved from the bundled entity set"),
    "S035": (Severity.WARNING, "EPUB: a document of the spine is missing"),
    "S036": (Severity.WARNING, "link to a document that is not in the book kept as text"),
    "S037": (Severity.INFO, "EPUB: title page, cover or contents replaced by exporter's own"),
    "S038": (Severity.WARNING, "figure or table under its own licence, different from the article's"),
    "S039": (Severity.INFO, "contributor with a role exporter does not show left out"),
    "S040": (Severity.WARNING, "table nested in a cell or paragraph flattened to text"),
    "S041": (Severity.INFO, "form control shown as a character; the form itself removed"),
    "S042": (Severity.WARNING, "raw HTML left open (<title>, <style>, <script>, a comment …) would hide the "
                               "text after it; kept as text"),
    "S043": (Severity.WARNING, "an .xml file in a folder is not a JATS article: not built"),
    # model
    "M001": (Severity.WARNING, "image without alternative text"),
    "M002": (Severity.WARNING, "note is never referenced"),
    "M003": (Severity.WARNING, "duplicate id renamed"),
    "M004": (Severity.WARNING, "link to a missing target"),
    "M005": (Severity.INFO, "math is set with a simplified layout in the PDF (EPUB and HTML keep MathML)"),
    # resources
    "R001": (Severity.WARNING, "resource refused: outside the source folder"),
    "R002": (Severity.WARNING, "resource refused: network access is off"),
    "R003": (Severity.WARNING, "resource refused: not a regular file"),
    "R004": (Severity.WARNING, "resource refused: too large"),
    "R005": (Severity.WARNING, "resource missing"),
    "R006": (Severity.WARNING, "resource refused: URL scheme not allowed"),
    "R007": (Severity.WARNING, "image could not be decoded"),
    "R008": (Severity.WARNING, "resource refused: image has too many pixels (decompression bomb)"),
    "R009": (Severity.WARNING, "unsafe content removed from an SVG image"),
    "R010": (Severity.WARNING, "resource refused: SVG image is not well-formed or declares entities"),
    # EPUB
    "E001": (Severity.INFO, "no cover image; a typographic cover was generated"),
    "E002": (Severity.WARNING, "a font of the theme is not installed; it is not embedded"),
    "E003": (Severity.WARNING, "a font of the theme may not be embedded (licence or damaged file)"),
    "E004": (Severity.WARNING, "the cover image cannot be used; a cover was generated"),
    "E005": (Severity.WARNING, "the print page numbers were left out of the e-book (the layout failed)"),
    "E006": (Severity.INFO, "no accessibility conformance claimed (the reasons are listed)"),
    "E007": (Severity.WARNING, "a print page's start could not be found in the e-book"),
    # PDF / print
    "P001": (Severity.WARNING, "the renderer reported a problem"),
    "P002": (Severity.WARNING, "image resolution below 300 ppi at its printed size"),
    "P003": (Severity.WARNING, "table too wide for the text column: set very small and wrapped inside words"),
    "P004": (Severity.WARNING, "the page layout failed; the document was laid out again in a safe mode (one column)"),
    "P005": (Severity.WARNING, "PDF/UA claim withheld: the PDF violates a machine-checkable PDF/UA condition"),
    # HTML
    "H001": (Severity.WARNING, "resource could not be inlined into the HTML page"),
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    hint: str | None = None

    def location(self) -> str:
        return location(self.file, self.line)

    def plain(self) -> str:
        """The line as given (see :meth:`__str__`)."""
        where = self.location()
        text = f"{self.severity.value}[{self.code}]: {self.message}"
        if where:
            text = f"{where}: {text}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def __str__(self) -> str:
        return printable(self.plain())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return {key: value for key, value in data.items() if value is not None}


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics for one document (or one run)."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        code: str,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        default, _ = CODES[code]
        diagnostic = Diagnostic(
            code=code,
            severity=severity or default,
            message=message,
            file=str(file) if file is not None else None,
            line=line,
            hint=hint,
        )
        if diagnostic not in self.items:
            self.items.append(diagnostic)
        return diagnostic

    def extend(self, other: Diagnostics) -> None:
        for item in other.items:
            if item not in self.items:
                self.items.append(item)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    def at_least(self, severity: Severity) -> list[Diagnostic]:
        order = [Severity.INFO, Severity.WARNING, Severity.ERROR]
        return [d for d in self.items if order.index(d.severity) >= order.index(severity)]

    def failed(self, strict: bool = False) -> bool:
        """True when the diagnostics fail the document: errors always, warnings under --strict."""
        return bool(self.at_least(Severity.WARNING if strict else Severity.ERROR))

    def to_json(self) -> str:
        return json.dumps([d.to_json() for d in self.items], ensure_ascii=False, indent=2)

"""The exception tree. Exceptions mean "cannot continue"; recoverable problems are
diagnostics (see :mod:`exporter.diagnostics`). Only :mod:`exporter.cli` catches them
broadly, prints them and turns them into an exit code::

    ExporterError                 exit 1   a document could not be built
    ├── UsageError                exit 2   bad command line, option or configuration
    ├── SourceError               exit 1   a source cannot be read or parsed (file, line)
    │   └── ModelError            exit 1   the article does not follow docs/model.md
    ├── ResourceError             exit 1   a resource was refused or is missing
    └── OutputError               exit 1   an output could not be written

Every error carries the file and line it is about (when known) and a hint that says
what to do, so the message reads ``file:line: error: what is wrong (hint: what to do)``.
``str(error)`` is that line with every control character escaped
(:func:`~exporter.display.printable`: a file name or a quoted piece of a source cannot
drive the terminal or fake a line); :meth:`ExporterError.plain` is the same line as
given, for JSON.
"""

from __future__ import annotations

from pathlib import Path

from exporter.display import printable

__all__ = [
    "ExporterError",
    "UsageError",
    "SourceError",
    "ModelError",
    "ResourceError",
    "OutputError",
]


def location(file: str | None, line: int | None) -> str:
    """``file:line`` (or just ``file``, or nothing): how errors and diagnostics say where."""
    if file is None:
        return ""
    return f"{file}:{line}" if line else file


class ExporterError(Exception):
    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint
        #: for errors that stand for several problems (model validation): all of them
        self.problems: list[ExporterError] = []

    def location(self) -> str:
        return location(self.file, self.line)

    def plain(self) -> str:
        """``file:line: message (hint: …)`` as given (for JSON, which escapes it itself)."""
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def __str__(self) -> str:
        return printable(self.plain())


class UsageError(ExporterError):
    exit_code = 2


class SourceError(ExporterError):
    pass


class ModelError(SourceError):
    pass


class ResourceError(ExporterError):
    pass


class OutputError(ExporterError):
    pass

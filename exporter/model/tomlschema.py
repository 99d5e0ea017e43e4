"""Checking exporter's TOML files: unknown keys and wrong types, each with its line.

exporter reads three kinds of TOML file, and checks them all here, the same way: a
book's ``exporter.toml`` (:mod:`exporter.book.project`), a source's sidecar
(:mod:`exporter.model.sidecar`) and a theme's ``theme.toml`` (:mod:`exporter.themes`).
Each module lists, per table, the keys it knows and the kind of value each takes
(:data:`STR`, :data:`BOOL`, :data:`DATE`…); :func:`check_keys` reports a key it does not
know (a misspelt key would otherwise silently change the output) and :func:`typed` a
value of the wrong kind, both into :class:`Problems`, which knows every key's line
(:func:`~exporter.model.tomllines.locate`) and raises them all at once::

    exporter.toml:3: error: unknown key 'colour' in [book] (hint: known keys here: title, …)
    interview.toml:4: error: date '2025-13' is not a valid date: there is no month 13 (hint: …)

The error class says who is to blame: a sidecar is part of its source
(:class:`~exporter.errors.SourceError`, exit 1), ``exporter.toml`` and ``theme.toml``
are configuration (:class:`~exporter.errors.UsageError`, exit 2).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeAlias

from exporter.errors import ExporterError, SourceError
from exporter.model.dates import DateError, iso_date
from exporter.model.tomllines import Lines, loads, locate
from exporter.safety.confine import Refusal, read_regular

__all__ = ["STR", "BOOL", "DATE", "STRS", "TABLES", "LIST", "TABLE", "ARRAY", "Problems", "KeyPath", "key_name",
           "check_keys", "typed", "read_toml"]

#: the kinds of value a key may take (as messages name them)
STR, BOOL, DATE, STRS, TABLES = "a string", "true or false", "a date", "a string or a list of strings", "tables"
LIST, TABLE, ARRAY = "list", "table", "array of tables"
#: what to write instead, per kind
_EXAMPLES = {STR: '"…"', BOOL: "true", DATE: "2025-06-30", STRS: '["…", "…"]', LIST: '["…"]'}

#: where a value is in the file: table and key names, and array indexes
KeyPath: TypeAlias = tuple[str | int, ...]


class Problems:
    """Every problem of one file, each with its line; raised together."""

    def __init__(self, file: Path | str, lines: Lines, error: type[ExporterError] = SourceError) -> None:
        self.file, self.lines, self.error = file, lines, error
        self.items: list[ExporterError] = []

    def add(self, path: KeyPath, message: str, hint: str | None = None, *, line: int | None = None) -> None:
        self.items.append(self.error(message, file=self.file, line=line or self.lines.of(*path), hint=hint))

    def raise_if_any(self) -> None:
        """Raise the first problem, carrying all of them in the order of their lines (the
        CLI prints each)."""
        if not self.items:
            return
        self.items.sort(key=lambda item: (item.line is None, item.line or 0))
        first = self.items[0]
        error = self.error(first.message, file=self.file, line=first.line, hint=first.hint)
        error.problems = list(self.items)
        if len(self.items) > 1:
            error.message += f" (and {len(self.items) - 1} more problem{'s' if len(self.items) > 2 else ''})"
        raise error


def key_name(path: KeyPath) -> str:
    """``("part", 0, "articles")`` → ``part[0].articles``."""
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")


def check_keys(table: dict[str, Any], allowed: Collection[str], path: KeyPath, problems: Problems,
               more: Callable[[str], str | None] | None = None) -> bool:
    """Report every key of ``table`` not in ``allowed`` (``more(key)``: what else the
    hint should say); True when there was none."""
    clean = True
    for key in table:
        if key not in allowed:
            where = f"in [{key_name(path)}]" if path else "at the top level"
            extra = more(key) if more is not None else None
            problems.add(path + (key,), f"unknown key '{key}' {where}",
                         "known keys here: " + ", ".join(allowed) + (f"; {extra}" if extra else ""))
            clean = False
    return clean


def typed(value: Any, kind: str, path: KeyPath, problems: Problems) -> Any:
    """The value when it has the kind asked for (a date as its ISO text, a lone string
    as a list of one for :data:`STRS`), else None with the problem reported."""
    ok = {
        STR: isinstance(value, str),
        BOOL: isinstance(value, bool),
        DATE: isinstance(value, (str, int, _dt.date)) and not isinstance(value, bool),
        STRS: isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
        TABLES: isinstance(value, list) and all(isinstance(v, dict) for v in value),
        LIST: isinstance(value, list),
        TABLE: isinstance(value, dict),
        ARRAY: isinstance(value, list) and all(isinstance(v, dict) for v in value),
    }[kind]
    if not ok:
        example = _EXAMPLES.get(kind)
        name = key_name(path)
        problems.add(path, f"'{name}' must be {kind}",
                     f"write {path[-1]} = {example}" if example else
                     f"write it as [{name}]" if kind == TABLE else f"write it as [[{name}]]")
        return None
    if kind == DATE:
        try:
            return iso_date(value, str(path[-1]))
        except DateError as error:
            problems.add(path, error.message, error.hint)
            return None
    if kind == STRS and isinstance(value, str):
        return [value]
    return value


def read_toml(path: Path, limit: int, what: str, error: type[ExporterError] = SourceError,
              folder: Path | None = None) -> tuple[dict[str, Any], Lines]:
    """A TOML file's table and the line of every key: a confined read of at most
    ``limit`` bytes from ``folder`` (default: the file's own), UTF-8, nesting capped
    (:func:`~exporter.model.tomllines.loads`). Every problem is ``error`` with the file
    (and the line, for invalid TOML); ``what`` names the file in messages."""
    try:
        raw = read_regular(path, [folder or Path(path).absolute().parent], limit, shown=path.name)[1]
    except Refusal as refusal:
        raise error(refusal.message.split(": ", 1)[-1], file=path, hint=refusal.hint) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{what} is not UTF-8 text", file=path, hint="save it as UTF-8") from None
    return loads(text, path, error), locate(text)

"""Where things are in a TOML file: the line of every table header, key and array item.

``tomllib`` reads values but forgets where they were written, and a good error names
the line ("exporter.toml:14: no such file"). :func:`locate` scans a document that
``tomllib`` has already accepted and returns a map from key paths to 1-based line
numbers::

    [book]                      ("book",)                 -> 1
    title = "Records"           ("book", "title")         -> 2
    [[part]]                    ("part", 0)               -> 4
    articles = [                ("part", 0, "articles")   -> 5
      "a.md",                   ("part", 0, "articles", 0) -> 6
      "b.md",                   ("part", 0, "articles", 1) -> 7
    ]

Tables of an array of tables are numbered from 0 in the order they appear, as
``tomllib`` lists them. Only valid TOML is scanned (call :func:`loads` first).

:func:`loads` is how exporter reads its TOML files (a book's ``exporter.toml``,
sidecars, ``theme.toml``): ``tomllib`` parses arrays and inline tables by recursion
(fifty thousand ``[`` end Python's stack) and dotted keys in quadratic time (``a.b.c…``
fifty thousand parts deep takes minutes), so a cheap scan first refuses a document
nested more than :data:`MAX_DEPTH` levels deep or with a key of more than
:data:`MAX_DEPTH` parts, with its line. Every problem, invalid TOML included, is an
error naming the file and the line: a :class:`~exporter.errors.SourceError` unless the
caller asks for another (configuration files are usage errors). What the values may be
is checked by :mod:`exporter.model.tomlschema`.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from pathlib import Path as _FilePath
from typing import Any, TypeAlias

from exporter.errors import ExporterError, SourceError

__all__ = ["locate", "Lines", "loads", "nesting", "MAX_DEPTH"]

#: arrays and inline tables nested in each other, and parts of one dotted key, at most
MAX_DEPTH = 100

#: a key path: table and key names, and the indexes of array items and arrays of tables
Path: TypeAlias = tuple[str | int, ...]
_BARE = re.compile(r"[A-Za-z0-9_-]+")


class Lines(dict[Path, int]):
    """Key path -> line; :meth:`of` falls back to the nearest enclosing path that is known."""

    def of(self, *path: str | int) -> int | None:
        path = tuple(path)
        while path:
            if path in self:
                return self[path]
            path = path[:-1]
        return None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.lines = Lines()
        self.arrays: dict[tuple[str, ...], int] = {}  # array-of-tables names -> index of its last table

    def line(self, position: int | None = None) -> int:
        return bisect.bisect_right(self.newlines, (self.i if position is None else position) - 1) + 1

    def peek(self, n: int = 1) -> str:
        return self.text[self.i:self.i + n]

    def skip_space(self, newlines: bool) -> None:
        while self.i < len(self.text):
            char = self.text[self.i]
            if char in " \t\r" or (newlines and char == "\n"):
                self.i += 1
            elif char == "#":
                end = self.text.find("\n", self.i)
                self.i = len(self.text) if end < 0 else end
            else:
                break

    # -- keys and strings ---------------------------------------------------------------
    def key(self) -> tuple[str, ...]:
        parts = []
        while True:
            self.skip_space(False)
            if self.peek() in ('"', "'"):
                parts.append(self.string())
            else:
                match = _BARE.match(self.text, self.i)
                parts.append(match.group(0) if match else "")
                self.i = match.end() if match else self.i + 1
            self.skip_space(False)
            if self.peek() != ".":
                return tuple(parts)
            self.i += 1

    def string(self) -> str:
        quote = self.peek()
        if self.peek(3) == quote * 3:
            end = self.text.find(quote * 3, self.i + 3)
            while self.text.startswith(quote, end + 3):  # up to two quotes may close the string's content
                end += 1
            value, self.i = self.text[self.i + 3:end], end + 3
            return value
        j = self.i + 1
        while self.text[j] != quote:
            j += 2 if quote == '"' and self.text[j] == "\\" else 1
        value, self.i = self.text[self.i + 1:j], j + 1
        return value

    # -- values ---------------------------------------------------------------------------
    def value(self, path: Path) -> None:
        self.skip_space(False)
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == "[":
            self.i += 1
            index = 0
            while True:
                self.skip_space(True)
                if self.peek() == "]":
                    self.i += 1
                    return
                self.lines[path + (index,)] = self.line()
                self.value(path + (index,))
                index += 1
                self.skip_space(True)
                if self.peek() == ",":
                    self.i += 1
        elif char == "{":
            self.i += 1
            while True:
                self.skip_space(False)
                if self.peek() == "}":
                    self.i += 1
                    return
                key_line = self.line()
                key = self.key()
                self.lines[path + key] = key_line
                self.i += 1  # "="
                self.value(path + key)
                self.skip_space(False)
                if self.peek() == ",":
                    self.i += 1
        else:
            match = re.compile(r"[^,\]\}\n#]*").match(self.text, self.i)
            assert match is not None  # the pattern matches the empty string too
            self.i = match.end()

    # -- the document ---------------------------------------------------------------------
    def resolve(self, names: tuple[str, ...], array: bool) -> Path:
        """A header's names as a path, with the current index of every array of tables."""
        path: Path = ()
        for n in range(1, len(names) + 1):
            path += (names[n - 1],)
            last = n == len(names)
            if names[:n] in self.arrays and not (last and array):
                path += (self.arrays[names[:n]],)
        if array:
            index = self.arrays.get(names, -1) + 1
            self.arrays[names] = index
            # a new table of an array starts afresh: arrays of tables nested in it restart
            for key in [k for k in self.arrays if len(k) > len(names) and k[:len(names)] == names]:
                del self.arrays[key]
            path += (index,)
        return path

    def document(self) -> Lines:
        table: Path = ()
        while True:
            self.skip_space(True)
            if self.i >= len(self.text):
                return self.lines
            line = self.line()
            if self.peek(2) == "[[":
                self.i += 2
                names = self.key()
                self.i += 2
                table = self.resolve(names, array=True)
                self.lines.setdefault(table[:-1], line)
                self.lines[table] = line
            elif self.peek() == "[":
                self.i += 1
                names = self.key()
                self.i += 1
                table = self.resolve(names, array=False)
                self.lines[table] = line
            else:
                key = self.key()
                self.i += 1  # "="
                self.lines[table + key] = line
                self.value(table + key)


def locate(text: str) -> Lines:
    """Line numbers of the headers, keys and array items of a valid TOML document."""
    return _Scanner(text).document()


# -- limits -----------------------------------------------------------------------------

_TOKEN = re.compile(r'"""|\'\'\'|["\'#\[\]{},=.\n]')
_MULTI_BASIC_END = re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""', re.S)
_BASIC_END = re.compile(r'(?:[^"\\\n]|\\.)*"')


def nesting(text: str, limit: int = MAX_DEPTH) -> tuple[str, int] | None:
    """``(what, offset)`` of the first place ``text`` goes over ``limit`` — ``"nested"``
    for arrays and inline tables (table headers count while open), ``"dotted"`` for a
    dotted key — or None. Strings and comments are skipped as TOML reads them; the
    scan is linear and never recurses. Invalid TOML may be scanned loosely: tomllib
    then refuses it."""
    depth = dots = 0
    i, n = 0, len(text)
    while True:
        match = _TOKEN.search(text, i)
        if match is None:
            return None
        token, i = match.group(), match.end()
        if token == '"""':
            closing = _MULTI_BASIC_END.match(text, i)
            if closing is None:
                return None
            i = closing.end()
            i += len(text[i:i + 2]) - len(text[i:i + 2].lstrip('"'))  # up to two quotes end its content
        elif token == "'''":
            end = text.find("'''", i)
            if end < 0:
                return None
            i = end + 3
            i += len(text[i:i + 2]) - len(text[i:i + 2].lstrip("'"))
        elif token == '"':
            closing = _BASIC_END.match(text, i)
            i = closing.end() if closing is not None else i
        elif token == "'":
            ends = [p for p in (text.find("'", i), text.find("\n", i)) if p >= 0]
            i = min(ends) + 1 if ends else n
        elif token == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif token in "[{":
            depth, dots = depth + 1, 0
            if depth > limit:
                return "nested", match.start()
        elif token in "]}":
            depth, dots = max(0, depth - 1), 0
        elif token == ".":
            dots += 1
            if dots >= limit:
                return "dotted", match.start()
        else:  # , = newline: a new key or value starts
            dots = 0


def loads(text: str, file: str | _FilePath, error: type[ExporterError] = SourceError) -> dict[str, Any]:
    """``tomllib.loads`` for TOML that comes with a source: a :class:`SourceError` (or
    ``error``: a :class:`~exporter.errors.UsageError` for configuration files) naming
    ``file`` and the line for invalid TOML, and for a document nested more than
    :data:`MAX_DEPTH` deep, checked before tomllib sees it."""
    found = nesting(text)
    if found is not None:
        what, offset = found
        line: int | None = text.count("\n", 0, offset) + 1
        if what == "nested":
            raise error(f"arrays or inline tables nested more than {MAX_DEPTH} levels deep", file=file,
                        line=line, hint="exporter's TOML files hold simple values and short lists")
        raise error(f"a key of more than {MAX_DEPTH} dotted parts", file=file, line=line,
                    hint="exporter's TOML files use short keys such as title or book.title")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        match = re.search(r"line (\d+)", str(problem))
        line = int(match.group(1)) if match else (text.count("\n") + 1 if "end of document" in str(problem) else None)
        raise error(f"invalid TOML: {problem}", file=file, line=line,
                    hint="see https://toml.io for the syntax") from None
    except RecursionError:  # the scan above should make this unreachable
        raise error("nested too deeply to read", file=file,
                    hint="exporter's TOML files hold simple values and short lists") from None

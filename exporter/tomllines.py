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
``tomllib`` lists them. Only valid TOML is scanned (call ``tomllib.loads`` first).
"""

from __future__ import annotations

import bisect
import re

__all__ = ["locate", "Lines"]

Path = tuple
_BARE = re.compile(r"[A-Za-z0-9_-]+")


class Lines(dict):
    """Key path -> line; :meth:`of` falls back to the nearest enclosing path that is known."""

    def of(self, *path) -> int | None:
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
        self.arrays: dict[tuple, int] = {}  # array-of-tables names -> index of its last table

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
    def value(self, path: tuple) -> None:
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
            self.i = match.end()

    # -- the document ---------------------------------------------------------------------
    def resolve(self, names: tuple[str, ...], array: bool) -> tuple:
        """A header's names as a path, with the current index of every array of tables."""
        path: tuple = ()
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
        table: tuple = ()
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

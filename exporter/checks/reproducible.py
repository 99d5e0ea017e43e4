"""Reproducibility: build the source again into a temporary folder and compare bytes.

Only meaningful under ``SOURCE_DATE_EPOCH`` (without it outputs carry the build time).
A difference is reported where it is: the EPUB member that differs (or the zip entry
whose order, time or compression differs), the line of an HTML page, the byte offset
and a few bytes around it in a PDF.
"""

from __future__ import annotations

import dataclasses
import tempfile
import zipfile
from pathlib import Path

from exporter.checks.result import Finding, Severity
from exporter.errors import ExporterError
from exporter.settings import Settings
from exporter.themes import Theme

CODE = "not-reproducible"


def check(source: Path, outputs: list[tuple[str, Path]], settings: Settings, theme: Theme) -> dict[Path, list[Finding]]:
    """Rebuild ``source`` once in the formats of ``outputs`` ((format, path) pairs) and
    compare each output with the new build."""
    from exporter.book.project import is_project
    from exporter.pipeline import build, load, write

    formats = tuple(dict.fromkeys(name for name, _ in outputs))
    settings = dataclasses.replace(settings, formats=formats)
    with tempfile.TemporaryDirectory(prefix="exporter-twice-") as temp:
        try:
            if is_project(source):  # a book (exporter.book)
                from exporter.book import render as render_book

                name, rendered, _, _ = render_book(source, settings, theme)
                again = write(name, rendered, Path(temp))
            else:
                again = build(load(source, settings), Path(temp), settings, theme)
        except ExporterError as error:
            failure = Finding(Severity.ERROR, f"the second build of {source} failed: {error}", CODE)
            return {path: [failure] for _, path in outputs}
        return {path: compare(path, again[name]) for name, path in outputs}


def compare(first: Path, second: Path) -> list[Finding]:
    """Nothing when the two files are byte-identical; else where they differ."""
    a, b = first.read_bytes(), second.read_bytes()
    if a == b:
        return []
    if a[:4] == b[:4] == b"PK\x03\x04":
        found = _zip_differences(first, second)
        if found:
            return found
    offset = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    if first.suffix.lower() in (".html", ".htm", ".xhtml"):
        line = a.count(b"\n", 0, offset) + 1
        return [_differs(f"a second build differs from line {line}: "
                         f"{_excerpt(a, offset)!r} became {_excerpt(b, offset)!r}", f"line {line}")]
    sizes = f" ({len(a)} and {len(b)} bytes)" if len(a) != len(b) else ""
    return [_differs(f"a second build differs from byte {offset}{sizes}: "
                     f"{_excerpt(a, offset)!r} became {_excerpt(b, offset)!r}", f"byte {offset}")]


def _zip_differences(first: Path, second: Path) -> list[Finding]:
    try:
        with zipfile.ZipFile(first) as za, zipfile.ZipFile(second) as zb:
            ia, ib = za.infolist(), zb.infolist()
            na, nb = [i.filename for i in ia], [i.filename for i in ib]
            if na != nb:
                gone, new = sorted(set(na) - set(nb)), sorted(set(nb) - set(na))
                detail = "; ".join(filter(None, [f"only in the first: {', '.join(gone)}" if gone else "",
                                                 f"only in the second: {', '.join(new)}" if new else ""]))
                return [_differs(f"the second build has other entries or another order ({detail or 'order'})")]
            found = []
            for x, y in zip(ia, ib):
                data_x, data_y = za.read(x), zb.read(y)
                if data_x != data_y:
                    offset = next((i for i, (p, q) in enumerate(zip(data_x, data_y)) if p != q),
                                  min(len(data_x), len(data_y)))
                    found.append(_differs(f"content differs from byte {offset}: {_excerpt(data_x, offset)!r} "
                                          f"became {_excerpt(data_y, offset)!r}", x.filename))
                elif (x.date_time, x.compress_type, x.external_attr) != (y.date_time, y.compress_type, y.external_attr):
                    found.append(_differs("same content, but the zip entry's time, compression or "
                                          "permissions differ", x.filename))
            return found
    except zipfile.BadZipFile:
        return []


def _excerpt(data: bytes, offset: int, size: int = 24) -> str:
    """A few bytes either side of ``offset``, as text."""
    return data[max(0, offset - size):offset + size].decode("utf-8", "replace")


def _differs(message: str, location: str = "") -> Finding:
    return Finding(Severity.ERROR, message, CODE, location)

"""Helpers shared by importers: reading source bytes safely, decoding text and
removing characters that XML cannot carry (each removal is a diagnostic with its line).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..diagnostics import Diagnostics
from ..errors import SourceError
from ..xmlparse import XML_ILLEGAL

MAX_SOURCE_BYTES = 64 * 1024 * 1024
_ILLEGAL = re.compile(XML_ILLEGAL)


def read_source(path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a source file: regular files only, size-capped."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise SourceError("file not found", file=path, hint="check the path") from None
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror}", file=path, hint="check permissions") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError("not a regular file", file=path, hint="give exporter an ordinary file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise SourceError(f"larger than {limit // 2**20} MiB", file=path,
                          hint="split the document; sources this big are refused")
    return data


def decode_text(data: bytes, path: Path, diagnostics: Diagnostics) -> str:
    """UTF-8 (with or without BOM, or UTF-16 with BOM); otherwise cp1252 with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        diagnostics.add("S006", "the text is not UTF-8; read as Windows-1252", file=path, line=line,
                        hint="save the file as UTF-8 (iconv -f ENCODING -t UTF-8)")
        return data.decode("cp1252", errors="replace")


def clean_text(text: str, path: Path, diagnostics: Diagnostics) -> str:
    """Normalise line ends and remove XML-illegal characters, one diagnostic per line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _ILLEGAL.search(text):
        return text
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if _ILLEGAL.search(line):
            found = sorted({f"U+{ord(c):04X}" for c in _ILLEGAL.findall(line)})
            diagnostics.add("S002", f"removed character(s) {', '.join(found)} that XML cannot carry",
                            file=path, line=number, hint="remove control characters from the source")
            lines[number - 1] = _ILLEGAL.sub(_replacement, line)
    return "\n".join(lines)


def _replacement(match: re.Match) -> str:
    return " " if match.group(0) in "\x0b\x0c" else ""


def clean_string(text: str) -> str:
    """Remove XML-illegal characters without a diagnostic (for metadata values)."""
    return _ILLEGAL.sub(_replacement, text)

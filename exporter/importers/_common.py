"""Helpers shared by importers: reading source bytes safely, decoding text
(:mod:`exporter.importers.decoding`) and removing characters that XML cannot carry (each removal is a diagnostic with its line).
"""

from __future__ import annotations

import re
from pathlib import Path

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.importers.decoding import decode_text, require_text
from exporter.safety.confine import Refusal, read_regular
from exporter.safety.xml import XML_ILLEGAL

__all__ = ["read_source", "decode_text", "require_text", "clean_text", "clean_string"]

MAX_SOURCE_BYTES = 64 * 1024 * 1024
_ILLEGAL = re.compile(XML_ILLEGAL)


def read_source(path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a source file: a regular file inside its own folder (a symbolic link
    may not lead out of it), size-capped before anything is read."""
    try:
        return read_regular(path, [Path(path).absolute().parent], limit, shown=Path(path).name)[1]
    except Refusal as refusal:
        hints = {"R001": "the file is a symbolic link to somewhere outside its folder; build the file "
                         "itself, or copy it here",
                 "R003": "give exporter an ordinary file",
                 "R004": "split the document; sources this big are refused"}
        message = refusal.message.split(": ", 1)[-1]
        raise SourceError(message, file=path, hint=hints.get(refusal.code, refusal.hint)) from None


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


def _replacement(match: re.Match[str]) -> str:
    return " " if match.group(0) in "\x0b\x0c" else ""


def clean_string(text: str) -> str:
    """Normalise line ends and remove XML-illegal characters, without a diagnostic (for
    metadata values; XML parsers would turn a lone CR into LF anyway)."""
    return _ILLEGAL.sub(_replacement, text.replace("\r\n", "\n").replace("\r", "\n"))

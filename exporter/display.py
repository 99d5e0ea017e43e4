"""Text that reaches a terminal or a report: file names and messages made harmless.

A source's file name, and any text a message quotes from a source, is chosen by
whoever wrote the source. Printed raw it can move the cursor and recolour the screen
(``ESC [``), set the terminal's title or write to its clipboard (OSC), overwrite the
line it is on (carriage return), fake a line of the report (newline), or reverse the
text around it (bidi overrides such as U+202E). :func:`printable` is the one function
every formatter (diagnostics, errors, the progress bar, the command line's lines, the
check report) passes such text through: it writes every control character as a
visible escape (``\\x1b``, ``\\n``, ``\\u202e``) and leaves everything else, Windows
paths' backslashes included, as it was.

JSON keeps the text as given (a program reading the report gets the real file name):
:func:`json_text` only makes sure that the characters JSON itself does not escape
(DEL, the C1 controls, bidi controls, the line and paragraph separators, and the lone
surrogates that stand for the bytes of a file name that is not UTF-8) are written as
``\\uXXXX`` escapes, which decode to the same string.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["printable", "json_text", "UNSAFE"]

#: C0 controls, DEL, C1 controls, bidi marks, embeddings, overrides and isolates, the
#: line and paragraph separators, and lone surrogates (undecodable bytes of a file name)
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
                    "\ud800-\udfff]")
#: what JSON leaves as it is (it escapes C0 itself; raw newlines between tokens are its layout)
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``value`` as text that cannot control a terminal or break a line of a report."""
    text = value if isinstance(value, str) else str(value)
    return UNSAFE.sub(_escape, text)


def json_text(data: object, **options: Any) -> str:
    """``json.dumps(data, ensure_ascii=False)`` with every character that a terminal
    could act on written as a JSON escape (the decoded strings are unchanged)."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)

"""A one-line progress bar for batch builds, on a terminal only.

The bar is drawn on standard error when it is a terminal, and not at all when it is
not (a pipe, a file, a CI log) or when ``CI`` is set or ``TERM=dumb`` — unless asked
for with ``--progress``; ``--quiet`` turns it off. Lines printed while the bar is
shown go through :meth:`Progress.print`, which clears the bar, prints the line and
draws the bar again, so reports and bar never mix. The document name shown on the bar
is escaped (:func:`~exporter.display.printable`): a file name cannot drive the terminal.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import TextIO

from exporter.display import printable

__all__ = ["Progress", "wanted"]

_REDRAW = 0.1  # seconds between redraws


def wanted(stream: TextIO, choice: bool | None = None) -> bool:
    """Whether to draw a bar on ``stream``: ``choice`` if given (``--progress`` /
    ``--quiet``), else only on an interactive terminal outside CI."""
    if choice is not None:
        return choice
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m"


class Progress:
    """``total`` documents, of which ``done`` are already finished (skipped)."""

    def __init__(self, total: int, *, enabled: bool, stream: TextIO | None = None, done: int = 0) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0
        self.total = total
        self.done = done
        self.failed = 0
        self.skipped = done
        self.started = time.monotonic()
        self._drawn = 0.0
        self._shown = False
        self.last = ""

    def advance(self, name: str = "", *, failed: bool = False) -> None:
        self.done += 1
        self.failed += int(failed)
        self.last = printable(name)
        self.draw(force=self.done == self.total)

    def line(self) -> str:
        """The bar's text (without control characters), fitted to the terminal width."""
        width = shutil.get_terminal_size((80, 24)).columns
        elapsed = time.monotonic() - self.started
        built = self.done - self.skipped
        parts = [f"{self.done}/{self.total}"]
        if self.skipped:
            parts.append(f"{self.skipped} unchanged")
        if self.failed:
            parts.append(f"{self.failed} failed")
        if built and elapsed > 0:
            rate = built / elapsed
            parts.append(f"{rate:.1f}/s" if rate >= 1 else f"{elapsed / built:.1f}s each")
            left = self.total - self.done
            if left:
                parts.append(f"ETA {_duration(left / rate)}")
        info = " · ".join(parts)
        bar_width = max(10, min(30, width // 4))
        filled = int(bar_width * self.done / self.total) if self.total else bar_width
        text = f"[{'#' * filled}{'.' * (bar_width - filled)}] {info}"
        if self.last and len(text) + 3 < width - 1:
            text += "  " + self.last[-(width - 1 - len(text) - 2):]
        return text[: width - 1]

    def draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn < _REDRAW:
            return
        self._drawn = now
        self.stream.write("\r\x1b[K" + self.line())
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self.enabled and self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def print(self, text: str, file: TextIO | None = None) -> None:
        """Print a line without tearing the bar."""
        self.clear()
        print(text, file=file or sys.stdout, flush=self.enabled)
        self.draw(force=True)

    def finish(self) -> None:
        self.clear()

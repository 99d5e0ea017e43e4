"""The one place that decides which local files a document may read.

Every path a source names — an image, a link to another document, an EPUB's
manifest item or container rootfile, a guessed image name, a cover, a book's
articles and introduction — is resolved by :meth:`Root.resolve` (or checked by
:meth:`Root.check` when the caller already joined it) before anything is opened:

* the reference is decoded text: NUL bytes and names the file system cannot hold
  (too long, undecodable) are refused without a system call that could fail;
* a relative reference is joined to the folder it is relative to; a reference that
  starts with ``/`` is joined to the *site folder*, which exists only when the person
  running exporter named one (``--allow-read DIR``: the nearest such folder that holds
  the source); otherwise it is refused;
* the result's real path (every symbolic link resolved, ``..`` collapsed) must lie in
  one of the root's folders: the document's own folder (a book's own folder), the
  theme folders, and the folders the command line adds with ``--allow-read``.

Nothing inside a source can widen a root: no folder-name convention, no project file,
no manifest. The confined fetcher (:mod:`exporter.safety.fetch`) applies the same rule again
to every URL at the moment of reading, on the opened descriptor.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["Refusal", "Root", "inside", "real_path", "read_regular", "size_text", "NAME_MAX", "PATH_MAX"]

#: what Linux file systems hold: bytes per name, bytes per path
NAME_MAX = 255
PATH_MAX = 4096


class Refusal(Exception):
    """Why a local file cannot be read: a diagnostic code, a message and a hint."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def inside(real: Path, roots: Iterable[Path]) -> bool:
    """Whether the real path ``real`` is one of ``roots`` or lies below one."""
    return any(real == root or root in real.parents for root in roots)


def real_path(path: Path | str, shown: str | None = None) -> Path:
    """``os.path.realpath`` that refuses what cannot be a file name instead of raising
    ``ValueError``/``OSError`` (NUL bytes, over-long names, undecodable text)."""
    shown = shown if shown is not None else str(path)
    text = os.fspath(path)
    if "\x00" in text:
        raise Refusal("R005", f"{_short(shown)}: the name contains a NUL character",
                      "remove the control character from the file name")
    try:
        encoded = os.fsencode(text)
    except UnicodeError:
        raise Refusal("R005", f"{_short(shown)}: the name cannot be a file name",
                      "use a plain file name") from None
    if len(encoded) > PATH_MAX or any(len(part) > NAME_MAX for part in encoded.split(b"/")):
        raise Refusal("R005", f"{_short(shown)}: the name is too long for a file name",
                      f"file names have at most {NAME_MAX} bytes")
    try:
        return Path(os.path.realpath(text))
    except (OSError, ValueError) as error:
        raise Refusal("R005", f"{_short(shown)}: cannot be resolved ({error.__class__.__name__})",
                      "check the file name") from None


class Root:
    """The folders one document may read (see the module documentation).

    ``home`` is the document's own folder (a book's folder for a book); ``granted`` are
    the folders the command line allowed (``--allow-read``); ``themes`` the theme
    folders. Root-relative references (``/x.png``) resolve against the nearest granted
    folder that holds ``home``.
    """

    def __init__(self, home: Path, *, granted: Sequence[Path] = (), themes: Sequence[Path] = ()) -> None:
        self.home = real_path(home)
        self.granted = [real_path(folder) for folder in granted]
        self.themes = [real_path(folder) for folder in themes]
        holders = [g for g in self.granted if inside(self.home, [g])]
        #: the folder root-relative references resolve against, if the command line named one
        self.site: Path | None = max(holders, key=lambda p: len(p.parts)) if holders else None

    @property
    def folders(self) -> list[Path]:
        """Every folder whose files the document may read."""
        return list(dict.fromkeys([self.home, *self.granted, *self.themes]))

    def with_themes(self, themes: Sequence[Path]) -> Root:
        return Root(self.home, granted=self.granted, themes=[*self.themes, *themes])

    def resolve(self, reference: str, base: Path, *, what: str = "file") -> Path:
        """The real path of ``reference`` (decoded text, relative to the folder ``base``),
        or :class:`Refusal` when it cannot be a name or leaves the root."""
        if "\x00" in reference:
            raise Refusal("R005", f"{what} '{_short(reference)}': the name contains a NUL character",
                          "remove the control character from the reference")
        if reference.startswith(("/", "\\")) or _drive(reference):
            if self.site is None or _drive(reference):
                raise Refusal("R001", f"{what} '{_short(reference)}' is an absolute path",
                              "refer to files next to the source with a relative path (or let the "
                              "source read its site folder with --allow-read SITE)")
            candidate = self.site / reference.lstrip("/\\")
        else:
            candidate = Path(base) / reference
        return self.check(candidate, shown=reference, what=what)

    def check(self, candidate: Path, *, shown: str | None = None, what: str = "file") -> Path:
        """The real path of ``candidate`` if it lies in the root, else :class:`Refusal`."""
        shown = shown if shown is not None else str(candidate)
        real = real_path(candidate, f"{what} '{shown}'")
        if not inside(real, self.folders):
            raise Refusal("R001", f"{what} '{_short(shown)}' is outside the source folder",
                          "copy the file next to the source and refer to it with a relative path")
        return real

    def is_file(self, candidate: Path) -> bool:
        """Whether ``candidate`` is a regular file inside the root (never raises; a name
        that leaves the root, through a link or otherwise, is simply not there)."""
        try:
            real = self.check(candidate)
            return stat.S_ISREG(os.stat(real).st_mode)
        except (Refusal, OSError, ValueError):
            return False

    def read(self, candidate: Path, limit: int, *, shown: str | None = None) -> tuple[Path, bytes]:
        """Read a file inside the root (see :func:`read_regular`)."""
        real = self.check(candidate, shown=shown)
        return read_regular(real, self.folders, limit, shown=shown)


def read_regular(path: Path, roots: list[Path], limit: int, *, shown: str | None = None) -> tuple[Path, bytes]:
    """Read a local file under the confinement rules; return its real path and bytes.

    Raises :class:`Refusal` (R001 outside the roots, R003 not a regular file, R004 too
    large, R005 missing or unreadable). The size is checked before anything is read.
    """
    shown = shown or Path(path).name
    real = real_path(path, shown)
    roots = [real_path(root) for root in roots]
    if not inside(real, roots):
        raise Refusal("R001", f"{shown}: outside the source folder",
                      "copy the file next to the source and refer to it with a relative path")
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except FileNotFoundError:
        raise Refusal("R005", f"{shown}: file not found",
                      "check the file name, or add the file next to the source") from None
    except OSError as error:
        raise Refusal("R005", f"{shown}: cannot read ({error.strerror})", "check the file's permissions") from None
    try:
        opened = _opened_path(fd)
        if opened is not None and not inside(opened, roots):
            raise Refusal("R001", f"{shown}: outside the source folder",
                          "copy the file next to the source and refer to it with a relative path")
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refusal("R003", f"{shown}: not a regular file", "refer only to ordinary files")
        if info.st_size > limit:
            raise Refusal("R004", f"{shown}: {size_text(info.st_size)} is over the {size_text(limit)} limit",
                          "use a smaller file, or raise the limit (--max-resource-bytes)")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # the file grew while being read
        raise Refusal("R004", f"{shown}: over the {size_text(limit)} limit", "use a smaller file")
    return real, data


def _opened_path(fd: int) -> Path | None:
    """The real path of an open descriptor, where the system tells (Linux /proc)."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None


def size_text(n: int) -> str:
    """A byte count for a message: 3 MiB, 12 KiB, 100 bytes."""
    if n >= 2**20:
        return f"{n / 2**20:.0f} MiB"
    if n >= 2**10:
        return f"{n / 2**10:.0f} KiB"
    return f"{n} bytes"


def _drive(reference: str) -> bool:
    """A Windows drive path (``C:\\…``, ``c:/…``): never relative."""
    return len(reference) >= 2 and reference[1] == ":" and reference[0].isalpha()


def _short(text: str, length: int = 100) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"

"""Reading EPUB (zip) archives without trusting them.

:class:`SafeZip` checks the whole central directory before anything is read and
refuses the archive (a :class:`~exporter.errors.SourceError`, nothing read, nothing
written) when an entry name is absolute, contains ``..``, a backslash, a drive letter
or a control character; when two entries have the same name (also after Unicode and
case folding, which would collide on many file systems); when an entry is a symbolic
link or a device; when there are too many entries; or when the declared sizes add up
to too much or an entry is compressed beyond a sane ratio (zip bombs). Reads are
capped again while decompressing, because declared sizes can lie.

Nothing is ever extracted to disk: members are read into memory by name, and only
names from the checked directory can be read.
"""

from __future__ import annotations

import stat
import unicodedata
import zipfile
from pathlib import Path
from typing import NoReturn

from exporter.errors import SourceError

__all__ = ["SafeZip", "MAX_ENTRIES", "MAX_TOTAL", "MAX_RATIO", "MAX_MEMBER"]

MAX_ENTRIES = 10_000
MAX_TOTAL = 512 * 1024 * 1024
MAX_MEMBER = 64 * 1024 * 1024
MAX_RATIO = 200


class SafeZip:
    """A checked, read-only view of a zip archive (see the module documentation)."""

    def __init__(self, path: Path, *, max_entries: int = MAX_ENTRIES, max_total: int = MAX_TOTAL,
                 max_member: int = MAX_MEMBER, max_ratio: int = MAX_RATIO) -> None:
        self.path = path
        self.max_member = max_member
        self.max_ratio = max_ratio
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise SourceError(f"not a readable zip archive ({error})", file=path,
                              hint="an .epub file must be a zip archive") from None
        infos = self._zip.infolist()
        if len(infos) > max_entries:
            self._refuse(f"{len(infos)} entries (the limit is {max_entries})")
        seen: dict[str, str] = {}
        total = 0
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            self._check_name(name)
            folded = unicodedata.normalize("NFC", name).casefold()
            if folded in seen:
                self._refuse(f"the name '{name}' appears twice (as '{seen[folded]}')")
            seen[folded] = name
            kind = stat.S_IFMT(info.external_attr >> 16)
            if info.create_system == 3 and kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                mode = info.external_attr >> 16
                what = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
                self._refuse(f"'{name}' is {what}")
            if info.is_dir():
                continue
            if info.file_size > max_member:
                self._refuse(f"'{name}' is {info.file_size // 2**20} MiB (the limit is {max_member // 2**20} MiB)")
            if info.compress_size and info.file_size / max(info.compress_size, 1) > max_ratio and (
                    info.file_size > 1024 * 1024):
                self._refuse(f"'{name}' expands {info.file_size // max(info.compress_size, 1)} times "
                             "(a zip bomb?)")
            total += info.file_size
            if total > max_total:
                self._refuse(f"the entries add up to more than {max_total // 2**20} MiB")
            self.infos[name] = info

    def _refuse(self, reason: str) -> NoReturn:
        self._zip.close()
        raise SourceError(f"unsafe archive refused: {reason}", file=self.path,
                          hint="exporter reads only well-formed EPUB archives; nothing was extracted")

    def _check_name(self, name: str) -> None:
        bad = (not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name.split("/")[0]
               or any(part == ".." for part in name.split("/"))
               or any(ord(c) < 32 or c == "\x7f" for c in name))
        if bad:
            self._refuse(f"the entry name '{name[:80]}' is not a safe relative path")

    def names(self) -> list[str]:
        return list(self.infos)

    def has(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        """The bytes of one member, read into memory with the size and ratio caps enforced."""
        info = self.infos.get(name)
        if info is None:
            raise KeyError(name)
        limit = min(self.max_member, max(info.compress_size, 1) * self.max_ratio + 1024 * 1024)
        chunks = []
        size = 0
        try:
            with self._zip.open(info) as handle:
                while True:
                    chunk = handle.read(65536)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        self._refuse(f"'{name}' expands beyond its declared size")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
            raise SourceError(f"cannot read '{name}' from the archive ({error})", file=self.path,
                              hint="the archive is damaged or encrypted") from None
        return b"".join(chunks)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

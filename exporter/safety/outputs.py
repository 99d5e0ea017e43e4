"""Atomic output files.

Every output is written to a temporary file in the target's own folder, flushed to
disk, and moved into place with :func:`os.replace` only when it is complete, so a
failure (an exception, a full disk, a killed process) leaves either the previous
output or nothing, never a partial file. The outputs of one document are written as
a set (:func:`write_all`): all of them are staged first, and only then moved into
place, so a disk that fills up half-way through leaves every previous output as it
was rather than a mix of old and new.

Temporary files are named ``.<name>.<pid>.<random>.part``. The process that made one
removes it on any error it survives; a process killed outright (SIGKILL, power loss)
cannot, so the next run sweeps the ones left in its output folder
(:func:`sweep_stale`), sparing those of a run that is still going.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from exporter.errors import OutputError

__all__ = ["atomic_path", "write_bytes", "write_all", "sweep_stale", "TEMP_SUFFIX"]

TEMP_SUFFIX = ".part"
MODE = 0o644


def _temp_for(target: Path) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX,
                                    dir=target.parent)
    except OSError as error:
        raise OutputError(f"cannot write into {target.parent}: {error.strerror}", file=target,
                          hint="check that the output folder exists and is writable") from None
    os.close(fd)
    return Path(name)


def _finish(temp: Path) -> None:
    """Flush a staged file to disk and give it the usual permissions."""
    with open(temp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.chmod(temp, MODE)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _failed(target: Path, error: OSError) -> OutputError:
    return OutputError(f"cannot write {target.name}: {error.strerror or error}", file=target,
                       hint="check free disk space and permissions; the previous output was kept")


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success move it to ``target``."""
    target = Path(target)
    temp = _temp_for(target)
    try:
        yield temp
        _finish(temp)
        os.replace(temp, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise _failed(target, error) from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _sync_folder(target.parent)


def write_bytes(target: Path, data: bytes) -> Path:
    with atomic_path(target) as temp:
        temp.write_bytes(data)
    return Path(target)


def write_all(files: dict[Path, bytes]) -> list[Path]:
    """Write several outputs as a set: all staged (written and flushed) before any is
    moved into place; on any failure no target changes and no temporary file is left."""
    staged: list[tuple[Path, Path]] = []
    current: Path | None = None
    try:
        for target, data in files.items():
            current = Path(target)
            temp = _temp_for(current)
            staged.append((temp, current))
            temp.write_bytes(data)
            _finish(temp)
        for temp, target in staged:
            current = target
            os.replace(temp, target)
    except OSError as error:
        _discard(staged)
        assert current is not None  # set before anything that can raise OSError
        raise _failed(current, error) from None
    except BaseException:
        _discard(staged)
        raise
    for folder in {target.parent for _, target in staged}:
        _sync_folder(folder)
    return [target for _, target in staged]


def _discard(staged: list[tuple[Path, Path]]) -> None:
    for temp, _ in staged:
        with contextlib.suppress(OSError):
            temp.unlink()


_TEMP_NAME = re.compile(r"^\..+\.(\d+)\.[^.]+" + re.escape(TEMP_SUFFIX) + "$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0
    return True


def sweep_stale(folder: Path) -> list[Path]:
    """Remove temporary files that a killed run left in ``folder`` (not those of a
    process that is still running, such as a concurrent build into the same folder)."""
    removed: list[Path] = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        if not (entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX)):
            continue
        match = _TEMP_NAME.match(entry.name)
        if match and _alive(int(match.group(1))):
            continue
        if entry.is_file() and not entry.is_symlink():
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


def collision_key(path: Path) -> str:
    """The name two outputs share when a file system could make them one file: the
    absolute path, Unicode-normalised (macOS) and case-folded (macOS, Windows)."""
    return unicodedata.normalize("NFC", os.path.abspath(path)).casefold()

"""Atomic output files.

Every output is written to a temporary file in the target's own folder and moved into
place with :func:`os.replace` only when it is complete, so a failure (an exception, a
full disk, a killed process) leaves either the previous output or nothing, never a
partial file. Temporary files are named ``.<name>.<random>.part`` so that a later run
can sweep the ones a killed process left behind (:func:`sweep_stale`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError

__all__ = ["atomic_path", "write_bytes", "sweep_stale", "TEMP_SUFFIX"]

TEMP_SUFFIX = ".part"


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success move it to ``target``."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    except OSError as error:
        raise OutputError(f"cannot write into {target.parent}: {error.strerror}", file=target,
                          hint="check that the output folder exists and is writable") from None
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise OutputError(f"cannot write {target.name}: {error.strerror or error}", file=target,
                          hint="check free disk space and permissions; the previous output was kept") from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def write_bytes(target: Path, data: bytes) -> Path:
    with atomic_path(target) as temp:
        temp.write_bytes(data)
    return Path(target)


def sweep_stale(folder: Path) -> list[Path]:
    """Remove temporary files that a killed run left in ``folder``."""
    removed = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX) and entry.is_file():
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed

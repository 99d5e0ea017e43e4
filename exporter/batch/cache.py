"""Incremental builds: what each output was built from, and whether that has changed.

A batch (:mod:`exporter.batch`) keeps a manifest in its output folder,
``.exporter-manifest.json``, with one entry per document::

    "markdown/guide/ar/starting-a-project": {      # the output's name, relative to the folder
      "source": "/abs/corpus/markdown/guide/ar/starting-a-project.md",
      "run": "…",                                  # fingerprint of everything shared by the run
      "inputs": {"/abs/…/starting-a-project.md": "…", "/abs/…/starting-a-project.toml": null, …},
      "outputs": {"epub": {"file": "markdown/guide/ar/starting-a-project.epub", "size": …, "mtime_ns": …}},
      "diagnostics": […], "seconds": 1.9
    }

A document is up to date, and skipped, when its run fingerprint is the current one
(exporter's version and code, the rendering libraries' versions, the settings that
affect output, the theme's files, ``SOURCE_DATE_EPOCH``), every input still has the
same content hash (``null``: still absent), and every output is still the file that
was written (same size and modification time). Inputs are what the build *read*:
the child process records every file it opened, and every file it looked for and
did not find, under the source's folder (:class:`Recorder`) — the source, its
sidecar, images, an unpacked EPUB's files — so a picture added next to a text
source later, or a sidecar created, triggers a rebuild too. A document whose build
downloaded anything (``--allow-network``) is never considered up to date.

The check reads and hashes the inputs but never parses a source, imports a renderer
or starts a process. The manifest is written atomically; a missing, unreadable or
foreign manifest simply means "build everything".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporter.diagnostics import Diagnostic, Diagnostics, Severity
from exporter.safety.outputs import write_bytes

if TYPE_CHECKING:
    from exporter.settings import Settings
    from exporter.themes import Theme

__all__ = ["MANIFEST", "Manifest", "Digests", "Recorder", "run_fingerprint", "diagnostics_from_json"]

#: a manifest entry: JSON as written by exporter.batch (checked where it is read)
Entry = dict[str, Any]

MANIFEST = ".exporter-manifest.json"
FORMAT = 1
#: libraries whose version changes what exporter writes
LIBRARIES = ("weasyprint", "pydyf", "fonttools", "pillow", "lxml", "jinja2", "markdown-it-py", "tinycss2")
#: settings that never change an output that was written (only whether a build may finish)
_NOT_OUTPUT = {"timeout", "memory_limit", "isolate"}
#: an input that changed while it was being built: never matches, so the next run rebuilds
CHANGED = "changed-during-build"
_CHUNK = 1 << 20


def digest_file(path: str | Path) -> str | None:
    """The content hash of a regular file; None when it does not exist; a marker for
    anything else (a folder, a device), which then only has to stay what it is."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"unreadable:{error.errno}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "folder" if stat.S_ISDIR(info.st_mode) else "special"
        hasher = hashlib.blake2b(digest_size=20)
        while chunk := os.read(fd, _CHUNK):
            hasher.update(chunk)
        return hasher.hexdigest()
    finally:
        os.close(fd)


class Digests:
    """Content hashes for one run, each file read once however many documents use it."""

    def __init__(self) -> None:
        self._known: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        if path not in self._known:
            self._known[path] = digest_file(path)
        return self._known[path]


# -- what the run shares ------------------------------------------------------------

def _code_digest() -> str:
    """exporter's own code: its version, and the files it runs from (so a changed
    checkout rebuilds even when the version number stayed)."""
    from exporter import __version__

    package = Path(__file__).resolve().parents[1]  # the exporter package
    hasher = hashlib.blake2b(__version__.encode(), digest_size=20)
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".java", ".toml", ".j2", ".css") and path.is_file():
            hasher.update(path.relative_to(package).as_posix().encode() + b"\0")
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


def _library_versions() -> dict[str, str | None]:
    from importlib import metadata

    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _theme_digest(theme: Theme) -> dict[str, str | None]:
    """Every file of the theme and the themes it extends. A symbolic link counts by
    where it points, never by the content it reaches: a theme is untrusted too, and
    its links may lead outside it (the fetcher refuses those; hashing must not read them)."""
    found: dict[str, str | None] = {}
    for folder in theme.dirs:
        for path in sorted(Path(folder).rglob("*")):
            if path.name.startswith("."):
                continue
            if path.is_symlink():
                found[str(path)] = "link:" + os.readlink(path)
            elif path.is_file():
                found[str(path)] = digest_file(path)
    return found


def _plain(value: object) -> Any:
    """``value`` as JSON data (sets sorted, anything else unknown as its text)."""
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def settings_key(settings: Settings) -> dict[str, Any]:
    """The settings that affect what is written, as plain data."""
    return {f.name: _plain(asdict(settings)[f.name]) for f in fields(settings) if f.name not in _NOT_OUTPUT}


def run_fingerprint(settings: Settings, theme: Theme) -> str:
    """One hash of everything the documents of a run share."""
    shared = {
        "format": FORMAT,
        "code": _code_digest(),
        "libraries": _library_versions(),
        "python": sys.version.split()[0],
        "settings": settings_key(settings),
        "theme": _theme_digest(theme),
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
    }
    text = json.dumps(shared, sort_keys=True)  # ASCII: a lone surrogate (a --title, a file name) stays text
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


# -- the manifest ---------------------------------------------------------------------

class Manifest:
    """The output folder's record of what each document was built from."""

    def __init__(self, folder: Path, entries: dict[str, Entry] | None = None) -> None:
        self.folder = Path(folder)
        self.path = self.folder / MANIFEST
        self.entries: dict[str, Entry] = entries or {}
        self._changed: dict[str, Entry | None] = {}

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        return cls(folder, _read(Path(folder) / MANIFEST))

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def put(self, key: str, entry: Entry) -> None:
        self.entries[key] = entry
        self._changed[key] = entry

    def drop(self, key: str) -> None:
        if key in self.entries:
            del self.entries[key]
            self._changed[key] = None

    @property
    def dirty(self) -> bool:
        return bool(self._changed)

    def save(self) -> None:
        """Write the manifest atomically, over whatever another run into the same
        folder wrote meanwhile (its entries are kept, ours win)."""
        if not self._changed:
            return
        merged = _read(self.path)
        for key, entry in self._changed.items():
            if entry is None:
                merged.pop(key, None)
            else:
                merged[key] = entry
        data = {"exporter-manifest": FORMAT, "documents": dict(sorted(merged.items()))}
        write_bytes(self.path, json.dumps(data, indent=1).encode("ascii"))  # \u escapes: any file name fits
        self.entries = merged
        self._changed = {}


def _read(path: Path) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):  # unreadable, not JSON, or nested too deeply: rebuild
        return {}
    if not isinstance(data, dict) or data.get("exporter-manifest") != FORMAT:
        return {}
    documents = data.get("documents")
    if not isinstance(documents, dict):
        return {}
    return {k: v for k, v in documents.items() if isinstance(v, dict)}


def output_record(folder: Path, path: Path) -> dict[str, Any]:
    info = path.stat()
    return {"file": path.relative_to(folder).as_posix(), "size": info.st_size, "mtime_ns": info.st_mtime_ns}


def outputs_intact(folder: Path, outputs: dict[str, Any]) -> bool:
    """Every recorded output is still the file that was written."""
    for record in outputs.values():
        try:
            info = os.stat(folder / record["file"])
        except (OSError, KeyError, TypeError):
            return False
        if info.st_size != record.get("size") or info.st_mtime_ns != record.get("mtime_ns"):
            return False
    return True


def diagnostics_from_json(items: list[Any] | None) -> Diagnostics:
    """Diagnostics as recorded in the manifest (to report them for a skipped document)."""
    diagnostics = Diagnostics()
    for item in items or []:
        with contextlib.suppress(KeyError, TypeError, ValueError):
            diagnostics.items.append(Diagnostic(
                code=item["code"], severity=Severity(item["severity"]), message=item["message"],
                file=item.get("file"), line=item.get("line"), hint=item.get("hint")))
    return diagnostics


# -- in the child: what a build reads ---------------------------------------------------

_active: Recorder | None = None
_hooked = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    recorder = _active
    if recorder is None:
        return
    if event == "open":
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            recorder.opened.add(os.fsdecode(path))
    elif event == "urllib.Request":
        recorder.network = True


class Recorder:
    """Record, while a document builds, every file opened and every path looked for
    and not found (``os.stat`` failing), through Python's audit hooks and a thin
    wrapper around ``os.stat``. Meant for the child process of one build."""

    def __init__(self) -> None:
        self.opened: set[str] = set()
        self.missing: set[str] = set()
        self.network = False
        self.started_ns = time.time_ns()
        self._stat: Callable[..., os.stat_result] | None = None

    def __enter__(self) -> Recorder:
        global _active, _hooked
        if not _hooked:  # audit hooks cannot be removed: one for the process, idle when unused
            sys.addaudithook(_audit)
            _hooked = True
        _active = self
        self._stat = os.stat
        real_stat, missing = os.stat, self.missing

        def probing_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
            try:
                return real_stat(path, *args, **kwargs)
            except FileNotFoundError:
                if isinstance(path, (str, os.PathLike)):
                    missing.add(os.fspath(path))
                raise

        os.stat = probing_stat
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        _active = None
        if self._stat is not None:  # set by __enter__
            os.stat = self._stat

    def inputs(self, roots: list[Path | None]) -> dict[str, str | None]:
        """``{absolute path: digest or None}`` of what was read (or missed) under ``roots``.
        A file modified after the build started gets a digest that never matches."""
        roots = [Path(os.path.realpath(root)) for root in roots if root is not None]
        found: dict[str, str | None] = {}
        for name in sorted(self.opened | self.missing):
            path = Path(os.path.abspath(name))
            real = Path(os.path.realpath(path))
            if not any(real == root or root in real.parents for root in roots):
                continue
            digest = digest_file(path)
            if digest is not None:
                with contextlib.suppress(OSError):
                    if os.stat(path).st_mtime_ns >= self.started_ns:
                        digest = CHANGED
            found[str(path)] = digest
        return found

"""Metadata from outside the source: sidecar files and command-line options.

A sidecar is a TOML file next to the source with the same stem (``interview.txt`` →
``interview.toml``). Its keys are the :class:`~exporter.model.Metadata` field names;
contributors are written either as ``author = "Name"`` / ``authors = ["A", "B"]`` or
as a table array::

    title = "Stephen Kalin on the battle for Mosul"
    language = "en"
    date = 2017-01-19

    [[contributors]]
    name = "Stephen Kalin"
    role = "ive"          # MARC relator code: aut, edt, trl, ivr, ive, pht, …

Precedence, lowest first: what the importer finds in the source, then the sidecar,
then command-line options.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.model import META_KEYS, Contributor, Metadata
from exporter.model.tomllines import loads
from exporter.safety.confine import Refusal, read_regular

__all__ = ["sidecar_for", "read_sidecar", "read_table", "metadata_from_mapping"]

LIST_KEYS = {"subjects", "contributors"}
MAX_SIDECAR_BYTES = 1024 * 1024
ALIASES = {"lang": "language", "keywords": "subjects", "url": "source", "lead_image": "cover"}


def sidecar_for(source: Path) -> Path | None:
    candidate = source.with_suffix(".toml")
    return candidate if candidate.is_file() and candidate != source else None


def read_sidecar(path: Path, diagnostics: Diagnostics) -> Metadata:
    return metadata_from_mapping(read_table(path), path, diagnostics)


def read_table(path: Path) -> dict[str, Any]:
    """The sidecar's TOML table (a size-capped, confined, UTF-8 read)."""
    try:
        raw = read_regular(path, [Path(path).absolute().parent], MAX_SIDECAR_BYTES, shown=path.name)[1]
    except Refusal as refusal:
        raise SourceError(refusal.message.split(": ", 1)[-1], file=path, hint=refusal.hint) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError("the sidecar is not UTF-8 text", file=path, hint="save it as UTF-8") from None
    return loads(text, path)  # invalid, or nested too deeply: SourceError with the line


def metadata_from_mapping(data: dict[str, Any], file: Path | str, diagnostics: Diagnostics) -> Metadata:
    meta = Metadata(title="", language="")
    contributors: list[Contributor] = []
    for raw_key, value in data.items():
        key = ALIASES.get(raw_key, raw_key)
        if key in ("author", "authors"):
            for name in [value] if isinstance(value, str) else _strings(value, raw_key, file):
                contributors.append(Contributor(name=name, role="aut"))
            continue
        if key == "contributors":
            if not isinstance(value, list):
                raise SourceError("'contributors' must be an array of tables", file=file,
                                  hint='write [[contributors]] with name = "…" and role = "aut"')
            for entry in value:
                if isinstance(entry, str):
                    contributors.append(Contributor(name=entry))
                elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
                    unknown = set(entry) - {"name", "role", "file_as"}
                    if unknown:
                        diagnostics.add("S008", f"unknown contributor key(s): {', '.join(sorted(unknown))}",
                                        file=file, hint="contributors take name, role and file_as")
                    contributors.append(Contributor(name=entry["name"], role=str(entry.get("role", "aut")),
                                                    file_as=entry.get("file_as")))
                else:
                    raise SourceError("each contributor needs a name", file=file,
                                      hint='write name = "…" in every [[contributors]] table')
            continue
        if key not in META_KEYS:
            diagnostics.add("S008", f"unknown metadata key '{raw_key}'", file=file,
                            hint="known keys: " + ", ".join(sorted(set(META_KEYS) | {"author", "authors"})))
            continue
        if key == "subjects":
            meta.subjects = [value] if isinstance(value, str) else _strings(value, raw_key, file)
            continue
        if isinstance(value, (_dt.date, _dt.datetime)):
            value = _iso(value)
        if not isinstance(value, str):
            raise SourceError(f"'{raw_key}' must be a string", file=file, hint=f'write {raw_key} = "…"')
        setattr(meta, key, value.strip())
    meta.contributors = contributors
    return meta


def _strings(value: Any, key: str, file: Path | str) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise SourceError(f"'{key}' must be a string or a list of strings", file=file,
                      hint=f'write {key} = ["…", "…"]')


def _iso(value: _dt.date | _dt.datetime) -> str:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.UTC).replace(tzinfo=None)
            return value.isoformat(timespec="seconds") + "Z"
        return value.isoformat(timespec="seconds")
    return value.isoformat()

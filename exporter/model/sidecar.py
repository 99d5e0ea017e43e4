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

A date is a TOML date (``2017-01-19``) or a string :func:`~exporter.model.dates.parse_date`
reads (``"2017-01"``, ``"2017"``, ``"2017-01-19T10:30:00Z"``). ``encoding`` names the
source's encoding (read by :mod:`exporter.importers.load`).

The sidecar is checked as ``exporter.toml`` and ``theme.toml`` are
(:mod:`exporter.model.tomlschema`): an unknown key, a value of the wrong kind, an
impossible date, an unknown role or language tag is an error with the sidecar's file
and line. A sidecar is part of its source, so these are :class:`SourceError` (the
document fails, exit code 1), reported all at once.

Precedence, lowest first: what the importer finds in the source, then the sidecar,
then command-line options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from exporter.errors import SourceError
from exporter.model import META_KEYS, ROLES, Contributor, Metadata, valid_language
from exporter.model.tomllines import Lines
from exporter.model.tomlschema import DATE, LIST, STR, STRS, Problems, check_keys, read_toml, typed

__all__ = ["sidecar_for", "read_sidecar", "read_table", "metadata_from_mapping", "SCHEMA"]

MAX_SIDECAR_BYTES = 1024 * 1024
ALIASES = {"lang": "language", "keywords": "subjects", "url": "source", "lead_image": "cover"}
#: key -> the kind of value it takes (contributors: names, or tables of CONTRIBUTOR keys)
SCHEMA: dict[str, str] = dict.fromkeys(META_KEYS, STR) | {
    "date": DATE, "modified": DATE, "subjects": STRS, "contributors": LIST, "author": STRS, "authors": STRS,
    "encoding": STR}
SCHEMA |= {alias: SCHEMA[key] for alias, key in ALIASES.items()}
CONTRIBUTOR = {"name": STR, "role": STR, "file_as": STR}


def sidecar_for(source: Path) -> Path | None:
    candidate = source.with_suffix(".toml")
    return candidate if candidate.is_file() and candidate != source else None


def read_sidecar(path: Path) -> Metadata:
    table, lines = read_table(path)
    return metadata_from_mapping(table, path, lines)


def read_table(path: Path) -> tuple[dict[str, Any], Lines]:
    """The sidecar's TOML table (a size-capped, confined, UTF-8 read) and the line of
    each key; invalid, or nested too deeply: a SourceError with the line."""
    return read_toml(path, MAX_SIDECAR_BYTES, "the sidecar")


def metadata_from_mapping(data: dict[str, Any], file: Path | str, lines: Lines | None = None) -> Metadata:
    """The metadata of a sidecar's table. Unknown keys, values of the wrong kind,
    impossible dates, unknown roles and language tags are errors with their line (a
    sidecar is part of its source: :class:`SourceError`), all reported at once."""
    problems = Problems(file, lines or Lines(), SourceError)
    meta = Metadata(title="", language="")
    check_keys(data, SCHEMA, (), problems)
    for raw_key, raw in data.items():
        key = ALIASES.get(raw_key, raw_key)
        kind = SCHEMA.get(raw_key)
        if kind is None or key == "encoding" or (value := typed(raw, kind, (raw_key,), problems)) is None:
            continue
        if key in ("author", "authors"):
            meta.contributors += [Contributor(name=name.strip(), role="aut") for name in value if name.strip()]
        elif key == "contributors":
            meta.contributors += _contributors(value, problems)
        elif key == "subjects":
            meta.subjects = value
        elif key == "language" and not valid_language(value.strip()):
            problems.add((raw_key,), f"'{value}' is not a language tag", "use a BCP 47 tag such as en or pt-BR")
        elif key == "direction" and value.strip() not in ("ltr", "rtl"):
            problems.add((raw_key,), f"direction '{value}' is not ltr or rtl", "use ltr or rtl")
        else:
            setattr(meta, key, value.strip())
    problems.raise_if_any()
    return meta


def _contributors(entries: list[Any], problems: Problems) -> list[Contributor]:
    found = []
    for index, entry in enumerate(entries):
        path = ("contributors", index)
        if isinstance(entry, str):
            found.append(Contributor(name=entry))
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            problems.add(path, "each contributor needs a name", 'write name = "…" in every [[contributors]] table')
            continue
        check_keys(entry, CONTRIBUTOR, path, problems)
        role = typed(entry.get("role", "aut"), STR, path + ("role",), problems)
        file_as = typed(entry.get("file_as", ""), STR, path + ("file_as",), problems)
        if role is not None and role not in ROLES:
            problems.add(path + ("role",), f"unknown contributor role '{role}'",
                         "use a MARC relator code: " + ", ".join(sorted(ROLES)))
        found.append(Contributor(name=entry["name"].strip(), role=role or "aut", file_as=file_as or None))
    return found

"""YAML front matter (Jekyll, Hugo, kramdown, Pandoc): metadata at the top of a source.

``split`` finds the block between the opening ``---`` and the closing ``---`` (or
``...``) and returns the text with that block blanked out, so that line numbers in the
rest of the file stay right. ``to_metadata`` maps the usual keys onto
:class:`~exporter.model.Metadata`:

=====================================  ==========================
``title``, ``subtitle``                 title, subtitle
``author``/``authors`` (names or maps)  contributors (authors)
``date`` (else ``YYYY-MM-DD-`` in the   date
file name, as Jekyll does)
``lang``/``language``, ``dir``          language, direction
``description``/``summary``/``excerpt``  description (HTML removed)
``tags``/``categories``/``keywords``    subjects
``image``/``cover``                     cover, when the file exists
``publisher``, ``publication``/``site`` publisher, publication
``canonical_url``/``url``/``source``    source
``license``/``licence``, ``rights``     license, rights
``doi``/``identifier``                  identifier
=====================================  ==========================

Other keys are reported once (S033). A YAML error, or a line that YAML silently turned
into a key (an unquoted value containing ``": "``), is S027 with its line.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostics
from ..model import Contributor, Metadata, normalize_space

__all__ = ["split", "to_metadata", "date_from_name"]

_OPEN = re.compile(r"\A(?:\ufeff)?---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_KEY = re.compile(r"^[A-Za-z_][\w-]*$")
_TAGS = re.compile(r"<[^>]+>")
_NAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-")
IGNORED_QUIETLY = {"layout", "permalink", "published", "draft", "slug", "weight", "order", "class", "type",
                   "redirect_from", "sitemap", "comments", "share", "toc", "menu", "aliases", "nav_order"}


def split(text: str) -> tuple[dict[str, Any] | None, str, int]:
    """``(raw front matter text or None, text with the block blanked, first line of YAML)``."""
    match = _OPEN.match(text)
    if not match:
        return None, text, 0
    close = _CLOSE.search(text, match.end())
    if not close:
        return None, text, 0
    block = text[match.end():close.start()]
    blank = "\n" * text[:close.end()].count("\n")
    return block, blank + text[close.end():], 2  # type: ignore[return-value]


def parse(block: str, first_line: int, path: Path, diagnostics: Diagnostics) -> dict[str, Any]:
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        diagnostics.add("S027", f"front matter is not valid YAML ({getattr(error, 'problem', None) or error}); "
                        "only its simple 'key: value' lines were read", file=path, line=line,
                        hint="quote values that contain ': ' or start with a special character")
        data = _simple(block)
    if not isinstance(data, dict):
        if data is not None:
            diagnostics.add("S027", "front matter is not a mapping of keys to values; ignored", file=path,
                            line=first_line, hint="write one 'key: value' per line")
        return {}
    for key in list(data):
        if not isinstance(key, str) or not _KEY.match(key):
            text = str(key)
            line = first_line + next((n for n, row in enumerate(block.split("\n")) if text[:30] in row), 0)
            diagnostics.add("S027", f"front matter line reads as a key: '{text[:50]}…'; the value before it "
                            "was probably cut short", file=path, line=line,
                            hint="quote multi-line values, or use a YAML block scalar (key: |)")
            del data[key]
    return data


def _simple(block: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for row in block.split("\n"):
        key, sep, value = row.partition(":")
        if sep and _KEY.match(key.strip()) and not row.startswith((" ", "\t")):
            data[key.strip()] = value.strip().strip("'\"")
    return data


def date_from_name(path: Path) -> str | None:
    match = _NAME_DATE.match(path.name)
    return match.group(1) if match else None


def _text(value: Any) -> str:
    if isinstance(value, (_dt.datetime, _dt.date)):
        return _iso(value)
    return normalize_space(_TAGS.sub("", str(value))) if value is not None else ""


def _iso(value: _dt.date | _dt.datetime) -> str:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(_dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        name = value.get("name") or value.get("display_name") or value.get("full_name")
        return [str(name).strip()] if name else []
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    return []


def to_metadata(data: dict[str, Any], path: Path, line: int, diagnostics: Diagnostics) -> tuple[Metadata, dict]:
    """Metadata from front matter, and the keys that were not used (for the importer)."""
    meta = Metadata(title="", language="")
    rest: dict[str, Any] = {}
    for key, value in data.items():
        name = key.lower()
        if value in (None, "", []):
            continue
        if name == "title":
            meta.title = _text(value)
        elif name in ("subtitle", "sub_title", "subheading"):
            meta.subtitle = _text(value)
        elif name in ("author", "authors", "creator", "creators"):
            meta.contributors += [Contributor(name=n) for n in _names(value)]
        elif name in ("translator", "translators"):
            meta.contributors += [Contributor(name=n, role="trl") for n in _names(value)]
        elif name in ("editor", "editors"):
            meta.contributors += [Contributor(name=n, role="edt") for n in _names(value)]
        elif name in ("date", "published", "pubdate", "publish_date"):
            if name == "published" and isinstance(value, bool):
                continue
            meta.date = _text(value)
        elif name in ("modified", "updated", "last_modified_at", "lastmod"):
            meta.modified = _text(value)
        elif name in ("lang", "language", "locale"):
            meta.language = _text(value).replace("_", "-")
        elif name in ("dir", "direction"):
            if _text(value).lower() in ("ltr", "rtl"):
                meta.direction = _text(value).lower()
        elif name in ("description", "summary", "abstract"):
            meta.description = _text(value)
        elif name == "excerpt":
            rest["excerpt"] = value
        elif name in ("tags", "categories", "keywords", "subjects", "subject", "topics"):
            meta.subjects += [s for s in _strings(value) if s not in meta.subjects]
        elif name in ("image", "cover", "cover_image", "featured_image"):
            rest["image"] = value if isinstance(value, str) else (value.get("path") if isinstance(value, dict) else None)
        elif name == "publisher":
            meta.publisher = _text(value)
        elif name in ("publication", "site", "site_name", "journal"):
            meta.publication = _text(value)
        elif name in ("canonical_url", "canonical", "url", "source", "original_url", "link"):
            meta.source = _text(value)
        elif name in ("license", "licence"):
            meta.license = _text(value)
        elif name in ("rights", "copyright"):
            meta.rights = _text(value)
        elif name in ("doi",):
            meta.identifier = "doi:" + _text(value).removeprefix("https://doi.org/").removeprefix("doi:")
        elif name in ("identifier", "isbn", "urn"):
            meta.identifier = _text(value)
        elif name in ("series", "collection"):
            meta.collection = _text(value)
        elif name not in IGNORED_QUIETLY:
            rest[key] = value
    if meta.description is None and "excerpt" in rest:
        meta.description = _text(rest["excerpt"]) or None
    unused = sorted(k for k in rest if k not in ("excerpt", "image"))
    if unused:
        diagnostics.add("S033", "front matter keys without a place in the model: " + ", ".join(unused),
                        file=path, line=line, hint="see docs/importers.md for the keys exporter reads")
    return meta, rest

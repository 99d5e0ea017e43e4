"""Themes: a folder of CSS and Jinja templates, optionally extending another theme.

A theme folder holds ``theme.toml`` (description, ``extends``, page defaults) and any
of ``page.xhtml.j2`` (the page shell), ``print.css`` (the print page: screen, paged
media and browsers' print), ``paged.css`` (what only the PDF engine understands, such
as page footnotes) and ``epub.css``. A theme that extends another inherits every file
it does not have; CSS is cascaded parent first, so a child only writes its
differences. Built-in themes live in ``styles/``; ``--theme`` also takes a path to a
user's own theme folder.

Templates render with autoescaping on and undefined variables as errors; author text
reaches them only as data, never as template source.

``theme.toml`` is configuration, checked when the theme is loaded (before anything is
built) by the same code as ``exporter.toml`` and sidecars
(:mod:`exporter.model.tomlschema`, :data:`SCHEMA`): an unknown key, a value of the wrong
kind, an unknown paper size or notes placement, margins that are not 1 to 4 lengths
are a :class:`~exporter.errors.UsageError` (exit code 2) with the file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from exporter.errors import UsageError
from exporter.model.tomllines import Lines
from exporter.model.tomlschema import BOOL, STR, TABLE, Problems, check_keys, read_toml, typed
from exporter.pagesetup import NOTES, PAGE_SIZES, page_size_key, parse_margins

__all__ = ["Theme", "load_theme", "styles_dir", "builtin_themes", "SCHEMA"]

#: table -> key -> what the value must be (docs/themes.md)
SCHEMA: dict[str, dict[str, str]] = {
    "": {"description": STR, "extends": STR, "page": TABLE, "header": TABLE},
    "page": {"size": STR, "notes": STR, "margins": TABLE},
    "page.margins": dict.fromkeys([*PAGE_SIZES, "default"], STR),
    "header": {"byline": STR, "published_label": BOOL, "identifier": BOOL, "keywords": BOOL},
}
#: what ``[header] byline`` may say: a list of names, or lines by role (the default)
BYLINES = ("names", "roles")
MAX_THEME_BYTES = 256 * 1024


def styles_dir() -> Path:
    """The built-in themes: ``exporter/_data/styles`` when installed, else ``styles/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / "styles", here.parent / "styles"):
        if candidate.is_dir():
            return candidate
    raise UsageError("the built-in themes are missing", hint="reinstall exporter")


def builtin_themes() -> list[str]:
    return sorted(p.name for p in styles_dir().iterdir() if (p / "theme.toml").is_file())


@dataclass(frozen=True)
class Theme:
    name: str
    dirs: tuple[Path, ...]  # this theme first, then its parents
    config: dict[str, Any]

    def find(self, filename: str) -> Path | None:
        for folder in self.dirs:
            if (folder / filename).is_file():
                return folder / filename
        return None

    def css_files(self, filename: str) -> list[Path]:
        """Every ``filename`` along the chain, parent first (cascade order)."""
        return [folder / filename for folder in reversed(self.dirs) if (folder / filename).is_file()]

    def css(self, filename: str) -> str:
        return "\n".join(path.read_text(encoding="utf-8") for path in self.css_files(filename))

    @cached_property
    def env(self) -> jinja2.Environment:
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def setting(self, *keys: str, default: Any = None) -> Any:
        value = self.config
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value


def _read_config(folder: Path) -> tuple[dict[str, Any], Lines]:
    path = folder / "theme.toml"
    config, lines = read_toml(path, MAX_THEME_BYTES, "theme.toml", UsageError, path.resolve().parent)
    problems = Problems(path, lines, UsageError)
    _check(config, (), problems)
    problems.raise_if_any()
    return config, lines


def _check(table: dict[str, Any], path: tuple[str, ...], problems: Problems) -> None:
    """Keys, kinds and values of one table of theme.toml (and of the tables in it)."""
    schema = SCHEMA[".".join(path)]
    check_keys(table, schema, path, problems)
    for key, kind in schema.items():
        if key not in table or (value := typed(table[key], kind, (*path, key), problems)) is None:
            continue
        where = (*path, key)
        if kind == TABLE:
            _check(value, where, problems)
        elif path == ("page",) and key == "size":
            _value(problems, where, page_size_key, value)
        elif path == ("page",) and key == "notes" and value not in NOTES:
            problems.add(where, f"notes = {value!r}: choose foot or end",
                         "foot: at the foot of the page; end: after the article")
        elif path == ("page", "margins"):
            _value(problems, where, parse_margins, value, key)
        elif path == ("header",) and key == "byline" and value not in BYLINES:
            problems.add(where, f"byline = {value!r}: choose names or roles",
                         "names: the authors as a list of names; roles: lines such as 'By A and B'")


def _value(problems: Problems, where: tuple[str, ...], check: Callable[..., object], *args: str) -> None:
    try:
        check(*args)
    except UsageError as error:
        problems.add(where, error.message, error.hint)


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    result = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = value
    return result


def _locate(name: str, relative_to: Path | None) -> Path:
    candidates = []
    if relative_to is not None:
        candidates.append(relative_to / name)
    candidates.append(Path(name))
    if "/" not in name and "\\" not in name:
        candidates.insert(0, styles_dir() / name)
    for candidate in candidates:
        if (candidate / "theme.toml").is_file():
            return candidate.resolve()
    raise UsageError(f"theme '{name}' not found",
                     hint="built-in themes: " + ", ".join(builtin_themes())
                     + "; or give the path of a folder with a theme.toml")


def load_theme(name: str | Path) -> Theme:
    """The theme ``name`` (a built-in name or a folder), with the themes it extends;
    every ``theme.toml`` along the way is checked (:class:`UsageError` with its line)."""
    folder = _locate(str(name), None)
    dirs: list[Path] = []
    configs: list[dict[str, Any]] = []
    while True:
        dirs.append(folder)
        config, lines = _read_config(folder)
        configs.append(config)
        parent = config.get("extends")
        if not parent:
            break
        file, line = folder / "theme.toml", lines.of("extends")
        try:
            folder = _locate(str(parent), folder.parent)
        except UsageError as error:
            raise UsageError(error.message, file=file, line=line, hint=error.hint) from None
        if folder in dirs:
            raise UsageError(f"theme '{name}' extends itself", file=file, line=line,
                             hint="remove the extends that leads back")
    merged: dict[str, Any] = {}
    for config in reversed(configs):
        merged = _merge(merged, config)
    merged.pop("extends", None)
    return Theme(name=dirs[0].name, dirs=tuple(dirs), config=merged)

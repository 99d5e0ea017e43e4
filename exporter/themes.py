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
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from exporter.errors import UsageError

__all__ = ["Theme", "load_theme", "styles_dir", "builtin_themes"]


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


def _read_config(folder: Path) -> dict[str, Any]:
    path = folder / "theme.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"invalid theme.toml: {error}", file=path) from None


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
    folder = _locate(str(name), None)
    dirs: list[Path] = []
    configs: list[dict[str, Any]] = []
    while True:
        if folder in dirs:
            raise UsageError(f"theme '{name}' extends itself", file=folder / "theme.toml")
        dirs.append(folder)
        config = _read_config(folder)
        configs.append(config)
        parent = config.get("extends")
        if not parent:
            break
        folder = _locate(str(parent), folder.parent)
    merged: dict[str, Any] = {}
    for config in reversed(configs):
        merged = _merge(merged, config)
    merged.pop("extends", None)
    return Theme(name=dirs[0].name, dirs=tuple(dirs), config=merged)

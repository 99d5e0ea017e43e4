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

Dates are read by :func:`exporter.model.dates.parse_date`, not by YAML (whose
timestamps would turn ``date: 2025-13-45`` into a YAML error and
``2014-05-14 11:02:00 -04:00`` into UTC): an impossible ``date`` or ``modified`` is a
:class:`~exporter.errors.SourceError` with the key's line. The date in a file name
(``2014-09-08-title.md``) is only a fallback: an impossible one is S026 and left out.

Front matter is untrusted input, and PyYAML composes nested collections by recursion
and shares aliased ones: :func:`parse` refuses a block over :data:`MAX_BYTES`, nested
deeper than :data:`MAX_DEPTH` (``[[[[…`` fifty thousand deep ends Python's stack), or
whose aliases expand to more than :data:`MAX_NODES` values (a "billion laughs") or refer
to themselves, before anything is built from it: a :class:`~exporter.errors.SourceError`
with the file and line, which fails that document only.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import yaml

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.model import Contributor, Metadata, normalize_space
from exporter.model.dates import DateError, iso_date

__all__ = ["split", "parse", "to_metadata", "date_from_name", "FrontMatter", "MAX_BYTES", "MAX_DEPTH", "MAX_NODES"]

#: the largest front matter block read (real ones are a few hundred bytes)
MAX_BYTES = 256 * 1024
#: collections nested in collections, at most
MAX_DEPTH = 100
#: values in the front matter once every alias is expanded
MAX_NODES = 100_000

_OPEN = re.compile(r"\A(?:\ufeff)?---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_KEY = re.compile(r"^[A-Za-z_][\w-]*$")
_TAGS = re.compile(r"<[^>]+>")
_NAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-")
IGNORED_QUIETLY = {"layout", "permalink", "published", "draft", "slug", "weight", "order", "class", "type",
                   "redirect_from", "sitemap", "comments", "share", "toc", "menu", "aliases", "nav_order"}


def split(text: str) -> tuple[str | None, str, int]:
    """``(raw front matter text or None, text with the block blanked, first line of YAML)``."""
    match = _OPEN.match(text)
    if not match:
        return None, text, 0
    close = _CLOSE.search(text, match.end())
    if not close:
        return None, text, 0
    block = text[match.end():close.start()]
    blank = "\n" * text[:close.end()].count("\n")
    return block, blank + text[close.end():], 2


class _TooLarge(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None, hint: str) -> None:
        super().__init__(message)
        self.message, self.mark, self.hint = message, mark, hint


class FrontMatter(dict[str, Any]):
    """The front matter's keys and values, and the line of each top-level key."""

    lines: dict[str, int]


class _Loader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML is untyped (Any)
    """PyYAML's safe loader, refusing collections nested deeper than MAX_DEPTH while it
    composes (before its recursion can reach Python's limit). Dates stay text, for
    :mod:`exporter.model.dates` to read."""

    yaml_implicit_resolvers = {first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
                               for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooLarge(f"front matter is nested more than {MAX_DEPTH} levels deep",
                                self.peek_event().start_mark, "front matter holds simple values and short lists")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph that refers to itself or expands to more than MAX_NODES
    values (aliases are shared: ten aliases of ten aliases of … are cheap to compose
    and explode when used). Iterative: the graph may be as deep as MAX_DEPTH."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > MAX_NODES:
                raise _TooLarge(f"front matter expands to more than {MAX_NODES:,} values (aliases of aliases)",
                                node.start_mark, "write the values out instead of repeating aliases (*name)")
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise _TooLarge("front matter refers to itself (an alias inside its own anchor)", node.start_mark,
                            "remove the alias (*name) from inside the value it names (&name)")
        open_nodes.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise _TooLarge("front matter refers to itself (an alias inside its own anchor)",
                                child.start_mark, "remove the alias (*name) from inside the value it names (&name)")
            if id(child) not in sizes:
                stack.append((child, False))


def _load(block: str, first_line: int) -> tuple[Any, dict[str, int]]:
    """The value of the block, and the line of each top-level key."""
    loader = _Loader(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _check_expansion(node)
        lines = {key.value: first_line + key.start_mark.line for key, _ in node.value
                 if isinstance(key, yaml.ScalarNode)} if isinstance(node, yaml.MappingNode) else {}
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def parse(block: str, first_line: int, path: Path, diagnostics: Diagnostics) -> FrontMatter:
    size = len(block.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise SourceError(f"the front matter is {size:,} bytes; exporter reads at most {MAX_BYTES:,}",
                          file=path, line=first_line,
                          hint="front matter holds metadata (title, author, date…); move the rest into the text")
    try:
        data, lines = _load(block, first_line)
    except _TooLarge as error:
        line = first_line + error.mark.line if error.mark is not None else first_line
        raise SourceError(error.message, file=path, line=line, hint=error.hint) from None
    except RecursionError:  # a chain of merge keys (<<: *a) PyYAML flattens by recursion
        raise SourceError("front matter is nested too deeply to read", file=path, line=first_line,
                          hint="front matter holds simple values and short lists") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
        # ValueError & co.: a value YAML recognised but cannot build (date: 2024-13-45, !!int x)
        mark = getattr(error, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(error, "problem", None) or str(error).split("\n")[0]
        diagnostics.add("S027", f"front matter is not valid YAML ({problem}); "
                        "only its simple 'key: value' lines were read", file=path, line=line,
                        hint="quote values that contain ': ' or start with a special character")
        data, lines = _simple(block, first_line)
    if not isinstance(data, dict):
        if data is not None:
            diagnostics.add("S027", "front matter is not a mapping of keys to values; ignored", file=path,
                            line=first_line, hint="write one 'key: value' per line")
        data = {}
    for key in list(data):
        if not isinstance(key, str) or not _KEY.match(key):
            text = str(key)
            line = first_line + next((n for n, row in enumerate(block.split("\n")) if text[:30] in row), 0)
            diagnostics.add("S027", f"front matter line reads as a key: '{text[:50]}…'; the value before it "
                            "was probably cut short", file=path, line=line,
                            hint="quote multi-line values, or use a YAML block scalar (key: |)")
            del data[key]
    found = FrontMatter(data)
    found.lines = {key: line for key, line in lines.items() if key in found}
    return found


def _simple(block: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for number, row in enumerate(block.split("\n")):
        key, sep, value = row.partition(":")
        if sep and _KEY.match(key.strip()) and not row.startswith((" ", "\t")):
            data[key.strip()] = value.strip().strip("'\"")
            lines[key.strip()] = first_line + number
    return data, lines


def date_from_name(path: Path, diagnostics: Diagnostics) -> str | None:
    """The date of a Jekyll-style file name (``2014-09-08-title.md``); an impossible
    one (``2014-13-45-title.md``) is S026 and None."""
    match = _NAME_DATE.match(path.name)
    if not match:
        return None
    try:
        return iso_date(match.group(1), "the date in the file name")
    except DateError as error:
        diagnostics.add("S026", f"{error.message}; left out", file=path, hint="rename the file, or give the date "
                        "in the front matter or a sidecar")
        return None


def _text(value: Any) -> str:
    if isinstance(value, (_dt.datetime, _dt.date)):
        return iso_date(value)
    return normalize_space(_TAGS.sub("", str(value))) if value is not None else ""


def _date(value: Any, key: str, path: Path, line: int) -> str:
    """A front matter date in the model's form; an impossible one is a SourceError."""
    try:
        return iso_date(value if isinstance(value, (_dt.date, int)) else _text(value), key)
    except DateError as error:
        raise SourceError(error.message, file=path, line=line, hint=error.hint) from None


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


def to_metadata(data: dict[str, Any], path: Path, line: int,
                diagnostics: Diagnostics) -> tuple[Metadata, dict[str, Any]]:
    """Metadata from front matter, and the keys that were not used (for the importer)."""
    meta = Metadata(title="", language="")
    rest: dict[str, Any] = {}
    lines: dict[str, int] = getattr(data, "lines", {})
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
            meta.date = _date(value, key, path, lines.get(key, line))
        elif name in ("modified", "updated", "last_modified_at", "lastmod"):
            meta.modified = _date(value, key, path, lines.get(key, line))
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

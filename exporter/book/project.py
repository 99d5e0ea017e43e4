"""The project file of a book: ``exporter.toml`` (documented in ``docs/collections.md``).

A book is made of articles (sources of any type exporter reads) and of its own matter:
a title page, an imprint (the copyright page), a printed table of contents, an
introduction, and parts with titles that group the articles. :func:`read_project`
reads and checks the file; every problem is reported with the file and line it is
on, all of them at once (unknown keys are errors, not warnings: a misspelt key would
otherwise silently change the book). The file is configuration, so its problems are
:class:`~exporter.errors.UsageError` (exit code 2); keys and types are checked by
:mod:`exporter.model.tomlschema`, as sidecars and ``theme.toml`` are::

    exporter.toml:14: error: 'articles': no such file: 'harbor-ledger.xhtml' (hint: …)

Paths in the file are relative to its folder. A book reads only its own folder (the
folder of ``exporter.toml``): nothing in the file can widen that. The person running
exporter may, with ``--allow-read DIR`` (the sample book in ``sources/quarterly/``
uses the sample articles beside it: ``exporter build sources --allow-read sources``).
Every path is resolved by :class:`exporter.safety.confine.Root`, the one choke point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exporter.errors import UsageError
from exporter.importers import PROJECT_FILE, importer_for
from exporter.model import ROLES, Contributor, Metadata, valid_language
from exporter.model.tomllines import Lines
from exporter.model.tomlschema import (
    ARRAY,
    BOOL,
    DATE,
    LIST,
    STR,
    STRS,
    TABLE,
    TABLES,
    KeyPath,
    Problems,
    check_keys,
    key_name,
    read_toml,
    typed,
)
from exporter.safety.confine import Refusal, Root

__all__ = ["PROJECT_FILE", "Entry", "PartSpec", "Project", "read_project", "is_project", "project_in", "book_name",
           "LAYOUTS"]

MAX_PROJECT_BYTES = 1024 * 1024
#: how the PDF is laid out: in one piece, in parts joined afterwards, or chosen by size
LAYOUTS = ("auto", "whole", "parts")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class Entry:
    """A file the project names, with the line that names it."""

    path: Path
    line: int | None
    text: str  #: as written in the project file


@dataclass(frozen=True)
class PartSpec:
    title: str | None  #: None: the articles of a book without parts
    articles: tuple[Entry, ...]
    line: int | None
    subtitle: str | None = None


@dataclass
class Project:
    file: Path
    folder: Path
    root: Path
    name: str
    meta: Metadata
    parts: list[PartSpec]
    title_page: bool = True
    imprint: bool = True
    imprint_text: str | None = None
    contents: bool = True
    introduction: Entry | None = None
    pdf_layout: str = "auto"
    cover: Entry | None = None
    lines: Lines = field(default_factory=Lines)

    @property
    def has_parts(self) -> bool:
        return any(part.title is not None for part in self.parts)

    def articles(self) -> list[Entry]:
        return [entry for part in self.parts for entry in part.articles]

    def inputs(self) -> list[Path]:
        """Every file the book is made from that the project names (for incremental
        builds: a change to any of them, or to their sidecars, changes the book)."""
        named = [self.file, *(e.path for e in self.articles())]
        named += [e.path for e in (self.introduction, self.cover) if e is not None]
        sidecars = [p.with_suffix(".toml") for p in named[1:] if p.with_suffix(".toml").is_file()]
        return named + sidecars


def is_project(path: Path) -> bool:
    """True for a book's project file (a file named ``exporter.toml``)."""
    path = Path(path)
    return path.name == PROJECT_FILE and path.is_file()


def book_name(path: Path) -> str:
    """The outputs' name of the book whose project file is ``path``: ``[build] name``,
    else its folder's name (also when the file has problems: building it reports them)."""
    try:
        return read_project(Path(path)).name
    except UsageError as error:
        return getattr(error, "project_name", None) or Path(path).resolve().parent.name


def project_in(folder: Path) -> Path | None:
    candidate = Path(folder) / PROJECT_FILE
    return candidate if candidate.is_file() else None


# -- the schema -----------------------------------------------------------------------------

#: table -> key -> what the value must be
SCHEMA: dict[str, dict[str, str]] = {
    "": {"book": TABLE, "front": TABLE, "articles": LIST, "part": ARRAY, "build": TABLE},
    "book": {"title": STR, "subtitle": STR, "language": STR, "direction": STR, "editors": STRS,
             "authors": STRS, "contributors": TABLES, "publisher": STR, "identifier": STR, "date": DATE,
             "modified": DATE, "rights": STR, "license": STR, "description": STR, "subjects": STRS,
             "series": STR, "cover": STR},
    "contributors": {"name": STR, "role": STR, "file_as": STR},
    "front": {"title_page": BOOL, "imprint": BOOL, "imprint_text": STR, "contents": BOOL,
              "introduction": STR},
    "part": {"title": STR, "subtitle": STR, "articles": LIST},
    "build": {"name": STR, "root": STR, "pdf_layout": STR},
}
_HINT_ORDER = ("top-level keys such as articles = [...] go before the first [table]")


def _check_keys(table: dict[str, Any], schema: str, path: KeyPath, problems: Problems) -> None:
    check_keys(table, SCHEMA[schema], path, problems,
               lambda key: _HINT_ORDER if schema != "" and key in SCHEMA[""] else None)


# -- reading ----------------------------------------------------------------------------------

def read_project(path: Path, allow_read: tuple[Path, ...] | list[Path] = ()) -> Project:
    """Read and check ``exporter.toml``; raise :class:`UsageError` listing every problem
    (the file is configuration: exit code 2).

    ``allow_read``: the folders the command line lets sources read (``--allow-read``)."""
    path = Path(path)
    if path.is_dir():
        found = project_in(path)
        if found is None:
            raise UsageError(f"no {PROJECT_FILE} in this folder", file=path,
                              hint=f"write a {PROJECT_FILE} (see docs/collections.md)")
        path = found
    folder = path.absolute().parent
    # unreadable, invalid, or nested too deeply: a UsageError with the line
    data, lines = read_toml(path, MAX_PROJECT_BYTES, "the project file", UsageError, folder)
    problems = Problems(path, lines, UsageError)
    _check_keys(data, "", (), problems)
    for key in ("book", "front", "build"):
        if key in data:
            if typed(data[key], TABLE, (key,), problems) is not None:
                _check_keys(data[key], key, (key,), problems)

    build: dict[str, Any] = data["build"] if isinstance(data.get("build"), dict) else {}
    root = _root(build, folder, tuple(allow_read), problems)
    name = _output_name(build, folder, problems)
    layout = typed(build.get("pdf_layout", "auto"), STR, ("build", "pdf_layout"), problems) or "auto"
    if layout not in LAYOUTS:
        problems.add(("build", "pdf_layout"), f"pdf_layout '{layout}' is not one of {', '.join(LAYOUTS)}",
                     "auto lays a long book out in parts and joins them; whole in one piece")
        layout = "auto"

    book: dict[str, Any] | None = data["book"] if isinstance(data.get("book"), dict) else None
    if book is None:
        problems.add((), "the project has no [book] table", 'add [book] with title = "…"')
        book = {}
    meta = _metadata(book, problems)
    cover = None
    if isinstance(book.get("cover"), str):
        cover = _file(book["cover"], ("book", "cover"), folder, root, problems, what="cover image")
        if cover is not None:
            meta.cover = cover.text  # relative to the project file, as sidecars' covers are to their source

    front: dict[str, Any] = data["front"] if isinstance(data.get("front"), dict) else {}
    flags = {key: typed(front.get(key, True), BOOL, ("front", key), problems)
             for key in ("title_page", "imprint", "contents")}
    imprint_text = typed(front["imprint_text"], STR, ("front", "imprint_text"), problems) \
        if "imprint_text" in front else None
    introduction = None
    if "introduction" in front and typed(front["introduction"], STR, ("front", "introduction"), problems):
        introduction = _source(front["introduction"], ("front", "introduction"), folder, root, problems)

    parts = _parts(data, folder, root, problems)
    seen: dict[Path, Entry] = {}
    for entry in [e for part in parts for e in part.articles] + ([introduction] if introduction else []):
        resolved = entry.path.resolve()
        if resolved in seen:
            problems.add((), f"'{entry.text}' is in the book twice (first on line {seen[resolved].line})",
                         "list each article once", line=entry.line)
        else:
            seen[resolved] = entry
    try:
        problems.raise_if_any()
    except UsageError as error:
        error.project_name = name  # type: ignore[attr-defined]  # book_name still knows it
        raise
    return Project(file=path, folder=folder, root=root.home, name=name, meta=meta, parts=parts,
                   title_page=flags["title_page"] is not False, imprint=flags["imprint"] is not False,
                   imprint_text=imprint_text, contents=flags["contents"] is not False,
                   introduction=introduction, pdf_layout=layout, cover=cover, lines=lines)


def _root(build: dict[str, Any], folder: Path, allow_read: tuple[Path, ...], problems: Problems) -> Root:
    """The book's own folder, plus what the command line allows; ``[build] root``, which
    once let the file widen it, is an error that says what to do instead."""
    if "root" in build:
        problems.add(("build", "root"), "a project file cannot widen the folder a book reads",
                     "remove 'root' and let the book read a folder above with the command line's "
                     "--allow-read DIR")
    return Root(folder, granted=allow_read)


def _output_name(build: dict[str, Any], folder: Path, problems: Problems) -> str:
    value: str = build.get("name", folder.name)  # a string once typed() has checked it
    if "name" in build and typed(value, STR, ("build", "name"), problems) is None:
        return "book"
    if not _NAME.match(value or ""):
        if "name" in build:
            problems.add(("build", "name"), f"name '{value}' cannot be a file name",
                         "use letters, digits, '.', '_' and '-' (outputs are NAME.epub, NAME.pdf, NAME.html)")
        return "book"
    return value


def _metadata(book: dict[str, Any], problems: Problems) -> Metadata:
    meta = Metadata(title="", language="en")
    for key in ("title", "subtitle", "publisher", "identifier", "rights", "license", "description", "direction"):
        if key in book:
            value = typed(book[key], STR, ("book", key), problems)
            if value is not None:
                setattr(meta, key, value.strip())
    if not meta.title:
        problems.add(("book",) if "title" not in book else ("book", "title"), "the book has no title",
                     'write title = "…" in [book]')
    if "language" in book and (value := typed(book["language"], STR, ("book", "language"), problems)):
        if valid_language(value):
            meta.language = value
        else:
            problems.add(("book", "language"), f"'{value}' is not a language tag", "use a BCP 47 tag such as en or pt-BR")
    if meta.direction not in (None, "ltr", "rtl"):
        problems.add(("book", "direction"), f"direction '{meta.direction}' is not ltr or rtl")
    for key in ("date", "modified"):
        if key in book and (value := typed(book[key], DATE, ("book", key), problems)):
            setattr(meta, key, value)
    if "series" in book and (value := typed(book["series"], STR, ("book", "series"), problems)):
        meta.collection = value
    if "subjects" in book and (value := typed(book["subjects"], STRS, ("book", "subjects"), problems)):
        meta.subjects = value
    for key, role in (("editors", "edt"), ("authors", "aut")):
        if key in book and (names := typed(book[key], STRS, ("book", key), problems)):
            meta.contributors += [Contributor(name=n.strip(), role=role) for n in names if n.strip()]
    if "contributors" in book and (tables := typed(book["contributors"], TABLES, ("book", "contributors"),
                                                    problems)):
        for index, entry in enumerate(tables):
            path = ("book", "contributors", index)
            _check_keys(entry, "contributors", path, problems)
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                problems.add(path, "each contributor needs a name", 'write name = "…"')
                continue
            role = entry.get("role", "ctb")
            if role not in ROLES:
                problems.add(path + ("role",), f"unknown contributor role '{role}'",
                             "use a MARC relator code: " + ", ".join(sorted(ROLES)))
                continue
            file_as = entry.get("file_as")
            meta.contributors.append(Contributor(name=name.strip(), role=role,
                                                 file_as=file_as if isinstance(file_as, str) else None))
    return meta


def _parts(data: dict[str, Any], folder: Path, root: Root, problems: Problems) -> list[PartSpec]:
    has_articles, has_parts = "articles" in data, "part" in data
    if has_articles and has_parts:
        problems.add(("articles",), "the book lists articles both at the top level and in [[part]] tables",
                     "put every article in a part, or use no parts")
    if not has_articles and not has_parts:
        problems.add((), "the book lists no articles",
                     'write articles = ["first.md", "second.xhtml"] before the first [table], or [[part]] tables')
        return []
    if has_articles:
        articles = _articles(data["articles"], ("articles",), folder, root, problems)
        return [PartSpec(title=None, articles=tuple(articles), line=problems.lines.of("articles"))]
    tables = typed(data["part"], ARRAY, ("part",), problems) or []
    parts: list[PartSpec] = []
    for index, table in enumerate(tables):
        path = ("part", index)
        _check_keys(table, "part", path, problems)
        title = typed(table.get("title"), STR, path + ("title",), problems) if "title" in table else None
        if not (title or "").strip():
            problems.add(path, "a part needs a title", 'write title = "…" in the [[part]] table')
        subtitle = typed(table["subtitle"], STR, path + ("subtitle",), problems) if "subtitle" in table else None
        if "articles" not in table:
            problems.add(path, "the part lists no articles", 'write articles = ["…"] in the [[part]] table')
            continue
        articles = _articles(table["articles"], path + ("articles",), folder, root, problems)
        parts.append(PartSpec(title=(title or "").strip() or None, articles=tuple(articles),
                              line=problems.lines.of(*path), subtitle=subtitle))
    return parts


def _articles(value: Any, path: KeyPath, folder: Path, root: Root, problems: Problems) -> list[Entry]:
    items = typed(value, LIST, path, problems)
    if items is None:
        return []
    if not items:
        problems.add(path, f"'{key_name(path)}' is empty", "list at least one article")
    entries: list[Entry] = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            problems.add(path + (index,), f"'{key_name(path)}' item {index + 1} must be a file name (a string)",
                         'write articles = ["first.md", "second.txt"]')
            continue
        entry = _source(item, path + (index,), folder, root, problems)
        if entry is not None:
            entries.append(entry)
    return entries


def _file(text: str, path: KeyPath, folder: Path, root: Root, problems: Problems, *, what: str,
          folders: bool = False) -> Entry | None:
    """A path the project names: relative, inside the root, existing."""
    line = problems.lines.of(*path)
    key = key_name(path)
    if not text.strip():
        problems.add(path, f"'{key}': an empty file name")
        return None
    given = Path(text)
    if given.is_absolute() or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text):
        problems.add(path, f"'{key}': '{text}' must be a path relative to the project folder",
                     "write the path from the folder of exporter.toml, e.g. articles/first.md")
        return None
    target = folder / given
    try:
        real = root.check(target, shown=text)
    except Refusal as refusal:
        if refusal.code == "R001":
            problems.add(path, f"'{key}': '{text}' is outside the book's folder ({root.home})",
                         "move the file into the project folder, or let the book read a folder above "
                         "with the command line's --allow-read DIR")
        else:
            problems.add(path, f"'{key}': {refusal.message}", refusal.hint)
        return None
    if not target.exists():
        problems.add(path, f"'{key}': no such file: '{text}'",
                     f"check the name; the path is relative to {folder}")
        return None
    if not (target.is_file() or (folders and target.is_dir())):
        problems.add(path, f"'{key}': '{text}' is not a file ({what})")
        return None
    # the resolved path (no "folder/../" in messages), shown from the working folder when inside it
    shown = real.relative_to(Path.cwd()) if real.is_relative_to(Path.cwd()) else real
    return Entry(path=shown, line=line, text=text)


def _source(text: str, path: KeyPath, folder: Path, root: Root, problems: Problems) -> Entry | None:
    """An article or introduction: a file (or unpacked EPUB folder) that an importer reads."""
    entry = _file(text, path, folder, root, problems, what="an article", folders=True)
    if entry is None:
        return None
    if entry.path.name == PROJECT_FILE:
        problems.add(path, f"'{key_name(path)}': '{text}' is a project file, not an article",
                     "books are made of articles; list the articles of that book instead")
        return None
    try:
        importer_for(entry.path)
    except UsageError as error:
        problems.add(path, f"'{key_name(path)}': {error.message}", error.hint)
        return None
    return entry

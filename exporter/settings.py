"""Build settings, the build clock and the per-document context.

:class:`Settings` holds what the user chose (command line or API); it is immutable
and shared by every document of a run. :class:`Context` is what one document's
transforms and writers see: the settings, the theme, the article's diagnostics and
the confined fetcher for its folder. There is no global state.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporter.diagnostics import Diagnostics
from exporter.errors import UsageError
from exporter.model import Article, Metadata
from exporter.pagesetup import PageSetup
from exporter.safety.fetch import MAX_DOCUMENT_BYTES, MAX_IMAGE_PIXELS, MAX_RESOURCE_BYTES, ConfinedFetcher
from exporter.safety.isolation import DEFAULT_MEMORY, DEFAULT_TIMEOUT, Limits

if TYPE_CHECKING:
    from exporter.themes import Theme

FORMATS = ("epub", "pdf", "html")
#: format name -> the output file's suffix (the writers' own table, without loading them)
SUFFIXES = {"epub": ".epub", "pdf": ".pdf", "html": ".html"}


@dataclass(frozen=True)
class EpubOptions:
    """Options of the EPUB writer (the command line's "EPUB" group)."""

    #: embed the theme's fonts (subset to the characters used)
    embed_fonts: bool = True
    #: obfuscate embedded fonts with the IDPF algorithm, as some font licences ask
    obfuscate_fonts: bool = False
    #: mark the print pages: True always (lays the PDF's pages out even when no PDF is
    #: written), False never, None (the default) when the same build writes the PDF
    #: (whose layout the page list reuses, so it costs nothing)
    page_list: bool | None = None

    def wants_page_list(self, formats: tuple[str, ...]) -> bool:
        return self.page_list if self.page_list is not None else "pdf" in formats


@dataclass(frozen=True)
class Settings:
    formats: tuple[str, ...] = FORMATS
    theme: str = "magazine"
    allow_hosts: frozenset[str] = frozenset()
    #: folders the person running exporter lets sources read besides their own folder
    #: (``--allow-read``); nothing inside a source can add one (exporter.safety.confine)
    allow_read: tuple[Path, ...] = ()
    strict: bool = False
    metadata: Metadata | None = None
    max_resource_bytes: int = MAX_RESOURCE_BYTES
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    #: print choices: paper, PDF variant, notes placement, bleed, crop marks
    page: PageSetup = field(default_factory=PageSetup)
    max_image_pixels: int = MAX_IMAGE_PIXELS
    #: per-document limits (exporter.safety.isolation): wall-clock seconds and memory bytes,
    #: None for no limit; isolate=False renders in-process (no limits, for debugging)
    timeout: float | None = DEFAULT_TIMEOUT
    memory_limit: int | None = DEFAULT_MEMORY
    isolate: bool = True
    epub: EpubOptions = EpubOptions()
    #: importers keep relative links to other local documents instead of making them text
    #: (set for the articles of a book, which links them to its chapters: exporter.book)
    link_documents: bool = False
    #: the encoding of text sources (``--encoding``, or the sidecar's ``encoding`` key);
    #: None: byte-order mark, UTF-8, else detected (exporter.importers.decoding)
    encoding: str | None = None

    @property
    def limits(self) -> Limits:
        return Limits(timeout=self.timeout, memory=self.memory_limit, isolate=self.isolate)

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown:
            raise UsageError(f"unknown output format(s): {', '.join(unknown)}",
                             hint="choose from " + ", ".join(FORMATS))


def build_time() -> _dt.datetime:
    """The time stamped into outputs: ``SOURCE_DATE_EPOCH`` when set, else now (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time stamp",
                             hint="set it to a whole number of seconds, e.g. $(git log -1 --format=%ct)") from None
    return _dt.datetime.now(tz=_dt.UTC).replace(microsecond=0)


def reproducible() -> bool:
    return bool(os.environ.get("SOURCE_DATE_EPOCH"))


@dataclass
class Context:
    settings: Settings
    article: Article
    theme: Theme
    time: _dt.datetime = field(default_factory=build_time)
    #: per-document memo of expensive intermediate results shared by writers
    #: (e.g. the laid-out print document, used by the PDF writer and the EPUB page list)
    cache: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.fetcher = ConfinedFetcher(
            [self.article.root, *self.settings.allow_read, *self.theme.dirs],
            self.article.diagnostics,
            source=str(self.article.source),
            allow_hosts=self.settings.allow_hosts,
            max_resource_bytes=self.settings.max_resource_bytes,
            max_document_bytes=self.settings.max_document_bytes,
            max_image_pixels=self.settings.max_image_pixels,
        )

    @property
    def diagnostics(self) -> Diagnostics:
        return self.article.diagnostics

    def url_for(self, reference: str) -> str:
        """An absolute URL for a reference found in the article (relative to its source)."""
        from urllib.parse import urljoin

        try:
            return urljoin(self.article.source.resolve().as_uri(), reference)
        except ValueError:  # unparsable (e.g. "http://[x"): the fetcher refuses it as such
            return reference


def default_outdir() -> Path:
    return Path("dist")

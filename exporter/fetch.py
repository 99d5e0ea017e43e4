"""The confined fetcher: the only way a source's resources are read.

WeasyPrint's default URL fetcher follows ``file:`` paths anywhere, ``<base href>``,
symlinks and the network. exporter hands WeasyPrint (for every HTML *and* CSS object)
and its own writers (EPUB packaging, inlining into the print HTML) one
:class:`ConfinedFetcher` per document, which allows only:

* ``data:`` URLs (size-capped);
* regular files whose *real* path (after symlinks and ``..``) lies under one of the
  allowed roots: the source's own folder and the theme folders;
* ``http``/``https`` URLs whose host the user allowed with ``--allow-network HOST``;
  redirects are followed only to allowed hosts.

Everything else is refused with a coded diagnostic (``R001``–``R006``) naming the source
file; the render goes on without the resource. Sizes are capped per resource and per
document so that ``/dev/zero``-like inputs and huge files cannot exhaust memory.
"""

from __future__ import annotations

import base64
import os
import stat
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .diagnostics import Diagnostics

__all__ = ["ConfinedFetcher", "FetchRefused", "MAX_RESOURCE_BYTES", "MAX_DOCUMENT_BYTES"]

MAX_RESOURCE_BYTES = 50 * 1024 * 1024
MAX_DOCUMENT_BYTES = 300 * 1024 * 1024
NETWORK_TIMEOUT = 15

MEDIA_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".xhtml": "application/xhtml+xml",
    ".html": "text/html",
    ".xml": "application/xml",
    ".txt": "text/plain",
}


def media_type_for(name: str) -> str:
    return MEDIA_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


class FetchRefused(OSError):
    """A resource was refused or could not be read; the diagnostic is already recorded."""


@dataclass
class Fetched:
    url: str
    data: bytes
    media_type: str
    path: Path | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def __init__(self, fetcher: "ConfinedFetcher") -> None:
        self.fetcher = fetcher

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.fetcher._check_host(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class ConfinedFetcher(URLFetcher):
    """Fetch resources for one document; see the module documentation."""

    def __init__(
        self,
        roots: list[Path],
        diagnostics: Diagnostics | None = None,
        *,
        source: str | None = None,
        allow_hosts: frozenset[str] | set[str] = frozenset(),
        max_resource_bytes: int = MAX_RESOURCE_BYTES,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
    ) -> None:
        super().__init__(allowed_protocols={"file", "data", "http", "https"}, allow_redirects=False)
        self.roots = [Path(os.path.realpath(root)) for root in roots]
        self.diagnostics = diagnostics if diagnostics is not None else Diagnostics()
        self.source = source
        self.allow_hosts = frozenset(host.lower() for host in allow_hosts)
        self.max_resource_bytes = max_resource_bytes
        self.max_document_bytes = max_document_bytes
        self.total_bytes = 0
        self.fetched: dict[str, Fetched] = {}

    # -- the WeasyPrint interface -------------------------------------------------
    def fetch(self, url: str, headers=None) -> URLFetcherResponse:  # noqa: ARG002
        fetched = self.get(url)
        return URLFetcherResponse(fetched.url, fetched.data, {"Content-Type": fetched.media_type})

    # -- exporter's own interface -------------------------------------------------
    def get(self, url: str) -> Fetched:
        """Return the bytes of ``url`` or raise :class:`FetchRefused` (diagnostic recorded)."""
        if url in self.fetched:
            return self.fetched[url]
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme == "data":
            fetched = self._data(url)
        elif scheme == "file":
            fetched = self._file(url)
        elif scheme in ("http", "https"):
            fetched = self._network(url)
        else:
            self._refuse("R006", f"{_short(url)}: the URL scheme '{scheme}:' is not allowed",
                         "use a file next to the source, or a data: URL")
        self._count(url, len(fetched.data))
        self.fetched[url] = fetched
        return fetched

    def path_for(self, url: str) -> Path:
        """The confined local path for a ``file:`` URL, checked like :meth:`get`."""
        return self._allowed_path(url)

    def is_allowed_local(self, path: Path) -> bool:
        real = Path(os.path.realpath(path))
        return any(real == root or root in real.parents for root in self.roots)

    # -- helpers ------------------------------------------------------------------
    def _refuse(self, code: str, message: str, hint: str) -> None:
        self.diagnostics.add(code, message, file=self.source, hint=hint)
        raise FetchRefused(message)

    def _count(self, url: str, size: int) -> None:
        self.total_bytes += size
        if self.total_bytes > self.max_document_bytes:
            self._refuse("R004", f"{_short(url)}: the document's resources exceed "
                         f"{self.max_document_bytes // 2**20} MiB in total",
                         "use smaller images, or raise --max-document-bytes")

    def _data(self, url: str) -> Fetched:
        header, _, payload = url[5:].partition(",")
        if len(payload) > self.max_resource_bytes * 4 // 3 + 4:
            self._refuse("R004", "data: URL too large", "use a file instead of a data: URL")
        media_type = header.split(";")[0] or "text/plain"
        try:
            if header.endswith(";base64"):
                data = base64.b64decode(urllib.parse.unquote_to_bytes(payload), validate=False)
            else:
                data = urllib.parse.unquote_to_bytes(payload)
        except ValueError:
            self._refuse("R005", "malformed data: URL", "check the data: URL's encoding")
        return Fetched(url, data, media_type)

    def _allowed_path(self, url: str) -> Path:
        parts = urllib.parse.urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse("R001", f"{_short(url)}: file URLs on other hosts are not allowed",
                         "refer to files next to the source with a relative path")
        raw = Path(urllib.request.url2pathname(parts.path))
        real = Path(os.path.realpath(raw))
        if not any(real == root or root in real.parents for root in self.roots):
            self._refuse("R001", f"{_short(url)}: outside the source folder",
                         "copy the file next to the source and refer to it with a relative path")
        return real

    def _file(self, url: str) -> Fetched:
        real = self._allowed_path(url)
        try:
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            self._refuse("R005", f"{_relative(real, self.roots)}: file not found",
                         "check the file name, or add the file next to the source")
        except OSError as error:
            self._refuse("R005", f"{_relative(real, self.roots)}: cannot read ({error.strerror})",
                         "check the file's permissions")
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                self._refuse("R003", f"{_relative(real, self.roots)}: not a regular file",
                             "refer only to ordinary files")
            if info.st_size > self.max_resource_bytes:
                self._refuse("R004", f"{_relative(real, self.roots)}: {info.st_size // 2**20} MiB is over "
                             f"the {self.max_resource_bytes // 2**20} MiB limit per resource",
                             "use a smaller file, or raise --max-resource-bytes")
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(self.max_resource_bytes + 1)
        finally:
            os.close(fd)
        if len(data) > self.max_resource_bytes:
            self._refuse("R004", f"{_relative(real, self.roots)}: over the per-resource limit",
                         "use a smaller file")
        return Fetched(url, data, media_type_for(real.name), path=real)

    def _check_host(self, url: str) -> None:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        if host not in self.allow_hosts:
            self._refuse("R002", f"{_short(url)}: network access is off for {host or 'this URL'}",
                         f"download the file next to the source, or allow it with --allow-network {host}")

    def _network(self, url: str) -> Fetched:
        self._check_host(url)
        opener = urllib.request.build_opener(_NoRedirect(self))
        request = urllib.request.Request(url, headers={"User-Agent": "exporter"})
        try:
            with opener.open(request, timeout=NETWORK_TIMEOUT) as response:
                data = response.read(self.max_resource_bytes + 1)
                media_type = response.headers.get_content_type()
                final = response.geturl()
        except FetchRefused:
            raise
        except OSError as error:
            self._refuse("R005", f"{_short(url)}: download failed ({error})", "check the URL")
        if len(data) > self.max_resource_bytes:
            self._refuse("R004", f"{_short(url)}: over the per-resource limit", "use a smaller file")
        return Fetched(final, data, media_type)


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "…"


def _relative(path: Path, roots: list[Path]) -> str:
    for root in roots:
        if root in path.parents:
            return str(path.relative_to(root))
    return path.name

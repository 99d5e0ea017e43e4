"""The confined fetcher: the only way a source's resources are read.

WeasyPrint's default URL fetcher follows ``file:`` paths anywhere, ``<base href>``,
symlinks and the network. exporter hands WeasyPrint (for every HTML *and* CSS object,
see :mod:`exporter.safety.weasy`) and its own writers (EPUB packaging, inlining into the
print HTML) one :class:`ConfinedFetcher` per document, which allows only:

* ``data:`` URLs (size-capped);
* regular files whose *real* path (after symlinks, ``..`` and ``%2e%2e``) lies under
  one of the allowed roots: the source's own folder and the theme folders. The check
  is made on the final resolved URL, never on the attribute text, and again on the
  opened file descriptor (``/proc/self/fd``), so a link swapped in between is caught;
* ``http``/``https`` URLs whose host the user allowed with ``--allow-network HOST``;
  redirects are followed only to allowed hosts.

Non-regular files (FIFOs, devices such as ``/dev/urandom``, folders) are refused
without reading a byte; sizes are checked before reading and capped per resource and
per document. Images are checked before any consumer sees them: raster images over
:data:`MAX_IMAGE_PIXELS` are refused (decompression bombs), and SVG images are
handed out only as cleaned by :mod:`exporter.safety.svg` (no scripts, no references out
of the image, no XML entities).

Everything refused becomes a coded diagnostic (``R001``–``R010``) naming the source
file; the render goes on without the resource. :func:`read_regular` applies the same
rules to the source file itself and its sidecar.
"""

from __future__ import annotations

import base64
import os
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, Any

from exporter.diagnostics import Diagnostics
from exporter.safety.confine import Refusal, inside, read_regular, real_path
from exporter.safety.confine import size_text as _size
from exporter.safety.images import image_size, looks_like_markup, sniff

__all__ = ["ConfinedFetcher", "FetchRefused", "Refusal", "read_regular", "inside",
           "MAX_RESOURCE_BYTES", "MAX_DOCUMENT_BYTES", "MAX_IMAGE_PIXELS"]

MAX_RESOURCE_BYTES = 50 * 1024 * 1024
MAX_DOCUMENT_BYTES = 300 * 1024 * 1024
#: Pillow's own decompression-bomb threshold (about 89.5 megapixels, 12,000 × 7,500)
MAX_IMAGE_PIXELS = 89_478_485
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


class _CheckedRedirect(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to an allowed host."""

    def __init__(self, fetcher: ConfinedFetcher) -> None:
        self.fetcher = fetcher

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: HTTPMessage, newurl: str) -> urllib.request.Request | None:
        self.fetcher._check_host(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class ConfinedFetcher:
    """Fetch resources for one document; see the module documentation.

    WeasyPrint calls a fetcher as ``fetcher(url)`` and reads ``_fail_on_errors``; this
    class gives it both without deriving from WeasyPrint's own fetcher, so that
    importing exporter does not import WeasyPrint (a batch whose documents are all up
    to date never needs it) and WeasyPrint's fetching code is never reachable.
    """

    #: a refused resource is a diagnostic, never the end of the render
    _fail_on_errors = False

    def __init__(
        self,
        roots: list[Path],
        diagnostics: Diagnostics | None = None,
        *,
        source: str | None = None,
        allow_hosts: frozenset[str] | set[str] = frozenset(),
        max_resource_bytes: int = MAX_RESOURCE_BYTES,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
        max_image_pixels: int = MAX_IMAGE_PIXELS,
    ) -> None:
        self.roots = [Path(os.path.realpath(root)) for root in roots]
        self.diagnostics = diagnostics if diagnostics is not None else Diagnostics()
        self.source = source
        self.allow_hosts = frozenset(host.lower() for host in allow_hosts)
        self.max_resource_bytes = max_resource_bytes
        self.max_document_bytes = max_document_bytes
        self.max_image_pixels = max_image_pixels
        self.total_bytes = 0
        self.fetched: dict[str, Fetched] = {}
        self.refused: dict[str, str] = {}

    # -- the WeasyPrint interface -------------------------------------------------
    def fetch(self, url: str, headers: object = None) -> Any:
        """A WeasyPrint ``URLFetcherResponse`` (WeasyPrint is untyped)."""
        from weasyprint.urls import URLFetcherResponse

        fetched = self.get(url)
        return URLFetcherResponse(fetched.url, fetched.data, {"Content-Type": fetched.media_type})

    def __call__(self, url: str) -> Any:
        return self.fetch(url)

    # -- exporter's own interface -------------------------------------------------
    def get(self, url: str) -> Fetched:
        """Return the bytes of ``url`` or raise :class:`FetchRefused` (diagnostic recorded).

        A resource is read once, but every use counts against the document's budget:
        an image shown 150 times is inlined 150 times in the print HTML."""
        if url in self.refused:
            raise FetchRefused(self.refused[url])
        try:
            fetched = self.fetched.get(url) or self._get(url)
            self._count(url, len(fetched.data))
        except FetchRefused as error:
            self.refused[url] = str(error)
            raise
        self.fetched[url] = fetched
        return fetched

    def _get(self, url: str) -> Fetched:
        try:
            scheme = urllib.parse.urlsplit(url).scheme.lower()
        except ValueError:
            self._refuse("R005", f"{_short(url)}: not a valid URL", "check the reference")
        if scheme == "data":
            fetched = self._data(url)
        elif scheme == "file":
            fetched = self._file(url)
        elif scheme in ("http", "https"):
            fetched = self._network(url)
        elif not scheme:
            self._refuse("R005", f"{_short(url)}: not a valid URL", "check the reference")
        else:
            self._refuse("R006", f"{_short(url)}: the URL scheme '{scheme}:' is not allowed",
                         "use a file next to the source, or a data: URL")
        return self._checked(fetched)

    def path_for(self, url: str) -> Path:
        """The confined local path for a ``file:`` URL, checked like :meth:`get`."""
        return self._allowed_path(url)

    def is_allowed_local(self, path: Path) -> bool:
        try:
            return inside(real_path(path), self.roots)
        except Refusal:
            return False

    # -- helpers ------------------------------------------------------------------
    def _refuse(self, code: str, message: str, hint: str) -> None:
        self.diagnostics.add(code, message, file=self.source, hint=hint)
        raise FetchRefused(message)

    def _count(self, url: str, size: int) -> None:
        self.total_bytes += size
        if self.total_bytes > self.max_document_bytes:
            self._refuse("R004", f"{_short(url)}: the document's resources exceed "
                         f"{_size(self.max_document_bytes)} in total",
                         "use smaller images, or raise --max-document-bytes")

    def _data(self, url: str) -> Fetched:
        header, _, payload = url[5:].partition(",")
        if len(payload) > self.max_resource_bytes * 4 // 3 + 4:
            self._refuse("R004", "data: URL too large", "use a file instead of a data: URL")
        media_type = header.split(";")[0].strip().lower() or "text/plain"
        try:
            if header.endswith(";base64"):
                data = base64.b64decode(urllib.parse.unquote_to_bytes(payload), validate=False)
            else:
                data = urllib.parse.unquote_to_bytes(payload)
        except ValueError:
            self._refuse("R005", "malformed data: URL", "check the data: URL's encoding")
        if len(data) > self.max_resource_bytes:
            self._refuse("R004", "data: URL too large", "use a file instead of a data: URL")
        return Fetched(url, data, media_type)

    def _allowed_path(self, url: str) -> Path:
        parts = urllib.parse.urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse("R001", f"{_short(url)}: file URLs on other hosts are not allowed",
                         "refer to files next to the source with a relative path")
        raw = Path(urllib.request.url2pathname(parts.path))
        try:
            real = real_path(raw, _short(url))
        except Refusal as refusal:
            self._refuse(refusal.code, refusal.message, refusal.hint)
        if not inside(real, self.roots):
            self._refuse("R001", f"{_short(url)}: outside the source folder",
                         "copy the file next to the source and refer to it with a relative path")
        return real

    def _file(self, url: str) -> Fetched:
        real = self._allowed_path(url)
        try:
            real, data = read_regular(real, self.roots, self.max_resource_bytes,
                                      shown=_relative(real, self.roots))
        except Refusal as refusal:
            self._refuse(refusal.code, refusal.message, refusal.hint)
        return Fetched(url, data, media_type_for(real.name), path=real)

    def _checked(self, fetched: Fetched) -> Fetched:
        """The resource as every consumer may see it, its type read from its bytes (never
        from its name or the URL's claim) before any limit is checked: raster images over
        the pixel limit refused, anything that could be read as XML cleaned as SVG (or
        refused), style sheets passed as text."""
        from exporter.safety.svg import SVGRefused, clean_svg

        name = _relative(fetched.path, self.roots) if fetched.path else _short(fetched.url, 60)
        kind = sniff(fetched.data)
        if kind is not None and kind.startswith("font/"):
            return Fetched(fetched.url, fetched.data, kind, fetched.path)
        if kind is not None:  # a raster image, whatever it was called
            size = image_size(fetched.data)
            if size is not None and size[0] * size[1] > self.max_image_pixels:
                self._refuse("R008", f"image {name} is {size[0]} × {size[1]} pixels, over the limit of "
                             f"{self.max_image_pixels / 1e6:.0f} megapixels",
                             "scale the image down; print needs about 300 pixels per inch")
            return Fetched(fetched.url, fetched.data, kind, fetched.path)
        if fetched.media_type == "text/css" and not looks_like_markup(fetched.data):
            return fetched
        # Anything else may be read as SVG by a consumer (WeasyPrint tries every image
        # that is not a raster as SVG): it is an SVG image, cleaned, or it is refused.
        if not looks_like_markup(fetched.data):
            self._refuse("R007", f"{name} refused: its bytes are not an image (PNG, JPEG, GIF, WebP, SVG) "
                         "or a style sheet", "check that the file is what its name says")
        try:
            data, removed = clean_svg(fetched.data, name, self.max_image_pixels)
        except SVGRefused as error:
            self._refuse("R010", f"SVG image {name} refused: {error}",
                         "use PNG, JPEG, GIF, WebP or a clean SVG file (no DOCTYPE or entities)")
        if removed:
            self.diagnostics.add("R009", f"removed from SVG image {name}: {', '.join(removed[:5])}"
                                 + (" …" if len(removed) > 5 else ""), file=self.source,
                                 hint="SVG images may not run scripts or refer to other files")
        return Fetched(fetched.url, data, "image/svg+xml", fetched.path)

    def _check_host(self, url: str) -> None:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        if host not in self.allow_hosts:
            self._refuse("R002", f"{_short(url)}: network access is off for {host or 'this URL'}",
                         f"download the file next to the source, or allow it with --allow-network {host}")

    def _network(self, url: str) -> Fetched:
        self._check_host(url)
        opener = urllib.request.build_opener(_CheckedRedirect(self))
        request = urllib.request.Request(url, headers={"User-Agent": "exporter"})
        try:
            with opener.open(request, timeout=NETWORK_TIMEOUT) as response:
                data = response.read(self.max_resource_bytes + 1)
                media_type = response.headers.get_content_type()
                final = response.geturl()
        except FetchRefused:
            raise
        except (OSError, ValueError) as error:
            self._refuse("R005", f"{_short(url)}: download failed ({error})", "check the URL")
        if len(data) > self.max_resource_bytes:
            self._refuse("R004", f"{_short(url)}: over the per-resource limit", "use a smaller file")
        return Fetched(final, data, media_type)


def _short(url: str, length: int = 120) -> str:
    return url if len(url) <= length else url[: length - 3] + "…"


def _relative(path: Path, roots: list[Path]) -> str:
    for root in roots:
        if root in path.parents:
            return str(path.relative_to(root))
    return path.name

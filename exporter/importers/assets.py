"""Images referenced by a source: found, confined and checked at import time.

An importer asks :class:`Assets` for every image reference it meets. The answer is the
``src`` the model should hold (a path relative to the article's source, or a ``data:``
URL), or ``None`` when the image cannot be included; then a diagnostic with the file
and line says why:

* **S022** the file is missing (or in a format no output can show);
* **S023** the image is on the network and network access is off (``--allow-network
  HOST`` lets the importer download it through the confined fetcher and embed it);
* **S024** the reference leaves the source folder, or uses a scheme that is not allowed.

Every local reference is resolved by the document's :class:`~exporter.safety.confine.Root`
(the one choke point): relative to the folder it is written in, symbolic links
resolved, refused when it leaves the source folder. Root-relative references
(``/assets/x.png``) resolve only against a site folder the command line named
(``--allow-read SITE``). A reference without an extension is tried with the usual
image extensions, and each guess is confined like the reference itself. TIFF and BMP
files, which neither EPUB nor browsers show, are converted to PNG and embedded; the
type of every file is read from its bytes.
"""

from __future__ import annotations

import base64
import io
import os
import posixpath
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from exporter.diagnostics import Diagnostics
from exporter.safety.confine import Refusal, Root
from exporter.safety.fetch import MAX_RESOURCE_BYTES, ConfinedFetcher, FetchRefused
from exporter.safety.images import sniff

if TYPE_CHECKING:
    from PIL import Image

    from exporter.diagnostics import Severity
    from exporter.settings import Settings

__all__ = ["Assets", "IMAGE_TYPES"]

IMAGE_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".svg": "image/svg+xml",
}
CONVERTIBLE = {".tif", ".tiff", ".bmp"}
#: tried, in order, for references without a file extension (JATS graphics often have none)
GUESSES = (".jpg", ".png", ".gif", ".svg", ".webp", ".jpeg", ".tif", ".tiff")


class Assets:
    """Resolve image references for one source (see the module documentation)."""

    def __init__(self, source: Path, root: Path | Root, diagnostics: Diagnostics, *, settings: Settings | None = None,
                 base_dir: Path | None = None) -> None:
        self.source = source
        self.settings = settings
        self.root = root if isinstance(root, Root) else root_for(root, settings)
        #: the folder the model's relative srcs are written from (the source file's own)
        self.home = Path(os.path.realpath(source.parent if source.is_file() or source.suffix else source))
        self.diagnostics = diagnostics
        #: the folder relative references are written from (an EPUB chapter's own folder)
        self.base_dir = self.home
        if base_dir is not None:
            try:
                self.base_dir = self.root.check(base_dir)
            except Refusal:  # a document the container names outside itself: never read anyway
                pass
        self.limit = getattr(settings, "max_resource_bytes", MAX_RESOURCE_BYTES)

    # -- public -------------------------------------------------------------------
    def image(self, src: str | None, line: int | None, *, what: str = "image") -> str | None:
        src = (src or "").strip()
        if not src:
            self.diagnostics.add("S022", f"{what} without a source file", file=self.source, line=line,
                                 hint="give the image a src")
            return None
        try:
            parts = urllib.parse.urlsplit(src)
        except ValueError:
            self.diagnostics.add("S024", f"{what} '{_short(src)}' refused: not a valid URL", file=self.source,
                                 line=line, hint="check the reference")
            return None
        scheme = parts.scheme.lower()
        if scheme == "data":
            return self._data(src, line)
        if scheme in ("http", "https") or src.startswith("//"):
            return self._remote(src if scheme else "https:" + src, line, what)
        if scheme and len(scheme) > 1:  # (one letter: a Windows drive)
            self.diagnostics.add("S024", f"{what} '{_short(src)}' refused: the '{scheme}:' scheme is not allowed",
                                 file=self.source, line=line, hint="use a file next to the source")
            return None
        if parts.netloc:
            self.diagnostics.add("S024", f"{what} '{_short(src)}' refused: it names a host",
                                 file=self.source, line=line, hint="use a file next to the source")
            return None
        path = urllib.parse.unquote(parts.path)
        if path.startswith("/") and self.root.site is None:
            self.diagnostics.add("S022", f"{what} '{_short(src)}' is a site path and no site folder is known",
                                 file=self.source, line=line,
                                 hint="use a path relative to the source, or name the site's folder with "
                                      "--allow-read SITE")
            return None
        try:
            found = self.root.resolve(path, self.base_dir, what=what)
        except Refusal as refusal:
            self._refused(refusal, src, line, what)
            return None
        return self._checked_local(found, line, what, src)

    def local(self, candidate: Path, line: int | None, *, what: str = "image", shown: str | None = None) -> str | None:
        """The model src for a local file (checked), or None with a diagnostic."""
        shown = shown or candidate.name
        try:
            found = self.root.check(candidate, shown=shown, what=what)
        except Refusal as refusal:
            self._refused(refusal, shown, line, what)
            return None
        return self._checked_local(found, line, what, shown)

    def is_document(self, href: str) -> bool:
        """Whether a relative link points at a file beside the source (another article
        of a book), inside the folder the source may read."""
        try:
            path = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
        except ValueError:
            return False
        if not path or path.startswith("/") or "\x00" in path:
            return False
        return self.root.is_file(self.home / path)

    def _refused(self, refusal: Refusal, src: str, line: int | None, what: str) -> None:
        code = "S024" if refusal.code == "R001" else "S022"
        message = refusal.message if refusal.message.startswith(what) else f"{what} '{_short(src)}': {refusal.message}"
        self.diagnostics.add(code, message.replace(" is outside", " refused: outside"), file=self.source,
                             line=line, hint=refusal.hint)

    def _checked_local(self, real: Path, line: int | None, what: str, shown: str) -> str | None:
        """``real`` is confined; find the file (guessing an extension, preferring a web
        format beside a TIFF/BMP, each guess confined too) and say what the model holds."""
        found = real if real.suffix and self.root.is_file(real) else None
        if found is None and not real.suffix:
            found = next((guess for suffix in GUESSES
                          if self.root.is_file(guess := real.with_name(real.name + suffix))), None)
        if found is not None and found.suffix.lower() in CONVERTIBLE:
            web = next((w for s in IMAGE_TYPES if self.root.is_file(w := found.with_suffix(s))), None)
            found = web or found
        if found is None:
            self.diagnostics.add("S022", f"{what} '{_short(shown)}' not found", file=self.source, line=line,
                                 hint="add the file next to the source, or remove the reference")
            return None
        found = self.root.check(found)  # the real file a guess named (a link inside the folder)
        suffix = found.suffix.lower()
        if suffix in CONVERTIBLE:
            return self._convert(found, line, what, shown)
        if suffix not in IMAGE_TYPES:
            self.diagnostics.add("S022", f"{what} '{_short(shown)}' is a {suffix or 'typeless'} file, "
                                 "which no output can show", file=self.source, line=line,
                                 hint="convert it to PNG, JPEG or SVG")
            return None
        relative = os.path.relpath(found, self.home)
        return urllib.parse.quote(relative.replace(os.sep, "/"))

    # -- helpers ------------------------------------------------------------------
    def _data(self, src: str, line: int | None) -> str | None:
        header = src[5:src.find(",")] if "," in src else ""
        media = header.split(";")[0].strip().lower()
        if media not in IMAGE_TYPES.values():
            self.diagnostics.add("S024", f"data: image of type '{media or 'unknown'}' refused", file=self.source,
                                 line=line, hint="embed PNG, JPEG, GIF, WebP or SVG images only")
            return None
        if len(src) > self.limit * 4 // 3 + 1024:
            self.diagnostics.add("S024", "data: image refused: larger than the per-resource limit",
                                 file=self.source, line=line, hint="use a smaller image")
            return None
        return src

    def _remote(self, url: str, line: int | None, what: str) -> str | None:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        allowed: frozenset[str] = getattr(self.settings, "allow_hosts", frozenset())
        if host not in allowed:
            self.diagnostics.add("S023", f"remote {what} {_short(url)} not included: network access is off",
                                 file=self.source, line=line,
                                 hint=f"download it next to the source, or allow it with --allow-network {host}")
            return None
        fetcher = ConfinedFetcher(self.root.folders, Diagnostics(), source=str(self.source), allow_hosts=allowed,
                                  max_resource_bytes=self.limit)
        try:
            fetched = fetcher.get(url)
        except FetchRefused as refused:
            self.diagnostics.add("S023", f"remote {what} {_short(url)} not included: {refused}",
                                 file=self.source, line=line, hint="check the URL")
            return None
        media = fetched.media_type
        if media not in IMAGE_TYPES.values():
            guess = IMAGE_TYPES.get(posixpath.splitext(urllib.parse.urlsplit(url).path)[1].lower())
            if guess is None:
                self.diagnostics.add("S023", f"remote {what} {_short(url)} is not an image ({media})",
                                     file=self.source, line=line, hint="link to a PNG, JPEG, GIF, WebP or SVG")
                return None
            media = guess
        return f"data:{media};base64," + base64.b64encode(fetched.data).decode("ascii")

    def _convert(self, path: Path, line: int | None, what: str, shown: str) -> str | None:
        from PIL import Image

        try:
            _, raw = self.root.read(path, self.limit, shown=shown)
            if sniff(raw) not in ("image/tiff", "image/bmp"):
                raise OSError("its bytes are not a TIFF or BMP image")
            image: Image.Image
            with Image.open(io.BytesIO(raw)) as image:
                image.load()
                if image.mode not in ("RGB", "RGBA", "L", "LA"):
                    image = image.convert("RGBA" if "A" in image.mode else "RGB")
                out = io.BytesIO()
                image.save(out, "PNG", optimize=True)
        except Refusal as refusal:
            self._refused(refusal, shown, line, what)
            return None
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            self.diagnostics.add("S022", f"{what} '{_short(shown)}' could not be converted to PNG ({error})",
                                 file=self.source, line=line, hint="convert it to PNG or JPEG yourself")
            return None
        data = out.getvalue()
        if len(data) > self.limit:
            self.diagnostics.add("S024", f"{what} '{_short(shown)}' is too large once converted", file=self.source,
                                 line=line, hint="use a smaller image")
            return None
        self.diagnostics.add("S022", f"{what} '{_short(shown)}' converted from {path.suffix[1:].upper()} to PNG",
                             file=self.source, line=line, severity=_info(),
                             hint="save web images as PNG or JPEG to avoid the conversion")
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _info() -> Severity:
    from exporter.diagnostics import Severity

    return Severity.INFO


def _short(url: str) -> str:
    return url if len(url) <= 100 else url[:97] + "…"


def root_for(home: Path, settings: Settings | None = None) -> Root:
    """The :class:`Root` of a document whose own folder is ``home``: the folders the
    command line allowed (``--allow-read``) are added, nothing else."""
    return Root(home, granted=getattr(settings, "allow_read", ()))

"""The security suite's instruments.

* :data:`AUDIT` — a ``sys.addaudithook`` hook that records every ``open`` and every
  socket ``connect``/``getaddrinfo`` made by this process *and by the child processes
  that builds fork* (records go to an ``O_APPEND`` file that children inherit).
* :class:`Tripwires` — FIFOs outside the source folder, watched by a thread: any open
  for reading, including by C code the audit hook cannot see (libxml2, Pango), is
  caught, because opening a FIFO for reading blocks until our thread opens the other
  end, which tells us.
* :class:`Loopback` — a local HTTP server that counts every request it gets.
* :class:`Sandbox` — a source folder, an output folder, an outside folder with canary
  files, and the rules that say which opens are reads outside the source folder.
* :func:`canary_hits` — counts canary bytes in outputs: every PDF stream decoded with
  pikepdf (and its text), every EPUB entry, the HTML and every ``data:`` URL in it.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import io
import json
import os
import re
import secrets
import site
import socket
import stat
import struct
import subprocess
import sys
import sysconfig
import threading
import time
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "CANARY" + secrets.token_hex(6).upper()


# -- the audit hook ------------------------------------------------------------------

class AuditLog:
    """Process-wide audit hook; active only inside :meth:`recording`."""

    def __init__(self) -> None:
        self.fd: int | None = None
        self.path: Path | None = None
        self.active = False
        self.lock = threading.Lock()

    def install(self, folder: Path) -> None:
        if self.fd is not None:
            return
        self.path = Path(folder) / f"audit-{os.getpid()}.log"
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple) -> None:
        if not self.active:
            return
        try:
            if event == "open":
                target, mode, flags = args
                if isinstance(target, int):
                    return
                writing = (flags or 0) & os.O_ACCMODE == os.O_WRONLY or (
                    isinstance(mode, str) and "r" not in mode and "+" not in mode)
                path = os.fsdecode(target)
                if not os.path.isabs(path):
                    path = os.path.join(os.getcwd(), path)
                self._write("write" if writing else "open", path)
            elif event in ("socket.connect", "socket.getaddrinfo", "socket.sendto"):
                self._write(event, repr(args[1] if event != "socket.getaddrinfo" else args[:2]))
        except Exception:  # an audit hook must never break the operation it watches
            pass

    def _write(self, event: str, detail: str) -> None:
        line = json.dumps([event, os.getpid(), detail], ensure_ascii=True) + "\n"
        os.write(self.fd, line.encode("ascii"))

    @contextlib.contextmanager
    def recording(self):
        """Yield a list that, on exit, holds ``(event, pid, detail)`` for the block."""
        assert self.fd is not None, "AUDIT.install() first"
        with self.lock:
            start = os.fstat(self.fd).st_size
            records: list[tuple[str, int, str]] = []
            self.active = True
            try:
                yield records
            finally:
                self.active = False
                with open(self.path, "rb") as handle:
                    handle.seek(start)
                    for line in handle.read().splitlines():
                        with contextlib.suppress(ValueError):
                            records.append(tuple(json.loads(line)))


AUDIT = AuditLog()


# -- FIFO tripwires ------------------------------------------------------------------

class Tripwires:
    """FIFOs whose opening for reading is detected (see the module documentation)."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        self.paths = [Path(folder) / name for name in names]
        for path in self.paths:
            os.mkfifo(path)
        self.hits: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            for path in self.paths:
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
                except OSError:  # ENXIO: nobody has it open for reading
                    continue
                self.hits.append(str(path))
                os.close(fd)  # the reader sees an empty file and goes on
            time.sleep(0.002)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)


# -- loopback HTTP server ----------------------------------------------------------------

class Loopback:
    """An HTTP server on 127.0.0.1 that records every request path."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", f"http://localhost:{owner.port}/after-redirect.png")
                    self.end_headers()
                    return
                body, kind = (PNG_1PX, "image/png") if self.path.endswith(".png") else (
                    b"body { color: black }", "text/css")
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- images ------------------------------------------------------------------------------

def png(width: int, height: int, rows: bytes | None = None, *, text: str | None = None,
        bit_depth: int = 8, color_type: int = 0) -> bytes:
    """A PNG written by hand (so that huge declared sizes cost nothing to make).
    ``rows`` is the raw scanline data (filter bytes included); default all zero,
    streamed through zlib so a 20,000 × 20,000 image is made in well under a second."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    if rows is None:
        channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
        row = b"\x00" + bytes((width * channels * bit_depth + 7) // 8)
        compressor = zlib.compressobj(9)
        parts = [compressor.compress(row) for _ in range(height)]
        data = b"".join(parts) + compressor.flush()
    else:
        data = zlib.compress(rows, 9)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    if text:
        out += chunk(b"tEXt", b"Comment\x00" + text.encode("latin-1"))
    return out + chunk(b"IDAT", data) + chunk(b"IEND", b"")


PNG_1PX = png(1, 1, b"\x00\x80")


def canary_png(token: str) -> bytes:
    """A 1-row grey PNG whose pixel bytes spell ``token``, with ``token`` in a tEXt chunk
    too: embedded, re-encoded or copied, the token survives in some decoded form."""
    pixels = token.encode("ascii")
    return png(len(pixels), 1, b"\x00" + pixels, text=token)


# -- the sandbox -------------------------------------------------------------------------

@dataclass
class Sandbox:
    """``src/`` (the source folder), ``out/``, ``outside/`` (canaries), ``theme/``."""

    root: Path
    token: str = TOKEN
    themes: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.src = self.root / "src"
        self.out = self.root / "out"
        self.outside = self.root / "outside"
        for folder in (self.src, self.out, self.outside, self.outside / "dir"):
            folder.mkdir(parents=True, exist_ok=True)
        self.canaries = {
            "canary.txt": f"{self.token} text canary\n".encode(),
            "canary.png": canary_png(self.token),
            "canary.svg": (f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
                           f"<desc>{self.token}</desc><text y='9'>{self.token}</text></svg>").encode(),
            "canary.css": f'/* {self.token} */ body::after {{ content: "{self.token}" }}'.encode(),
            "canary.dtd": f'<!ENTITY leak "{self.token}">'.encode(),
            "canary.ttf": b"\x00\x01\x00\x00" + self.token.encode() * 8,
            "dir/canary.png": canary_png(self.token),
        }
        for name, data in self.canaries.items():
            (self.outside / name).write_bytes(data)

    def placeholders(self, port: int | None = None) -> dict[str, str]:
        return {"{OUT}": str(self.outside), "{OUT_URI}": self.outside.as_uri(), "{SRC}": str(self.src),
                "{PORT}": str(port or 9), "{TOKEN}": self.token}

    def allowed(self) -> list[Path]:
        """Where a build may read: the source folder, outputs, themes, and the program
        itself (Python, its packages, exporter's code and built-in themes, and the fonts
        installed on the system, which the EPUB writer embeds and draws covers with:
        fontconfig picks the file, never the source)."""
        places = [self.src, self.out, ROOT / "exporter", ROOT / "styles", *self.themes, *installed_font_dirs()]
        places += [Path(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
        places += [Path(p) for p in site.getsitepackages() + [site.getusersitepackages()]]
        places += [Path(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib")]
        return [Path(os.path.realpath(p)) for p in places]

    def outside_reads(self, records) -> list[str]:
        """The opens in ``records`` that read something outside the allowed places."""
        allowed = self.allowed()
        found = []
        for event, _pid, detail in records:
            if event != "open":
                continue
            real = Path(os.path.realpath(detail))
            if any(real == place or place in real.parents for place in allowed):
                continue
            if real == Path("/dev/null") or re.fullmatch(r"/proc/(self|\d+)/status", detail):
                continue  # the isolation parent watching its child's memory
            found.append(detail)
        return found


def installed_font_dirs() -> list[Path]:
    """The folders of the fonts fontconfig lists (the system's installed fonts)."""
    import shutil

    exe = shutil.which("fc-list")
    if exe is None:
        return []
    listed = subprocess.run([exe, "--format", "%{file}\n"], capture_output=True, text=True, check=False).stdout
    return sorted({Path(line).parent for line in listed.splitlines() if line.strip()})


def connections(records) -> list[str]:
    return [detail for event, _pid, detail in records if event in ("socket.connect", "socket.sendto")]


# -- canaries in outputs -----------------------------------------------------------------

_DATA_URL = re.compile(rb"data:[^,\"')\s]*;base64,([A-Za-z0-9+/=]+)")


def _pdf_texts(path: Path) -> list[bytes]:
    import pikepdf

    texts: list[bytes] = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    texts.append(obj.read_bytes())
                except Exception:
                    texts.append(obj.read_raw_bytes())
            elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
                texts.append(bytes(repr(obj), "utf-8", "replace"))
            elif isinstance(obj, pikepdf.String):
                texts.append(bytes(obj))
        texts.append(repr(pdf.docinfo).encode("utf-8", "replace"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=False).stdout
    texts.append(text)
    return texts


def pdf_attachments(path: Path) -> int:
    """Embedded files and file-attachment annotations in a PDF."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        count = len(pdf.attachments)
        for page in pdf.pages:
            for annot in page.get("/Annots") or []:
                if annot.get("/Subtype") == pikepdf.Name.FileAttachment:
                    count += 1
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.EmbeddedFile:
                count += 1
    return count


def output_texts(path: Path) -> list[bytes]:
    """Every decoded byte string of an output, for canary scanning."""
    path = Path(path)
    if path.suffix == ".pdf":
        return _pdf_texts(path)
    if path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            return [archive.read(name) for name in archive.namelist()] + [
                "\n".join(archive.namelist()).encode()]
    data = path.read_bytes()
    texts = [data]
    for match in _DATA_URL.finditer(data):
        with contextlib.suppress(ValueError):
            texts.append(base64.b64decode(match.group(1)))
    return texts


def canary_hits(paths, tokens: list[str]) -> int:
    """How many times any of ``tokens`` (text, UTF-16 or pixel bytes) occurs in outputs."""
    needles = set()
    for token in tokens:
        needles |= {token.encode(), token.encode("utf-16-be")}
    hits = 0
    for path in paths:
        for text in output_texts(path):
            hits += sum(text.count(needle) for needle in needles)
    return hits


def sensitive_hits(paths) -> int:
    """Contents of well-known system files in outputs (``/etc/passwd``, the host name)."""
    needles = [b"root:x:0:0", b"daemon:x:", socket.gethostname().encode()]
    needles = [n for n in needles if len(n) >= 6]
    return sum(text.count(n) for path in paths for text in output_texts(path) for n in needles)


# -- special files ------------------------------------------------------------------------

@dataclass(frozen=True)
class Symlink:
    target: str


@dataclass(frozen=True)
class Fifo:
    pass


@dataclass(frozen=True)
class Sparse:
    size: int


@dataclass(frozen=True)
class Device:
    major: int = 1
    minor: int = 9  # /dev/urandom


def zip_bytes(entries: dict[str, object], *, stored: bool = False) -> bytes:
    """A zip archive for attack rows (case 13, EPUB/ZIP inputs): ``entries`` maps each
    archive name (``../evil``, ``/abs``, duplicates via a list of pairs…) to bytes, or to
    a :class:`Symlink` (stored as a Unix symbolic link entry)."""
    buffer = io.BytesIO()
    items = entries.items() if isinstance(entries, dict) else entries
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, content in items:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            if isinstance(content, Symlink):
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                data = content.target.encode()
            else:
                info.external_attr = 0o100644 << 16
                data = content if isinstance(content, bytes) else str(content).encode()
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # duplicate names are the point
                archive.writestr(info, data)
    return buffer.getvalue()


def make_file(path: Path, content, placeholders: dict[str, str]) -> bool:
    """Create ``path`` as described by ``content``; False when this system cannot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, Symlink):
        target = content.target
        for key, value in placeholders.items():
            target = target.replace(key, value)
        os.symlink(target, path)
    elif isinstance(content, Fifo):
        os.mkfifo(path)
    elif isinstance(content, Sparse):
        with open(path, "wb") as handle:
            handle.truncate(content.size)
    elif isinstance(content, Device):
        try:
            os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(content.major, content.minor))
        except (PermissionError, OSError):
            return False
    else:
        data = content.encode("utf-8") if isinstance(content, str) else content
        for key, value in placeholders.items():
            data = data.replace(key.encode(), value.encode())
        path.write_bytes(data)
    return True


def read_bytes_io(data: bytes):  # small helper for tests that need a file object
    return io.BytesIO(data)

"""Make broken outputs from good ones, one defect at a time."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path


def opf_name(epub: Path) -> str:
    """The package document's name inside the EPUB (from META-INF/container.xml)."""
    with zipfile.ZipFile(epub) as book:
        container = book.read("META-INF/container.xml").decode("utf-8")
    return re.search(r'full-path="([^"]+)"', container).group(1)


def manifest_items(epub: Path) -> list[dict[str, str]]:
    """The attributes of each manifest <item> (href relative to the OPF)."""
    with zipfile.ZipFile(epub) as book:
        opf = book.read(opf_name(epub)).decode("utf-8")
    return [dict(re.findall(r'([\w:-]+)="([^"]*)"', item)) for item in re.findall(r"<item\b[^>]*>", opf)]


def rewrite_zip(src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy an EPUB entry by entry (same order, times, compression); ``edit`` returns the
    new bytes of an entry, or None to leave the entry out."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)
    return dst


def edit_entry(name: str, change: Callable[[bytes], bytes], must_change: bool = True
               ) -> Callable[[str, bytes], bytes | None]:
    def edit(entry: str, data: bytes) -> bytes | None:
        if entry != name:
            return data
        changed = change(data)
        assert changed != data or not must_change, f"the edit did not change {name}"
        return changed
    return edit


def drop_entry(name: str) -> Callable[[str, bytes], bytes | None]:
    return lambda entry, data: None if entry == name else data


def remove_manifest_item(opf: str, href: str) -> Callable[[str, bytes], bytes | None]:
    """The OPF without the <item> for ``href`` (the file stays in the zip, undeclared)."""
    pattern = re.compile(rb'\s*<item\b[^>]*\bhref="' + re.escape(href.encode()) + rb'"[^>]*/>')
    return edit_entry(opf, lambda data: pattern.sub(b"", data))


def copy(src: Path, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(src, folder / (name or src.name)))

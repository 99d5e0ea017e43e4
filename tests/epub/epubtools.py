"""Helpers for the EPUB tests: build through the real CLI (reproducibly), read parts of
an EPUB, and check it with EPUBCheck and DAISY Ace."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from exporter.checks import ace, epubcheck
from exporter.cli import main

EPOCH = "1700000000"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "m": "http://www.w3.org/1998/Math/MathML",
    "enc": "http://www.w3.org/2001/04/xmlenc#",
    "ocf": "urn:oasis:names:tc:opendocument:xmlns:container",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def build(source: Path, out: Path, *extra: str) -> None:
    """``exporter build SOURCE -o OUT …`` with SOURCE_DATE_EPOCH set; must succeed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert main(["build", str(source), "-o", str(out), *extra]) == 0


def write_article(folder: Path, name: str, body: str, *, lang: str = "en", title: str = "A test article",
                  head: str = "", files: dict[str, Path] | None = None) -> Path:
    """A model file (docs/model.md) in ``folder``, with resource files copied beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    for target, original in (files or {}).items():
        shutil.copy(original, folder / target)
    path = folder / name
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
                    f'lang="{lang}"><head><meta charset="utf-8"/><title>{title}</title>{head}</head>'
                    f"<body><article>{body}</article></body></html>\n", encoding="utf-8")
    return path


def names(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as z:
        return z.namelist()


def raw(epub: Path, name: str) -> bytes:
    with zipfile.ZipFile(epub) as z:
        return z.read(name)


def part(epub: Path, name: str) -> etree._Element:
    return etree.fromstring(raw(epub, name))


def opf(epub: Path) -> etree._Element:
    return part(epub, "EPUB/content.opf")


def meta(package: etree._Element, prop: str) -> list[str]:
    return package.xpath(f"//opf:meta[@property='{prop}']/text()", namespaces=NS)


def xpath(tree: etree._Element, path: str):
    return tree.xpath(path, namespaces=NS)


def assert_epubcheck_clean(epub: Path) -> None:
    if not epubcheck.available():
        pytest.fail("EPUBCheck is not installed: run scripts/setup.sh")
    report = epubcheck.check(epub)
    assert not report.errors and not report.warnings, report.summary()


def ace_violations(epub: Path) -> list[ace.Violation]:
    if not ace.available():
        pytest.fail("DAISY Ace is not installed: run scripts/setup.sh (npm ci and chromium)")
    return ace.check(epub)


def assert_valid(*epubs: Path) -> None:
    """EPUBCheck 0 errors / 0 warnings (one JVM for all) and DAISY Ace 0 violations."""
    if not epubcheck.available():
        pytest.fail("EPUBCheck is not installed: run scripts/setup.sh")
    reports = epubcheck.check_many(list(epubs))
    problems = [f"{path.name}:\n{report.summary()}" for path, report in reports.items()
                if report.errors or report.warnings]
    for epub in epubs:
        problems += [f"{epub.name}: {violation}" for violation in ace_violations(epub)]
    assert not problems, "\n".join(problems)

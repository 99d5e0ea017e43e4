"""Reproducibility in `exporter check --twice`: a second build must give the same bytes;
a writer that is not deterministic, or an output changed after the build, fails with
the place where the bytes differ."""

from __future__ import annotations

import json
import secrets
import zipfile

from exporter.cli import main
from exporter.writers import WRITERS

from .broken import copy
from .conftest import SAMPLES, SOURCES


def test_outputs_of_the_sources_are_reproducible(built, check):
    code, out = check(built, "--source", SOURCES, "--allow-read", SOURCES, "--only", "reproducible", "--twice", "--format", "json")
    assert code == 0, out
    assert json.loads(out)["passed"] == 3 * SAMPLES


def test_a_writer_that_is_not_deterministic_fails(tmp_path, check, monkeypatch):
    suffix, writer = WRITERS["html"]

    def unstable(ctx) -> bytes:  # e.g. a random id or the wall-clock time in the page
        page = writer(ctx)
        return page.replace(b"</body>", f"<!-- build {secrets.token_hex(4)} -->".encode() + b"</body>")

    monkeypatch.setitem(WRITERS, "html", (suffix, unstable))
    source = SOURCES / "type-case.txt"
    out = tmp_path / "out"
    assert main(["build", str(source), "-o", str(out)]) == 0
    code, report = check(out, "--source", source, "--only", "reproducible", "--twice", "--format", "json")
    assert code == 1
    status = {r["output"].rsplit(".", 1)[1]: r for r in json.loads(report)["results"]}
    assert status["epub"]["status"] == status["pdf"]["status"] == "passed"
    finding = status["html"]["findings"][0]
    assert status["html"]["status"] == "failed"
    assert finding["code"] == "not-reproducible" and finding["location"].startswith("line ")
    assert "<!-- build " in finding["message"]


def test_an_epub_entry_with_another_time_fails(built, tmp_path, check):
    folder = tmp_path / "out"
    copy(built / "type-case.pdf", folder)
    with zipfile.ZipFile(built / "type-case.epub") as zin, zipfile.ZipFile(folder / "type-case.epub", "w") as zout:
        for info in zin.infolist():
            if info.filename.endswith("nav.xhtml"):
                info.date_time = (2001, 2, 3, 4, 5, 6)
            zout.writestr(info, zin.read(info))
    code, out = check(folder, "--source", SOURCES, "--allow-read", SOURCES, "--only", "reproducible", "--twice")
    assert code == 1
    assert "passed   reproducible" in out  # the PDF
    assert "nav.xhtml: same content, but the zip entry's time, compression or permissions differ" in out


def test_twice_needs_source_date_epoch(built, check, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert check(built, "--source", SOURCES, "--allow-read", SOURCES, "--twice")[0] == 2
    assert "SOURCE_DATE_EPOCH" in check.err

"""EPUBCheck in `exporter check`: all EPUBs in one JVM; broken EPUBs fail with
EPUBCheck's own message IDs."""

from __future__ import annotations

import json
import posixpath
import subprocess

import pytest

from exporter.checks import epubcheck

from .broken import copy, drop_entry, manifest_items, opf_name, remove_manifest_item, rewrite_zip

pytestmark = pytest.mark.skipif(not epubcheck.available(), reason="EPUBCheck is not installed (scripts/setup.sh)")


@pytest.fixture(scope="module")
def books(built, tmp_path_factory):
    """Two good EPUBs and three broken ones made from a good one."""
    folder = tmp_path_factory.mktemp("epubs")
    good = built / "harbour-ledger.epub"
    opf = opf_name(good)
    image = next(i["href"] for i in manifest_items(good) if i.get("media-type", "").startswith("image/"))
    return {
        "good": copy(good, folder),
        "good2": copy(built / "type-case.epub", folder),
        # the image is in the zip and used by the text, but no longer declared in the manifest
        "undeclared": rewrite_zip(good, folder / "undeclared.epub", remove_manifest_item(opf, image)),
        # the manifest declares the image, but the file is gone
        "missing": rewrite_zip(good, folder / "missing.epub",
                               drop_entry(posixpath.join(posixpath.dirname(opf), image))),
        "not-a-zip": _write(folder / "not-a-zip.epub", b"this is not an EPUB"),
    }


def _write(path, data):
    path.write_bytes(data)
    return path


def test_one_jvm_checks_every_book(books, monkeypatch):
    real = subprocess.run
    java_runs = []

    def counting(command, *args, **kwargs):
        if "java" in str(command[0]):
            java_runs.append(command)
        return real(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    reports = epubcheck.check_many(list(books.values()))
    assert len(java_runs) == 1
    assert set(reports) == set(books.values())
    ids = {name: {m.get("ID") for m in reports[path].errors} for name, path in books.items()}
    assert not reports[books["good"]].messages and not reports[books["good2"]].messages
    assert "RSC-008" in ids["undeclared"]  # referenced resource not declared in the manifest
    assert "RSC-001" in ids["missing"]  # declared file could not be found
    assert ids["not-a-zip"] & {"PKG-003", "PKG-004", "PKG-008", "RUN"}
    finding = next(f for f in reports[books["missing"]].findings() if f.code == "RSC-001")
    assert finding.severity.value == "error" and finding.location.endswith(".png")


def test_cli_fails_on_broken_books_only(books, check):
    code, out = check(*books.values(), "--only", "epubcheck", "--format", "json")
    assert code == 1
    report = json.loads(out)
    status = {r["output"]: r["status"] for r in report["results"]}
    assert status == {str(books["good"]): "passed", str(books["good2"]): "passed",
                      str(books["undeclared"]): "failed", str(books["missing"]): "failed",
                      str(books["not-a-zip"]): "failed"}
    missing = next(r for r in report["results"] if r["output"] == str(books["missing"]))
    assert any(f["code"] == "RSC-001" and "could not be found" in f["message"] for f in missing["findings"])


def test_without_the_driver_each_book_gets_its_own_jvm(books, monkeypatch, tmp_path):
    """A Java runtime that cannot run the driver (no JDK compiler) still checks every book."""
    monkeypatch.setattr(epubcheck, "DRIVER", tmp_path / "Missing.java")
    reports = epubcheck.check_many([books["missing"]])
    assert "RSC-001" in {m.get("ID") for m in reports[books["missing"]].errors}


"""The instruments can fail: each one catches the thing it watches for when it happens.

Without these, "0 files read outside the source folder" could mean a blind hook.
"""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from contextlib import redirect_stdout

import pytest
from lxml import etree

from exporter.cli import main
from exporter.safety import isolation

from .harness import AUDIT, TOKEN, Loopback, Sandbox, Tripwires, canary_hits, connections


@pytest.fixture(autouse=True, scope="module")
def audit(tmp_path_factory):
    AUDIT.install(tmp_path_factory.mktemp("audit"))


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()


def test_audit_hook_sees_reads_in_forked_children(tmp_path):
    sandbox = Sandbox(tmp_path)
    canary = sandbox.outside / "canary.txt"
    with AUDIT.recording() as records:
        outcome = isolation.run(_read, canary)
    assert outcome.status == "ok" and TOKEN.encode() in outcome.value
    assert str(canary) in sandbox.outside_reads(records)


def test_tripwire_sees_reads_by_c_code(tmp_path):
    """libxml2 opening a DTD is invisible to the audit hook; the FIFO tripwire sees it.
    (``collect_ids=False`` is the lxml option that makes libxml2 load external DTDs
    even with ``load_dtd=False``; exporter's parser must never set it.)"""
    wires = Tripwires(tmp_path, ["trip.dtd"])
    try:
        unsafe = etree.XMLParser(load_dtd=False, no_network=True, collect_ids=False)
        etree.fromstring(f'<!DOCTYPE a SYSTEM "{tmp_path}/trip.dtd"><a/>'.encode(), unsafe)
    finally:
        wires.close()
    assert wires.hits == [str(tmp_path / "trip.dtd")]


def test_loopback_and_audit_see_connections():
    server = Loopback()
    try:
        with AUDIT.recording() as records:
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/x.png", timeout=5).read()
    finally:
        server.close()
    assert server.requests == ["/x.png"]
    assert connections(records)


def test_canaries_are_found_in_every_output_kind(tmp_path):
    import base64

    sandbox = Sandbox(tmp_path)
    png = sandbox.canaries["canary.png"]
    html = tmp_path / "a.html"
    html.write_text(f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}">')
    epub = tmp_path / "a.epub"
    with zipfile.ZipFile(epub, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("EPUB/images/x.png", png)
    assert canary_hits([html], [TOKEN]) >= 1
    assert canary_hits([epub], [TOKEN]) >= 1


def test_an_unconfined_fetcher_is_caught(tmp_path, monkeypatch):
    """With the fetcher's confinement switched off, the suite's checks go red."""
    from exporter.safety import confine, fetch

    monkeypatch.setattr(fetch, "inside", lambda real, roots: True)
    monkeypatch.setattr(confine, "inside", lambda real, roots: True)  # the read itself checks again
    sandbox = Sandbox(tmp_path)
    (sandbox.src / "a.xhtml").write_text(
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>T</title></head><body><article>'
        '<figure><img src="../outside/canary.png" alt="x"/></figure></article></body></html>')
    with AUDIT.recording() as records, redirect_stdout(io.StringIO()) as out:
        assert main(["build", str(sandbox.src), "-o", str(sandbox.out), "--format", "json"]) == 0
    assert json.loads(out.getvalue())["documents"][0]["status"] == "ok"
    assert str(sandbox.outside / "canary.png") in sandbox.outside_reads(records)
    outputs = list(sandbox.out.iterdir())
    assert canary_hits(outputs, [TOKEN]) >= 2  # EPUB (packaged) and HTML (data: URL) at least

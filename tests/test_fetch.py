"""The confined fetcher: local files under the roots only; everything else refused."""

from __future__ import annotations

import os

import pytest

from exporter.diagnostics import Diagnostics
from exporter.fetch import ConfinedFetcher, FetchRefused


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "article"
    root.mkdir()
    (root / "ok.png").write_bytes(b"fine")
    (tmp_path / "secret.txt").write_text("canary")
    os.symlink(tmp_path / "secret.txt", root / "link.png")
    return root


def fetcher(root, **kw):
    return ConfinedFetcher([root], Diagnostics(), source="a.txt", **kw)


def test_local_file_allowed(tree):
    assert fetcher(tree).get((tree / "ok.png").as_uri()).data == b"fine"


@pytest.mark.parametrize("url, code", [
    ("{root}/../secret.txt", "R001"),
    ("{root}/%2e%2e/secret.txt", "R001"),
    ("{root}/link.png", "R001"),
    ("file:///etc/passwd", "R001"),
    ("file:///dev/zero", "R001"),
    ("http://127.0.0.1:9/x.png", "R002"),
    ("ftp://example.org/x", "R006"),
    ("{root}/missing.png", "R005"),
])
def test_refused(tree, url, code):
    f = fetcher(tree)
    if url.startswith("{root}"):
        url = tree.as_uri() + url[len("{root}"):]
    with pytest.raises(FetchRefused):
        f.get(url)
    assert f.diagnostics.codes() == [code]


def test_size_cap(tree):
    (tree / "big.png").write_bytes(b"x" * 2000)
    f = fetcher(tree, max_resource_bytes=1000)
    with pytest.raises(FetchRefused):
        f.get((tree / "big.png").as_uri())
    assert f.diagnostics.codes() == ["R004"]


def test_fifo_refused(tree):
    os.mkfifo(tree / "pipe.png")
    f = fetcher(tree)
    with pytest.raises(FetchRefused):
        f.get((tree / "pipe.png").as_uri())
    assert f.diagnostics.codes() == ["R003"]


def test_data_url(tree):
    assert fetcher(tree).get("data:text/plain;base64,aGk=").data == b"hi"

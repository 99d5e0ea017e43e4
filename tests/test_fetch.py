"""The confined fetcher: local files under the roots only; everything else refused."""

from __future__ import annotations

import os

import pytest
from security.harness import png

from exporter.diagnostics import Diagnostics
from exporter.safety.fetch import ConfinedFetcher, FetchRefused


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "article"
    root.mkdir()
    (root / "ok.png").write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("canary")
    os.symlink(tmp_path / "secret.txt", root / "link.png")
    return root


PNG = png(2, 2)


def fetcher(root, **kw):
    return ConfinedFetcher([root], Diagnostics(), source="a.txt", **kw)


def test_local_file_allowed(tree):
    fetched = fetcher(tree).get((tree / "ok.png").as_uri())
    assert fetched.data == PNG and fetched.media_type == "image/png"


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
    import base64

    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert fetcher(tree).get(url).data == PNG


@pytest.mark.parametrize("url", ["data:text/plain;base64,aGk=", "data:image/png,not-an-image"])
def test_data_url_that_is_no_image_is_refused(tree, url):
    f = fetcher(tree)
    with pytest.raises(FetchRefused):
        f.get(url)
    assert f.diagnostics.codes() == ["R007"]


# -- types are read from the bytes, never from names -------------------------------------

@pytest.mark.parametrize("name", ["bomb.css", "bomb.woff2", "bomb.txt", "bomb"])
def test_pixel_limit_whatever_the_name(tree, name):
    (tree / name).write_bytes(png(3000, 3000))
    f = fetcher(tree, max_image_pixels=1_000_000)
    with pytest.raises(FetchRefused):
        f.get((tree / name).as_uri())
    assert f.diagnostics.codes() == ["R008"]


@pytest.mark.parametrize("url", [
    "data:image/png,<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    "data:image/png," + "%20" * 4000 + "<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>",
    "data:image/jpeg;base64," + __import__("base64").b64encode(
        "<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>".encode("utf-16")).decode(),
])
def test_svg_behind_another_type_is_cleaned(tree, url):
    f = fetcher(tree)
    fetched = f.get(url)
    assert fetched.media_type == "image/svg+xml"
    assert b"script" not in fetched.data
    assert "R009" in f.diagnostics.codes()


def test_svg_named_css_is_cleaned(tree):
    (tree / "style.css").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>')
    fetched = fetcher(tree).get((tree / "style.css").as_uri())
    assert fetched.media_type == "image/svg+xml" and b"script" not in fetched.data


def test_every_use_counts_against_the_document_budget(tree):
    (tree / "big.png").write_bytes(png(200, 200))
    size = len((tree / "big.png").read_bytes())
    f = fetcher(tree, max_document_bytes=size * 5)
    url = (tree / "big.png").as_uri()
    for _ in range(5):
        f.get(url)
    with pytest.raises(FetchRefused):
        f.get(url)
    assert f.diagnostics.codes() == ["R004"]

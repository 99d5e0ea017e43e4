"""Hypothesis properties:

* any text (control characters, lone surrogates, markup, anything) imports into an
  article whose pages are well-formed XHTML and parseable HTML (case 10), and for a
  few examples makes an EPUB that EPUBCheck passes;
* any metadata string comes back as text, adding no element or attribute (case 9);
* no reference the fetcher accepts leaves the source folder (case 2).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from exporter.cli import main
from exporter.importers._common import clean_string
from exporter.pipeline import load
from exporter.safety.fetch import FetchRefused
from exporter.safety.xml import parse_xml
from exporter.settings import Context, Settings
from exporter.themes import load_theme
from exporter.transforms import apply
from exporter.writers import html as html_writer

from . import figures
from .harness import AUDIT, Sandbox

ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=300)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
THEME = load_theme("magazine")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def _pages(source: Path, title: str | None = None):
    article = load(source)
    if title is not None:
        article.meta.title = clean_string(title)
    ctx = Context(settings=Settings(), article=article, theme=THEME)
    apply(ctx)
    epub = html_writer.page(ctx, "epub")
    xhtml = etree.tostring(epub.root, encoding="utf-8")
    printed = html_writer.render(ctx)
    return article, xhtml, printed


@FAST
@given(text=ANY_TEXT)
@example(text="\x00\x0c\x1b\ud800\udfff\ufffe <&> ]]> {{ x }} \u202e")
def test_any_text_makes_well_formed_pages(tmp_path, text):
    source = _write(tmp_path, "any.txt", text + "\n\nA last paragraph.\n")
    _, xhtml, printed = _pages(source)
    parse_xml(xhtml, "page.xhtml")  # raises if not well-formed
    assert lxml_html.fromstring(printed) is not None
    figures.add("property examples (any text -> well-formed pages)")


def test_any_text_makes_a_valid_epub(tmp_path_factory):
    """Hypothesis makes the texts; EPUBCheck then checks every EPUB in one JVM."""
    from exporter.checks import epubcheck

    built: dict[Path, str] = {}

    @settings(max_examples=5, deadline=None, database=None)
    @given(text=ANY_TEXT.filter(lambda t: t.strip()))
    @example(text="Form\x0cfeed, nul\x00, escape\x1b; lone \ud800 surrogate; <tags> & \"quotes\"")
    def build(text):
        folder = tmp_path_factory.mktemp("epub")
        source = _write(folder, "any.txt", text + "\n")
        assert main(["build", str(source), "-o", str(folder / "out"), "--to", "epub",
                     f"--title={text[:40] or 'x'}"]) == 0  # "=": a title may start with "-"
        with zipfile.ZipFile(folder / "out" / "any.epub") as archive:
            parse_xml(archive.read("EPUB/text/article.xhtml"), "article.xhtml")
        built[folder / "out" / "any.epub"] = text

    build()
    assert epubcheck.available(), "EPUBCheck is not installed: run scripts/setup.sh"
    for path, report in epubcheck.check_many(list(built)).items():
        assert not report.errors and not report.warnings, f"{built[path]!r}:\n{report.summary()}"
    figures.add("property examples (any text -> EPUBCheck-clean EPUB)", len(built))


def _shape(root):
    return [(etree.QName(el).localname, tuple(sorted(el.attrib))) for el in root.iter(etree.Element)]


@FAST
@given(title=ANY_TEXT.filter(lambda t: clean_string(t).strip()))
@example(title='<script>alert(1)</script>"\' & {{ 7*7 }} {% x %} ]]>')
def test_metadata_round_trips_as_text(tmp_path, title):
    source = _write(tmp_path, "doc.txt", "Some text.\n")
    _, baseline, _ = _pages(source, "plain title")
    _, xhtml, printed = _pages(source, title)
    page = etree.fromstring(xhtml)
    assert _shape(page) == _shape(etree.fromstring(baseline))
    h1 = page.find(".//{http://www.w3.org/1999/xhtml}h1")
    assert "".join(h1.itertext()) == clean_string(title)
    assert lxml_html.fromstring(printed).xpath("string(//h1)") == clean_string(title)


SEGMENTS = st.sampled_from(["..", ".", "%2e%2e", "%2E.", "%2f", "/", "//", "\\", "link", "linkdir", "ok.png",
                            "outside", "canary.png", "%00", "?", "#", "~", "%252e", "\uff0e", "file:", "etc",
                            "passwd", "proc", "self", "root", "a b", "%20"])


@FAST
@given(parts=st.lists(SEGMENTS, min_size=1, max_size=8), absolute=st.booleans())
@example(parts=["ok.png"], absolute=False)
@example(parts=[".", "ok.png"], absolute=False)
@example(parts=["link"], absolute=False)
@example(parts=["linkdir", "canary.png"], absolute=False)
@example(parts=["..", "outside", "canary.png"], absolute=False)
def test_no_accepted_reference_leaves_the_folder(tmp_path_factory, parts, absolute):
    root = _fetch_tree(tmp_path_factory)
    reference = ("/" if absolute else "") + "/".join(parts)
    article = load(root.src / "doc.txt")
    ctx = Context(settings=Settings(), article=article, theme=THEME)
    with AUDIT.recording() as records:
        try:
            fetched = ctx.fetcher.get(ctx.url_for(reference))
        except (FetchRefused, ValueError):
            fetched = None
    if fetched is not None:
        real = Path(os.path.realpath(fetched.path))
        assert real == root.src or root.src in real.parents or any(
            d == real or d in real.parents for d in THEME.dirs)
    assert root.outside_reads(records) == [], reference
    figures.add("property examples (references never leave the folder)")


_TREE: dict = {}


def _fetch_tree(factory) -> Sandbox:
    if "tree" not in _TREE:
        AUDIT.install(factory.mktemp("audit"))
        sandbox = Sandbox(factory.mktemp("fetchtree"))
        (sandbox.src / "doc.txt").write_text("Text.\n")
        (sandbox.src / "ok.png").write_bytes(sandbox.canaries["canary.png"].replace(b"CANARY", b"INSIDE"))
        os.symlink(sandbox.outside / "canary.png", sandbox.src / "link")
        os.symlink(sandbox.outside, sandbox.src / "linkdir")
        _TREE["tree"] = sandbox
    return _TREE["tree"]

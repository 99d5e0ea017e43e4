"""Every attack input of ``attacks.py`` built through the real CLI (each document in its
own child process), then checked two ways:

* its own expectation (status, diagnostic codes, error text and line);
* the global promises, for the whole group: no file read outside the source folder
  (audit hook in this process and the build's children, plus FIFO tripwires for C
  code), no network connection (loopback server + audit hook), no canary byte and no
  attachment in any output, no script / event handler / ``javascript:`` / remote
  resource in any output.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from collections import defaultdict
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from exporter.batch.cache import MANIFEST
from exporter.cli import main

from . import figures
from .attacks import ATTACKS, THEMES, Attack
from .harness import (
    AUDIT,
    ROOT,
    TOKEN,
    Loopback,
    Sandbox,
    Tripwires,
    canary_hits,
    connections,
    make_file,
    pdf_attachments,
    sensitive_hits,
)

TRIPWIRES = ["trip-entity.fifo", "trip-pe.fifo", "trip-dtd.fifo", "trip-xsl.fifo"]

pytestmark = pytest.mark.usefixtures("audit")


def _group(attack: Attack) -> str:
    key = attack.theme or f"case{attack.case:02d}"
    return key + ("+net" if attack.network else "")


GROUPS: dict[str, list[Attack]] = defaultdict(list)
for _attack in ATTACKS:
    GROUPS[_group(_attack)].append(_attack)


def test_attack_table_is_well_formed():
    names = [a.name for a in ATTACKS]
    assert len(names) == len(set(names)), "attack names must be unique"
    for attack in ATTACKS:
        assert attack.suffix.startswith("."), attack.name
        assert attack.expect.status in ("ok", "failed"), attack.name
        assert attack.theme is None or attack.theme in THEMES, attack.name
    assert {a.case for a in ATTACKS} >= {1, 2, 3, 5, 7, 8, 9, 10, 12}


def _theme(sandbox: Sandbox, name: str, placeholders: dict) -> Path:
    folder = sandbox.root / "theme"
    folder.mkdir()
    placeholders = {**placeholders, "{THEME_URI}": folder.as_uri()}
    for relative, content in THEMES[name].items():
        if relative == "page.xhtml.j2" and content is None:
            template = (ROOT / "styles" / "base" / "page.xhtml.j2").read_text(encoding="utf-8")
            link = '<link rel="attachment" href="{THEME_URI}/inside-theme.txt"/>'
            anchor = '<p class="publication"><a rel="attachment" href="{THEME_URI}/inside-theme.txt">x</a></p>'
            content = template.replace("</head>", link + "\n</head>").replace(
                '<header class="article-header">', '<header class="article-header">\n' + anchor)
        make_file(folder / relative, content, placeholders)
    sandbox.themes.append(folder)
    return folder


def _build_group(key: str, root: Path, loopback: Loopback):
    attacks = GROUPS[key]
    sandbox = Sandbox(root)
    placeholders = sandbox.placeholders(loopback.port)
    wires = Tripwires(sandbox.outside, TRIPWIRES)
    tried = []
    for attack in attacks:
        ok = make_file(sandbox.src / attack.filename, attack.source, placeholders)
        for relative, content in attack.files.items():
            target = sandbox.src / relative
            if target.exists() or target.is_symlink():
                continue
            ok = make_file(target, content, placeholders) and ok
        if ok:
            tried.append(attack)
        else:
            (sandbox.src / attack.filename).unlink(missing_ok=True)
    args = ["build", str(sandbox.src), "-o", str(sandbox.out), "--format", "json"]
    theme = attacks[0].theme
    if theme:
        args += ["--theme", str(_theme(sandbox, theme, placeholders))]
    if attacks[0].network:
        args += ["--allow-network", ",".join(attacks[0].network)]
    before = len(loopback.requests)
    stdout = io.StringIO()
    # The program's own start-up, before recording: importing WeasyPrint finds its libraries with
    # ctypes, which probes the temporary folder once per process, and the first guess of a media
    # type reads the system's /etc/mime.types (nothing a source chooses).
    import mimetypes

    import exporter.writers.pdf  # noqa: F401
    mimetypes.init()
    try:
        with AUDIT.recording() as records, redirect_stdout(stdout):
            code = main(args)
    finally:
        wires.close()
    report = json.loads(stdout.getvalue())
    documents = {Path(d["source"]).name: d for d in report["documents"]}
    return {
        "sandbox": sandbox, "attacks": tried, "code": code, "documents": documents, "records": records,
        "trips": list(wires.hits), "requests": loopback.requests[before:],
    }


def _problems(attack: Attack, document: dict | None) -> list[str]:
    if document is None:
        return [f"{attack.filename}: not built at all"]
    expect = attack.expect
    found = []
    if document["status"] != expect.status:
        found.append(f"status {document['status']!r}, expected {expect.status!r} "
                     f"({document.get('error', '')[:200]})")
    codes = {d["code"] for d in document["diagnostics"]}
    if not expect.codes <= codes:
        found.append(f"codes {sorted(codes)}, expected {sorted(expect.codes)}")
    if expect.error and expect.error not in document.get("error", ""):
        found.append(f"error {document.get('error', '')[:200]!r} lacks {expect.error!r}")
    if expect.line is not None and f"{attack.filename}:{expect.line}:" not in document.get("error", ""):
        found.append(f"error does not name line {expect.line}: {document.get('error', '')[:200]!r}")
    return [f"{attack.filename}: {p}" for p in found]


def _unsafe_markup(path: Path) -> list[str]:
    """Scripts, event handlers, javascript: URLs and remote resources in an output."""
    trees = []
    if path.suffix == ".html":
        trees.append(lxml_html.fromstring(path.read_bytes()))
    elif path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith((".xhtml", ".svg")):
                    trees.append(etree.fromstring(archive.read(name)))
    found = []
    for tree in trees:
        for el in tree.iter(etree.Element):
            local = etree.QName(el).localname
            if local in ("script", "iframe", "object", "embed", "form", "foreignObject"):
                found.append(f"{path.name}: <{local}>")
            for name, value in el.attrib.items():
                attr = etree.QName(name).localname
                if attr.lower().startswith("on"):
                    found.append(f"{path.name}: {attr}= on <{local}>")
                if "javascript:" in value.replace(" ", "").lower() and attr in ("href", "src", "action"):
                    found.append(f"{path.name}: javascript: in {attr}")
                if attr in ("src", "href") and local not in ("a",) and value.startswith(("http:", "https:", "//")):
                    found.append(f"{path.name}: remote resource {value[:60]}")
    return found


@pytest.mark.parametrize("key", sorted(GROUPS))
def test_attack_group(key, tmp_path, loopback):
    result = _build_group(key, tmp_path, loopback)
    sandbox: Sandbox = result["sandbox"]
    problems = []
    for attack in result["attacks"]:
        problems += _problems(attack, result["documents"].get(attack.filename))
    figures.add("attacks", len(result["attacks"]))

    outside = sandbox.outside_reads(result["records"]) + result["trips"]
    figures.add("outside_reads", len(outside))
    problems += [f"read outside the source folder: {p}" for p in outside]

    outputs = sorted(p for p in sandbox.out.iterdir() if not p.name.startswith("."))
    canaries = canary_hits(outputs, [TOKEN]) + sensitive_hits(outputs)
    figures.add("canary", canaries)
    if canaries:
        where = [p.name for p in outputs if canary_hits([p], [TOKEN]) + sensitive_hits([p])]
        problems.append(f"{canaries} canary bytes in the outputs: {', '.join(where)}")
    attached = sum(pdf_attachments(p) for p in outputs if p.suffix == ".pdf")
    figures.add("attachments", attached)
    if attached:
        problems.append(f"{attached} attachments in the PDFs")
    for output in outputs:
        problems += _unsafe_markup(output)
    assert not [p for p in sandbox.out.iterdir() if p.name.startswith(".") and p.name != MANIFEST], \
        "temporary files left"

    network = result["attacks"][0].network
    made = connections(result["records"])
    if not network:
        figures.add("connections", len(result["requests"]) + len(made))
        problems += [f"network request {r}" for r in result["requests"]]
        problems += [f"connection {c}" for c in made]
    else:  # the server works, and only the allowed host was used
        assert "/allowed-bg.png" in result["requests"], result["requests"]
        assert "/after-redirect.png" not in result["requests"], "a redirect to a host not allowed was followed"
    assert not problems, "\n".join(problems)


def test_special_files_are_refused_fast(tmp_path):
    """/dev/urandom, FIFOs and huge files: refused without reading (well within 1 s)."""
    import time

    from exporter.diagnostics import Diagnostics
    from exporter.safety.fetch import ConfinedFetcher, FetchRefused

    root = tmp_path / "src"
    root.mkdir()
    os.mkfifo(root / "pipe.png")
    with open(root / "huge.png", "wb") as handle:
        handle.truncate(50 * 2**30)
    os.symlink("/dev/urandom", root / "random.png")
    os.symlink("/dev/zero", root / "zero.png")
    candidates = ["pipe.png", "huge.png", "random.png", "zero.png", "/dev/urandom", "/dev/zero"]
    try:
        os.mknod(root / "urandom.png", 0o020644, os.makedev(1, 9))
        candidates.append("urandom.png")
    except OSError:
        pass
    fetcher = ConfinedFetcher([root], Diagnostics(), source="a.txt")
    slowest = 0.0
    for name in candidates:
        url = (root / name).as_uri() if not name.startswith("/") else "file://" + name
        started = time.monotonic()
        with pytest.raises(FetchRefused):
            fetcher.get(url)
        slowest = max(slowest, time.monotonic() - started)
    figures.peak("slowest refusal of a special or huge file (s)", slowest)
    assert set(fetcher.diagnostics.codes()) == {"R001", "R003", "R004"}
    assert slowest < 1.0


def test_fifo_and_huge_sources_are_refused(tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe.txt")
    with open(tmp_path / "huge.txt", "wb") as handle:
        handle.truncate(20 * 2**30)
    for name, text in (("pipe.txt", "not a regular file"), ("huge.txt", "is over the 64 MiB limit")):
        assert main(["build", str(tmp_path / name), "-o", str(tmp_path / "out"), "--to", "html"]) == 1
        assert text in capsys.readouterr().err
    figures.add("attacks", 2)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_attachments_are_removed_even_without_the_transform(tmp_path, monkeypatch):
    """With the source transform switched off, the layers after it still keep the PDF
    free of attachments."""
    from exporter import transforms

    monkeypatch.setattr(transforms, "TRANSFORMS",
                        [t for t in transforms.TRANSFORMS if t is not transforms.drop_attachment_links])
    sandbox = Sandbox(tmp_path)
    (sandbox.src / "inside.dat").write_text(f"INSIDE{TOKEN}\n")
    (sandbox.src / "a.xhtml").write_text(
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>T</title></head><body><article>'
        '<p><a rel="attachment" href="inside.dat">notes</a></p></article></body></html>')
    assert main(["build", str(sandbox.src / "a.xhtml"), "-o", str(sandbox.out), "--to", "pdf"]) == 0
    assert pdf_attachments(sandbox.out / "a.pdf") == 0
    assert canary_hits([sandbox.out / "a.pdf"], [TOKEN]) == 0
    figures.add("attacks")


def test_backstop_drops_every_attachment_after_layout(tmp_path):
    """exporter.safety.weasy.render removes attachments whatever made them (<link> and <a>)."""
    from exporter.diagnostics import Diagnostics
    from exporter.safety import weasy
    from exporter.safety.fetch import ConfinedFetcher

    (tmp_path / "inside.dat").write_text(f"INSIDE{TOKEN}\n")
    fetcher = ConfinedFetcher([tmp_path], Diagnostics(), source="a.html")
    page = ('<html><head><link rel="attachment" href="inside.dat"/></head>'
            '<body><p><a rel="attachment" href="inside.dat">notes</a></p></body></html>')
    document = weasy.render(weasy.html(page, base_url=(tmp_path / "a.html").as_uri(), fetcher=fetcher), [],
                            diagnostics=fetcher.diagnostics, source="a.html")
    document.write_pdf(tmp_path / "a.pdf")
    assert fetcher.diagnostics.codes() == ["S010"]
    assert pdf_attachments(tmp_path / "a.pdf") == 0
    assert canary_hits([tmp_path / "a.pdf"], [TOKEN]) == 0
    figures.add("attacks")


def test_unpatched_weasyprint_would_attach(tmp_path):
    """The attachment test can fail: plain WeasyPrint on the same page attaches the file."""
    import weasyprint

    (tmp_path / "inside.dat").write_text(f"INSIDE{TOKEN}\n")
    page = '<p><a rel="attachment" href="inside.dat">notes</a></p>'
    weasyprint.HTML(string=page, base_url=(tmp_path / "a.html").as_uri()).write_pdf(tmp_path / "plain.pdf")
    assert pdf_attachments(tmp_path / "plain.pdf") >= 1
    assert canary_hits([tmp_path / "plain.pdf"], [TOKEN]) >= 1
    shutil.rmtree(tmp_path)


@pytest.mark.parametrize("name, content, code", [
    ("missing.png", None, "R005"),
    ("broken.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR broken", "R007"),
    ("bomb.png", "bomb", "R008"),
])
def test_strict_fails_on_image_problems_and_names_the_file(tmp_path, capsys, name, content, code):
    from .attacks import BOMB, figure, model

    if content is not None:
        (tmp_path / name).write_bytes(BOMB if content == "bomb" else content)
    (tmp_path / "doc.xhtml").write_text(model(figure(name)), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "doc.xhtml"), "-o", str(out), "--strict"]) == 1
    err = capsys.readouterr().err
    assert f"[{code}]" in err and name in err and "doc.xhtml" in err
    assert not out.exists() or not list(out.iterdir())
    assert main(["build", str(tmp_path / "doc.xhtml"), "-o", str(out), "--to", "html"]) == 0  # not strict: built
    figures.add("attacks")


def test_only_exporters_own_attachment_in_archival_pdfs(tmp_path):
    """PDF/A-3 carries the article's model file, attached by exporter; nothing a source
    asked for."""
    import pikepdf

    sandbox = Sandbox(tmp_path)
    (sandbox.src / "inside.dat").write_text(f"INSIDE{TOKEN}\n")
    (sandbox.src / "doc.xhtml").write_text(
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>T</title></head><body><article>'
        '<p><a rel="attachment" href="inside.dat">notes</a></p></article></body></html>')
    assert main(["build", str(sandbox.src / "doc.xhtml"), "-o", str(sandbox.out), "--to", "pdf",
                 "--pdf-variant", "pdf/a-3b"]) == 0
    with pikepdf.open(sandbox.out / "doc.pdf") as pdf:
        assert list(pdf.attachments) == ["doc.xhtml"]
    assert canary_hits([sandbox.out / "doc.pdf"], [TOKEN]) == 0
    figures.add("attacks")

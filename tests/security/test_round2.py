"""Round 2: attacks that were not in SECURITY.md's fifteen cases, each class in several
variants, built through the real CLI in a sandbox of its own.

The classes are the ones seen when the suite was first tried from outside (issue 12):
unpacked EPUB folders naming files anywhere, guessed image names that are links out,
folder names and project files that widened what a source reads, MathML and SVG that
carried scripts and remote loads past the sanitiser, unsafe links in outputs, checks
bypassed by DTD subsets hidden in comments, types taken from names, budgets counted
once. Every case is checked against the global promises (no read outside the source
folder, no connection, no canary byte, no script / remote load / unsafe link in any
output, no crash) and its own expectation.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from exporter.cli import main

from . import figures
from .harness import AUDIT, TOKEN, Sandbox, Symlink, canary_hits, canary_png, connections, make_file, png
from .test_attacks import _unsafe_markup

ENV_CANARY = "EXPORTER_TEST_ENV_CANARY"

pytestmark = pytest.mark.usefixtures("audit")


@dataclass(frozen=True)
class Case:
    name: str
    files: dict                       # path under src/ -> content (str, bytes, Symlink)
    expect: dict                      # source name (as in the report) -> "ok" | "failed"
    codes: frozenset = frozenset()    # diagnostic codes some document must report
    args: tuple = ()                  # more command-line arguments ({SRC} is the source folder)
    sources: tuple = ()               # the sources to build, under src/ (default: src/ itself)


def model(body: str, head: str = "") -> str:
    return ('<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n<head><title>Attack</title>'
            f'{head}</head>\n<body><article>\n<p>Text before.</p>\n{body}\n</article></body></html>\n')


def svg(inner: str) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" '
            f'height="20">{inner}<rect width="10" height="10"/></svg>')


def opf(manifest: str, spine: str = '<itemref idref="c1"/>') -> str:
    return ('<?xml version="1.0"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
            'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<dc:identifier id="id">x</dc:identifier><dc:title>Book</dc:title><dc:language>en</dc:language>'
            f'</metadata><manifest>{manifest}</manifest><spine>{spine}</spine></package>\n')


def container(path: str) -> str:
    return ('<?xml version="1.0"?>\n<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:'
            f'container"><rootfiles><rootfile full-path="{path}" media-type="application/oebps-package+xml"/>'
            '</rootfiles></container>\n')


CHAPTER = ('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>C</title></head>'
           '<body><h1>Chapter</h1><p>Text of the chapter.</p><p><img src="{IMG}" alt="a picture"/></p></body>'
           '</html>\n')


def unpacked(manifest_href: str, *, image: str = "pic.png", rootfile: str = "OEBPS/content.opf",
             extra: dict | None = None) -> dict:
    """An unpacked EPUB folder ``book/`` whose manifest names ``manifest_href``."""
    files = {
        "book/mimetype": "application/epub+zip",
        "book/META-INF/container.xml": container(rootfile),
        "book/OEBPS/content.opf": opf(
            f'<item id="c1" href="{manifest_href}" media-type="application/xhtml+xml"/>'),
        "book/OEBPS/c1.xhtml": CHAPTER.replace("{IMG}", image),
        "book/OEBPS/pic.png": png(4, 4),
    }
    files.update(extra or {})
    return files


JATS = ('<?xml version="1.0"?>\n{DOCTYPE}<article xmlns:xlink="http://www.w3.org/1999/xlink" '
        'article-type="research-article"><front><article-meta><title-group><article-title>Paper</article-title>'
        '</title-group></article-meta></front><body><sec><title>One</title><p>Text.{BODY}</p></sec></body>'
        '</article>\n')

CASES: list[Case] = []


def add(name, files, expect, **kw):
    CASES.append(Case(name, files, expect, **kw))


# -- unpacked EPUB sources read only their own folder --------------------------------------------
for key, href in {"absolute": "{OUT}/canary.txt", "dotdot": "../../outside/canary.txt",
                  "deep": "../../../../../../../../../../{OUT}/canary.txt", "environ": "/proc/self/environ",
                  "fonts-conf": "/etc/fonts/fonts.conf", "pct": "%2e%2e/%2e%2e/outside/canary.txt",
                  "passwd": "/etc/passwd"}.items():
    add(f"epub-manifest-{key}", unpacked(href), {"book": "ok"}, codes=frozenset({"S035"}))
add("epub-rootfile-outside", unpacked("c1.xhtml", rootfile="../outside/canary.opf",
                                      extra={"outside-note": "x"}), {"book": "failed"})
add("epub-rootfile-absolute", unpacked("c1.xhtml", rootfile="{OUT}/canary.opf"), {"book": "failed"})
add("epub-linked-folder", unpacked("texts/canary.txt", extra={"book/OEBPS/texts": Symlink("{OUT}")}),
    {"book": "ok"}, codes=frozenset({"S035"}))
add("epub-linked-chapter", unpacked("c2.xhtml", extra={"book/OEBPS/c2.xhtml": Symlink("{OUT}/canary.txt")}),
    {"book": "ok"}, codes=frozenset({"S035"}))
add("epub-image-outside", unpacked("c1.xhtml", image="../../outside/canary.png"), {"book": "ok"},
    codes=frozenset({"S024"}))
add("epub-image-linked", unpacked("c1.xhtml", image="imgs/canary.png", extra={"book/OEBPS/imgs": Symlink("{OUT}")}),
    {"book": "ok"}, codes=frozenset({"S024"}))

# -- a short page that is only a path is markup, never a file name ------------------------------
# (tinyhtml5 reads a str of under 200 characters that names an existing file as that file)
for key, path in {"canary": "{OUT}/canary.txt", "passwd": "/etc/passwd", "hostname": "/etc/hostname",
                  "environ": "/proc/self/environ", "relative": "../outside/canary.txt"}.items():
    add(f"path-as-page-html-{key}", {"page.html": path}, {"page.html": "ok"})
    add(f"path-as-page-xhtml-{key}", {"page.xhtml": path}, {"page.xhtml": "failed"})  # not XML
    # a chapter of an e-book that is not XML is read as HTML (S029): the same parser
    add(f"path-as-page-epub-{key}", unpacked("c2.xhtml", extra={"book/OEBPS/c2.xhtml": path}), {"book": "ok"})
    add(f"path-as-page-md-{key}", {"page.md": f"<div>\n{path}\n</div>\n"}, {"page.md": "ok"})

# -- guessed image names are confined like the reference ------------------------------------------
GUESS_LINKS = {"photo.tif": Symlink("{OUT}/canary.png"), "env.tiff": Symlink("/proc/self/environ"),
               "deep.jpg": Symlink("../outside/dir/canary.png")}
add("guess-markdown", {"a.md": "# Guess\n\n![one](photo)\n\n![two](env)\n\n![three](deep)\n", **GUESS_LINKS},
    {"a.md": "ok"}, codes=frozenset({"S022"}))
add("guess-html", {"a.html": "<h1>Guess</h1><p>x</p><img src='photo' alt='one'><img src='env' alt='two'>",
                   **GUESS_LINKS}, {"a.html": "ok"}, codes=frozenset({"S022"}))
add("guess-jats", {"a.xml": JATS.replace("{DOCTYPE}", "").replace(
    "{BODY}", '</p><fig id="f1"><caption><p>Fig</p></caption><graphic xlink:href="photo"/></fig><p>'
              '<inline-graphic xlink:href="env"/>'), **GUESS_LINKS}, {"a.xml": "ok"}, codes=frozenset({"S022"}))

# -- nothing inside a submission widens the folder it reads ----------------------------------------
SIBLING = {"bob/secret.png": canary_png(TOKEN), "bob/note.md": "# Bob\n\nBob's own text.\n"}
for folder in ("_posts", "_drafts", "_x"):
    add(f"site-folder{folder}", {
        f"{folder}/post.md": "# Post\n\n![a](/bob/secret.png)\n\n![b](../bob/secret.png)\n",
        f"{folder}/page.html": "<h1>Page</h1><p>x</p><img src='/bob/secret.png' alt='a'>"
                               "<img src='../bob/secret.png' alt='b'>",
        f"alice/{folder}/deep.md": "# Deep\n\n![a](/../bob/secret.png)\n\n![b](../../bob/secret.png)\n",
        **SIBLING}, {"post.md": "ok", "page.html": "ok", "deep.md": "ok", "note.md": "ok"})
add("book-root-widened", {
    "book/exporter.toml": '[book]\ntitle = "B"\ncover = "../bob/secret.png"\n[[part]]\ntitle = "P"\n'
                          'articles = ["../bob/note.md", "../../outside/canary.txt"]\n[build]\nroot = "../.."\n',
    **SIBLING}, {"exporter.toml": "failed", "note.md": "ok"})
add("book-root-absolute", {
    "book/exporter.toml": '[book]\ntitle = "B"\n[front]\nintroduction = "../bob/note.md"\n[[part]]\ntitle = "P"\n'
                          'articles = ["x.md"]\n[build]\nroot = "/"\n', "book/x.md": "# X\n\nText.\n", **SIBLING},
    {"exporter.toml": "failed", "note.md": "ok"})
add("book-linked-article", {
    "book/exporter.toml": '[book]\ntitle = "B"\n[[part]]\ntitle = "P"\narticles = ["x.md", "l/canary.txt"]\n',
    "book/x.md": "# X\n\nText.\n", "book/l": Symlink("{OUT}")}, {"exporter.toml": "failed"})

# -- no script and no remote load through MathML, in model files and books -------------------------
MATH_PAYLOADS = {
    "mtext-script": "<math><mtext><script>document.title='XSS'</script></mtext></math>",
    "math-script": "<math><script>document.title='XSS'</script></math>",
    "mtext-img": "<math><mtext><img src='http://127.0.0.1:{PORT}/m.png' onerror='alert(1)'/></mtext></math>",
    "mtext-style": "<math><mtext><style>@import url(http://127.0.0.1:{PORT}/m.css);</style></mtext></math>",
    "math-link": "<math><link rel='stylesheet' href='http://127.0.0.1:{PORT}/m.css'/></math>",
    "mtext-iframe": "<math><mtext><iframe src='http://127.0.0.1:{PORT}/f'/></mtext></math>",
    "math-base": "<math><base href='http://127.0.0.1:{PORT}/'/><mi>x</mi></math>",
    "math-href": "<math href='javascript:alert(1)'><mi>x</mi></math>",
    "mi-style": "<math><mi style='background:url(http://127.0.0.1:{PORT}/s.png)'>x</mi></math>",
    "xhtml-in-mtext": "<math><mtext><h:script xmlns:h='http://www.w3.org/1999/xhtml'>x</h:script></mtext></math>",
    "maction": "<math><maction actiontype='statusline'><mi>x</mi><mtext>javascript:alert(1)</mtext></maction>"
               "</math>",
}
MATH_NS = "<math xmlns='http://www.w3.org/1998/Math/MathML'"
for key, payload in MATH_PAYLOADS.items():
    body = "<p>Formula: " + payload.replace("<math", MATH_NS, 1) + "</p>"
    add(f"mathml-{key}", {"a.xhtml": model(body)}, {"a.xhtml": "failed"})
add("mathml-book-chapter", {
    "book/exporter.toml": '[book]\ntitle = "B"\n[[part]]\ntitle = "P"\narticles = ["c.xhtml"]\n',
    "book/c.xhtml": model("<p><math xmlns='http://www.w3.org/1998/Math/MathML'><mtext><script>"
                          "document.title='XSS'</script></mtext></math></p>")}, {"exporter.toml": "failed"})
add("mathml-page", {"p.xhtml": '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>P</title></head><body>'
                               "<h1>P</h1><p>x <math xmlns='http://www.w3.org/1998/Math/MathML'><mtext><script>"
                               "document.title='XSS'</script><img src='x' onerror='alert(1)'/></mtext><mi>y</mi>"
                               "</math></p></body></html>"}, {"p.xhtml": "ok"})

# -- SVG images: no reference out, however it is written -----------------------------------------
SVG_PAYLOADS = {
    "style-tail": "<style><g/>@import url(http://127.0.0.1:{PORT}/s.css);</style>",
    "style-tail-url": "<style>rect{}<g/>rect { fill: url(../outside/canary.svg#g) }</style>",
    "set-xlink": "<a><set attributeName='xlink:href' to='javascript:alert(1)'/><text y='9'>x</text></a>",
    "animate-href": "<a><animate attributeName='href' values='javascript:alert(1)'/><text y='9'>x</text></a>",
    "fill-escape": "<rect fill='\\75 rl(file://{OUT}/canary.svg#g)' width='5' height='5'/>",
    "fill-escape2": "<rect fill='u\\72 l(http://127.0.0.1:{PORT}/f.svg#g)' width='5' height='5'/>",
    "mask-escape": "<rect mask='\\000075rl(../outside/canary.svg#m)' width='5' height='5'/>",
    "math-in-svg": "<math xmlns='http://www.w3.org/1998/Math/MathML'><mtext>x</mtext></math>",
}
for key, payload in SVG_PAYLOADS.items():
    add(f"svg-{key}", {"a.xhtml": model("<figure><img src='i.svg' alt='a picture'/><figcaption>C</figcaption>"
                                         "</figure>"), "i.svg": svg(payload)}, {"a.xhtml": "ok"})

# -- links in outputs: web, mail or inside the document, nothing else -------------------------------
UNSAFE_LINKS = {
    "cite-js": "<blockquote cite='javascript:alert(1)'><p>Q</p></blockquote>",
    "cite-file": "<blockquote cite='file:///etc/passwd'><p>Q</p></blockquote>",
    "q-cite-js": "<p><q cite=' JAVASCRIPT:alert(1)'>Q</q></p>",
    "local-abs": "<p><a href='/etc/passwd'>passwd</a></p>",
    "local-up": "<p><a href='../../secret'>secret</a></p>",
    "protocol-relative": "<p><a href='//127.0.0.1:{PORT}/x'>x</a></p>",
    "httpx": "<p><a href='httpx://example.org/'>x</a></p>",
    "tab-js": "<p><a href='java\tscript:alert(1)'>x</a></p>",
}
LOCAL_LINKS = {"local-abs", "local-up", "tab-js"}  # no scheme (XML makes the tab a space): text, S025
for key, payload in UNSAFE_LINKS.items():
    add(f"link-model-{key}", {"a.xhtml": model(payload)}, {"a.xhtml": "ok" if key in LOCAL_LINKS else "failed"},
        codes=frozenset({"S025"}) if key in LOCAL_LINKS else frozenset())
    add(f"link-html-{key}", {"a.html": f"<h1>T</h1>{payload}"}, {"a.html": "ok"})
add("link-markdown", {"a.md": "# T\n\n[a](/etc/passwd) [b](../../secret) [c](//127.0.0.1:{PORT}/x) "
                              "[d](httpx://x.org/) [e](file:///etc/passwd)\n\n> q\n"}, {"a.md": "ok"})

# -- checks that were bypassed --------------------------------------------------------------------
HIDDEN_SUBSET = '<!DOCTYPE {ROOT} PUBLIC "{PUBLIC}" "x.dtd" [<!-- ]> --><!ENTITY leak SYSTEM "file://{OUT}/canary.txt">]>\n'
add("dtd-hidden-jats", {"a.xml": JATS.replace("{DOCTYPE}", HIDDEN_SUBSET.replace("{ROOT}", "article").replace(
    "{PUBLIC}", "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN")).replace(
    "{BODY}", "&leak;&nbsp;")}, {"a.xml": "failed"})
add("dtd-hidden-xhtml", {"a.xhtml": HIDDEN_SUBSET.replace("{ROOT}", "html").replace(
    "{PUBLIC}", "-//W3C//DTD XHTML 1.1//EN") + '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title>'
    "</head><body><h1>T</h1><p>&leak;&nbsp;</p></body></html>"}, {"a.xhtml": "failed"})
add("dtd-hidden-pi", {"a.xhtml": HIDDEN_SUBSET.replace("<!-- ]> -->", "<?x ]>?>").replace("{ROOT}", "html").replace(
    "{PUBLIC}", "-//W3C//DTD XHTML 1.1//EN") + '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title>'
    "</head><body><h1>T</h1><p>&leak;&nbsp;</p></body></html>"}, {"a.xhtml": "failed"})
add("dtd-hidden-epub", unpacked("c1.xhtml", extra={"book/OEBPS/c1.xhtml": HIDDEN_SUBSET.replace(
    "{ROOT}", "html").replace("{PUBLIC}", "-//W3C//DTD XHTML 1.1//EN") + CHAPTER.replace(
    "<p>Text of the chapter.</p>", "<p>&leak;&nbsp;</p>").split("\n", 1)[1]}), {"book": "ok"})
BIG = png(11000, 10000)  # 110 megapixels, a few hundred KiB compressed
add("bomb-named-css", {"a.xhtml": model("<figure><img src='big.css' alt='a'/><figcaption>C</figcaption></figure>"),
                       "big.css": BIG}, {"a.xhtml": "ok"}, codes=frozenset({"R008"}))
add("bomb-named-woff", {"a.xhtml": model("<figure><img src='big.woff2' alt='a'/><figcaption>C</figcaption></figure>"),
                        "big.woff2": BIG}, {"a.xhtml": "ok"}, codes=frozenset({"R008"}))
add("svg-in-data-png", {"a.xhtml": model(
    "<figure><img src=\"data:image/png,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3Cscript%3Edocument.title="
    "1%3C/script%3E%3Cimage href='http://127.0.0.1:{PORT}/d.png'/%3E%3C/svg%3E\" alt='a'/><figcaption>C"
    "</figcaption></figure>")}, {"a.xhtml": "ok"})
add("budget-per-use", {"a.md": "# Many\n\n" + "![x](big.png)\n\n" * 40, "big.png": png(300, 300, text="x" * 30000)},
    {"a.md": "ok"}, codes=frozenset({"R004"}), args=("--max-document-bytes", "400K"))
add("nul-in-reference", {"a.md": "# T\n\n![a](pic%00.png)\n", "b.html": "<h1>T</h1><p>x</p><img src='a&#0;.png' "
                                                                     "alt='n'>"},
    {"a.md": "ok", "b.html": "ok"})
add("long-names", {"a.md": "# T\n\n![a](" + "x" * 300 + ".png)\n\n![b](" + ("y" * 200 + "/") * 30 + "z.png)\n"},
    {"a.md": "ok"}, codes=frozenset({"S022"}))


def _link_problems(path: Path) -> list[str]:
    """Links in an output that are neither web, mail nor inside the document."""
    found = []

    def check(value: str, where: str, local_ok: bool) -> None:
        text = "".join(value.split()).lower()
        if text.startswith(("#", "http://", "https://", "mailto:", "doi:", "urn:")):
            return
        if text.startswith("data:image/") and where != "href":
            return
        if local_ok and not re.match(r"^[a-z][a-z0-9+.-]*:", text) and not text.startswith(("/", "\\", "../..")):
            return
        found.append(f"{path.name}: {where}={value[:60]!r}")

    if path.suffix == ".html":
        tree = lxml_html.fromstring(path.read_bytes())
        for el in tree.iter(etree.Element):
            for name in ("href", "cite", "src", "action", "formaction", "background", "poster"):
                if el.get(name) is not None:
                    check(el.get(name), name, local_ok=False)
    elif path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".xhtml"):
                    tree = etree.fromstring(archive.read(name))
                    for el in tree.iter(etree.Element):
                        for attr, value in el.attrib.items():
                            if etree.QName(attr).localname in ("href", "cite", "src", "action"):
                                check(value, etree.QName(attr).localname, local_ok=True)
    elif path.suffix == ".pdf":
        import pikepdf

        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                for annot in page.get("/Annots") or []:
                    action = annot.get("/A")
                    if action is not None and action.get("/URI") is not None:
                        check(str(action.get("/URI")), "URI", local_ok=False)
                    if action is not None and action.get("/S") in ("/Launch", "/GoToR", "/JavaScript"):
                        found.append(f"{path.name}: {action.get('/S')} action")
    return found


_CSS_HEX = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n]?")
_CSS_CHAR = re.compile(r"\\(.)")


def _css_plain(text: str) -> str:
    """CSS text with its escapes decoded and white space removed, lower case."""
    text = _CSS_HEX.sub(lambda m: chr(min(int(m.group(1), 16), 0x10FFFF) or 0xFFFD), text)
    return "".join(_CSS_CHAR.sub(r"\1", text).split()).lower()


def _svg_problems(data: bytes, where: str) -> list[str]:
    """What an SVG image in an output could do: run a script, set a link, refer outside."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    found = []
    for el in root.iter(etree.Element):
        local = etree.QName(el).localname
        if local in ("script", "foreignObject", "iframe", "object", "embed"):
            found.append(f"{where}: <{local}> in an SVG image")
        texts = list(el.attrib.values()) + (["".join(el.itertext())] if local == "style" else [])
        for text in texts:
            plain = _css_plain(text)
            for match in re.finditer(r"url\(([\"']?)([^)\"']*)", plain):
                if not match.group(2).startswith(("#", "data:image/png", "data:image/jpeg", "data:image/gif",
                                                  "data:image/webp")):
                    found.append(f"{where}: url({match.group(2)[:50]}) in an SVG image")
            if "@import" in plain or "javascript:" in plain:
                found.append(f"{where}: {plain[:60]!r} in an SVG image")
    return found


def _svgs(path: Path) -> list[tuple[bytes, str]]:
    """The SVG images an output carries: EPUB entries, data: URLs in the print HTML."""
    import base64
    import urllib.parse

    if path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            return [(archive.read(n), f"{path.name}:{n}") for n in archive.namelist() if n.endswith(".svg")]
    if path.suffix == ".html":
        found = []
        for match in re.finditer(rb"data:image/svg\+xml(;base64)?,([^\"'\s)]+)", path.read_bytes()):
            payload = match.group(2)
            data = base64.b64decode(payload) if match.group(1) else urllib.parse.unquote_to_bytes(payload)
            found.append((data, f"{path.name}:data:"))
        return found
    return []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_round2(case, tmp_path, loopback, monkeypatch):
    sandbox = Sandbox(tmp_path)
    placeholders = sandbox.placeholders(loopback.port)
    for relative, content in case.files.items():
        target = sandbox.src / relative
        assert make_file(target, content, placeholders)
    monkeypatch.setenv(ENV_CANARY, TOKEN)
    sources = [str(sandbox.src / s) for s in case.sources] or [str(sandbox.src)]
    args = ["build", *sources, "-o", str(sandbox.out), "--format", "json", "--timeout", "120",
            *[a.replace("{SRC}", str(sandbox.src)) for a in case.args]]
    import mimetypes

    import exporter.writers.pdf  # noqa: F401 - the program's own start-up, before recording
    mimetypes.init()
    before = len(loopback.requests)
    stdout = io.StringIO()
    with AUDIT.recording() as records, redirect_stdout(stdout):
        main(args)
    report = json.loads(stdout.getvalue())
    documents = {Path(d["source"]).name if Path(d["source"]).name != "" else d["source"]: d
                 for d in report["documents"]}
    figures.add("round2", 1)
    problems = []
    for name, status in case.expect.items():
        document = documents.get(name)
        if document is None:
            problems.append(f"{name}: not in the report ({sorted(documents)})")
        elif document["status"] != status:
            problems.append(f"{name}: status {document['status']!r}, expected {status!r} "
                            f"({(document.get('error') or '')[:300]})")
    for name, document in documents.items():
        if document["status"] not in ("ok", "failed", "skipped"):
            problems.append(f"{name}: status {document['status']} ({(document.get('error') or '')[:200]})")
            figures.add("round2_crashes")
        if "internal error" in (document.get("error") or "") or "Traceback" in (document.get("error") or ""):
            problems.append(f"{name}: {document['error'][:200]}")
            figures.add("round2_crashes")
    codes = {d["code"] for document in documents.values() for d in document["diagnostics"]}
    if not case.codes <= codes:
        problems.append(f"codes {sorted(codes)}, expected {sorted(case.codes)}")

    outside = sandbox.outside_reads(records)
    outside += [r[2] for r in records if r[0] == "open" and "/proc/" in r[2] and "environ" in r[2]]
    figures.add("outside_reads", len(outside))
    problems += [f"read outside the source folder: {p}" for p in outside]
    requests = loopback.requests[before:]
    made = connections(records)
    figures.add("connections", len(requests) + len(made))
    problems += [f"network request {r}" for r in requests] + [f"connection {c}" for c in made]

    outputs = sorted(p for p in sandbox.out.rglob("*") if p.is_file() and not p.name.startswith(".")
                     and p.suffix in (".epub", ".pdf", ".html"))
    canaries = canary_hits(outputs, [TOKEN])
    figures.add("canary", canaries)
    if canaries:
        problems.append(f"{canaries} canary bytes in {[p.name for p in outputs if canary_hits([p], [TOKEN])]}")
    for output in outputs:
        problems += _unsafe_markup(output)
        unsafe = _link_problems(output) + [p for data, where in _svgs(output) for p in _svg_problems(data, where)]
        figures.add("unsafe_links", len(unsafe))
        problems += unsafe
    assert not problems, "\n".join(problems)

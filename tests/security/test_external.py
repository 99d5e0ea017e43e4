"""Red team: attack material the project did not write, through every importer and writer.

Published payloads (DOMPurify's and html5lib's sanitizer tests, PayloadsAllTheThings'
XSS, XXE, traversal, SSRF, CSS-injection and zip-slip lists; see
``external/MANIFEST.md``) become source documents for every importer (canonical model
file, XHTML page, web page, Markdown, JATS, EPUB archive, unpacked EPUB folder, plain
text) and SVG images, rewritten so they can reach only the test's instruments
(``external/__init__.py``), and are built through the real CLI next to canary files.

Each group is checked for the global promises, with the payload named in every finding:
no read outside the source folder (audit hook + FIFO tripwires + per-payload canary
files, also at every level above the folder), no network connection (loopback server
+ audit hook), no canary byte and no attachment in any output, no unsafe markup in any
output (scripts and event handlers in every namespace, SVG/MathML style/link/iframe/
base, ``javascript:``/``vbscript:``/``data:text/html``/``file:`` in URL attributes,
remote resources, CSS ``url()``/``@import`` in style attributes and SVG presentation
attributes, CSS escapes decoded), and no crash: every document ends ``ok`` or
``failed`` with a message, never ``crash``, ``timeout`` or a traceback. Sanitizing
importers must build what they are given.

Normal runs pack many payloads into each document; ``EXPORTER_REDTEAM=full`` builds
every payload as its own document (``make redteam``). ``EXPORTER_REDTEAM_FINDINGS=DIR``
writes each group's findings to ``DIR/<group>.json``.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import urllib.parse
import zipfile
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from lxml import etree

from exporter.cli import main

from . import figures
from .external import MATHML, SVG, XHTML, load, outside_hosts, projects, rewrite
from .external.plan import IMPORTERS, Group, Unit, cached_plan, group_keys, plan
from .harness import (
    AUDIT,
    TOKEN,
    Loopback,
    Sandbox,
    Tripwires,
    connections,
    make_file,
    output_texts,
    pdf_attachments,
    sensitive_hits,
)

TRIPWIRES = ["trip-entity.fifo", "trip-pe.fifo", "trip-dtd.fifo", "trip-xsl.fifo", "trip-ext.fifo"]
LEVELS = 8  # canary folders at every level above the source folder, for ../ payloads
PID = re.compile(r"RT\[([^\]]+)\]")

pytestmark = pytest.mark.usefixtures("audit")


# -- the material itself ---------------------------------------------------------------------

def test_external_material_is_complete_and_can_reach_only_the_instruments():
    payloads = load()
    manifest = (Path(__file__).parent / "external" / "MANIFEST.md").read_text(encoding="utf-8")
    for data in sorted((Path(__file__).parent / "external" / "data").glob("*.json")):
        assert data.name in manifest, f"{data.name} is not in external/MANIFEST.md"
    assert len({p.pid for p in payloads}) == len(payloads)
    assert len(payloads) >= 1000 and len(projects(payloads)) >= 3
    leaks = {p.pid: outside_hosts(rewrite(p.text, p.pid, 9, "/x/outside")) for p in payloads}
    assert not {k: v for k, v in leaks.items() if v}, "a rewritten payload still names another host"
    figures.add("ext_payloads", len(payloads))
    figures.add("ext_projects", len(projects(payloads)))


# -- unsafe markup in outputs --------------------------------------------------------------------

URL_ATTRS = {"href", "src", "cite", "action", "formaction", "data", "poster", "background", "lowsrc", "dynsrc",
             "codebase", "srcset", "longdesc", "usemap", "manifest", "icon", "profile", "ping", "xmlns"}
RESOURCE_ELEMENTS = {"img", "image", "use", "feImage", "link", "script", "iframe", "embed", "object", "source",
                     "video", "audio", "track", "input", "frame", "tref", "cursor", "font-face-uri", "mglyph"}
BAD_ELEMENTS = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "foreignObject",
                "handler", "listener", "animation", "discard", "portal", "xmp", "plaintext", "noembed", "noscript"}
BAD_SCHEMES = ("javascript:", "vbscript:", "livescript:", "mocha:", "data:text/html", "data:application/",
               "data:text/xml", "file:", "jar:", "ms-its:", "mhtml:", "view-source:")
PRESENTATION = {"fill", "stroke", "filter", "clip-path", "mask", "marker-start", "marker-mid", "marker-end",
                "marker", "cursor", "color-profile", "src", "style", "background", "list-style",
                "list-style-image", "content", "border-image", "behavior"}
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.DOTALL)
CSS_URL = re.compile(r"(?:url|image|image-set|src)\s*\(\s*(['\"]?)([^'\")]*)", re.IGNORECASE)


def _css_decoded(text: str) -> str:
    def one(m):
        if m.group(1):
            try:
                return chr(int(m.group(1), 16))
            except (ValueError, OverflowError):
                return ""
        return m.group(2)
    return CSS_ESCAPE.sub(one, re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL))


def _css_problems(text: str) -> list[str]:
    css = _css_decoded(text).lower()
    found = []
    if "@import" in css:
        found.append("@import")
    for _, target in CSS_URL.findall(css):
        target = target.strip()
        if target and not target.startswith(("#", "data:image/png", "data:image/jpeg", "data:image/gif",
                                              "data:font/", "data:application/font", "data:application/x-font")):
            found.append(f"url({target[:60]})")
    for word in ("expression(", "behavior:", "-moz-binding", "javascript:", "vbscript:"):
        if word in css.replace(" ", ""):
            found.append(word)
    return found


def _scheme_of(value: str) -> str:
    return re.sub(r"[\x00-\x20\u00a0\u1680\u180e\u2000-\u200b\u2028\u2029\u205f\u3000\ufeff]", "", value).lower()


def _element_problems(ns: str, local: str, attrs: dict, text: str, parent_local: str) -> list[str]:
    where = {XHTML: "", SVG: "svg:", MATHML: "math:"}.get(ns, f"{{{ns}}}" if ns else "")
    found = []
    if local in BAD_ELEMENTS or (local == "form" and ns in (XHTML, "")):
        found.append(f"<{where}{local}>")
    if local == "style" and (ns in (SVG, MATHML) or parent_local != "head"):
        found.append(f"<{where}style> outside the head")
    if local == "style":
        found += [f"<{where}style> {p}" for p in _css_problems(text or "")]
    if local == "link" and (ns != XHTML and ns != "" or parent_local != "head"):
        found.append(f"<{where}link> outside the head")
    if local == "link" and not (attrs.get("rel", "").lower() == "stylesheet"
                                and re.fullmatch(r"[\w./-]+\.css", attrs.get("href", ""))):
        found.append(f"<{where}link rel={attrs.get('rel', '')!r} href={attrs.get('href', '')[:60]!r}>")
    if local == "meta" and attrs.get("http-equiv", "").lower() != "content-security-policy" and (
            "http-equiv" in attrs or "url=" in attrs.get("content", "").lower()):
        found.append(f"<meta http-equiv={attrs.get('http-equiv', '')!r}>")
    if local in ("set", "animate", "animateMotion", "animateTransform", "animateColor") and ns == SVG:
        target = attrs.get("attributeName", "").lower()
        if "href" in target or target.startswith("on") or target == "style":
            found.append(f"<svg:{local} attributeName={target!r}>")
        for key in ("to", "from", "values", "by"):
            if _scheme_of(attrs.get(key, "")).startswith(BAD_SCHEMES) or "url(" in attrs.get(key, "").lower():
                found.append(f"<svg:{local} {key}={attrs[key][:60]!r}>")
    for name, value in attrs.items():
        lname = name.lower()
        if lname.startswith("on"):
            found.append(f"{lname}= on <{where}{local}>")
            continue
        if lname in URL_ATTRS or lname.endswith("href"):
            v = _scheme_of(value)
            if v.startswith(BAD_SCHEMES) or (lname == "srcset" and any(s in v for s in BAD_SCHEMES)):
                found.append(f"{v[:40]!r} in {lname}= on <{where}{local}>")
            elif (v.startswith(("http:", "https:", "//", "ftp:")) and
                  (local in RESOURCE_ELEMENTS or lname in ("src", "data", "poster", "background", "srcset")
                   or (ns == SVG and local != "a"))):
                found.append(f"remote resource {value[:60]!r} in {lname}= on <{where}{local}>")
            elif lname != "xmlns" and (re.match(r"^/(?:etc|tmp|proc|root|home|sys|dev|usr|var|srv|mnt|opt)/", value)
                                       or (local in ("a", "blockquote", "q", "del", "ins") and ".." in value)):
                found.append(f"local path {value[:60]!r} in {lname}= on <{where}{local}>")
        if lname == "style" or (ns == SVG and lname in PRESENTATION):
            found += [f"{p} in {lname}= on <{where}{local}>" for p in _css_problems(value)]
    return found


def _walk_lxml(tree, emit, parent_local=""):
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        q = etree.QName(el)
        parent = el.getparent()
        attrs = {etree.QName(k).localname: v for k, v in el.attrib.items()}
        emit(q.namespace or "", q.localname, attrs, el.text or "",
             etree.QName(parent).localname if parent is not None and isinstance(parent.tag, str) else "",
             [el.text or ""] + [c.tail or "" for c in el])


def _walk_et(root, emit):
    parents = {c: p for p in root.iter() for c in p}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        ns, _, local = el.tag[1:].partition("}") if el.tag.startswith("{") else ("", "", el.tag)
        attrs = {(k.split("}", 1)[1] if k.startswith("{") else k): v for k, v in el.attrib.items()}
        parent = parents.get(el)
        plocal = parent.tag.split("}", 1)[-1] if parent is not None and isinstance(parent.tag, str) else ""
        emit(ns, local, attrs, el.text or "", plocal, [el.text or ""] + [c.tail or "" for c in el])


def unsafe_markup(path: Path, single: str | None, images: dict | None = None) -> list[tuple[str, str]]:
    """(payload id, problem) for every unsafe thing in an output (HTML read with an HTML5
    parser as browsers do; EPUB XHTML and SVG as XML; SVG ``data:`` URLs decoded)."""
    found: list[tuple[str, str]] = []
    state = {"pid": single or "?"}

    def emit(ns, local, attrs, text, parent_local, texts):
        for problem in _element_problems(ns, local, attrs, text, parent_local):
            found.append((state["pid"], f"{path.name}{state.get('entry', '')}: {problem}"))
        for value in attrs.values():
            if value.startswith("data:image/svg+xml"):
                nested(value)
        for t in texts:
            if m := PID.search(t):
                state["pid"] = m.group(1)

    def nested(url: str) -> None:
        head, _, data = url.partition(",")
        try:
            raw = base64.b64decode(data) if head.endswith(";base64") else urllib.parse.unquote(data).encode()
            tree = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))
        except (ValueError, etree.XMLSyntaxError):  # (binascii.Error is a ValueError)
            return
        _walk_lxml(tree, emit)

    if path.suffix == ".html":
        import tinyhtml5

        _walk_et(tinyhtml5.parse(path.read_bytes()), emit)
    elif path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith((".xhtml", ".svg", ".html", ".xml", ".opf", ".ncx")):
                    state["entry"] = f"!{name}"
                    if (images or {}).get(name.rsplit("/", 1)[-1]):
                        state["pid"] = images[name.rsplit("/", 1)[-1]]
                    try:
                        tree = etree.fromstring(archive.read(name), etree.XMLParser(resolve_entities=False,
                                                                                    no_network=True))
                    except etree.XMLSyntaxError as error:
                        found.append((state["pid"], f"{path.name}!{name}: not well-formed ({error})"))
                        continue
                    _walk_lxml(tree, emit)
                elif name.endswith(".css") and not name.endswith("style.css"):
                    found += [(state["pid"], f"{path.name}!{name}: {p}")
                              for p in _css_problems(archive.read(name).decode("utf-8", "replace"))]
    return found


# -- one group: build, then check --------------------------------------------------------------

def _sandbox(tmp_path: Path) -> Sandbox:
    root = tmp_path
    for i in range(1, LEVELS):
        root = root / f"d{i}"
    return Sandbox(root)


def _canaries(sandbox: Sandbox, pids: set[str], levels: int) -> None:
    bases = [sandbox.src.parents[k] for k in range(min(levels, len(sandbox.src.parents) - 1))]
    for base in bases:
        folder = base / "outside"
        folder.mkdir(exist_ok=True)
        for pid in pids:
            (folder / f"{pid}.dat").write_text(f"{TOKEN}-{pid}- canary\n", encoding="utf-8")


def _owner(text: str) -> list[str]:
    return re.findall(r"((?:[a-z0-9]+-)+\d{3})(?:\.dat|~|/|\b)", text)


def build_group(key: str, tmp_path: Path, loopback: Loopback, monkeypatch, make=None, extra=()) -> dict:
    """Build one group (``make(port, outside)`` gives it, for the control test) next to
    canaries and tripwires, recording every open and connection."""
    sandbox = _sandbox(tmp_path)
    wires = Tripwires(sandbox.outside, TRIPWIRES)
    importer = key.split("-", 1)[0]
    if make is None:
        group = next(g for g in plan(loopback.port, str(sandbox.outside), (importer,)) if g.key == key)
    else:
        group = make(loopback.port, str(sandbox.outside))
    _canaries(sandbox, group.pids, LEVELS)
    if importer == "epubdir":  # an unpacked book must not read its neighbours in the batch folder either
        (sandbox.src / "outside").mkdir()
        for pid in group.pids:
            (sandbox.src / "outside" / f"{pid}.dat").write_text(f"{TOKEN}-{pid}- neighbour\n", encoding="utf-8")
    for unit in group.units:
        for relative, content in unit.files.items():
            make_file(sandbox.src / relative, content, {})
    monkeypatch.setenv("EXPORTER_REDTEAM_ENVIRON", f"{TOKEN}-environ-")
    args = ["build", str(sandbox.src), "-o", str(sandbox.out), "--format", "json", "-j", "1", "--timeout", "300"]
    if not group.pdf:
        args += ["--to", "html,epub", "--no-page-list"]
    args += list(extra)
    import mimetypes

    import exporter.writers.pdf  # noqa: F401 - the program's own start-up, before recording
    mimetypes.init()
    before = len(loopback.requests)
    stdout = io.StringIO()
    try:
        with AUDIT.recording() as records, redirect_stdout(stdout):
            main(args)
    finally:
        wires.close()
    report = json.loads(stdout.getvalue())
    return {"sandbox": sandbox, "group": group, "records": records, "trips": list(wires.hits),
            "requests": loopback.requests[before:],
            "documents": {Path(d["source"]).name: d for d in report["documents"]}}


def check_group(result: dict) -> list[dict]:
    sandbox, group = result["sandbox"], result["group"]
    findings: list[dict] = []

    def add(pids, what, detail, unit=None):
        for pid in pids or ["?"]:
            findings.append({"pid": pid, "importer": group.importer, "source": unit.name if unit else "",
                             "what": what, "detail": detail})

    for unit in group.units:
        doc = result["documents"].get(unit.name)
        if doc is None:
            add(unit.pids, "not built", "the document is missing from the build report", unit)
            continue
        error = doc.get("error", "") or ""
        if doc["status"] not in ("ok", "failed"):
            add(unit.pids, "crash", f"status {doc['status']!r}: {error[:300]}", unit)
        elif doc["status"] == "failed" and (not error.strip() or "Traceback" in error or "internal error" in error.lower()):
            add(unit.pids, "crash", f"failed without a clear error: {error[:300]}", unit)
        elif doc["status"] == "failed" and unit.must_build:
            add(unit.pids, "refused", f"a sanitizing importer refused the document: {error[:300]}", unit)

    outside = sandbox.outside_reads(result["records"]) + result["trips"]
    for path in outside:
        add(_owner(path) or ["?"], "read outside", path)
    for request in result["requests"]:
        add(re.findall(r"/rt-((?:[a-z0-9]+-)+\d{3})", request) or ["?"], "connection", f"GET {request}")
    for connection in connections(result["records"]):
        add(["?"], "connection", connection)

    outputs = sorted(p for p in sandbox.out.rglob("*") if p.is_file() and not p.name.startswith("."))
    by_stem = {Path(u.name).stem: u for u in group.units}
    for output in outputs:
        unit = by_stem.get(output.stem)
        single = unit.pids[0] if unit and len(unit.pids) == 1 else None
        texts = output_texts(output)
        for text in texts:
            for m in re.finditer(re.escape(TOKEN.encode()) + rb"-([a-z0-9-]+?)-", text):
                add([m.group(1).decode()], "canary in output", output.name, unit)
        if sensitive_hits([output]):
            add([single] if single else ["?"], "system file in output", output.name, unit)
        if output.suffix == ".pdf" and (attached := pdf_attachments(output)):
            add([single] if single else ["?"], "attachment", f"{attached} in {output.name}", unit)
        for pid, problem in unsafe_markup(output, single, unit.images if unit else None):
            add([pid], "unsafe output", problem, unit)
    return findings


def _summary(findings: list[dict]) -> str:
    lines = [f"{f['importer']:8} {f['pid']:28} {f['what']:16} {f['source']}: {f['detail'][:220]}" for f in findings]
    return f"{len(findings)} findings:\n" + "\n".join(lines[:400])


@pytest.mark.slow
@pytest.mark.parametrize("key", group_keys())
def test_external_group(key, tmp_path, loopback, monkeypatch):
    result = build_group(key, tmp_path, loopback, monkeypatch)
    findings = check_group(result)
    count = {w: sum(1 for f in findings if f["what"] == w) for w in
             ("read outside", "connection", "canary in output", "system file in output", "attachment",
              "unsafe output", "crash", "refused", "not built")}
    figures.add("ext_documents", len(result["group"].units))
    figures.add("ext_outside_reads", count["read outside"])
    figures.add("ext_connections", count["connection"])
    figures.add("ext_canary", count["canary in output"] + count["system file in output"])
    figures.add("ext_attachments", count["attachment"])
    figures.add("ext_unsafe", count["unsafe output"])
    documents = {w: len({f["source"] for f in findings if f["what"] in w}) for w in (("crash", "not built"),
                                                                                      ("refused",))}
    figures.add("ext_crashes", documents[("crash", "not built")])
    figures.add("ext_refused", documents[("refused",)])
    if folder := os.environ.get("EXPORTER_REDTEAM_FINDINGS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{key}.json").write_text(json.dumps(findings, indent=1), encoding="utf-8")
    assert not findings, _summary(findings)


def test_the_checks_see_what_they_look_for(tmp_path):
    """The unsafe-output check catches each class it claims to (so its zero means something)."""
    page = tmp_path / "x.html"
    page.write_text(
        "<html><head><title>t</title></head><body><h2>RT[a-001]</h2>"
        "<math><mtext><script>1</script></mtext><script>2</script></math><svg><style>@import url(x.css)</style>"
        '<a href="javascript:1"><text>t</text></a><set attributeName="xlink:href" to="javascript:1"/>'
        '<rect fill="\\75 rl(file:///etc/x)"/></svg><h2>RT[b-002]</h2>'
        '<blockquote cite="file:///etc/passwd"><p>q</p></blockquote><img src="http://127.0.0.1:9/x.png">'
        '<p style="background:u\\72l(//127.0.0.1/x)">s</p><a href=" &#x09;vbscript:x">v</a>'
        '<form action="x"></form><a href="/etc/passwd">p</a></body></html>')
    found = unsafe_markup(page, None)
    text = "\n".join(f"{pid} {problem}" for pid, problem in found)
    for needle in ("a-001 x.html: <script>", "a-001 x.html: <math:script>", "a-001 x.html: <svg:style> outside", "a-001 x.html: <svg:style> @import",
                   "a-001 x.html: 'javascript:1' in href", "a-001 x.html: <svg:set attributeName='xlink:href'>",
                   "a-001 x.html: url(file:///etc/x) in fill", "b-002 x.html: 'file:///etc/passwd' in cite",
                   "b-002 x.html: remote resource", "b-002 x.html: url(//127.0.0.1/x) in style",
                   "b-002 x.html: 'vbscript:x' in href", "b-002 x.html: <form>", "b-002 x.html: local path '/etc/passwd'"):
        assert needle in text, f"{needle!r} not found in:\n{text}"


def test_group_plan_covers_every_importer_and_payload():
    """Every payload of the kinds an importer can take reaches that importer."""
    groups = cached_plan(9, "/x/outside")
    assert {g.importer for g in groups} == set(IMPORTERS)
    payloads = load()
    # (the normal run samples XML prologues and zip names in EPUBs; unpacked books get references)
    kinds = {"svg": {"svg", "path", "url", "event"}, "epubdir": {"path", "url"},
             "epub": {"path", "url", "html", "event"}}
    for importer in IMPORTERS:
        covered = set().union(*(g.pids for g in groups if g.importer == importer))
        wanted = {p.pid for p in payloads if p.kind in kinds.get(importer, {"html", "event", "xml", "path", "url"})}
        missing = wanted - covered
        assert not missing, f"{importer} never sees {sorted(missing)[:10]}"
    assert len({g.key for g in groups}) == len(groups)


def test_findings_name_the_payload_that_leaked(tmp_path, loopback, monkeypatch):
    """Control: with the network allowed, a document that fetches from the loopback server
    gives a finding that names its payload (the zero counts of the groups above are not
    blind spots of the attribution)."""
    def make(port, outside):
        page = (f'<html><body><main><h1>Control</h1><section><h2>RT[control-000]</h2>'
                f'<p><img src="http://127.0.0.1:{port}/rt-control-000/x.png" alt="x"></p></section>'
                f'</main></body></html>')
        return Group("html-control-00", "html", [Unit("control.html", {"control.html": page},
                                                      ["control-000"], True, "html")], False)

    result = build_group("html-control-00", tmp_path, loopback, monkeypatch, make,
                         ["--allow-network", "127.0.0.1"])
    findings = check_group(result)
    assert result["documents"]["control.html"]["status"] == "ok", result["documents"]
    assert any(f["pid"] == "control-000" and f["what"] == "connection" for f in findings), findings

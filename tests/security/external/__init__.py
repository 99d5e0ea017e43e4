"""Attack material the project did not write, turned into sources for every importer.

``data/*.json`` hold published payloads, verbatim, one file per source file (see
``MANIFEST.md`` for where each comes from and its licence). Each file has a ``kind``:

* ``html`` — a markup fragment (sanitizer bypasses, mXSS, MathML/SVG namespace
  confusion, CSS injection);
* ``event`` — an event-handler attribute name, put on HTML, SVG and MathML elements;
* ``xml`` — an XML document or DTD fragment (XXE, parameter entities, XInclude, XSLT);
* ``path`` — a file reference (``../``, ``%2e%2e``, backslashes, absolute, ``{FILE}``);
* ``url`` — an SSRF URL;
* ``svg`` — a whole SVG image;
* ``zip`` — an archive entry name (``name -> target`` is a symbolic link).

Before use every payload is **rewritten so that it can only reach the test's own
instruments**: hosts and ports become the loopback server (``127.0.0.1:PORT`` or the
payload's own spelling of a loopback address), with ``/rt-<id>`` at the start of the
path so a request names its payload; ``/etc/passwd`` and friends become a canary file
named after the payload (``outside/<id>.dat``, also one level up for each ``../``);
``/dev/random`` and local DTDs become FIFO tripwires. :func:`outside_hosts` checks the
result: a rewritten payload that still names another host is a bug in this module.

The builders return ``{relative path: bytes}`` for a source folder; every payload sits
in its own section headed ``RT[<id>]`` (or its own document), so findings in outputs
name the payload they come from.
"""

from __future__ import annotations

import functools
import html as htmlmod
import ipaddress
import json
import re
import socket
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..harness import Symlink, zip_bytes

DATA = Path(__file__).resolve().parent / "data"
XHTML = "http://www.w3.org/1999/xhtml"
SVG = "http://www.w3.org/2000/svg"
MATHML = "http://www.w3.org/1998/Math/MathML"
XLINK = "http://www.w3.org/1999/xlink"

#: namespace names that are not addresses (left as they are)
NAMESPACES = ("www.w3.org/1999/xhtml", "www.w3.org/2000/svg", "www.w3.org/1998/Math/MathML",
              "www.w3.org/1999/xlink", "www.w3.org/XML/1998/namespace", "www.w3.org/1999/XSL/Transform",
              "www.w3.org/2001/XInclude", "www.w3.org/2001/xml-events", "www.w3.org/2001/XMLSchema-instance",
              "www.w3.org/TR/WD-xsl", "www.w3.org/2000/xmlns/")


@dataclass(frozen=True)
class Payload:
    pid: str      # e.g. "dompurify-012"
    project: str  # e.g. "cure53/DOMPurify"
    kind: str
    text: str     # verbatim, as published


def load() -> list[Payload]:
    payloads = []
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        stem = path.stem.replace("_", "-")
        for i, text in enumerate(data["payloads"]):
            payloads.append(Payload(f"{stem}-{i:03d}", data["project"], data["kind"], text))
    return payloads


def projects(payloads) -> set[str]:
    return {p.project for p in payloads}


# -- rewriting: every address to the loopback server, every file to a canary ------------------

_AUTH = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*:)?//(?P<auth>[A-Za-z0-9._~%:@\[\]\u2460-\u24ff+\-]*)")
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])(:\d+)?")
_HOST = re.compile(r"^[A-Za-z0-9._~%\-\u2460-\u24ff]+$")
_INERT_SCHEMES = {"data:", "javascript:", "vbscript:", "mailto:", "about:", "urn:", "blob:"}


def is_loopback(host: str) -> bool:
    h = host.strip("[]").lower()
    if h == "localhost":
        return True
    if ":" in h:
        try:
            ip = ipaddress.ip_address(h.split("%")[0])
        except ValueError:
            return False
        mapped = getattr(ip, "ipv4_mapped", None)
        return ip.is_loopback or ip.is_unspecified or bool(mapped and mapped.packed[0] in (0, 127))
    try:
        packed = socket.inet_aton(h)  # also 127.1, 2130706433, 0177.0.0.1, 0x7f.1
    except (OSError, ValueError):
        return False
    return packed[0] in (0, 127)


def _inside_path(match: re.Match) -> bool:
    """``//`` that continues a path (``file:////dev/x``), not the start of an authority."""
    return not match.group("scheme") and match.start() > 0 and match.string[match.start() - 1] in "/:"


def _rewrite_url(match: re.Match, pid: str, port: int) -> str:
    scheme, auth = match.group("scheme") or "", match.group("auth")
    whole = match.group(0)
    if _inside_path(match) or scheme.lower() in _INERT_SCHEMES:
        return whole
    if any(whole.split("//", 1)[1].startswith(ns) for ns in NAMESPACES):
        return whole
    userinfo, at, hostport = auth.rpartition("@")
    userinfo += at
    if hostport.startswith("["):
        host = hostport.partition("]")[0] + "]"
    elif hostport.count(":") > 1:  # an IPv6 address without brackets
        host = ""
    else:
        host = hostport.split(":", 1)[0]
    if not scheme and not (host and (_HOST.match(host.strip("[]")) or host.startswith("["))):
        return whole  # "//" in a comment or a regular expression, not an address
    if scheme.lower() == "file:":
        return f"{scheme}//{userinfo}localhost" if host else whole
    if host and is_loopback(host) and hostport == f"{host}:{port}":
        return whole  # rewritten already
    if not host or not is_loopback(host):
        host = "127.0.0.1"
    return f"{scheme}//{userinfo}{host}:{port}/rt-{pid}"


_SENSITIVE = r"(?:etc[/\\](?:passwd|shadow|hosts|issue|hostname)|sys/power/image_size|root/secret\.txt)"


def rewrite(text: str, pid: str, port: int, out: str) -> str:
    """``text`` with every address pointed at the loopback server and every sensitive file
    at this payload's canary (see the module documentation)."""
    for _ in range(3):  # "http://http://host": the second address shows after the first is rewritten
        text = _AUTH.sub(lambda m: _rewrite_url(m, pid, port), text)
    text = _IPV4.sub(lambda m: (m.group(1) if is_loopback(m.group(1)) else "127.0.0.1")
                     + (f":{port}" if m.group(2) else ""), text)
    text = re.sub(r"(?<=\.\./)" + _SENSITIVE, f"outside/{pid}.dat", text)
    text = re.sub(r"(?<=\.\.\\)" + _SENSITIVE, f"outside\\\\{pid}.dat", text)
    text = re.sub("/" + _SENSITIVE, f"{out}/{pid}.dat", text)
    text = text.replace("/dev/random", f"{out}/trip-ext.fifo")
    text = re.sub(r"/usr/share/xml/\S+?\.dtd", f"{out}/trip-dtd.fifo", text)
    return text.replace("{FILE}", f"outside/{pid}.dat")


def outside_hosts(text: str) -> list[str]:
    """Hosts in ``text`` that are not loopback addresses (must be none after rewriting)."""
    found = []
    for m in _AUTH.finditer(text):
        scheme = (m.group("scheme") or "").lower()
        if _inside_path(m) or scheme in _INERT_SCHEMES or scheme == "file:":
            continue
        if any(m.group(0).split("//", 1)[1].startswith(ns) for ns in NAMESPACES):
            continue
        hostport = m.group("auth").rpartition("@")[2]
        host = hostport.partition("]")[0] + "]" if hostport.startswith("[") else hostport.split(":", 1)[0]
        if host and (_HOST.match(host.strip("[]")) or host.startswith("[")) and not is_loopback(host):
            found.append(host)
    found += [m.group(1) for m in _IPV4.finditer(text) if not is_loopback(m.group(1))]
    return found


# -- HTML payloads as XML (for the XML importers) -----------------------------------------------

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(text: str | None) -> str | None:
    return None if text is None else _ILLEGAL.sub("", text)


@functools.lru_cache(maxsize=4096)
def parse_html(text: str) -> ET.Element:
    """The tree an HTML5 parser builds for ``text`` in a page's body (cached: read only)."""
    import tinyhtml5

    return tinyhtml5.parse("<!DOCTYPE html><html><head></head><body>" + text)


def _copy(source: ET.Element, parent: etree._Element, *, no_html_ns: bool) -> None:
    """Append a copy of ``source`` (tinyhtml5's tree) to ``parent`` (lxml), dropping what
    XML cannot carry: invalid names (their content is kept), illegal characters."""
    if not isinstance(source.tag, str):  # a comment or processing instruction
        if source.tag is ET.Comment:
            text = _clean(source.text) or ""
            while "--" in text:
                text = text.replace("--", "- -")
            text = text.rstrip("-")
            parent.append(etree.Comment(text))
            parent[-1].tail = _clean(source.tail)
        return
    ns, _, local = source.tag[1:].partition("}") if source.tag.startswith("{") else ("", "", source.tag)
    if not _NAME.match(local):
        _append_text(parent, _clean(source.text))
        for child in source:
            _copy(child, parent, no_html_ns=no_html_ns)
        _append_text(parent, _clean(source.tail))
        return
    if no_html_ns and ns == XHTML:
        ns = ""
    tag = f"{{{ns}}}{local}" if ns else local
    nsmap = {None: ns} if ns and ns != (etree.QName(parent).namespace or "") else None
    element = etree.SubElement(parent, tag, nsmap=nsmap)
    for name, value in source.attrib.items():
        ans, _, alocal = name[1:].partition("}") if name.startswith("{") else ("", "", name)
        if (not _NAME.match(alocal) or alocal == "xmlns" or ans == "http://www.w3.org/2000/xmlns/"
                or (ans and ans not in (XLINK, "http://www.w3.org/XML/1998/namespace"))):
            continue
        try:
            element.set(f"{{{ans}}}{alocal}" if ans else alocal, _clean(value))
        except ValueError:
            continue
    element.text = _clean(source.text)
    for child in source:
        _copy(child, element, no_html_ns=no_html_ns)
    element.tail = _clean(source.tail)


def _append_text(parent: etree._Element, text: str | None) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


@functools.lru_cache(maxsize=8192)
def xml_section(pid: str, text: str, *, jats: bool = False) -> str:
    """The HTML payload, repaired by an HTML5 parser, as a well-formed section:
    ``<section><h2>RT[pid]</h2>…</section>`` (JATS: ``<sec><title>…``, HTML elements
    without a namespace, MathML and SVG in theirs)."""
    body = parse_html(text).find(f"{{{XHTML}}}body")
    if jats:
        section = etree.Element("sec", nsmap={"xlink": XLINK, "mml": MATHML})
        etree.SubElement(section, "title").text = f"RT[{pid}]"
        holder = etree.SubElement(section, "p")
    else:
        section = etree.Element(f"{{{XHTML}}}section", nsmap={None: XHTML, "xlink": XLINK})
        etree.SubElement(section, f"{{{XHTML}}}h2").text = f"RT[{pid}]"
        holder = etree.SubElement(section, f"{{{XHTML}}}div")
    holder.text = _clean(body.text)
    for child in body:
        _copy(child, holder, no_html_ns=jats)
    return etree.tostring(section, encoding="unicode")


def svg_images(text: str) -> list[str]:
    """Every top-level ``<svg>`` of an HTML payload, as a standalone SVG document."""
    images = []
    for element in parse_html(text).iter(f"{{{SVG}}}svg"):
        holder = etree.Element("holder")
        _copy(element, holder, no_html_ns=False)
        if len(holder):
            svg = holder[0]
            svg.tail = None
            images.append(etree.tostring(svg, encoding="unicode"))
    return images


# -- payloads of each kind as markup -------------------------------------------------------------

def event_markup(name: str) -> str:
    """An event-handler attribute on HTML, SVG and MathML elements."""
    return (f'<p {name}="alert(1)">{name}</p><img src="x.png" alt="x" {name}="alert(1)">'
            f'<svg><rect width="1" height="1" {name}="alert(1)"/><a href="#x" {name}="alert(1)"><text>x</text></a></svg>'
            f'<math {name}="alert(1)"><mi {name}="alert(1)">x</mi></math>')


def reference_markup(ref: str) -> str:
    """A path or URL payload in every HTML place that names a resource or a link."""
    a = htmlmod.escape(ref, quote=True)
    return (f'<p><img src="{a}" alt="picture"></p><p><a href="{a}">link</a></p>'
            f'<blockquote cite="{a}"><p>quote</p></blockquote>'
            f'<figure><img src="{a}" alt="figure"><figcaption>caption</figcaption></figure>')


def reference_svg_inner(ref: str) -> str:
    """A path or URL payload in every SVG place that names a resource or a link."""
    a = htmlmod.escape(ref, quote=True)
    c = ref.replace("\\", "\\\\").replace('"', '\\"')
    return (f'<style>@import url("{c}"); rect {{ fill: url("{c}#g") }}</style>'
            f'<image href="{a}" width="5" height="5"/><image xlink:href="{a}" width="5" height="5"/>'
            f'<use href="{a}#a"/><rect width="10" height="10" style="fill:url(&quot;{a}#g&quot;)"/>'
            f'<a xlink:href="{a}"><text y="9">x</text></a>')


def svg_document(inner: str) -> str:
    return f'<svg xmlns="{SVG}" xmlns:xlink="{XLINK}" width="40" height="20">{inner}<rect width="1" height="1"/></svg>'


def reference_svg(ref: str) -> str:
    return svg_document(reference_svg_inner(ref))


def event_svg_inner(name: str) -> str:
    return f'<rect width="10" height="10" {name}="alert(1)"/><a href="#x" {name}="alert(1)"><text y="9">x</text></a>'


#: after each payload in a tag-soup document: ends whatever it left open (raw text, comments,
#: foreign content, formatting elements), so that the next payload starts afresh
TRAILER = ("<!-- --></script></style></textarea></title></xmp></noscript></noembed></noframes></iframe>"
           "</template></option></select></svg></math></a></b></i></u></s></em></strong></small></big>"
           "</font></nobr></code></tt></strike></label></button></form></table></p>")


# -- documents, importer by importer -----------------------------------------------------------

def model_document(sections: str, head: str = "", prolog: str = "") -> str:
    return (f'{prolog}<html xmlns="{XHTML}" lang="en">\n<head><title>External payloads</title>{head}</head>\n'
            f"<body><article>\n<p>Text before.</p>\n{sections}\n</article></body></html>\n")


def page_document(sections: str, prolog: str = "") -> str:
    return (f'{prolog}<html xmlns="{XHTML}" xmlns:xlink="{XLINK}" lang="en">\n<head><title>External page</title></head>\n'
            f"<body>\n<h1>External page</h1>\n<div>{sections}</div>\n<div><p>After.</p></div>\n</body></html>\n")


def html_document(sections: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>External web page</title></head>\n"
            f"<body><main>\n<h1>External web page</h1>\n{sections}\n</main></body></html>\n")


def jats_document(sections: str, prolog: str = "", front_extra: str = "") -> str:
    return (f'{prolog}<article xmlns:xlink="{XLINK}" xmlns:mml="{MATHML}" article-type="research-article" xml:lang="en">\n'
            "<front><article-meta><title-group><article-title>External payloads</article-title></title-group>"
            f"{front_extra}</article-meta></front>\n<body>\n{sections}\n</body></article>\n")


def chapter(body: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>\n') -> str:
    return (f'{prolog}<html xmlns="{XHTML}" xmlns:epub="http://www.idpf.org/2007/ops" xmlns:xlink="{XLINK}" '
            f'xml:lang="en"><head><title>Chapter</title></head><body><section epub:type="chapter">{body}'
            "</section></body></html>\n")


def epub_files(chapters: list[tuple[str, str | bytes]], extra_items: list[tuple[str, str]] = (),
               files: dict | None = None, rootfile: str = "OEBPS/book.opf") -> dict:
    """An EPUB's files: ``chapters`` (name under OEBPS/, content) in the spine, plus
    manifest items (href, media type) that name whatever the attack needs."""
    items = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>']
    spine = []
    for i, (name, _content) in enumerate(chapters):
        items.append(f'<item id="c{i}" href="{htmlmod.escape(name)}" media-type="application/xhtml+xml"/>')
        spine.append(f'<itemref idref="c{i}"/>')
    for i, (href, media) in enumerate(extra_items):
        items.append(f'<item id="x{i}" href="{htmlmod.escape(href, quote=True)}" media-type="{media}"/>')
    opf = ('<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
           'unique-identifier="uid" xml:lang="en"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
           '<dc:identifier id="uid">urn:uuid:00000000-0000-4000-8000-000000000000</dc:identifier>'
           '<dc:title>External payloads</dc:title><dc:language>en</dc:language>'
           '<meta property="dcterms:modified">2024-01-01T00:00:00Z</meta></metadata>'
           f'<manifest>{"".join(items)}</manifest><spine>{"".join(spine)}</spine></package>')
    first = htmlmod.escape(chapters[0][0] if chapters else "nav.xhtml")
    nav = chapter(f'<nav epub:type="toc"><ol><li><a href="{first}">Start</a></li></ol></nav>')
    out = {"mimetype": "application/epub+zip",
           "META-INF/container.xml": '<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:'
                                     f'container" version="1.0"><rootfiles><rootfile full-path="{htmlmod.escape(rootfile, quote=True)}" '
                                     'media-type="application/oebps-package+xml"/></rootfiles></container>',
           "OEBPS/book.opf": opf, "OEBPS/nav.xhtml": nav}
    for name, content in chapters:
        out["OEBPS/" + name] = content
    out.update(files or {})
    return out


def epub_archive(files: dict, extra: list | None = None) -> bytes:
    entries = list(files.items()) + list(extra or [])
    return zip_bytes(entries, stored=False)


def zip_entry(name: str) -> tuple[str, object]:
    """A ``zip`` payload as an archive entry: ``name -> target`` is a symbolic link."""
    if " -> " in name:
        link, target = name.split(" -> ", 1)
        return link, Symlink(target)
    return name, b"zip slip\n"


# -- where the prologue of an XML payload ends ---------------------------------------------------

_PROLOG = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<\?[^>]*\?>\s*)*"
                     r"(?:<!DOCTYPE\s+[^\s\[>]+(?:\s+(?:SYSTEM|PUBLIC)(?:\s+(?:\"[^\"]*\"|'[^']*'))+)?\s*"
                     r"(?:\[.*?\]\s*)?>)?", re.DOTALL)


def split_prolog(text: str) -> tuple[str, str]:
    """(prologue, rest) of an XML payload; DTD fragments without a DOCTYPE get one."""
    if text.lstrip().startswith(("<!ENTITY", "<!-- Load")) or re.match(r"\s*<!ENTITY", text):
        return f"<!DOCTYPE html [\n{text}\n]>\n", ""
    match = _PROLOG.match(text)
    prolog = match.group(0) if match else ""
    return prolog, text[len(prolog):]


def has_prolog(text: str) -> bool:
    return bool(re.search(r"<!DOCTYPE|<!ENTITY|<\?xml", text))


def set_root(prolog: str, root: str) -> str:
    """The prologue with its DOCTYPE naming ``root`` (the payload's internal subset kept)."""
    return re.sub(r"<!DOCTYPE\s+[^\s\[>]+", f"<!DOCTYPE {root}", prolog, count=1)

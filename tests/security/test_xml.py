"""XXE, external DTDs, parameter entities, billion laughs, XInclude and XSLT, through
every XML entry point exporter has: refused in well under a second with file:line,
and nothing outside read (FIFO tripwires catch libxml2's own opens)."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest
from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.model.file import is_model_document
from exporter.pipeline import load
from exporter.safety.fetch import ConfinedFetcher, FetchRefused
from exporter.safety.xml import make_parser, parse_xml, xslt

from . import figures
from .harness import ROOT, Loopback, Tripwires

BODY = '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>t</title></head>\n<body><article><p>{}</p></article></body></html>'


def payloads(trip: Path, port: int) -> dict[str, tuple[str, str]]:
    """name -> (prolog, body text); every external target is a tripwire FIFO or the loopback server."""
    laughs = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(9))
    return {
        "xxe-file": (f'<!DOCTYPE html [<!ENTITY x SYSTEM "file://{trip}/a.fifo">]>', "&x;"),
        "xxe-path": (f'<!DOCTYPE html [<!ENTITY x SYSTEM "{trip}/b.fifo">]>', "&x;"),
        "xxe-http": (f'<!DOCTYPE html [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/xxe">]>', "&x;"),
        "xxe-public": (f'<!DOCTYPE html [<!ENTITY x PUBLIC "-//A//B" "{trip}/c.fifo">]>', "&x;"),
        "pe": (f'<!DOCTYPE html [<!ENTITY % p SYSTEM "{trip}/d.fifo"> %p;]>', "x"),
        "pe-http": (f'<!DOCTYPE html [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/pe"> %p;]>', "x"),
        "dtd-file": (f'<!DOCTYPE html SYSTEM "{trip}/e.fifo">', "&nbsp;"),
        "dtd-http": (f'<!DOCTYPE html SYSTEM "http://127.0.0.1:{port}/dtd">', "&nbsp;"),
        "laughs": (f"<!DOCTYPE html [{laughs}]>", "&j;"),
        "quadratic": ('<!DOCTYPE html [<!ENTITY a "' + "x" * 100000 + '">]>', "&a;" * 20000),
        "internal": ('<!DOCTYPE html [<!ENTITY x "harmless">]>', "&x;"),
        "undefined": ("", "&nbsp;"),
        "xinclude": ("", f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{trip}/f.fifo" '
                         'parse="text"/>'),
        "stylesheet-pi": (f'<?xml-stylesheet type="text/xsl" href="{trip}/g.fifo"?>', "x"),
    }


# payloads a model document may still be made of (nothing loaded, nothing declared)
ACCEPTED_BY_PARSER = {"xinclude", "stylesheet-pi"}
FIFOS = ["a.fifo", "b.fifo", "c.fifo", "d.fifo", "e.fifo", "f.fifo", "g.fifo"]


@pytest.fixture
def trap(tmp_path):
    server = Loopback()
    wires = Tripwires(tmp_path, FIFOS)
    yield tmp_path, server
    wires.close()
    server.close()
    assert wires.hits == [], f"libxml2 opened {wires.hits}"
    assert server.requests == [], f"requests made: {server.requests}"


def _timed(function, *args):
    started = time.monotonic()
    try:
        return function(*args), time.monotonic() - started
    except Exception as error:
        return error, time.monotonic() - started


def test_parse_xml_refuses_with_line(trap):
    folder, server = trap
    slowest = 0.0
    for name, (prolog, body) in payloads(folder, server.port).items():
        data = (prolog + "\n" + BODY.format(body)).encode()
        result, seconds = _timed(parse_xml, data, "doc.xhtml")
        slowest = max(slowest, seconds)
        if name in ACCEPTED_BY_PARSER:  # harmless to the parser; the model refuses <xi:include>
            assert isinstance(result, etree._ElementTree), name
            continue
        assert isinstance(result, SourceError), f"{name} accepted"
        assert result.file == "doc.xhtml" and result.line is not None and result.line >= 1, name
    figures.peak("slowest XML refusal by the parser (s)", slowest)
    assert slowest < 1.0


def test_model_importer_refuses_with_file_and_line(trap, tmp_path):
    folder, server = trap
    for name, (prolog, body) in payloads(folder, server.port).items():
        source = tmp_path / f"{name}.xhtml"
        source.write_bytes((prolog + "\n" + BODY.format(body)).encode())
        result, seconds = _timed(load, source)
        figures.add("attacks")
        figures.add("xml")
        figures.peak("slowest XML refusal through the model importer (s)", seconds)
        if name == "stylesheet-pi":  # the instruction is dropped unread; the article is fine
            assert result.text_blocks() == ["x"]
            continue
        assert isinstance(result, SourceError), f"{name} accepted"
        assert result.file == str(source) and result.line, f"{name}: {result}"
        assert seconds < 1.0, name
        figures.add("xml_refused")


def test_sniffing_loads_nothing(trap):
    folder, server = trap
    for prolog, body in payloads(folder, server.port).values():
        is_model_document((prolog + "\n" + BODY.format(body)).encode())


def test_svg_images_refuse_xml_attacks(trap, tmp_path):
    folder, server = trap
    root = tmp_path / "src"
    root.mkdir()
    fetcher = ConfinedFetcher([root], Diagnostics(), source="a.txt")
    for name, (prolog, body) in payloads(folder, server.port).items():
        prolog = prolog.replace("DOCTYPE html", "DOCTYPE svg")
        svg = f'{prolog}\n<svg xmlns="http://www.w3.org/2000/svg"><text>{body}</text></svg>'
        (root / f"{name}.svg").write_text(svg)
        figures.add("attacks")
        try:
            fetched = fetcher.get((root / f"{name}.svg").as_uri())
        except FetchRefused:
            continue
        assert name in ("xinclude", "stylesheet-pi"), f"{name} accepted"
        assert b"<!DOCTYPE" not in fetched.data and b"xi:include" not in fetched.data
    assert set(fetcher.diagnostics.codes()) == {"R010", "R009"}


def test_parser_options_stay_hardened():
    parser = make_parser()
    document = b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    root = etree.fromstring(document, parser)
    assert root.text is None and len(root) == 1  # the entity is kept, never expanded
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(b"<a>" + b"<b>" * 300 + b"</b>" * 300 + b"</a>", parser)  # no huge_tree


def test_xslt_can_read_nothing(tmp_path):
    (tmp_path / "secret.xml").write_text("<s>secret</s>")
    sheet = parse_xml(f'''<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
      <xsl:template match="/"><out><xsl:copy-of select="document('{tmp_path}/secret.xml')"/></out></xsl:template>
    </xsl:stylesheet>'''.encode(), "sheet.xsl")
    transform = xslt(sheet)
    with pytest.raises(etree.XSLTApplyError):
        transform(etree.fromstring(b"<a/>"))
    figures.add("attacks")


PARSE_CALLS = {"fromstring", "parse", "XML", "iterparse", "XMLParser", "XSLT", "HTMLParser", "XMLPullParser"}
FORBIDDEN_MODULES = ("xml.etree", "xml.dom", "xml.sax", "lxml.objectify", "defusedxml")
#: (module, import) pairs allowed, each with its reason
ALLOWED_IMPORTS = {
    ("pdf.py", "xml.etree.ElementTree"): "edits the XMP packet WeasyPrint generated itself, never input",
}


def test_every_xml_parse_goes_through_xmlparse():
    """Outside exporter/safety/xml.py, no module builds a parser or parses XML without a
    parser from make_parser() (or imports the standard library's XML parsers)."""
    offenders = []
    for path in sorted((ROOT / "exporter").rglob("*.py")):
        if path == ROOT / "exporter" / "safety" / "xml.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # imports for type annotations only (``if TYPE_CHECKING:``) never run
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                       for n in ast.walk(block)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in typing_only:
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                offenders += [f"{path.name}: imports {n}" for n in names if n.startswith(FORBIDDEN_MODULES)
                              and (path.name, n) not in ALLOWED_IMPORTS]
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in PARSE_CALLS and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id == "etree":
                has_parser = len(node.args) >= 2 or any(k.arg == "parser" for k in node.keywords)
                if node.func.attr in ("XMLParser", "XSLT", "HTMLParser", "XMLPullParser") or not has_parser:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: etree.{node.func.attr}(…)")
    assert not offenders, "\n".join(offenders)

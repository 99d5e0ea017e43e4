"""HTML as browsers read it: the declared encoding, then the WHATWG HTML5 tree.

:func:`decode_html` finds the encoding the way browsers do (byte-order mark, then a
``<meta charset>`` / ``http-equiv`` declaration or an XML declaration near the top,
else UTF-8) and maps the label to the codec browsers actually use (``Shift_JIS`` is
Windows-31J, ``ISO-8859-1`` is Windows-1252, ``GB2312`` is GB18030 …).

:func:`parse_html` builds the tree with tinyhtml5 (WeasyPrint's own HTML5 parser, so
tag soup is repaired exactly as the spec says) and returns it as lxml elements whose
``sourceline`` is the line of the start tag in the source, so diagnostics can point
at the line. HTML elements carry no namespace; MathML and SVG keep theirs. Comments
are kept (as lxml comments) for importers that use them as markers.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path

from lxml import etree
from tinyhtml5 import parser as h5parser
from tinyhtml5.treebuilder import TreeBuilder

from exporter.diagnostics import Diagnostics
from exporter.safety.xml import XML_ILLEGAL

__all__ = ["decode_html", "parse_html", "codec_for", "declared_encoding"]

#: WHATWG encoding labels -> the Python codec that decodes like a browser does
_LABELS = {
    "utf-8": "utf-8", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "ms_kanji": "cp932", "x-sjis": "cp932",
    "windows-31j": "cp932", "csshiftjis": "cp932", "ms932": "cp932", "cp932": "cp932",
    "euc-jp": "euc_jis_2004", "x-euc-jp": "euc_jis_2004", "cseucpkdfmtjapanese": "euc_jis_2004",
    "iso-2022-jp": "iso2022_jp_ext", "csiso2022jp": "iso2022_jp_ext",
    "gb2312": "gb18030", "gbk": "gb18030", "chinese": "gb18030", "x-gbk": "gb18030", "csgb2312": "gb18030",
    "gb_2312-80": "gb18030", "iso-ir-58": "gb18030", "gb18030": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cn-big5": "big5hkscs", "x-x-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "windows-949": "cp949", "cseuckr": "cp949",
    "iso-ir-149": "cp949", "korean": "cp949",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso8859-1": "cp1252", "iso_8859-1": "cp1252", "windows-1252": "cp1252", "cp1252": "cp1252",
    "x-cp1252": "cp1252", "cp819": "cp1252", "ibm819": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254", "windows-1254": "cp1254",
    "iso-8859-11": "cp874", "tis-620": "cp874", "windows-874": "cp874",
    "koi8-r": "koi8_r", "koi8": "koi8_r", "koi8-u": "koi8_u", "koi8-ru": "koi8_u",
    "macintosh": "mac_roman", "mac": "mac_roman", "x-mac-roman": "mac_roman",
    "utf-16": "utf-16", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
_ILLEGAL = re.compile(XML_ILLEGAL)
_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
#: prefixed attribute names that HTML parsing keeps as plain names (XHTML read as HTML)
_PREFIXED = {"xml:lang": "{http://www.w3.org/XML/1998/namespace}lang",
             "epub:type": "{http://www.idpf.org/2007/ops}type"}


def codec_for(label: str) -> str | None:
    """The Python codec for an encoding label, or None when the label is unknown."""
    label = label.strip().lower()
    if label in _LABELS:
        return _LABELS[label]
    if label.startswith("windows-125") and label[-1].isdigit():
        return "cp125" + label[-1]
    if label.startswith("iso-8859-"):
        return "iso8859_" + label.rsplit("-", 1)[-1]
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_encoding(data: bytes) -> str | None:
    """The encoding label a document declares near its top (meta or XML declaration)."""
    head = data[:8192]
    match = _META_CHARSET.search(head) or _XML_DECL.search(head)
    return match.group(1).decode("ascii") if match else None


def decode_html(data: bytes, path: Path, diagnostics: Diagnostics) -> str:
    """The document's text, decoded like a browser decodes it (see the module docs)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    label = declared_encoding(data)
    codec = codec_for(label) if label else None
    if label and codec is None:
        diagnostics.add("S028", f"unknown encoding '{label}'; read as UTF-8", file=path,
                        hint="declare a standard encoding such as UTF-8 or Shift_JIS")
    if codec in ("utf-16", "utf-16-le", "utf-16-be"):  # a declaration inside ASCII bytes cannot be UTF-16
        codec = "utf-8"
    codec = codec or "utf-8"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        if label is None:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="replace")
            diagnostics.add("S006", "the page declares no encoding and is not UTF-8; read as Windows-1252",
                            file=path, line=line, hint="declare the encoding with <meta charset=\"…\">")
            return text
        diagnostics.add("S028", f"bytes that are not valid {label} were replaced with U+FFFD",
                        file=path, line=line, hint="check the file's encoding declaration")
        return data.decode(codec, errors="replace")


class _Builder(TreeBuilder):
    """tinyhtml5's tree builder, remembering the source line of every element."""

    def __init__(self, lines: dict, position) -> None:
        super().__init__(namespace_html_elements=False)
        self.lines = lines
        self.position = position

    def create_element(self, token):
        element = super().create_element(token)
        self.lines.setdefault(element._element, self.position())
        return element

    def insert_comment(self, token, parent):
        super().insert_comment(token, parent)
        if parent is not None and parent.children:
            self.lines.setdefault(parent.children[-1]._element, self.position())

    def insert_element_normal(self, token):
        element = super().insert_element_normal(token)
        self.lines.setdefault(element._element, self.position())
        return element


class _Parser(h5parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(namespace_html_elements=False)
        self.lines: dict = {}
        self.tree = _Builder(self.lines, lambda: self.tokenizer.stream.position()[0])
        self.phases = {name: cls(self, self.tree) for name, cls in h5parser._phases.items()}


def parse_html(text: str, *, fragment: bool = False) -> etree._Element:
    """Parse HTML text into an lxml tree (``<html>`` root, or a ``<div>`` for fragments).

    ``text`` must already be free of XML-illegal characters (see ``_common.clean_text``).
    It is handed to tinyhtml5 as a stream: given a short string that names an existing
    file, tinyhtml5 would read that file instead (a page holding only ``/etc/passwd``).
    """
    parser = _Parser()
    if not fragment:
        return _to_lxml(parser.parse(io.StringIO(text)), parser.lines, None)
    root = parser.parse_fragment(io.StringIO(text), container="div")
    holder = etree.Element("div")
    holder.text = _clean(root.text)
    for child in root:
        _to_lxml(child, parser.lines, holder)
    return holder


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return _ILLEGAL.sub("", value) if _ILLEGAL.search(value) else value


def _safe_name(name: str) -> str:
    """A name lxml accepts: a namespaced name keeps its namespace, and both local names
    are made valid XML names (``svg`` holding ``xsl:stylesheet`` becomes ``x-xsl_stylesheet``)."""
    if name.startswith("{") and "}" in name:
        namespace, local = name[1:].split("}", 1)
        return "{" + namespace + "}" + _safe_local(local)
    return _safe_local(name)


def _safe_local(name: str) -> str:
    return name if _NAME.match(name) else "x-" + re.sub(r"[^\w.-]", "_", name).lstrip("_.-0123456789") or "x-unknown"


def _comment_text(text: str) -> str:
    """Text an XML comment may hold: no ``--`` anywhere (however many dashes run
    together), no ``-`` at the end."""
    return re.sub(r"-(?=-)", "- ", text).rstrip("-")


def _to_lxml(source, lines: dict, parent: etree._Element | None) -> etree._Element:
    tag = source.tag
    if not isinstance(tag, str):  # an ElementTree comment (its tag is the Comment factory)
        element = etree.Comment(_comment_text(source.text or ""))
    else:
        element = etree.Element(_safe_name(tag)) if parent is None else etree.SubElement(parent, _safe_name(tag))
        for name, value in source.attrib.items():
            name = _PREFIXED.get(name, name)
            if name == "xmlns" or not (name.startswith("{") or _NAME.match(name)):
                continue
            try:
                element.set(name, _clean(value))
            except ValueError:
                continue
    if parent is not None and not isinstance(tag, str):
        parent.append(element)
    line = lines.get(source)
    if line is None and parent is not None:
        line = parent.sourceline
    if line:
        element.sourceline = line
    element.text = _clean(source.text)
    for child in source:
        _to_lxml(child, lines, element)
    element.tail = _clean(source.tail)
    return element

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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from tinyhtml5 import parser as h5parser
from tinyhtml5.treebuilder import TreeBuilder

from exporter.diagnostics import Diagnostics
from exporter.importers.decoding import codec_for, decode_detected, decode_text, refuse_binary
from exporter.safety.xml import XML_ILLEGAL

if TYPE_CHECKING:
    from xml.etree import ElementTree

__all__ = ["decode_html", "parse_html", "codec_for", "declared_encoding"]

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
_ILLEGAL = re.compile(XML_ILLEGAL)
_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
#: prefixed attribute names that HTML parsing keeps as plain names (XHTML read as HTML)
_PREFIXED = {"xml:lang": "{http://www.w3.org/XML/1998/namespace}lang",
             "epub:type": "{http://www.idpf.org/2007/ops}type"}


def declared_encoding(data: bytes) -> str | None:
    """The encoding label a document declares near its top (meta or XML declaration)."""
    head = data[:8192]
    match = _META_CHARSET.search(head) or _XML_DECL.search(head)
    return match.group(1).decode("ascii") if match else None


def decode_html(data: bytes, path: Path, diagnostics: Diagnostics, encoding: str | None = None) -> str:
    """The document's text, decoded like a browser decodes it (see the module docs); binary
    data is refused, ``encoding`` (named by the user) wins over what the page declares."""
    refuse_binary(data, path)
    if encoding:
        return decode_text(data, path, diagnostics, encoding)
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
            return decode_detected(data, path, diagnostics, line)
        diagnostics.add("S028", f"bytes that are not valid {label} were replaced with U+FFFD",
                        file=path, line=line, hint="check the file's encoding declaration")
        return data.decode(codec, errors="replace")


class _Builder(TreeBuilder):  # type: ignore[misc]  # tinyhtml5's classes are untyped (Any)
    """tinyhtml5's tree builder, remembering the source line of every element."""

    def __init__(self, lines: dict[ElementTree.Element, int], position: Callable[[], int]) -> None:
        super().__init__(namespace_html_elements=False)
        self.lines = lines
        self.position = position

    def create_element(self, token: dict[str, Any]) -> Any:
        element = super().create_element(token)
        self.lines.setdefault(element._element, self.position())
        return element

    def insert_comment(self, token: dict[str, Any], parent: Any) -> None:
        super().insert_comment(token, parent)
        if parent is not None and parent.children:
            self.lines.setdefault(parent.children[-1]._element, self.position())

    def insert_element_normal(self, token: dict[str, Any]) -> Any:
        element = super().insert_element_normal(token)
        self.lines.setdefault(element._element, self.position())
        return element


class _Parser(h5parser.HTMLParser):  # type: ignore[misc]  # tinyhtml5's classes are untyped (Any)
    def __init__(self) -> None:
        super().__init__(namespace_html_elements=False)
        self.lines: dict[ElementTree.Element, int] = {}
        self.tree = _Builder(self.lines, lambda: self.tokenizer.stream.position()[0])
        self.phases = {name: cls(self, self.tree) for name, cls in h5parser._phases.items()}


def parse_html(text: str, *, fragment: bool = False) -> etree._Element:
    """Parse HTML text into an lxml tree (``<html>`` root, or a ``<div>`` for fragments).

    ``text`` must already be free of XML-illegal characters (see ``_common.clean_text``).
    It is handed to tinyhtml5 as a stream: given a short string that names an existing
    file, tinyhtml5 would read that file instead (a page holding only ``/etc/passwd``).
    """
    parser = _Parser()
    # always a stream, never a str: tinyhtml5 reads a str of under 200 characters that
    # names an existing file *as that file* (a page holding "/etc/passwd" would import it)
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


def _to_lxml(source: ElementTree.Element, lines: dict[ElementTree.Element, int],
             parent: etree._Element | None) -> etree._Element:
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

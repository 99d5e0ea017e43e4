"""SVG images made safe to render and to package.

An SVG file is a document, not a picture: it can carry scripts, event handlers,
``<foreignObject>`` HTML, links to other files (``<image href="../x">``, ``<use
href="other.svg#a">``, CSS ``url()`` and ``@import``) and XML attacks (entities,
external DTDs). WeasyPrint renders SVG with its own parser, EPUB reading systems and
browsers render the copy exporter packages, so the confined fetcher hands every
consumer the result of :func:`clean_svg` instead of the file's bytes:

* parsed by the hardened parser (:mod:`exporter.safety.xml`): entities, external DTDs
  and malformed files are refused;
* scripts, ``<foreignObject>``, event handlers (``on*``), and animations that rewrite
  links are removed;
* every reference (``href``, ``xlink:href``, ``src``, ``xml:base``) must stay inside
  the image: a fragment (``#id``) or an embedded ``data:image/…`` URL; others are
  removed;
* stylesheets (``<style>`` and ``style=""``) are read with WeasyPrint's own CSS
  tokenizer (so escapes cannot hide a ``url(``); one that imports, declares fonts or
  refers to anything but a fragment or ``data:image/`` is removed.

What was removed is reported once per image (``R009``); a refused image is ``R010``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import tinycss2
from lxml import etree

from exporter.errors import SourceError
from exporter.safety.xml import parse_xml

__all__ = ["clean_svg", "SVGRefused", "looks_like_svg", "SVG_NS"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
#: namespaces of drawing programs' metadata: removed without a word (they show nothing);
#: elements of every other namespace but SVG's are removed and reported
QUIET_NAMESPACES = ("http://www.inkscape.org/", "http://sodipodi.", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                    "http://creativecommons.org/", "http://purl.org/dc/", "http://ns.adobe.com/",
                    "http://www.bohemiancoding.com/", "http://schemas.microsoft.com/visio/")

#: elements removed with everything inside them
DROP = frozenset({"script", "foreignObject", "iframe", "embed", "object", "handler", "listener",
                  "audio", "video", "canvas"})
ANIMATIONS = frozenset({"set", "animate", "animateTransform", "animateMotion", "animateColor", "discard"})
REFERENCE_ATTRS = frozenset({"href", "src"})
#: elements that show nothing without their reference: removed with it
EMPTY_WITHOUT_REFERENCE = frozenset({"image", "use", "feImage"})
#: CSS functions that take a URL (CSS Values 4, Images 4)
URL_FUNCTIONS = frozenset({"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "element"})
#: most elements an SVG image may have once its <use> references are expanded
MAX_EXPANSION = 100_000
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
SAFE_DATA = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")


class SVGRefused(Exception):
    """The SVG cannot be used at all (not well-formed, entities, not SVG)."""


@dataclass
class Report:
    removed: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        if what not in self.removed:
            self.removed.append(what)


def looks_like_svg(data: bytes) -> bool:
    """True when ``data`` looks like an XML document (what WeasyPrint would try as SVG)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<svg", b"<!DOCTYPE", b"<!--", b"<!doctype")) or b"<svg" in data[:2048]


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _safe_reference(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or value.lower().startswith(SAFE_DATA)


def _keeps_reference(el: etree._Element, max_pixels: int | None) -> bool:
    """Whether an element that exists only for its reference keeps a safe one."""
    values = [v for name, v in el.attrib.items() if _local(name) in REFERENCE_ATTRS]
    return bool(values) and all(_safe_reference(v) and not _embedded_too_big(v, max_pixels) for v in values)


def _attribute_name(value: str) -> str:
    """An animation's ``attributeName`` without its prefix (``xlink:href`` → ``href``)."""
    return value.strip().rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _value_is_safe(value: str) -> bool:
    """Whether an attribute value, read as CSS (escapes decoded, as renderers read
    presentation attributes), refers to nothing outside the image."""
    if not any(c in value for c in "(\\:@"):
        return True
    return _css_is_safe("x{p:" + value + "}")


def _animation_is_safe(el: etree._Element) -> bool:
    """An animation may not set a reference, a style or an event handler, nor set anything to a URL."""
    target = _attribute_name(el.get("attributeName", ""))
    if target in REFERENCE_ATTRS | {"style", "base"} or target.startswith("on"):
        return False
    for name in ("to", "from", "by", "values"):
        value = "".join((el.get(name) or "").split())
        if _SCHEME.search(value) or not _value_is_safe(value):
            return False
    return True


def _css_text(value: str) -> str:
    """The value's CSS tokens serialised again (escapes decoded), lower case."""
    nodes = tinycss2.parse_component_value_list(value, skip_comments=True)
    return "".join(_decoded(node) for node in nodes).lower()


def _decoded(node: Any) -> str:
    """``node``: a tinycss2 node (untyped)."""
    kind = getattr(node, "type", None)
    text: str
    if kind == "function":
        text = node.lower_name + "(" + "".join(_decoded(a) for a in node.arguments) + ")"
    elif kind in ("ident", "string", "url"):
        text = node.value
    else:
        text = node.serialize()
    return text


def _css_is_safe(text: str) -> bool:
    """Whether a stylesheet (or a declaration list) refers to nothing outside the image."""
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    return _tokens_safe(rules)


def _tokens_safe(nodes: Iterable[Any]) -> bool:
    for node in nodes:
        kind = getattr(node, "type", None)
        if kind == "at-rule" and node.lower_at_keyword in ("import", "font-face", "namespace"):
            return False
        if kind == "url" and not _safe_reference(node.value):
            return False
        if kind == "function" and node.lower_name in URL_FUNCTIONS:
            if node.lower_name in ("url", "src"):  # one address, however it is written
                argument = "".join(_decoded(a) for a in node.arguments if getattr(a, "type", None) != "comment")
                if not _safe_reference(argument.strip()):
                    return False
            for argument in node.arguments:
                if getattr(argument, "type", None) in ("string", "url") and not _safe_reference(argument.value):
                    return False
        if kind == "error":
            return False
        for attribute in ("prelude", "content", "arguments", "value"):
            children = getattr(node, attribute, None)
            if isinstance(children, list) and not _tokens_safe(children):
                return False
    return True


def _embedded_too_big(value: str, max_pixels: int | None) -> bool:
    """Whether a ``data:image/…;base64`` reference holds an image over ``max_pixels``."""
    if max_pixels is None or ";base64," not in value[:100]:
        return False
    import base64
    import binascii

    from exporter.safety.images import image_size

    try:
        data = base64.b64decode(value.split(",", 1)[1], validate=False)
    except (binascii.Error, ValueError):
        return True
    size = image_size(data)
    return size is not None and size[0] * size[1] > max_pixels


def clean_svg(data: bytes, name: str, max_pixels: int | None = None) -> tuple[bytes, list[str]]:
    """The SVG ``data`` with everything unsafe removed, and what was removed.

    Embedded ``data:`` images over ``max_pixels`` are removed like outside references.
    Raises :class:`SVGRefused` when the file is not a well-formed SVG document or
    declares entities or an external DTD.
    """
    try:
        tree = parse_xml(data, name)
    except SourceError as error:
        raise SVGRefused(error.message) from None
    root = tree.getroot()
    if not isinstance(root.tag, str) or _local(root.tag) != "svg" or root.tag not in ("svg", f"{{{SVG_NS}}}svg"):
        raise SVGRefused("the file is not an SVG image")
    report = Report()
    svg_ns = root.tag.startswith("{")
    gone: set[etree._Element] = set()
    for el in list(root.iter()):
        if not isinstance(el.tag, str):  # comments, entities (already refused), PIs (dropped)
            continue
        if el is not root and any(a in gone for a in el.iterancestors()):  # inside a removed element
            continue
        local = _local(el.tag)
        namespace = el.tag[1:].split("}")[0] if el.tag.startswith("{") else ""
        if el is not root and (namespace != SVG_NS if svg_ns else namespace != ""):
            if not namespace.startswith(QUIET_NAMESPACES):
                report.add(f"<{local}> from {namespace or 'no namespace'}")
            gone.add(el)
            el.getparent().remove(el)
            continue
        if local in DROP and el is not root:
            report.add(f"<{local}>")
            gone.add(el)
            el.getparent().remove(el)
            continue
        if local in ANIMATIONS and not _animation_is_safe(el):
            report.add(f"<{local}> changing a link")
            gone.add(el)
            el.getparent().remove(el)
            continue
        if local == "style":
            css = "".join(el.itertext())  # text after a child element is style sheet too
            for child in list(el):
                el.remove(child)
            el.text = css
            if not _css_is_safe(css):
                report.add("<style> with outside references")
                gone.add(el)
            el.getparent().remove(el)
            continue
        if local in EMPTY_WITHOUT_REFERENCE and not _keeps_reference(el, max_pixels):
            report.add(f"<{local}> referring outside the image")
            gone.add(el)
            el.getparent().remove(el)
            continue
        for attr in list(el.attrib):
            attr_local = _local(attr)
            value = el.get(attr)
            if attr_local.lower().startswith("on"):
                report.add("event handler")
                del el.attrib[attr]
            elif attr == XML_BASE:
                report.add("xml:base")
                del el.attrib[attr]
            elif attr_local in REFERENCE_ATTRS and not _safe_reference(value):
                report.add(f"reference to {value[:60]!r}")
                del el.attrib[attr]
            elif attr_local in REFERENCE_ATTRS and _embedded_too_big(value, max_pixels):
                report.add("embedded image over the pixel limit")
                del el.attrib[attr]
            elif attr_local == "style" and not _css_is_safe("x{" + value + "}"):
                report.add("style attribute with outside references")
                del el.attrib[attr]
            elif attr_local not in ("style", *REFERENCE_ATTRS) and not _value_is_safe(value):
                report.add(f"{attr_local} with an outside reference")
                del el.attrib[attr]
    if _expanded_size(root) > MAX_EXPANSION:
        raise SVGRefused(f"its <use> references expand to more than {MAX_EXPANSION:,} elements")
    cleaned = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return cleaned, report.removed


def _expanded_size(root: etree._Element) -> float:
    """How many elements the image has once every ``<use>`` is expanded (the SVG form
    of "billion laughs": ten levels of ten ``<use>`` each are 10^10 elements); a
    reference cycle counts as infinite."""
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    sizes: dict[etree._Element, float] = {}  # keyed by the element: lxml proxies are kept alive
    visiting: set[etree._Element] = set()

    def size(el: etree._Element) -> float:
        key = el
        if key in sizes:
            return sizes[key]
        if key in visiting:
            return float("inf")
        visiting.add(key)
        total = 1.0
        if _local(el.tag) == "use":
            href = el.get("href") or el.get(f"{{{XLINK_NS}}}href") or ""
            target = ids.get(href[1:]) if href.startswith("#") else None
            if target is not None:
                total += size(target)
        for child in el:
            if isinstance(child.tag, str):
                total += size(child)
            if total > MAX_EXPANSION:
                break
        visiting.discard(key)
        sizes[key] = total
        return total

    return size(root)

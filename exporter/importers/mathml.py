"""MathML from sources, reduced to presentation MathML that every output accepts.

:func:`clean_math` copies a ``<math>`` element (from JATS ``mml:math``, an XHTML page or
an EPUB) into the model: only presentation elements and attributes pass (no links,
styles, ids or scripts; ``maction`` keeps its shown branch; ``annotation-xml`` goes);
text outside token elements is wrapped in ``mtext``; multi-letter identifiers get
``mathvariant="normal"`` explicitly (MathML's own rule, made visible to CSS). Every
formula gets ``alttext`` — the source's own, or :func:`linear_text`, a plain linear
reading such as ``x_i^2 = (a)/(b)`` — so EPUB keeps MathML *with* alternative text and
readers without MathML support still have words.
"""

from __future__ import annotations

from lxml import etree

from exporter.model import MATHML_ATTRS as ATTRS
from exporter.model import MATHML_ELEMENTS as ELEMENTS
from exporter.model import MATHML_NS, normalize_space
from exporter.model import MATHML_TOKENS as TOKENS
from exporter.model.tree import append_text

__all__ = ["clean_math", "linear_text", "M"]

M = f"{{{MATHML_NS}}}"

SAFE_VALUE = str.maketrans("", "", "<>\"'`")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def clean_math(source: etree._Element, *, display: bool | None = None, alttext: str | None = None) -> etree._Element:
    """A model ``<math>`` (MathML namespace) made from ``source`` (see the module docs)."""
    math = etree.Element(f"{M}math", nsmap={None: MATHML_NS})
    if source.sourceline:
        math.sourceline = source.sourceline
    for name, value in source.attrib.items():
        local = etree.QName(name).localname if name.startswith("{") else name
        if local in ATTRS and local not in ("display", "alttext"):
            math.set(local, value.translate(SAFE_VALUE))
    if display is None:
        display = source.get("display") == "block"
    if display:
        math.set("display", "block")
    _copy_children(source, math)
    alt = normalize_space(alttext or source.get("alttext") or "") or linear_text(math)
    if alt:
        math.set("alttext", alt)
    return math


def _copy_children(source: etree._Element, target: etree._Element) -> None:
    token = _local(target) in TOKENS or _local(target) == "annotation"
    text = source.text or ""
    if token:
        target.text = (target.text or "") + text
    elif text.strip():
        etree.SubElement(target, f"{M}mtext").text = normalize_space(text)
    for child in source:
        if isinstance(child.tag, str):
            _copy(child, target)
        tail = child.tail or ""
        if token:
            append_text(target, tail)
        elif tail.strip():
            etree.SubElement(target, f"{M}mtext").text = normalize_space(tail)


def _copy(child: etree._Element, target: etree._Element) -> None:
    local = _local(child)
    in_math = isinstance(child.tag, str) and child.tag.startswith(M)
    parent_token = _local(target) in TOKENS
    if parent_token:
        # markup inside a token (e.g. <mi><italic>x</italic></mi>): keep its text only
        text = "".join(child.itertext())
        append_text(target, text)
        return
    if in_math and local == "maction":
        chosen = [c for c in child if isinstance(c.tag, str)]
        index = int(child.get("selection", "1")) - 1 if (child.get("selection") or "1").isdigit() else 0
        if chosen:
            _copy(chosen[min(max(index, 0), len(chosen) - 1)], target)
        return
    if in_math and local == "annotation-xml":
        return
    if not in_math or local not in ELEMENTS or local == "math":
        if not in_math and child.tag is not None:
            text = normalize_space("".join(child.itertext()))
            if text:
                etree.SubElement(target, f"{M}mtext").text = text
            return
        el = etree.SubElement(target, f"{M}mrow")
    else:
        el = etree.SubElement(target, f"{M}{local}")
        for name, value in child.attrib.items():
            attr = etree.QName(name).localname if name.startswith("{") else name
            if attr in ATTRS and attr != "alttext":
                el.set(attr, value.translate(SAFE_VALUE))
    _copy_children(child, el)
    if local == "mi" and len((el.text or "").strip()) > 1 and not len(el) and el.get("mathvariant") is None:
        el.set("mathvariant", "normal")


def linear_text(math: etree._Element) -> str:
    """A plain-text reading of presentation MathML (``x_i^2``, ``(a)/(b)``, ``√(x)``)."""
    return normalize_space(_linear(math))


def _group(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


def _linear(el: etree._Element) -> str:
    local = _local(el)
    kids = [c for c in el if isinstance(c.tag, str) and _local(c) not in ("annotation", "annotation-xml")]
    parts = [_linear(c) for c in kids]
    if local in TOKENS:
        text = "".join(el.itertext())
        return f" {text.strip()} " if local == "mo" and text.strip() in "=<>≤≥≠≈±+−×÷→←↔∈∉⊂⊆∪∩" else text
    if local == "semantics":
        return parts[0] if parts else ""
    if local == "mfrac" and len(parts) == 2:
        return f"{_group(parts[0])}/{_group(parts[1])}"
    if local == "msqrt":
        return f"√{_group(''.join(parts))}"
    if local == "mroot" and len(parts) == 2:
        return f"root{_group(parts[1])}{_group(parts[0])}"
    if local == "msub" and len(parts) == 2:
        return f"{parts[0]}_{_group(parts[1])}"
    if local == "msup" and len(parts) == 2:
        return f"{parts[0]}^{_group(parts[1])}"
    if local == "msubsup" and len(parts) == 3:
        return f"{parts[0]}_{_group(parts[1])}^{_group(parts[2])}"
    if local in ("munder", "mover") and len(parts) == 2:
        return f"{parts[0]}{parts[1]}" if kids[1].get("accent") == "true" or local == "mover" else \
            f"{parts[0]}_{_group(parts[1])}"
    if local == "munderover" and len(parts) == 3:
        return f"{parts[0]}_{_group(parts[1])}^{_group(parts[2])}"
    if local == "mfenced":
        separators = (el.get("separators") if el.get("separators") is not None else ",").strip() or ""
        sep = separators[0] if separators else ""
        return f"{el.get('open', '(')}{(sep + ' ').join(parts)}{el.get('close', ')')}"
    if local == "mtable":
        return "; ".join(parts)
    if local in ("mtr", "mlabeledtr"):
        return ", ".join(p.strip() for p in parts)
    if local == "mspace":
        return " "
    return "".join(parts)

"""Which ``@font-face`` each piece of text is set in: a small CSS cascade for the font
properties only (``font-family``, ``font-weight``, ``font-style`` and the ``font``
shorthand), with the browser defaults for headings, ``<b>``, ``<em>`` and the like,
inheritance, specificity, order and ``!important``, and the CSS font matching rules
for choosing among a family's faces. The result says which declared faces are used
and by which characters, so that the e-book embeds only those faces, each subset to
its own characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import cssselect2
import tinycss2
from lxml import etree

__all__ = ["Face", "face_usage"]

GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math", "emoji",
           "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded"}
_UA_BOLD = {"h1", "h2", "h3", "h4", "h5", "h6", "th"}
_UA_BOLDER = {"b", "strong"}
_UA_ITALIC = {"em", "i", "cite", "var", "dfn", "address"}
_UA_MONO = {"code", "kbd", "samp", "pre", "tt"}
_FONT_PROPERTIES = {"font", "font-family", "font-weight", "font-style"}


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    style: str
    #: (kind, value) for each ``src`` entry: ("local", family) or ("url", reference)
    sources: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Font:
    families: tuple[str, ...] = ()
    weight: int = 400
    style: str = "normal"


def _families(tokens: Iterable[Any]) -> tuple[str, ...]:
    """``tokens``: tinycss2 tokens (untyped), as are the other ``tokens`` and ``rules`` here."""
    names: list[str]
    current: list[str]
    names, current = [], []
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            if current:
                names.append(" ".join(current))
            current = []
        elif token.type == "string":
            current.append(token.value)
        elif token.type == "ident":
            current.append(token.value)
    if current:
        names.append(" ".join(current))
    return tuple(names)


def _weight(value: str, parent: int) -> int | None:
    value = value.lower()
    if value == "normal":
        return 400
    if value == "bold":
        return 700
    if value == "bolder":
        return _bolder(parent)
    if value == "lighter":
        return 100 if parent < 550 else 400 if parent < 750 else 700
    try:
        number = int(float(value))
    except ValueError:
        return None
    return number if 1 <= number <= 1000 else None


def _bolder(parent: int) -> int:
    return 400 if parent < 350 else 700 if parent < 550 else 900


def _apply(font: _Font, name: str, tokens: Iterable[Any], parent: _Font) -> _Font:
    tokens = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if not tokens:
        return font
    first = tokens[0]
    if first.type == "ident" and first.lower_value == "inherit":
        return {"font": parent, "font-family": _Font(parent.families, font.weight, font.style),
                "font-weight": _Font(font.families, parent.weight, font.style),
                "font-style": _Font(font.families, font.weight, parent.style)}[name]
    if name == "font-family":
        return _Font(_families(tokens), font.weight, font.style)
    if name == "font-weight":
        value = str(first.value) if first.type in ("ident", "number") else ""
        weight = _weight(value, parent.weight)
        return font if weight is None else _Font(font.families, weight, font.style)
    if name == "font-style":
        if first.type == "ident" and first.lower_value in ("normal", "italic", "oblique"):
            return _Font(font.families, font.weight, first.lower_value)
        return font
    # the font shorthand: [style] [variant] [weight] [stretch] size[/line-height] family, …
    style, weight = "normal", 400
    for index, token in enumerate(tokens):
        if token.type in ("dimension", "percentage") or (token.type == "ident" and token.lower_value in (
                "xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large", "smaller", "larger")):
            rest = tokens[index + 1:]
            if rest and rest[0].type == "literal" and rest[0].value == "/":
                rest = rest[2:]
            return _Font(_families(rest), weight, style)
        if token.type == "ident" and token.lower_value in ("italic", "oblique"):
            style = token.lower_value
        elif token.type == "number" or (token.type == "ident" and token.lower_value in ("bold", "bolder",
                                                                                         "lighter")):
            weight = _weight(str(token.value), parent.weight) or weight
    return font  # a system font keyword (caption, menu…): leave the font as it was


def _qualified(rules: Iterable[Any]) -> Iterator[Any]:
    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
            yield from _qualified(tinycss2.parse_rule_list(rule.content, skip_whitespace=True,
                                                           skip_comments=True))


def _match_face(font: _Font, faces_by_family: dict[str, list[Face]]) -> list[Face]:
    """For each family of the font's list that has declared faces, the face CSS Fonts 4
    font matching picks for the font's style and weight (in list order)."""
    chosen = []
    for family in font.families:
        candidates = faces_by_family.get(family.casefold())
        if candidates:
            face = _best(candidates, font)
            if face is not None:
                chosen.append(face)
    return chosen


def _best(candidates: list[Face], font: _Font) -> Face | None:
    order = {"italic": ("italic", "oblique", "normal"), "oblique": ("oblique", "italic", "normal"),
             "normal": ("normal", "oblique", "italic")}[font.style]
    same: list[Face] = []
    for style in order:
        same = [f for f in candidates if f.style == style]
        if same:
            break
    want = font.weight
    exact = [f for f in same if f.weight == want]
    if exact:
        return exact[0]
    if 400 <= want <= 500:
        ranked = sorted((f for f in same if want < f.weight <= 500), key=lambda f: f.weight)
        ranked += sorted((f for f in same if f.weight < want), key=lambda f: -f.weight)
        ranked += sorted((f for f in same if f.weight > 500), key=lambda f: f.weight)
    elif want < 400:
        ranked = sorted((f for f in same if f.weight < want), key=lambda f: -f.weight)
        ranked += sorted((f for f in same if f.weight > want), key=lambda f: f.weight)
    else:
        ranked = sorted((f for f in same if f.weight > want), key=lambda f: f.weight)
        ranked += sorted((f for f in same if f.weight < want), key=lambda f: -f.weight)
    return ranked[0] if ranked else None


def _variants(text: str) -> set[int]:
    """The characters of ``text`` and their case variants (for text-transform)."""
    found: set[int] = set()
    for char in text:
        if not char.isspace():
            found.update(ord(c) for c in {char, *char.upper(), *char.lower()})
    return found


def face_usage(rules: Iterable[Any], documents: list[etree._Element], faces: list[Face],
               coverage: Callable[[Face], frozenset[int] | None]) -> dict[Face, set[int]]:
    """Each used face and the characters set in it. As in a browser, each character
    is set in the first family of the list whose font has it (``coverage(face)``, None
    when unknown: taken as having every character). Generated content counts for
    every face in use."""
    faces_by_family: dict[str, list[Face]] = {}
    for face in faces:
        faces_by_family.setdefault(face.family.casefold(), []).append(face)
    matcher = cssselect2.Matcher()
    generated: set[int] = set()
    for order, rule in enumerate(_qualified(rules)):
        decls = [d for d in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True)
                 if d.type == "declaration"]
        for decl in decls:
            if decl.lower_name == "content":
                generated |= _variants("".join(t.value for t in decl.value if t.type == "string"))
        fonts = [(d.important, d.lower_name, d.value) for d in decls if d.lower_name in _FONT_PROPERTIES]
        if not fonts:
            continue
        try:
            selectors = cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.SelectorError:
            continue
        for selector in selectors:
            if selector.pseudo_element is None:
                matcher.add_selector(selector, (order, fonts))
    usage: dict[Face, set[int]] = {}
    for document in documents:
        computed: dict[int, _Font] = {}
        for wrapper in cssselect2.ElementWrapper.from_xml_root(document).iter_subtree():
            element = wrapper.etree_element
            parent = computed.get(id(element.getparent()), _Font())
            name = wrapper.local_name
            font = parent
            if name in _UA_BOLD:
                font = _Font(font.families, 700, font.style)
            elif name in _UA_BOLDER:
                font = _Font(font.families, _bolder(parent.weight), font.style)
            if name in _UA_ITALIC:
                font = _Font(font.families, font.weight, "italic")
            if name in _UA_MONO:
                font = _Font(("monospace",), font.weight, font.style)
            declarations = []
            for specificity, _, _, (order, fonts) in matcher.match(wrapper):
                for important, prop, value in fonts:
                    declarations.append((important, specificity, order, prop, value))
            for *_, prop, value in sorted(declarations, key=lambda d: d[:3]):
                font = _apply(font, prop, value, parent)
            computed[id(element)] = font
            text = (element.text or "") + "".join(child.tail or "" for child in element)
            if not text.strip() or name in ("head", "title", "style") or any(
                    etree.QName(a).localname == "head" for a in element.iterancestors()):
                continue
            chosen = _match_face(font, faces_by_family)
            for char in _variants(text):
                for face in chosen:
                    covered = coverage(face)
                    if covered is None or char in covered:
                        usage.setdefault(face, set()).add(char)
                        break
    if generated:
        for face in usage:
            usage[face] |= generated
    return usage

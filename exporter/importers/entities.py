"""Named character entities (``&alpha;``, ``&nbsp;``) for XML sources that rely on a DTD.

JATS/NLM articles and XHTML 1.x documents may use named entities that their DTD
declares. exporter never loads a DTD from the path or URL a document names. Instead,
known public identifiers (the JATS, NLM and XHTML families) map to one bundled entity
set, generated from the HTML5 named character references in Python's
:mod:`html.entities` — a superset of the ISO 8879 and MathML sets those DTDs include.
It declares characters only (no markup, no external entities), so it cannot read files
or blow up. Documents that declare entities themselves, or name an unknown DTD while
using named entities, are refused with a clear error.

:func:`parse_with_entities` is the one way importers parse such XML; documents without
named entities go through :func:`exporter.safety.xml.parse_xml` unchanged.
"""

from __future__ import annotations

import html.entities
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError
from exporter.safety.xml import make_parser, parse_xml

__all__ = ["parse_with_entities", "KNOWN_PUBLIC_IDS", "known_public_id"]

_PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}
_REFERENCE = re.compile(rb"&([A-Za-z][A-Za-z0-9._-]*);")
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+([\w:.-]+)(?:\s+PUBLIC\s+[\"']([^\"']*)[\"'](?:\s+[\"']([^\"']*)[\"'])?"
                      rb"|\s+SYSTEM\s+[\"']([^\"']*)[\"'])?\s*(\[)?", re.S)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)

#: public identifier prefixes that map to the bundled entity set
KNOWN_PUBLIC_IDS = (
    "-//NLM//DTD JATS (Z39.96)",
    "-//NLM//DTD Journal Publishing DTD",
    "-//NLM//DTD Journal Archiving and Interchange DTD",
    "-//NLM//DTD Journal Archiving DTD",
    "-//NLM//DTD Article Authoring DTD",
    "-//NLM//DTD BITS",
    "-//NLM//DTD NLM Journal Archiving and Interchange DTD",
    "-//NLM//DTD Journal Publishing",
    "-//NLM//DTD JATS",
    "-//NPG//DTD XML Article",
    "-//W3C//DTD XHTML 1.0",
    "-//W3C//DTD XHTML 1.1",
    "-//W3C//DTD XHTML Basic",
    "-//W3C//DTD XHTML+RDFa",
    "-//W3C//ENTITIES",
)


def known_public_id(public_id: str | None) -> bool:
    if not public_id:
        return False
    return any(public_id.startswith(prefix) for prefix in KNOWN_PUBLIC_IDS)


@lru_cache(maxsize=1)
def entity_dtd() -> str:
    """Entity declarations for every HTML5 named character reference."""
    lines = []
    for name, value in sorted(html.entities.html5.items()):
        if not name.endswith(";"):
            continue
        name = name[:-1]
        if name in _PREDEFINED:
            continue
        chars = "".join(f"&#x{ord(c):X};" for c in value)
        lines.append(f'<!ENTITY {name} "{chars}">')
    return "\n".join(lines) + "\n"


class _Catalog(etree.Resolver):  # type: ignore[misc]  # lxml is untyped (Any)
    """Answers requests for known DTDs with the bundled set; anything else goes on to the
    parser's refusing resolver (never a file, never the network)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str | None, str | None]] = []

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        self.requests.append((system_url, public_id))
        if known_public_id(public_id):
            return self.resolve_string(entity_dtd(), context)
        return None  # the parser's refusing resolver answers (and the parse is refused)


def _doctype(data: bytes) -> re.Match[bytes] | None:
    head = data[:4096]
    return _DOCTYPE.search(head)


def named_references(data: bytes) -> set[str]:
    return {m.group(1).decode("ascii") for m in _REFERENCE.finditer(data)} - _PREDEFINED


def parse_with_entities(data: bytes, path: Path, diagnostics: Diagnostics) -> etree._ElementTree:
    """Parse XML that may use named entities of a known DTD (see the module docs)."""
    names = named_references(data)
    if not names:
        return parse_xml(data, path)
    # First read as plain XML (no DTD loaded, nothing expanded) to see what the document
    # itself declares: libxml2 parses the internal subset, so no comment, string or
    # processing instruction can hide a declaration from this check.
    declared = parse_xml(data, path, allow_entities=True).docinfo
    if declared.internalDTD is not None and any(True for _ in declared.internalDTD.iterentities()):
        return parse_xml(data, path)  # refuses documents that declare entities, with its own message
    public_id = declared.public_id
    if not known_public_id(public_id):
        what = f"its DTD ('{public_id}') is not one exporter knows" if public_id else "it names no known DTD"
        first = sorted(names)[0]
        line = data[: data.find(b"&" + first.encode() + b";")].count(b"\n") + 1
        raise SourceError(f"named entity &{first}; cannot be resolved: {what}", file=path, line=line,
                          hint="write the characters themselves (UTF-8) or numeric references such as &#160;")
    known = {name[:-1] for name in html.entities.html5 if name.endswith(";")}
    unknown = sorted(names - known)
    if unknown:
        line = data[: data.find(b"&" + unknown[0].encode() + b";")].count(b"\n") + 1
        raise SourceError(f"entity &{unknown[0]}; is not in the bundled entity set", file=path, line=line,
                          hint="replace it with the character itself or a numeric reference")
    parser = make_parser(resolver=_Catalog(), load_dtd=True, internal_entities=True)
    tree = parse_xml(data, path, parser=parser, allow_entities=True)
    for node in tree.iter(etree.Entity):
        raise SourceError(f"undefined entity {node.text}", file=path, line=node.sourceline,
                          hint="write the character itself (UTF-8) or a numeric reference")
    diagnostics.add("S034", f"{len(names)} kind(s) of named entities resolved from the bundled set for "
                    f"'{public_id}'", file=path, line=1, hint="the DTD named by the document was not loaded")
    return tree

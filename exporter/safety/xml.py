"""The one XML parser exporter uses for every source, resource and template.

lxml's defaults are not safe for untrusted input (``load_dtd=True`` opens any local
path, XInclude reads files, huge trees exhaust memory), and some harmless-looking
options are not safe either: ``collect_ids=False`` makes libxml2 open a document's
external DTD and external parameter entities even with ``load_dtd=False``. Every XML
parse in exporter goes through :func:`parse_xml` (or a parser from
:func:`make_parser`), which:

* never touches the network (``no_network``) and never loads an external DTD or
  entity: on top of libxml2's own switches, every parser carries a resolver that
  answers *every* external load with nothing and records it, and :func:`parse_xml`
  then refuses the document (file and line of the ``<!DOCTYPE``);
* keeps entities unresolved and refuses documents that declare any, so the "billion
  laughs" and XXE families are rejected before any expansion;
* keeps libxml2's size and depth limits on (no ``huge_tree``);
* is never followed by ``xinclude()``; ``<xi:include>`` stays an ordinary element
  that the model's validation rejects;
* drops processing instructions (``<?xml-stylesheet?>`` is never acted on).

Format importers that need named entities (JATS) pass their own resolver that maps
known public identifiers to bundled DTDs; it is consulted first, and the refusing
resolver still answers everything else. XSLT, where an importer needs it, is made
only by :func:`xslt`, with every file and network access denied.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from exporter.errors import SourceError

__all__ = ["make_parser", "parse_xml", "xslt", "XML_ILLEGAL", "ExternalLoad", "HardenedParser"]

#: Characters that cannot appear in XML 1.0 text (C0 controls other than tab, LF, CR;
#: U+FFFE/U+FFFF; lone surrogates).
XML_ILLEGAL = (
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]"
)

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


class ExternalLoad(etree.Resolver):  # type: ignore[misc]  # lxml is untyped: its classes are Any
    """The one resolver of every parser: asks the parser's catalog (if any) first, then
    refuses (answers empty) and records each load. lxml keeps a parser's resolvers in a
    set, so two resolvers would be asked in no fixed order: the catalog lives in here."""

    def __init__(self, catalog: etree.Resolver | None = None) -> None:
        super().__init__()
        self.refused: list[str] = []
        self.catalog = catalog

    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        if self.catalog is not None:
            answer = self.catalog.resolve(url, pubid, context)
            if answer is not None:
                return answer
        self.refused.append(url or pubid or "?")
        return self.resolve_string("", context)


class HardenedParser(etree.XMLParser):  # type: ignore[misc]  # lxml is untyped: its classes are Any
    """An ``XMLParser`` that keeps a handle on its refusing resolver."""

    def __init__(self, catalog: etree.Resolver | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.external = ExternalLoad(catalog)


def make_parser(*, remove_comments: bool = True, resolver: etree.Resolver | None = None,
                load_dtd: bool = False, internal_entities: bool = False) -> HardenedParser:
    """A hardened parser. ``resolver`` (e.g. a catalog of bundled DTDs) is asked before
    the refusing one; ``load_dtd`` only makes sense together with such a resolver, and
    ``internal_entities`` (expand character entities that DTD declares; never external
    ones) only with both."""
    parser = HardenedParser(
        catalog=resolver,
        resolve_entities="internal" if internal_entities and load_dtd and resolver is not None else False,
        no_network=True,
        load_dtd=load_dtd,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=remove_comments,
        remove_pis=True,
        strip_cdata=True,
        # collect_ids must stay at its default: False makes libxml2 load external DTDs
    )
    parser.resolvers.add(parser.external)
    return parser


def _refusals(parser: etree.XMLParser) -> list[str]:
    external = getattr(parser, "external", None)
    if external is None:
        raise TypeError("parse_xml needs a parser from make_parser()")
    refused = list(external.refused)
    external.refused.clear()
    return refused


def _doctype_line(data: bytes) -> int:
    match = _DOCTYPE.search(data[:65536])
    return data[: match.start()].count(b"\n") + 1 if match else 1


def parse_xml(data: bytes, file: str | Path, *, parser: etree.XMLParser | None = None,
              allow_entities: bool = False) -> etree._ElementTree:
    """Parse ``data`` (bytes of an XML document) or raise :class:`SourceError` with line."""
    parser = parser or make_parser()
    _refusals(parser)  # a reused parser starts clean
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as error:
        line = error.lineno or None
        message = error.msg or str(error)
        refused = _refusals(parser)
        if refused:
            raise _external_error(refused, data, file) from None
        if _ENTITY_DECL.search(data[:1 << 20]):  # refused either way: say why in words
            raise _entities_error(data, file) from None
        raise SourceError(
            f"not well-formed XML: {message}",
            file=file,
            line=line,
            hint="fix the markup at this line; XHTML needs closed tags and escaped '&' and '<'",
        ) from None
    refused = _refusals(parser)
    if refused:
        raise _external_error(refused, data, file)
    if not allow_entities:
        dtd = tree.docinfo.internalDTD
        if dtd is not None and any(True for _ in dtd.iterentities()):
            raise _entities_error(data, file)
        for node in tree.iter(etree.Entity):
            raise SourceError(
                f"undefined entity {node.text}",
                file=file,
                line=node.sourceline,
                hint="write the character itself (UTF-8) or a numeric reference such as &#160;",
            )
    return tree


def _entities_error(data: bytes, file: str | Path) -> SourceError:
    return SourceError(
        "the document declares XML entities, which exporter does not accept",
        file=file,
        line=_doctype_line(data),
        hint="remove the <!DOCTYPE …[ <!ENTITY …> ]> declarations and write the characters directly",
    )


def _external_error(refused: list[str], data: bytes, file: str | Path) -> SourceError:
    shown = refused[0] if len(refused[0]) <= 100 else refused[0][:97] + "…"
    return SourceError(
        f"the document refers to an external DTD or entity ({shown}), which exporter never loads",
        file=file,
        line=_doctype_line(data),
        hint="remove the external reference from the <!DOCTYPE …> declaration",
    )


def xslt(stylesheet: etree._ElementTree) -> etree.XSLT:
    """An XSLT transform that can read and write nothing (no ``document()``, no files,
    no network). The stylesheet itself must come from :func:`parse_xml`."""
    return etree.XSLT(stylesheet, access_control=etree.XSLTAccessControl.DENY_ALL)

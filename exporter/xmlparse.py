"""The one XML parser exporter uses for every source and template.

lxml's defaults are not safe for untrusted input (``load_dtd=True`` opens any local
path, XInclude reads files, huge trees exhaust memory). Every XML parse in exporter
goes through :func:`parse_xml`, built on a parser that:

* never touches the network and never loads an external DTD or entity;
* keeps entities unresolved and refuses documents that declare any, so the
  "billion laughs" and XXE families are rejected before expansion;
* keeps libxml2's size limits on (no ``huge_tree``);
* is never followed by ``xinclude()``.

Format importers that need named entities (JATS) resolve them through a catalog of
bundled DTDs mapped by public identifier; that resolver lives with the importer and
still goes through :func:`make_parser`.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from .errors import SourceError

__all__ = ["make_parser", "parse_xml", "XML_ILLEGAL"]

#: Characters that cannot appear in XML 1.0 text (C0 controls other than tab, LF, CR;
#: U+FFFE/U+FFFF; lone surrogates).
XML_ILLEGAL = (
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]"
)


def make_parser(*, remove_comments: bool = True, resolver: etree.Resolver | None = None) -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=remove_comments,
        remove_pis=True,
        strip_cdata=True,
        # collect_ids=False would make libxml2 2.14 load the external DTD subset (it opens
        # local paths named in <!DOCTYPE … SYSTEM "…">); keep libxml2's default
    )
    parser.resolvers.add(resolver if resolver is not None else _DenyAll())
    return parser


class _DenyAll(etree.Resolver):
    """Answers every request for an external DTD or entity with nothing (never a file)."""

    def resolve(self, system_url, public_id, context):
        return self.resolve_string("", context)


def parse_xml(data: bytes, file: str | Path, *, parser: etree.XMLParser | None = None,
              allow_entities: bool = False) -> etree._ElementTree:
    """Parse ``data`` (bytes of an XML document) or raise :class:`SourceError` with line."""
    parser = parser or make_parser()
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as error:
        line = error.lineno or None
        message = error.msg or str(error)
        raise SourceError(
            f"not well-formed XML: {message}",
            file=file,
            line=line,
            hint="fix the markup at this line; XHTML needs closed tags and escaped '&' and '<'",
        ) from None
    if not allow_entities:
        dtd = tree.docinfo.internalDTD
        if dtd is not None and any(True for _ in dtd.iterentities()):
            raise SourceError(
                "the document declares XML entities, which exporter does not accept",
                file=file,
                line=1,
                hint="remove the <!DOCTYPE …[ <!ENTITY …> ]> declarations and write the characters directly",
            )
        for node in tree.iter(etree.Entity):
            raise SourceError(
                f"undefined entity {node.text}",
                file=file,
                line=node.sourceline,
                hint="write the character itself (UTF-8) or a numeric reference such as &#160;",
            )
    return tree

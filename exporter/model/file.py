"""The canonical source file: an XHTML5 document whose ``<head>`` holds the metadata
and whose ``<body>`` holds exactly one ``<article>`` (see ``docs/model.md``).

``read_model`` parses such a file (through the hardened parser) into an
:class:`~exporter.model.Article`; ``dump_model`` writes an article back, so
``exporter import`` can hand publishers a file they can keep and edit.
"""

from __future__ import annotations

import copy
from pathlib import Path

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.errors import ModelError, SourceError
from exporter.model import META_KEYS, XHTML_NS, XML_LANG, Article, Contributor, Metadata, qualify, unqualify
from exporter.model.dates import DateError, iso_date
from exporter.safety.xml import make_parser, parse_xml

__all__ = ["read_model", "dump_model", "is_model_document"]

H = f"{{{XHTML_NS}}}"
SINGLE = [k for k in META_KEYS if k not in ("title", "contributors", "subjects", "language")]


def is_model_document(data: bytes) -> bool:
    """True for an XHTML document whose body is exactly one <article> (cheap sniff)."""
    try:
        root = etree.fromstring(data, make_parser())
    except etree.XMLSyntaxError:
        return False
    body = root.find(f"{H}body")
    return (root.tag == f"{H}html" and body is not None and len(body) == 1
            and body[0].tag == f"{H}article" and not (body.text or "").strip())


def read_model(path: Path, data: bytes | None = None) -> Article:
    data = path.read_bytes() if data is None else data
    tree = parse_xml(data, path)
    root = tree.getroot()
    if root.tag != f"{H}html":
        raise SourceError("the root element must be <html xmlns=\"http://www.w3.org/1999/xhtml\">",
                          file=path, line=root.sourceline,
                          hint="start from the example in docs/model.md")
    head = root.find(f"{H}head")
    body = root.find(f"{H}body")
    if body is None:
        raise SourceError("the document has no <body>", file=path, line=root.sourceline)
    articles = [el for el in body if isinstance(el.tag, str)]
    if len(articles) != 1 or articles[0].tag != f"{H}article" or (body.text or "").strip():
        raise SourceError("<body> must contain exactly one <article> and nothing else",
                          file=path, line=body.sourceline,
                          hint="put all content inside one <article>")
    diagnostics = Diagnostics()
    meta = _read_head(head, root, path, diagnostics)
    article = unqualify(copy.deepcopy(articles[0]))
    article.tail = None
    for attr in list(article.attrib):
        if attr not in ("lang", "dir"):
            del article.attrib[attr]
    return Article(meta=meta, body=article, source=path, root=path.parent, diagnostics=diagnostics)


def _read_head(head: etree._Element | None, root: etree._Element, path: Path, diagnostics: Diagnostics) -> Metadata:
    meta = Metadata(language=root.get("lang") or root.get(XML_LANG) or "")
    if root.get("dir") in ("ltr", "rtl"):
        meta.direction = root.get("dir")
    if head is None:
        return meta
    title = head.find(f"{H}title")
    if title is not None:
        meta.title = " ".join("".join(title.itertext()).split())
    for el in head.iter(f"{H}meta"):
        name = el.get("name")
        if name is None:
            continue
        content = (el.get("content") or "").strip()
        if name in ("author", "contributor"):
            meta.contributors.append(Contributor(name=content, role=el.get("data-role", "aut"),
                                                 file_as=el.get("data-file-as")))
        elif name == "subject":
            meta.subjects.append(content)
        elif name == "keywords":
            meta.subjects.extend(s.strip() for s in content.split(",") if s.strip())
        elif name in ("date", "modified"):
            try:
                setattr(meta, name, iso_date(content, name))
            except DateError as error:
                raise ModelError(error.message, file=path, line=el.sourceline, hint=error.hint) from None
        elif name in SINGLE:
            setattr(meta, name, content)
        else:
            diagnostics.add("S008", f"unknown metadata <meta name=\"{name}\">", file=path,
                            line=el.sourceline, hint="see docs/model.md for the metadata names")
    return meta


def dump_model(article: Article) -> bytes:
    meta = article.meta
    html = etree.Element(f"{H}html", nsmap={None: XHTML_NS})
    html.set("lang", meta.language)
    if meta.direction:
        html.set("dir", meta.direction)
    html.text = "\n"
    head = etree.SubElement(html, f"{H}head")
    head.text = "\n  "
    etree.SubElement(head, f"{H}meta", charset="utf-8").tail = "\n  "
    etree.SubElement(head, f"{H}title").text = meta.title
    head[-1].tail = "\n  "

    def add(name: str, content: str, **extra: str) -> None:
        el = etree.SubElement(head, f"{H}meta", name=name, content=content)
        for key, value in extra.items():
            el.set(key, value)
        el.tail = "\n  "

    for contributor in meta.contributors:
        extra = {"data-role": contributor.role}
        if contributor.file_as:
            extra["data-file-as"] = contributor.file_as
        add("author", contributor.name, **extra)
    for name in SINGLE:
        if name == "direction":
            continue
        value = getattr(meta, name)
        if value:
            add(name, value)
    for subject in meta.subjects:
        add("subject", subject)
    head[-1].tail = "\n"
    head.tail = "\n"
    body = etree.SubElement(html, f"{H}body")
    body.text = "\n"
    body.append(qualify(article.body))
    body[-1].tail = "\n"
    body.tail = "\n"
    serialized: bytes = etree.tostring(html, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + serialized + b"\n"

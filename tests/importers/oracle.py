"""What a source's readers see as paragraphs, found without exporter's importers.

The corpus tests compare these with every output (exporter.checks.completeness): each
text segment of the source must appear in the EPUB, the PDF and the HTML. Segments are
runs of text between block boundaries (paragraphs, headings, list items, cells, line
breaks), cut where an output legitimately differs: at images (missing files, gaiji
replaced by characters), note references (renumbered), and — for the PDF — at MathML
(set with CSS) and ruby annotations (set above the line). Sources are parsed here with
lxml's own parsers (libxml2), not with the importers' code paths.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from exporter.checks.completeness import normalize

BLOCK = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
         "section", "article", "aside", "header", "footer", "main", "figure", "figcaption", "table", "tr", "td",
         "th", "thead", "tbody", "tfoot", "caption", "pre", "hr", "br", "body", "html", "nav", "address", "form",
         "fieldset", "details", "summary", "center", "hgroup", "label"}
SKIP = {"script", "style", "head", "title", "meta", "link", "template", "noscript"}
CUT = {"img", "input", "svg"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
MATHML = "{http://www.w3.org/1998/Math/MathML}"


def _local(el) -> str:
    return etree.QName(el).localname.lower() if isinstance(el.tag, str) else ""


def segments(root, *, print_: bool = False, skip=lambda el: False, cut=lambda el: False) -> list[str]:
    out: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        current.clear()
        if normalize(text):
            out.append(text)

    def walk(el) -> None:
        name = _local(el)
        if not name or name in SKIP or skip(el):
            return
        if print_ and (name in ("rt", "rp") or (isinstance(el.tag, str) and el.tag.startswith(MATHML))):
            flush()
            return
        boundary = name in BLOCK or name in CUT or cut(el)
        if boundary:
            flush()
        if name not in CUT and not cut(el):
            current.append(el.text or "")
            for child in el:
                walk(child)
                current.append(child.tail or "")
        if boundary:
            flush()

    walk(root)
    flush()
    return out


def ruby_annotations(root) -> list[str]:
    return sorted({"".join(rt.itertext()).strip() for rt in root.iter("rt")} - {""}, key=len, reverse=True)


# -- formats ---------------------------------------------------------------------------

_FRONT = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
_CHARSET = re.compile(rb"charset=[\"']?([A-Za-z0-9_-]+)", re.I)


def _decode(data: bytes) -> str:
    match = _CHARSET.search(data[:4096])
    label = match.group(1).decode().lower() if match else "utf-8"
    return data.decode({"shift_jis": "cp932", "shift-jis": "cp932"}.get(label, label))


def web_html(path: Path, print_: bool = False):
    text = _FRONT.sub("", _decode(path.read_bytes()))
    root = lxml_html.document_fromstring(text.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8"))
    # Aozora's library card is a script-driven web link, left out on purpose (S021)
    skip = lambda el: el.get("id") == "card"  # noqa: E731
    return segments(root, print_=print_, skip=skip), root


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def markdown(path: Path, print_: bool = False):
    text = _FRONT.sub("", path.read_text(encoding="utf-8"))
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    rendered = _LINK.sub(r"\1", md.render(text))  # kramdown: Markdown links inside raw HTML blocks
    root = lxml_html.document_fromstring("<html><body>" + rendered + "</body></html>")
    return segments(root, print_=print_), root


FLOATS = {"fig", "fig-group", "table-wrap", "table-wrap-group", "disp-formula", "disp-formula-group", "boxed-text",
          "supplementary-material", "media", "list", "def-list", "disp-quote", "fn", "code", "preformat", "graphic",
          "object-id", "alternatives", "statement", "speech", "verse-group", "chem-struct-wrap", "sub-article"}


def jats(path: Path, print_: bool = False):
    root = etree.parse(str(path), etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)).getroot()
    blocks: list[str] = []

    def cut(el) -> bool:  # floats inside a paragraph are blocks of their own, in place
        name = _local(el)
        return name in FLOATS or name in ("inline-graphic", "label") or (
            name == "xref" and el.get("ref-type") == "fn")

    def skip(el) -> bool:
        return False

    for el in root.iter("p", "title", "license-p", "attrib", "td", "th", "article-title", "source"):
        if print_ and el.tag in ("td", "th") and el in wide_cells(root):
            continue  # checked character by character (see wide_cells)
        if el.tag in ("title",) and any(a.tag in ("journal-title-group",) for a in el.iterancestors()):
            continue
        if el.tag in ("article-title", "source") and not any(a.tag in ("element-citation", "mixed-citation")
                                                              for a in el.iterancestors()):
            continue
        if el.tag == "title" and el.getparent() is not None and el.getparent().tag == "kwd-group":
            continue
        holder = etree.Element("p")
        holder.text = el.text
        for child in el:
            holder.append(_copy(child))
        blocks += segments(holder, print_=print_, skip=skip, cut=cut)
    return blocks, root


def _copy(el):
    import copy

    return copy.deepcopy(el)


def epub_folder(folder: Path, print_: bool = False):
    """The documents of an unpacked EPUB that exist (its title page is replaced by exporter's)."""
    opf = next(folder.rglob("*.opf"))
    package = etree.parse(str(opf)).getroot()
    ns = {"o": "http://www.idpf.org/2007/opf"}
    manifest = {i.get("id"): i.get("href") for i in package.xpath("//o:manifest/o:item", namespaces=ns)}
    blocks: list[str] = []
    roots = []
    for ref in package.xpath("//o:spine/o:itemref/@idref", namespaces=ns):
        doc = opf.parent / manifest[ref]
        if not doc.is_file():
            continue
        root = etree.parse(str(doc)).getroot()
        body = root.find("{http://www.w3.org/1999/xhtml}body")
        if "titlepage" in (body.xpath("string(.//*[@epub:type][1]/@epub:type)",
                                      namespaces={"epub": "http://www.idpf.org/2007/ops"})):
            continue
        roots.append(root)

        def skip(el) -> bool:
            kind = el.get(EPUB_TYPE) or ""
            return "backlink" in kind or (_local(el) in ("h2",) and el.getparent() is not None
                                          and "endnotes" in (el.getparent().get(EPUB_TYPE) or ""))

        def cut(el) -> bool:
            return "noteref" in (el.get(EPUB_TYPE) or "")

        blocks += segments(body, print_=print_, skip=skip, cut=cut)
    return blocks, roots


_WIDE: dict = {}


def wide_cells(root) -> set:
    """Cells of tables with 10 or more columns. No print column holds them at a readable
    size: the PDF sets them small and lets cells wrap, so their text is all there, but a
    cell's characters may be split over lines; tests compare those characters as a whole."""
    key = id(root)
    if key not in _WIDE:
        cells = set()
        for table in root.iter("table"):
            rows = list(table.iter("tr"))
            columns = max((sum(int(c.get("colspan") or 1) for c in row if c.tag in ("td", "th")) for row in rows),
                          default=0)
            if columns >= 10:
                cells.update(c for row in rows for c in row if c.tag in ("td", "th"))
        _WIDE[key] = (root, cells)
    return _WIDE[key][1]

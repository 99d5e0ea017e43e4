"""PDF: WeasyPrint rendering the print page of :mod:`exporter.writers.html`.

Every WeasyPrint ``HTML``, ``CSS`` and ``Attachment`` object is made here, and each
gets the document's confined fetcher (WeasyPrint would otherwise fall back to its
default fetcher, which reads any file and the network). The stylesheets, in cascade
order: the theme's ``print.css`` (which browsers also read), the paper size and the
theme's margins for it, the theme's ``paged.css`` (what only a paged-media engine
understands: running heads, page footnotes, bookmarks) and, for a print shop, bleed
and crop marks (:mod:`exporter.pagesetup`).

On top of the print page, the PDF gets:

* notes at the foot of the page (:mod:`.footnotes`), unless the theme or
  ``--pdf-notes end`` keeps them at the end;
* tables that are too wide for their column set smaller after a first layout
  (``table.fit``), then wrapped inside words (``table.fit-more``) with a diagnostic
  (P003) — never clipped or run into the next column;
* metadata in the document information dictionary and in XMP: title, authors,
  subject, keywords, language, publisher, rights, licence, identifier and dates from
  the build clock (``SOURCE_DATE_EPOCH``); the file identifier is a content hash;
* tagging (structure tree, ``/Lang``, figure ``/Alt``, ``DisplayDocTitle``) for every
  variant, repaired where WeasyPrint's falls short (:mod:`.pdftags`); PDF/UA-1 by
  default, declared only when the machine-checkable conditions hold
  (:mod:`exporter.checks.pdfua`), else withheld with P005; archival PDF/A variants on request, PDF/A-3 and 4f
  carrying the canonical source (:func:`exporter.model.file.dump_model`) as an
  associated file — the only file a PDF made by exporter ever embeds;
* for print shops, TrimBox and BleedBox set to the page and the requested bleed, and
  a warning (P002) for every image printed below 300 ppi.

When WeasyPrint fails while laying a document out (its layout code has assertions that
real documents trip), the document is laid out again in a safe mode — one column, no
floats or positioned boxes, nothing kept together — with a warning (P004): a readable
text never ends as an internal error. Only when the safe layout fails too does the
document fail.
"""

from __future__ import annotations

import hashlib
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import weasyprint
from lxml import etree
from weasyprint.formatting_structure import boxes
from weasyprint.images import RasterImage
from weasyprint.pdf.metadata import DocumentMetadata

from exporter.errors import ExporterError
from exporter.model import Metadata
from exporter.pagesetup import Resolved, page_css, press_css
from exporter.safety import isolation, weasy
from exporter.safety.fetch import ConfinedFetcher
from exporter.settings import Context
from exporter.writers import footnotes, html, pdftags

if TYPE_CHECKING:
    import pydyf

__all__ = ["render", "print_document", "layout", "pdf_options", "MIN_PRINT_PPI"]

#: images printed below this resolution get a warning in print-shop builds
MIN_PRINT_PPI = 300
_MM_TO_PT = 72 / 25.4

#: the safe mode's style sheet, read last: what WeasyPrint lays out reliably (page
#: footnotes stay: they are floats of their own kind)
SAFE_CSS = """
*, *::before, *::after { columns: auto !important; column-span: none !important;
  position: static !important; break-inside: auto !important; }
*:not(.footnote) { float: none !important; }
"""

#: makes a print page other than the article's: ``() -> (root, resolved)`` (a book's)
PageMaker = Callable[[], tuple[etree._Element, Resolved]]


def pdf_options(ctx: Context) -> dict[str, Any]:
    """WeasyPrint options for this document (layout and writing use the same ones)."""
    variant = ctx.settings.page.pdf_variant
    return {"pdf_variant": variant.weasyprint, "pdf_tags": True, "custom_metadata": True}


class _Capture(logging.Handler):
    """Turn WeasyPrint's log records for one render into diagnostics."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(logging.WARNING)
        self.ctx = ctx

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().splitlines()[0][:300]
        self.ctx.diagnostics.add("P001", message, file=self.ctx.article.source,
                                 hint="the PDF was made without this; check the source and theme")


class _captured:
    """Context manager: WeasyPrint's log records become the document's diagnostics."""

    def __init__(self, ctx: Context) -> None:
        self.handler = _Capture(ctx)

    def __enter__(self) -> None:
        weasyprint.LOGGER.addHandler(self.handler)

    def __exit__(self, *exc: object) -> None:
        weasyprint.LOGGER.removeHandler(self.handler)


def _stylesheet_texts(ctx: Context, resolved: Resolved, extra_css: tuple[str, ...] = (), safe: bool = False
                      ) -> list[tuple[str, str | None]]:
    """(CSS text, base URL) in cascade order; generated CSS has no base URL. ``extra_css``
    names theme files read after ``paged.css`` (a book's: ``book.css``, ``book-paged.css``)."""
    sheets: list[tuple[str, str | None]] = []
    sheets += [(p.read_text(encoding="utf-8"), p.resolve().as_uri()) for p in ctx.theme.css_files("print.css")]
    sheets.append((page_css(resolved), None))
    sheets += [(p.read_text(encoding="utf-8"), p.resolve().as_uri()) for p in ctx.theme.css_files("paged.css")]
    for name in extra_css:
        sheets += [(p.read_text(encoding="utf-8"), p.resolve().as_uri()) for p in ctx.theme.css_files(name)]
    if press_css(resolved):
        sheets.append((press_css(resolved), None))
    if safe:
        sheets.append((SAFE_CSS, None))
    return sheets


def print_document(ctx: Context, fit: dict[int, int] | None = None, page: PageMaker | None = None,
                   extra_css: tuple[str, ...] = (), safe: bool = False
                   ) -> tuple[weasyprint.HTML, list[weasyprint.CSS], bytes, Resolved]:
    """The print page as WeasyPrint objects (all fetching confined), its HTML bytes and
    the resolved page setup. ``fit`` maps tables (by document order) to how much
    smaller to set them: 1 small type (``table.fit``), 2 smaller and wrapped inside
    words if need be (``table.fit.fit-more``). ``page``, when given, makes a print page
    other than the article's (``() -> (root, resolved)``, image sources absolute: a
    book's, :mod:`exporter.book.pdf`); ``extra_css`` as in :func:`_stylesheet_texts`."""
    fit = fit or {}
    if page is None:
        pg, resolved = html.print_page(ctx)
        for img in pg.images:
            img.set("src", ctx.url_for(img.get("src", "")))
        root = pg.root
    else:
        root, resolved = page()
    for a in root.iter("a"):  # only exporter attaches files to a PDF
        rel = [token for token in a.get("rel", "").split() if token.lower() != "attachment"]
        if rel:
            a.set("rel", " ".join(rel))
        else:
            a.attrib.pop("rel", None)
    pdftags.prepare(root)
    if resolved.notes == "foot":
        footnotes.move_to_call_sites(root)
    footnotes.label_headings(root)
    for index, table in enumerate(root.iter("table")):
        level = fit.get(index, 0)
        if level:
            extra = ["fit"] + (["fit-more"] if level > 1 else [])
            table.set("class", " ".join([*table.get("class", "").split(), *extra]))
    page_bytes = html.to_html5(root)
    base_url = ctx.article.source.resolve().as_uri()
    document = weasy.html(page_bytes.decode("utf-8"), base_url=base_url, fetcher=ctx.fetcher)
    stylesheets = [weasy.css(text, base_url=url or base_url, fetcher=ctx.fetcher)
                   for text, url in _stylesheet_texts(ctx, resolved, extra_css, safe)]
    return document, stylesheets, page_bytes, resolved


def layout(ctx: Context, page: PageMaker | None = None, extra_css: tuple[str, ...] = ()
           ) -> tuple[weasyprint.Document, str]:
    """The print page laid out in pages (a ``weasyprint.Document``), once per document.

    Both the PDF writer and anything that needs to know where pages break (the EPUB
    page list) use this, so a build of several formats lays the page out only once
    (up to three times when tables had to be set smaller to fit their column).
    Returns ``(document, identifier)``; the identifier is a content hash for the PDF.
    """
    if "layout" not in ctx.cache:
        options = pdf_options(ctx)
        safe = False
        size = len(ctx.article.body.xpath("string()"))
        isolation.stage(f"laying out the print edition ({size:,} characters of text)")
        with _captured(ctx):
            try:
                document, page_bytes, resolved, fit, wide = _fitted_layout(ctx, page, extra_css, options)
            except (ExporterError, MemoryError, KeyboardInterrupt):
                raise
            except Exception as error:  # WeasyPrint's layout failed: once more, in safe mode
                ctx.diagnostics.add(
                    "P004", f"the page layout failed ({type(error).__name__}{': ' if str(error) else ''}"
                    f"{str(error)[:120]}); the document was laid out again in a safe mode: one column, "
                    "no floats", file=ctx.article.source,
                    hint="the PDF is complete but plainer than the theme; please report this with the source, "
                         "or try another theme (--theme scholarly)")
                safe = True
                document, page_bytes, resolved, fit, wide = _fitted_layout(ctx, page, extra_css, options, safe)
        for index in sorted(i for i, level in fit.items() if level >= 2):
            still = "; it still does not fit" if index in wide else ""
            ctx.diagnostics.add(
                "P003", f"table {index + 1} is too wide for the text column: it is set in very small type, "
                f"wrapped inside words where needed{still}", file=ctx.article.source,
                hint="split the table or cut columns, or use a single-column theme or a wider --page-size")
        _check_image_resolution(ctx, document, resolved)
        digest = hashlib.sha256(page_bytes)
        for text, _ in _stylesheet_texts(ctx, resolved, extra_css, safe):
            digest.update(text.encode("utf-8"))
        digest.update(repr(sorted(options.items())).encode("utf-8"))
        ctx.cache["layout"] = (document, digest.hexdigest()[:32])
        ctx.cache["page_setup"] = resolved
    laid_out: tuple[weasyprint.Document, str] = ctx.cache["layout"]
    return laid_out


def _fitted_layout(ctx: Context, page: PageMaker | None, extra_css: tuple[str, ...], options: dict[str, Any],
                   safe: bool = False) -> tuple[weasyprint.Document, bytes, Resolved, dict[int, int], set[int]]:
    """Lay the print page out, setting tables that overflow their column smaller (up to
    twice each): ``(document, page bytes, page setup, fit levels, tables still too wide)``."""
    fit: dict[int, int] = {}
    while True:
        html_doc, stylesheets, page_bytes, resolved = print_document(ctx, fit, page, extra_css, safe)
        document = weasy.render(html_doc, stylesheets, diagnostics=ctx.diagnostics,
                                source=ctx.article.source, **options)
        wide = _overflowing_tables(html_doc, document)
        if not wide or all(fit.get(index, 0) >= 2 for index in wide):
            return document, page_bytes, resolved, fit, wide
        for index in wide:
            fit[index] = min(fit.get(index, 0) + 1, 2)


def render(ctx: Context, attachments: list[weasyprint.Attachment] | None = None) -> bytes:
    """The PDF of the laid-out print page (:func:`layout`). Archival variants that carry
    their source attach the article's (``attachments`` replaces it: a book's articles)."""
    document, identifier = layout(ctx)
    resolved: Resolved = ctx.cache["page_setup"]
    variant = resolved.setup.pdf_variant
    document.metadata = _Metadata.from_document(document.metadata, ctx, ua_part=variant.ua
                                                if variant.weasyprint.startswith("pdf/a") else None)
    options = pdf_options(ctx)
    if variant.attach_source:
        options["attachments"] = [_source_attachment(ctx)] if attachments is None else attachments
    with _captured(ctx):
        data: bytes = document.write_pdf(pdf_identifier=identifier.encode("ascii"),
                                         finisher=_Finisher(resolved.setup.bleed_mm), **options)
    data, found = pdftags.finish(data, variant.ua)
    if variant.ua and found:
        ctx.diagnostics.add(
            "P005", f"PDF/UA claim withheld: {'; '.join(v.describe() for v in found)}", file=ctx.article.source,
            hint="the PDF is tagged but does not declare PDF/UA-"
                 f"{variant.ua}; docs/ci.md lists the conditions and how to meet them")
    return data


# -- layout checks -----------------------------------------------------------------

def _walk(box: Any, parent: Any = None) -> Iterator[tuple[Any, Any]]:
    """(box, its parent) for a WeasyPrint box and every box inside it."""
    yield box, parent
    for child in getattr(box, "children", ()):
        yield from _walk(child, box)


def _overflowing_tables(html_doc: weasyprint.HTML, document: weasyprint.Document) -> set[int]:
    """Tables (by document order) whose laid-out width exceeds their container's."""
    order = {id(el): i for i, el in enumerate(html_doc.etree_element.iter("table"))}
    wide: set[int] = set()
    for page in document.pages:
        for box, parent in _walk(page._page_box):
            if getattr(box, "is_table_wrapper", False) and parent is not None and box.element is not None:
                table = box.get_wrapped_table()
                if table is not None and table.margin_width() > parent.width + 0.5:
                    wide.add(order.get(id(box.element), -1))
    wide.discard(-1)
    return wide


def _check_image_resolution(ctx: Context, document: weasyprint.Document, resolved: Resolved) -> None:
    """P002 for images printed below 300 ppi, in builds for a print shop."""
    if not resolved.setup.print_shop:
        return
    seen: set[str] = set()
    for page in document.pages:
        for box, _ in _walk(page._page_box):
            image = getattr(box, "replacement", None)
            if not isinstance(box, boxes.ReplacedBox) or not isinstance(image, RasterImage):
                continue
            if not box.width or not box.height:
                continue
            ppi = min(image.width / (box.width / 96), image.height / (box.height / 96))
            src = box.element.get("src", "") if box.element is not None else ""
            if ppi < MIN_PRINT_PPI and src not in seen:
                seen.add(src)
                name = src.rsplit("/", 1)[-1]
                width_mm = box.width / 96 * 25.4
                ctx.diagnostics.add(
                    "P002", f"image '{name}' prints at {ppi:.0f} ppi ({image.width} px over {width_mm:.0f} mm)",
                    file=ctx.article.source,
                    hint=f"supply at least {int(image.width * MIN_PRINT_PPI / ppi) + 1} px across for "
                         f"{MIN_PRINT_PPI} ppi, or print it smaller")


# -- writing -----------------------------------------------------------------------

class _Finisher:
    """Last touches on WeasyPrint's PDF objects, before they are written:

    * the BleedBox is the trimmed page plus exactly the requested bleed (WeasyPrint's
      CSS bleed area also holds the crop marks, so it can be wider);
    * page footnotes are tagged ``Note`` (PDF/UA, Matterhorn 19-001) with an ``ID``,
      and the structure tree gets the ``IDTree`` the PDF specification requires once
      elements have IDs (WeasyPrint gives table header cells IDs without one);
    * each associated file is listed once in ``/AF`` (WeasyPrint lists it twice).
    """

    def __init__(self, bleed_mm: float) -> None:
        self.bleed = bleed_mm * _MM_TO_PT

    def __call__(self, document: weasyprint.Document, pdf: pydyf.PDF) -> None:
        import pydyf

        if "AF" in pdf.catalog:
            pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
        for obj in pdf.objects:
            if isinstance(obj, dict) and obj.get("Type") == "/Page" and "TrimBox" in obj:
                left, top, right, bottom = (float(v) for v in obj["TrimBox"])
                b = self.bleed
                obj["BleedBox"] = pydyf.Array([left - b, top - b, right + b, bottom + b])
        if "StructTreeRoot" in pdf.catalog:
            self._tag_notes(pdf)

    @staticmethod
    def _tag_notes(pdf: pydyf.PDF) -> None:
        import pydyf

        def resolve(reference: object) -> Any:  # an indirect reference (b"12 0 R") to its object
            if isinstance(reference, bytes) and reference.endswith(b" R"):
                return pdf.objects[int(reference.split()[0])]
            return None

        root = resolve(pdf.catalog["StructTreeRoot"])
        document = resolve(root["K"][0])
        count = 0
        for reference in document["K"]:
            area = resolve(reference)
            if area is None or area.get("S") != "/NonStruct":  # a page's footnote area
                continue
            for kid in area["K"]:
                element = resolve(kid)
                if element is not None and element.get("S") == "/Span":
                    count += 1
                    element["S"] = "/Note"
                    element["ID"] = pydyf.String(f"footnote-{count}")
        ids: list[tuple[str, Any]] = []
        for obj in pdf.objects:
            if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and "ID" in obj:
                ids.append((str(getattr(obj["ID"], "string", obj["ID"])), obj))
        if ids:
            names = pydyf.Array()
            for key, obj in sorted(ids, key=lambda item: item[0].encode("utf-8")):
                names.extend([pydyf.String(key), obj.reference])
            tree = pydyf.Dictionary({"Names": names})
            pdf.add_object(tree)
            root["IDTree"] = tree.reference


def _source_attachment(ctx: Context, name: str | None = None, fetcher: ConfinedFetcher | None = None
                       ) -> weasyprint.Attachment:
    from exporter.model.file import dump_model

    naive = ctx.time.replace(tzinfo=None)
    return weasyprint.Attachment(
        string=dump_model(ctx.article).decode("utf-8"), url_fetcher=fetcher or ctx.fetcher,
        name=name or f"{ctx.article.stem}.xhtml", description="The article's source in the exporter model (docs/model.md)",
        created=naive, modified=naive, relationship="Source")


_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
for _prefix, _uri in _NS.items():
    ET.register_namespace(_prefix, _uri)


def _q(prefix: str, name: str) -> str:
    return f"{{{_NS[prefix]}}}{name}"


class _Metadata(DocumentMetadata):  # type: ignore[misc]  # WeasyPrint is untyped: its classes are Any
    """WeasyPrint's metadata plus what an archive wants in XMP (language, subjects,
    publisher, rights, licence, identifier, publication date) and, for PDF/A files that
    are also PDF/UA, the PDF/UA identification with its extension schema."""

    exporter_meta: Metadata
    ua_part: int | None

    @classmethod
    def from_document(cls, base: DocumentMetadata, ctx: Context, ua_part: int | None) -> _Metadata:
        meta = ctx.article.meta
        new = cls(title=meta.title, authors=[c.name for c in meta.contributors if c.role in ("aut", "ivr", "ive", "edt", "cre", "com")]
                  or [c.name for c in meta.contributors],
                  description=meta.description or meta.subtitle, keywords=list(meta.subjects),
                  generator=base.generator, created=base.created, modified=base.modified,
                  attachments=[], lang=meta.language, custom={}, xmp_metadata=[])
        custom = {"Publisher": meta.publisher, "Rights": meta.rights, "License": meta.license,
                  "Source": meta.source, "Identifier": meta.identifier, "Published": meta.date}
        new.custom = {key: value for key, value in custom.items() if value}
        new.exporter_meta = meta
        new.ua_part = ua_part
        return new

    def generate_rdf_metadata(self, variant: str, version: int | None, conformance: str | None) -> bytes:
        rdf = ET.fromstring(super().generate_rdf_metadata(variant, version, conformance))
        meta = self.exporter_meta

        def description() -> ET.Element:
            element = ET.SubElement(rdf, _q("rdf", "Description"))
            element.set(_q("rdf", "about"), "")
            return element

        def container(name: str, kind: str, values: list[str], lang: bool = False) -> None:
            holder = ET.SubElement(ET.SubElement(description(), _q("dc", name)), _q("rdf", kind))
            for value in values:
                li = ET.SubElement(holder, _q("rdf", "li"))
                if lang:
                    li.set("xml:lang", "x-default")
                li.text = value

        container("language", "Bag", [meta.language])
        if meta.subjects:
            container("subject", "Bag", list(meta.subjects))
        if meta.publisher:
            container("publisher", "Bag", [meta.publisher])
        if meta.rights:
            container("rights", "Alt", [meta.rights], lang=True)
        if meta.date:
            container("date", "Seq", [meta.date])
        if meta.identifier:
            ET.SubElement(description(), _q("dc", "identifier")).text = meta.identifier
        if meta.license and meta.license.startswith(("http://", "https://")):
            ET.SubElement(description(), _q("xmpRights", "WebStatement")).text = meta.license
        if self.ua_part and variant == "a":
            ET.SubElement(description(), _q("pdfuaid", "part")).text = str(self.ua_part)
            rdf.append(_pdfua_extension_schema())
        data: bytes = ET.tostring(rdf, encoding="utf-8")
        return data


def _pdfua_extension_schema() -> ET.Element:
    """PDF/A requires XMP properties outside its predefined schemas to be declared;
    this declares pdfuaid:part for files that are PDF/A and PDF/UA at once."""
    desc = ET.Element(_q("rdf", "Description"))
    desc.set(_q("rdf", "about"), "")
    schemas = ET.SubElement(ET.SubElement(desc, _q("pdfaExtension", "schemas")), _q("rdf", "Bag"))
    schema = ET.SubElement(schemas, _q("rdf", "li"))
    schema.set(_q("rdf", "parseType"), "Resource")
    ET.SubElement(schema, _q("pdfaSchema", "schema")).text = "PDF/UA Universal Accessibility Schema"
    ET.SubElement(schema, _q("pdfaSchema", "namespaceURI")).text = _NS["pdfuaid"]
    ET.SubElement(schema, _q("pdfaSchema", "prefix")).text = "pdfuaid"
    props = ET.SubElement(ET.SubElement(schema, _q("pdfaSchema", "property")), _q("rdf", "Seq"))
    prop = ET.SubElement(props, _q("rdf", "li"))
    prop.set(_q("rdf", "parseType"), "Resource")
    ET.SubElement(prop, _q("pdfaProperty", "name")).text = "part"
    ET.SubElement(prop, _q("pdfaProperty", "valueType")).text = "Integer"
    ET.SubElement(prop, _q("pdfaProperty", "category")).text = "internal"
    ET.SubElement(prop, _q("pdfaProperty", "description")).text = "Indicates, which part of ISO 14289 standard is followed"
    return desc

"""The PDF's structure tree prepared (:func:`prepare`, on the print page), repaired where
WeasyPrint's tagging falls short of PDF/UA-1 (:func:`finish`, on the written PDF), then
checked (:mod:`exporter.checks.pdfua`): the PDF/UA claim stays only when every
machine-checkable condition holds.

Repairs, on the written PDF with pikepdf:

* running heads and page numbers (page margin boxes), which WeasyPrint tags with
  structure elements it leaves out of the tree, become pagination artifacts;
* formulas (MathML, which the print page tags like images so that WeasyPrint writes
  their alternative text, the ``alttext`` or the formula's text) become ``Formula``;
* images the model marks decorative (``alt=""``; the print page gives them
  :data:`DECORATIVE` as a placeholder) become artifacts, their ``Figure`` removed;
* a list item's content outside ``Lbl`` and ``LBody`` (loose lists, end notes) is
  wrapped in an ``LBody``;
* table header cells get ``/Scope``: ``Column`` in a header row group, ``Row`` when
  the cell opens a row with data cells, ``Column`` otherwise; in a table with row or
  column spans, each data cell's ``/Headers`` is worked out on the table's grid.
"""

from __future__ import annotations

import io
from typing import Any

from lxml import etree
from weasyprint.pdf import tags as weasy_tags

from exporter.checks import pdfua
from exporter.model import MATHML_NS

__all__ = ["prepare", "finish", "DECORATIVE", "FORMULA"]

#: what the print page puts before a formula's alternative text, so that its element
#: (tagged like an image to carry the text) becomes a Formula
FORMULA = "\u2060exporter:formula\u2060"
#: the alternative text the print page gives decorative images, so that their Figure
#: can be told from one whose text is missing (see :func:`finish`)
DECORATIVE = "\u2060exporter:decorative\u2060"


def prepare(root: etree._Element) -> None:
    """Images and formulas as the PDF's tagging needs them: a decorative image
    (``alt=""``) gets a placeholder that :func:`finish` turns into an artifact; one
    without alternative text in a captioned figure gets the caption's text; a formula
    gets its ``alttext`` (else its text) marked as a formula's (:func:`_pdf_tag`)."""
    for math in root.iter(f"{{{MATHML_NS}}}math", "math"):
        text = " ".join((math.get("alttext") or math.xpath("string()")).split())
        math.set("alt", FORMULA + text)
    for img in root.iter("img"):
        alt = img.get("alt")
        if alt is not None and not alt.strip():
            img.set("alt", DECORATIVE)
        elif alt is None:
            figure = next((a for a in img.iterancestors("figure")), None)
            caption = figure.find(".//figcaption") if figure is not None else None
            text = " ".join(caption.xpath("string()").split()) if caption is not None else ""
            if text:
                img.set("alt", text)


def _pdf_tag(tag: str | None) -> str:
    """WeasyPrint's structure type for an element, with MathML ``math`` tagged like an
    image — so that WeasyPrint writes its ``alt`` — and renamed ``Formula`` by
    :func:`finish` (WeasyPrint itself tags math ``NonStruct``, without alternative text)."""
    if tag in ("math", f"{{{MATHML_NS}}}math"):
        return "Figure"
    result: str = _weasy_pdf_tag(tag)
    return result


_weasy_pdf_tag = getattr(weasy_tags._get_pdf_tag, "weasyprint_own", weasy_tags._get_pdf_tag)
_pdf_tag.weasyprint_own = _weasy_pdf_tag  # type: ignore[attr-defined]  # a reload must not wrap it twice
weasy_tags._get_pdf_tag = _pdf_tag


def finish(data: bytes, claim: int | None) -> tuple[bytes, list[pdfua.Violation]]:
    """The PDF with its structure repaired and, when ``claim`` (a PDF/UA part) is given
    and no condition is violated, the claim kept; otherwise ``pdfuaid:part`` is removed.
    Returns the new bytes and the violations (which withheld the claim)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if isinstance(pdf.Root.get("/StructTreeRoot"), pikepdf.Dictionary):
            _repair(pdf)
        found = pdfua.violations(pdf)
        if (found or not claim) and "pdfuaid:part" in pdf.open_metadata(set_pikepdf_as_editor=False,
                                                                          update_docinfo=False):
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
                del meta["pdfuaid:part"]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue(), found


def _repair(pdf: Any) -> None:
    import pikepdf

    tree = pdf.Root.StructTreeRoot
    role_map = {str(k): str(v) for k, v in (tree.get("/RoleMap") or {}).items()}
    listed = list(pdfua.elements(pdf))
    reachable = {element.objgen for element, _ in listed}
    artifacts: dict[tuple[int, int], dict[int, str]] = {}  # page → MCID → artifact type
    for element, parent in listed:
        kind = pdfua.standard_type(element, role_map)
        if kind == "/Figure" and str(element.get("/Alt", "")).startswith(FORMULA):
            element.S = pikepdf.Name.Formula
            text = str(element.Alt)[len(FORMULA):]
            if text:
                element.Alt = pikepdf.String(text)
            else:
                del element["/Alt"]
        elif kind == "/Figure" and str(element.get("/Alt", "")) == DECORATIVE:
            del element["/Alt"]
            for mcid, page in _mcids(element):
                artifacts.setdefault(page, {})[mcid] = ""
            if parent is not None:
                _remove_kid(parent, element)
        elif kind == "/LI":
            _wrap_list_body(pdf, element, role_map)
        elif kind == "/TH":
            _scope(element, parent, role_map)
    for element, _ in listed:
        if pdfua.standard_type(element, role_map) == "/Table":
            _spanned_headers(element, role_map)
    parents = pdfua.parent_tree(tree)
    for page in pdf.pages:
        index = page.obj.get("/StructParents")
        mapping = parents.get(int(index)) if index is not None else None
        if not isinstance(mapping, pikepdf.Array):
            continue
        for mcid, owner in enumerate(mapping):
            if isinstance(owner, pikepdf.Dictionary) and owner.objgen not in reachable:
                artifacts.setdefault(page.obj.objgen, {})[mcid] = "/Pagination"  # a margin box
        wanted = artifacts.get(page.obj.objgen)
        if wanted:
            _mark_artifacts(pdf, page, wanted)
            for mcid in wanted:
                if mcid < len(mapping):
                    mapping[mcid] = None


def _mcids(element: Any) -> list[tuple[int, tuple[int, int]]]:
    """(MCID, page objgen) of the marked content directly in an element."""
    import pikepdf

    k = element.get("/K")
    items = list(k) if isinstance(k, pikepdf.Array) else [k]
    page = element.get("/Pg")
    found = []
    for item in items:
        if isinstance(item, int) and isinstance(page, pikepdf.Dictionary):
            found.append((int(item), page.objgen))
        elif isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR":
            holder = item.get("/Pg", page)
            if isinstance(holder, pikepdf.Dictionary):
                found.append((int(item.MCID), holder.objgen))
    return found


def _remove_kid(parent: Any, element: Any) -> None:
    import pikepdf

    k = parent.get("/K")
    if isinstance(k, pikepdf.Array):
        parent.K = pikepdf.Array([kid for kid in k if not (isinstance(kid, pikepdf.Dictionary)
                                                             and kid.objgen == element.objgen)])
    elif isinstance(k, pikepdf.Dictionary) and k.objgen == element.objgen:
        parent.K = pikepdf.Array()


def _wrap_list_body(pdf: Any, item: Any, role_map: dict[str, str]) -> None:
    """Move an LI's kids other than Lbl and LBody into an LBody (its first, or a new one)."""
    import pikepdf

    k = item.get("/K")
    kids = list(k) if isinstance(k, pikepdf.Array) else [k]
    kinds = [pdfua.standard_type(kid, role_map) if isinstance(kid, pikepdf.Dictionary) else "" for kid in kids]
    stray = [kid for kid, kind in zip(kids, kinds) if kind not in ("/Lbl", "/LBody")
             and isinstance(kid, pikepdf.Dictionary) and "/S" in kid]
    if not stray:
        return
    body = next((kid for kid, kind in zip(kids, kinds) if kind == "/LBody"), None)
    if body is None:
        body = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody,
                                                    P=item, K=pikepdf.Array()))
        if "/Pg" in item:
            body.Pg = item.Pg
    held = body.get("/K")
    contents = list(held) if isinstance(held, pikepdf.Array) else ([held] if held is not None else [])
    stray_ids = {kid.objgen for kid in stray}
    placed = any(isinstance(kid, pikepdf.Dictionary) and kid.objgen == body.objgen for kid in kids)
    new_kids = []
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and kid.objgen in stray_ids:
            if not placed:  # the new LBody takes the place of the first stray kid
                new_kids.append(body)
                placed = True
            contents.append(kid)
            kid.P = body
        else:
            new_kids.append(kid)
    body.K = pikepdf.Array(contents)
    item.K = pikepdf.Array(new_kids)


def _scope(cell: Any, row: Any, role_map: dict[str, str]) -> None:
    import pikepdf

    attributes = cell.get("/A")
    if not isinstance(attributes, pikepdf.Dictionary):
        attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
        cell.A = attributes
    if "/Scope" in attributes:
        return
    group = row.get("/P") if row is not None else None
    in_head = group is not None and pdfua.standard_type(group, role_map) == "/THead"
    first = False
    if row is not None and not in_head:
        k = row.get("/K")
        kids = [kid for kid in (list(k) if isinstance(k, pikepdf.Array) else [k])
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]
        first = bool(kids) and kids[0].objgen == cell.objgen and any(
            pdfua.standard_type(kid, role_map) == "/TD" for kid in kids)
    attributes.Scope = pikepdf.Name.Row if first else pikepdf.Name.Column


def _struct_kids(element: Any) -> list[Any]:
    import pikepdf

    k = element.get("/K")
    return [kid for kid in (list(k) if isinstance(k, pikepdf.Array) else [k])
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def _span(cell: Any, key: str) -> int:
    import pikepdf

    attributes = cell.get("/A")
    value = attributes.get(key) if isinstance(attributes, pikepdf.Dictionary) else None
    return max(int(value), 1) if value is not None else 1


def _spanned_headers(table: Any, role_map: dict[str, str]) -> None:
    """In a table with row or column spans, each data cell's ``/Headers`` from the grid:
    the column header cells above it in its columns and the row header cells to its left
    in its rows (WeasyPrint's own list miscounts columns after a row span)."""
    import pikepdf

    rows: list[Any] = []
    for kid in _struct_kids(table):
        kind = pdfua.standard_type(kid, role_map)
        if kind == "/TR":
            rows.append(kid)
        elif kind in ("/THead", "/TBody", "/TFoot"):
            rows += [row for row in _struct_kids(kid) if pdfua.standard_type(row, role_map) == "/TR"]
    cells = [[cell for cell in _struct_kids(row) if pdfua.standard_type(cell, role_map) in ("/TH", "/TD")]
             for row in rows]
    if not any(_span(c, "/ColSpan") > 1 or _span(c, "/RowSpan") > 1 for row in cells for c in row):
        return
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[Any, int, int, int, int]] = []  # cell, row, column, rows, columns
    for r, row in enumerate(cells):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            height, width = _span(cell, "/RowSpan"), _span(cell, "/ColSpan")
            taken.update((r + i, c + j) for i in range(height) for j in range(width))
            placed.append((cell, r, c, height, width))
            c += width
    heads = [(cell, r, c, h, w) for cell, r, c, h, w in placed
             if pdfua.standard_type(cell, role_map) == "/TH" and "/ID" in cell]
    for cell, r, c, h, w in placed:
        if pdfua.standard_type(cell, role_map) != "/TD":
            continue
        found = []
        for head, hr, hc, hh, hw in heads:
            scope = str(head.A.get("/Scope", "")) if isinstance(head.get("/A"), pikepdf.Dictionary) else ""
            columns = hc < c + w and c < hc + hw
            rows_meet = hr < r + h and r < hr + hh
            if (scope != "/Row" and columns and hr < r) or (scope == "/Row" and rows_meet and hc < c):
                found.append(head.ID)
        if not isinstance(cell.get("/A"), pikepdf.Dictionary):
            cell.A = pikepdf.Dictionary(O=pikepdf.Name.Table)
        cell.A.Headers = pikepdf.Array(found)


def _mark_artifacts(pdf: Any, page: Any, wanted: dict[int, str]) -> None:
    """Turn the page's marked content with these MCIDs into artifacts (of the given type)."""
    import pikepdf

    operations = pikepdf.parse_content_stream(page)
    changed: list[Any] = []
    for instruction in operations:
        operands = list(instruction.operands)
        if str(instruction.operator) == "BDC" and len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary) \
                and "/MCID" in operands[1] and int(operands[1].MCID) in wanted:
            kind = wanted[int(operands[1].MCID)]
            properties = pikepdf.Dictionary(Type=pikepdf.Name(kind)) if kind else pikepdf.Dictionary()
            instruction = pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact, properties], pikepdf.Operator("BDC"))
        changed.append(instruction)
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(changed))

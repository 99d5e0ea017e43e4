"""The machine-checkable PDF/UA-1 conditions, in one place: the PDF writer runs them on
every PDF it makes and declares PDF/UA (XMP ``pdfuaid:part``) only when none is violated
(otherwise it withholds the claim with P005), and ``exporter check`` fails a PDF that
claims PDF/UA and violates one (:mod:`exporter.checks.pdf`).

Each condition names the Matterhorn Protocol checkpoint (and failure condition, where
one matches exactly) it checks. What only a person can judge — whether alternative
text is right, whether a table needs headers, reading order, the language of a
passage, colour and contrast — is not here; docs/ci.md lists both.

This module imports nothing from exporter, so the writer and the checks share it
without an import cycle; pikepdf is imported by the caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pikepdf

__all__ = ["CONDITIONS", "Violation", "violations", "elements", "standard_type", "parent_tree"]

#: code → (Matterhorn checkpoint or failure condition, what must hold)
CONDITIONS: dict[str, tuple[str, str]] = {
    "untagged": ("01", "the PDF is tagged: /MarkInfo /Marked true and a structure tree"),
    "untagged-content": ("01-005", "all content is either an artifact or marked content whose structure "
                                   "element belongs to the structure tree"),
    "no-title": ("06-003", "XMP has dc:title"),
    "display-doc-title": ("07-001", "/ViewerPreferences /DisplayDocTitle is true"),
    "no-lang": ("11-006", "the catalog has /Lang"),
    "list-structure": ("09-005", "lists are L ⊃ LI ⊃ (Lbl, LBody): LI only in L, only Lbl and LBody in LI"),
    "table-structure": ("09-004", "tables are Table ⊃ (THead, TBody, TFoot) ⊃ TR ⊃ (TH, TD)"),
    "table-headers": ("15-003", "in a table with header cells, every TH has /Scope or every TD names its "
                                "headers (/Headers of TH /IDs that exist)"),
    "figure-alt": ("13-004", "every Figure has /Alt or /ActualText"),
    "formula-alt": ("17-002", "every Formula has /Alt or /ActualText"),
    "note-id": ("19-003", "every Note has an /ID, and IDs are unique"),
}

#: operators that paint (text, paths, images, shadings)
_PAINTING = frozenset({"Tj", "TJ", "'", '"', "Do", "sh", "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "EI",
                       "INLINE IMAGE"})
_ROW_GROUPS = frozenset({"/THead", "/TBody", "/TFoot"})


@dataclass(frozen=True)
class Violation:
    """One condition violated ``count`` times; ``example`` says where the first was."""

    code: str
    count: int
    example: str = ""

    @property
    def matterhorn(self) -> str:
        return CONDITIONS[self.code][0]

    def describe(self) -> str:
        """``"figure-alt (Matterhorn 13-004): every Figure has /Alt … — 2 times, first on page 3"``."""
        where = f", first {self.example}" if self.example else ""
        times = "once" if self.count == 1 else f"{self.count} times"
        return f"{self.code} (Matterhorn {self.matterhorn}): {CONDITIONS[self.code][1]} — violated {times}{where}"


def standard_type(element: pikepdf.Object, role_map: dict[str, str]) -> str:
    """The element's structure type after the role map (``"/P"``)."""
    kind = str(element.get("/S", ""))
    for _ in range(8):
        if kind not in role_map:
            break
        kind = role_map[kind]
    return kind


def elements(pdf: pikepdf.Pdf) -> Iterator[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]]:
    """(structure element, its parent element or None) for every element reachable from
    the structure tree root, in document order, each once."""
    import pikepdf

    tree = pdf.Root.get("/StructTreeRoot")
    if not isinstance(tree, pikepdf.Dictionary):
        return
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, pikepdf.Dictionary | None]] = [(tree.get("/K"), None)]
    while stack:
        node, parent = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend((kid, parent) for kid in reversed(list(node)))
            continue
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            continue  # marked-content references, object references, MCIDs
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        yield node, parent
        if "/K" in node:
            stack.append((node.get("/K"), node))


def _kids(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    import pikepdf

    k = element.get("/K")
    items = list(k) if isinstance(k, pikepdf.Array) else [k]
    return [kid for kid in items if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def _attribute(element: pikepdf.Dictionary, key: str) -> Any:
    """An attribute of the element (``/A`` is a dictionary or an array of them)."""
    import pikepdf

    holder = element.get("/A")
    for attributes in (list(holder) if isinstance(holder, pikepdf.Array) else [holder]):
        if isinstance(attributes, pikepdf.Dictionary) and key in attributes:
            return attributes.get(key)
    return None


def violations(pdf: pikepdf.Pdf) -> list[Violation]:
    """Every machine-checkable PDF/UA-1 condition this PDF violates (empty: none)."""
    import pikepdf

    counts: dict[str, list[Any]] = {}

    def fail(code: str, where: str = "") -> None:
        counts.setdefault(code, [0, where])[0] += 1

    root = pdf.Root
    tree = root.get("/StructTreeRoot")
    info = root.get("/MarkInfo")
    marked = isinstance(info, pikepdf.Dictionary) and info.get("/Marked", False) is True
    if not marked or not isinstance(tree, pikepdf.Dictionary) or not tree.get("/K"):
        fail("untagged")
    if not str(root.get("/Lang", "")).strip():
        fail("no-lang")
    preferences = root.get("/ViewerPreferences")
    if not (isinstance(preferences, pikepdf.Dictionary) and preferences.get("/DisplayDocTitle", False) is True):
        fail("display-doc-title")
    try:
        title = str(pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False).get("dc:title", "") or "")
    except Exception:
        title = ""
    if not title.strip():
        fail("no-title")
    if not isinstance(tree, pikepdf.Dictionary):
        return [Violation(code, n, where) for code, (n, where) in counts.items()]

    role_map = {str(k): str(v) for k, v in (tree.get("/RoleMap") or {}).items()}
    pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages, 1)}

    def where(element: pikepdf.Dictionary) -> str:
        page = element.get("/Pg")
        return f"on page {pages.get(page.objgen, '?')}" if isinstance(page, pikepdf.Dictionary) else ""

    reachable: set[tuple[int, int]] = set()
    ids: dict[str, int] = {}
    tables: list[pikepdf.Dictionary] = []
    for element, parent in elements(pdf):
        if element.is_indirect:
            reachable.add(element.objgen)
        kind = standard_type(element, role_map)
        parent_kind = standard_type(parent, role_map) if parent is not None else ""
        if "/ID" in element:
            key = bytes(element["/ID"]).decode("latin-1")
            ids[key] = ids.get(key, 0) + 1
        if kind == "/LI" and (parent_kind != "/L" or any(standard_type(kid, role_map) not in ("/Lbl", "/LBody")
                                                           for kid in _kids(element))):
            fail("list-structure", where(element))
        elif kind in ("/Lbl", "/LBody") and parent_kind != "/LI":
            fail("list-structure", where(element))
        elif kind == "/L" and any(standard_type(kid, role_map) not in ("/LI", "/L", "/Caption") for kid in _kids(element)):
            fail("list-structure", where(element))
        elif kind == "/TR" and parent_kind not in _ROW_GROUPS | {"/Table"}:
            fail("table-structure", where(element))
        elif kind in ("/TH", "/TD") and parent_kind != "/TR":
            fail("table-structure", where(element))
        elif kind in _ROW_GROUPS and parent_kind != "/Table":
            fail("table-structure", where(element))
        elif kind == "/Table":
            tables.append(element)
        elif kind in ("/Figure", "/Formula") and not (str(element.get("/Alt", "")).strip()
                                                      or str(element.get("/ActualText", "")).strip()):
            fail("figure-alt" if kind == "/Figure" else "formula-alt", where(element))
        elif kind == "/Note" and "/ID" not in element:
            fail("note-id", where(element))
    for key, number in ids.items():
        if number > 1:
            fail("note-id", f"ID {key!r} used {number} times")
    for table in tables:
        if not _headed(table, role_map, set(ids)):
            fail("table-headers", where(table))
    _content(pdf, tree, reachable, fail)
    return [Violation(code, n, example) for code, (n, example) in sorted(counts.items(), key=lambda item: list(CONDITIONS).index(item[0]))]


def _cells(table: pikepdf.Dictionary, role_map: dict[str, str]) -> Iterator[tuple[str, pikepdf.Dictionary]]:
    for kid in _kids(table):
        kind = standard_type(kid, role_map)
        if kind in _ROW_GROUPS or kind == "/TR":
            rows = _kids(kid) if kind in _ROW_GROUPS else [kid]
            for row in rows:
                for cell in _kids(row):
                    yield standard_type(cell, role_map), cell


def _headed(table: pikepdf.Dictionary, role_map: dict[str, str], ids: set[str]) -> bool:
    """15-003: a table with header cells either scopes every TH or names every TD's
    headers; a /Headers entry that leads nowhere is wrong whatever the scopes say."""
    cells = list(_cells(table, role_map))
    heads = [cell for kind, cell in cells if kind == "/TH"]
    data = [cell for kind, cell in cells if kind == "/TD"]
    if not heads:
        return True
    scoped = all(_attribute(th, "/Scope") is not None for th in heads)
    named = True
    for td in data:
        headers = _attribute(td, "/Headers")
        names = [bytes(h).decode("latin-1") for h in headers] if headers is not None else []
        if any(name not in ids for name in names):
            return False
        named = named and bool(names)
    return scoped or named


def _content(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary, reachable: set[tuple[int, int]], fail: Any) -> None:
    """01-005 on each page's content stream: painting outside any marked content, and
    marked content whose structure element (through the parent tree) is not in the tree."""
    import pikepdf

    parents = parent_tree(tree)
    for number, page in enumerate(pdf.pages, 1):
        where = f"on page {number}"
        index = page.obj.get("/StructParents")
        mapping = parents.get(int(index)) if index is not None else None
        depth = 0
        try:
            operations = pikepdf.parse_content_stream(page)
        except pikepdf.PdfError:
            fail("untagged-content", where)
            continue
        for instruction in operations:
            operands, op = list(instruction.operands), str(instruction.operator)
            if op in ("BDC", "BMC"):
                depth += 1
                properties = operands[1] if op == "BDC" and len(operands) > 1 else None
                if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                    mcid = int(properties["/MCID"])
                    element = mapping[mcid] if isinstance(mapping, pikepdf.Array) and mcid < len(mapping) else None
                    if not (isinstance(element, pikepdf.Dictionary) and element.objgen in reachable):
                        fail("untagged-content", where)
            elif op == "EMC":
                depth = max(depth - 1, 0)
            elif op in _PAINTING and depth == 0:
                fail("untagged-content", where)


def parent_tree(tree: pikepdf.Dictionary) -> dict[int, Any]:
    import pikepdf

    found: dict[int, Any] = {}
    stack = [tree.get("/ParentTree")]
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary):
            continue
        nums = node.get("/Nums")
        if isinstance(nums, pikepdf.Array):
            items = list(nums)
            for key, value in zip(items[::2], items[1::2]):
                found[int(key)] = value
        stack.extend(node.get("/Kids") or [])
    return found

"""A long book's PDF laid out in groups of chapters and joined with pikepdf.

WeasyPrint keeps every laid-out page of a document in memory until the PDF is
written, so a book's peak memory grows with its length. Here the book's print page
(:func:`.book_html.print_root`) is made and laid out a group of chapters at a time,
each by the PDF writer (:func:`.pdf.layout` and :func:`.pdf.render`: tagging, page
footnotes, fitted tables, metadata, the PDF variant), each group's layout dropped once
its PDF is written. Then:

* page numbers run on: each group's first page is numbered where the previous group
  ended (``counter-reset: page N`` on its first page);
* the contents are laid out last, with the page numbers the groups' layouts gave
  (``data-page``), and the groups are laid out again if the contents' length changed;
* links to an id in another group are laid out as ``https://exporter.invalid/goto/ID``
  and become links to the named destination ``ID`` once the groups are joined (every
  group's named destinations are kept);
* joining keeps each group's tagged structure (its elements under one ``Document``,
  the parent tree renumbered), the bookmarks (an article's group that starts inside a
  part puts its bookmarks under that part), one page-label range (the folios), and the
  book's metadata (document information and XMP from the first group).
"""

from __future__ import annotations

import gc
import io
import urllib.parse
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

import pikepdf
from lxml import etree

if TYPE_CHECKING:
    import weasyprint

from exporter.book import Book, Chapter
from exporter.book.html import BOOK_PAGED_CSS, Block, blocks, print_root
from exporter.checks import pdfua
from exporter.errors import OutputError
from exporter.pagesetup import Resolved
from exporter.writers import html, pdf

__all__ = ["render", "groups", "GROUP_CHARS"]

#: about how much text (characters) one group of chapters holds
GROUP_CHARS = 250_000
FRONT = ("title-page", "imprint", "contents")
GOTO = "https://exporter.invalid/goto/"
PX = 0.75  # CSS pixels to PDF points

#: where a bookmark leads (as pikepdf's OutlineItem takes it)
_Destination: TypeAlias = "pikepdf.Array | pikepdf.String | pikepdf.Name | int | None"
#: (title, destination, children)
_Bookmark: TypeAlias = "tuple[str, _Destination, list[_Bookmark]]"


def absolute_images(chapter: Chapter, pg: html.Page) -> None:
    """Image sources as absolute URLs (each chapter's are relative to its own source)."""
    for img in pg.images:
        img.set("src", chapter.ctx.url_for(img.get("src", "")))


def attachments(book: Book) -> list[weasyprint.Attachment]:
    """For PDF/A-3 and 4f: each article's canonical source, as a single article's PDF
    carries its own."""
    found, names = [], set()
    for chapter in book.chapters:
        name = f"{chapter.key}-{chapter.article.stem}.xhtml"
        names.add(name)
        found.append(pdf._source_attachment(chapter.ctx, name=name, fetcher=book.ctx.fetcher))
    return found


def _size(block: Block) -> int:
    if block.chapter is None:
        return 0
    return sum(len(text) for text in block.chapter.article.text_blocks())


def groups(book: Book) -> tuple[list[Block], list[list[Block]]]:
    """(the front matter, the groups of the rest): a group ends once it holds about
    :data:`GROUP_CHARS` of text, never right after a part's title page."""
    every = blocks(book)
    front = [b for b in every if b.kind in FRONT]
    found: list[list[Block]] = []
    current: list[Block] = []
    size = 0
    for block in every:
        if block.kind in FRONT:
            continue
        starts_part = block.kind == "part"
        if current and (size >= GROUP_CHARS or (starts_part and size >= GROUP_CHARS // 2)):
            found.append(current)
            current, size = [], 0
        current.append(block)
        size += _size(block)
    if current:
        found.append(current)
    return front, found


class _Laid:
    """One group laid out and written: its PDF, page count and where its ids are."""

    def __init__(self, data: bytes, count: int, anchors: dict[str, tuple[int, float, float]], mid_part: bool):
        self.data, self.count, self.anchors = data, count, anchors
        #: the group starts with a chapter of a part begun in the group before
        self.mid_part = mid_part


def _lay_out(book: Book, selected: list[Block], first_page: int, pages: dict[str, int] | None,
             attachments: list[weasyprint.Attachment]) -> _Laid:
    ctx = book.ctx

    def page() -> tuple[etree._Element, Resolved]:
        root, resolved = print_root(book, selected, images=absolute_images, pages=pages)
        style = etree.SubElement(root.find("head"), "style")
        style.text = f"@page :first {{ counter-reset: page {first_page} }}"
        own = {el.get("id") for el in root.iter(etree.Element) if el.get("id")}
        for a in root.iter("a"):
            href = a.get("href", "")
            if href.startswith("#") and href[1:] not in own:  # in another group
                a.set("href", GOTO + urllib.parse.quote(href[1:], safe=""))
        return root, resolved

    ctx.cache.pop("layout", None)
    document, _ = pdf.layout(ctx, page=page, extra_css=BOOK_PAGED_CSS)
    anchors: dict[str, tuple[int, float, float]] = {}
    for index, laid in enumerate(document.pages):
        height = laid.height
        for key, position in laid.anchors.items():
            anchors.setdefault(key, (index, position[0] * PX, (height - position[1]) * PX))
    count = len(document.pages)
    data = pdf.render(ctx, attachments=attachments)
    ctx.cache.pop("layout", None)
    del document
    gc.collect()
    opening = selected[0]
    return _Laid(data, count, anchors, opening.kind == "chapter" and opening.chapter is not None
                 and opening.chapter.part is not None)


def render(book: Book) -> bytes:
    front, body = groups(book)
    every_attachment = attachments(book)
    front_count = 0
    if front:
        placeholder = {b.key: 888 for group in body for b in group}
        front_count = _lay_out(book, front, 1, placeholder, every_attachment).count
    for _ in range(3):
        laid: list[_Laid] = []
        first = front_count + 1
        for group in body:
            laid.append(_lay_out(book, group, first, None, [] if front else every_attachment))
            first += laid[-1].count
        numbers: dict[str, int] = {}
        offset = front_count
        for group_laid in laid:
            for key, (index, _, _) in group_laid.anchors.items():
                numbers.setdefault(key, offset + index + 1)
            offset += group_laid.count
        if not front:
            break
        head = _lay_out(book, front, 1, {b.key: numbers.get(b.key, 0) for g in body for b in g},
                        every_attachment)
        if head.count == front_count:
            laid.insert(0, head)
            break
        front_count = head.count  # the contents grew or shrank: lay the body out again
    else:
        raise OutputError("the book's front matter keeps changing length as its page numbers are filled in",
                          file=book.project.file, hint="build with pdf_layout = \"whole\" in [build]")
    return _join(book, laid)


# -- joining --------------------------------------------------------------------------------

def _copy(target: pikepdf.Pdf, value: Any) -> Any:
    """``value`` from another PDF as an object of ``target`` (direct arrays and
    dictionaries copied item by item, indirect objects through pikepdf)."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return target.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(target, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(target, item) for key, item in value.items()})
    return value


def _check_claim(book: Book, joined: pikepdf.Pdf) -> None:
    """The parts were checked one by one (:mod:`exporter.writers.pdftags`); the joined
    book keeps its PDF/UA claim only if it passes the conditions as a whole (P005)."""
    found = pdfua.violations(joined)
    if found and "pdfuaid:part" in joined.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False):
        with joined.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            del meta["pdfuaid:part"]
        book.ctx.diagnostics.add("P005", f"PDF/UA claim withheld: {'; '.join(v.describe() for v in found)}",
                                 file=book.project.file,
                                 hint="docs/ci.md lists the conditions and how to meet them")


def _join(book: Book, laid: list[_Laid]) -> bytes:
    target = pikepdf.open(io.BytesIO(laid[0].data))
    outline: list[_Bookmark] = _outline(target, target)
    for group in laid[1:]:
        source = pikepdf.open(io.BytesIO(group.data))
        first_page = len(target.pages)
        with warnings.catch_warnings():  # named destinations: _merge_names keeps every one
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning if hasattr(pikepdf, "PageCopyWarning")
                                  else UserWarning)
            target.pages.extend(source.pages)
        _merge_structure(target, source, first_page)
        _merge_names(target, source)
        items = _outline(target, source)
        if group.mid_part and outline:  # its first chapters' bookmarks go under their part
            while items and not _is_part(book, items[0][0]):
                outline[-1][2].append(items.pop(0))
        outline += items
    _resolve_links(target)
    with target.open_outline() as made:
        made.root.clear()
        made.root.extend(_items(outline))
    target.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D)]))
    _check_claim(book, target)
    out = io.BytesIO()
    target.save(out, deterministic_id=True, compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _is_part(book: Book, title: str) -> bool:
    return any(part.title == title for part in book.parts)


def _outline(target: pikepdf.Pdf, source: pikepdf.Pdf) -> list[_Bookmark]:
    """(title, destination copied into ``target``, children) for every bookmark."""
    def walk(items: Iterable[pikepdf.OutlineItem]) -> list[_Bookmark]:
        found: list[_Bookmark] = []
        for item in items:
            destination = item.destination
            if destination is not None and source is not target:
                destination = _copy(target, destination)
            found.append((item.title, destination, walk(item.children)))
        return found
    with source.open_outline() as outline:
        return walk(outline.root)


def _items(nodes: list[_Bookmark]) -> list[pikepdf.OutlineItem]:
    made = []
    for title, destination, children in nodes:
        item = pikepdf.OutlineItem(title, destination)
        item.children.extend(_items(children))
        made.append(item)
    return made


def _merge_structure(target: pikepdf.Pdf, source: pikepdf.Pdf, first_page: int) -> None:
    """Put the source's structure elements under the target's ``Document`` element and
    renumber its parent tree after the target's."""
    if "/StructTreeRoot" not in source.Root or "/StructTreeRoot" not in target.Root:
        return
    tree, other = target.Root.StructTreeRoot, source.Root.StructTreeRoot
    nums = tree.ParentTree.Nums
    offset = int(tree.get("/ParentTreeNextKey", 0)) or (max((int(k) for k in nums[::2]), default=-1) + 1)
    copied = _copy(target, other.ParentTree.Nums)
    last = -1
    for index in range(0, len(copied), 2):
        key = int(copied[index]) + offset
        nums.append(key)
        nums.append(copied[index + 1])
        last = max(last, key)
    for page in target.pages[first_page:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    tree.ParentTreeNextKey = max(last + 1, offset)
    document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
    kids = document.K if isinstance(document.K, pikepdf.Array) else pikepdf.Array([document.K])
    source_document = other.K[0] if isinstance(other.K, pikepdf.Array) else other.K
    for kid in _copy(target, source_document).K:
        if isinstance(kid, pikepdf.Dictionary):
            kid.P = document
        kids.append(kid)
    document.K = kids
    for name in ("/RoleMap", "/ClassMap"):
        if name in other:
            mapping = tree.get(name) or pikepdf.Dictionary()
            for key, value in _copy(target, other[name]).items():
                if key not in mapping:
                    mapping[key] = value
            tree[name] = mapping
    if "/IDTree" in other:
        ids = pikepdf.NameTree.new(target) if "/IDTree" not in tree else pikepdf.NameTree(tree.IDTree)
        for ident, value in pikepdf.NameTree(other.IDTree).items():
            ids[ident] = _copy(target, value)
        tree.IDTree = ids.obj


def _merge_names(target: pikepdf.Pdf, source: pikepdf.Pdf) -> None:
    """Keep every named destination of the source (the ids links lead to)."""
    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return
    if "/Names" not in target.Root:
        target.Root.Names = pikepdf.Dictionary()
    if "/Dests" not in target.Root.Names:
        target.Root.Names.Dests = pikepdf.NameTree.new(target).obj
    dests = pikepdf.NameTree(target.Root.Names.Dests)
    for key, value in pikepdf.NameTree(names.Dests).items():
        if key not in dests:
            dests[key] = _copy(target, value)


def _resolve_links(target: pikepdf.Pdf) -> None:
    """Links laid out to ``GOTO`` + id become links to the named destination id."""
    dests = pikepdf.NameTree(target.Root.Names.Dests) if "/Names" in target.Root and \
        "/Dests" in target.Root.Names else {}
    for page in target.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            if action is None or action.get("/S") != "/URI" or not str(action.URI).startswith(GOTO):
                continue
            name = urllib.parse.unquote(str(action.URI)[len(GOTO):])
            del annotation["/A"]
            if name in dests:
                annotation.Dest = pikepdf.String(name)

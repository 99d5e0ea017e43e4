"""PDF checks without veraPDF (which cannot be installed from PyPI, npm or Debian): qpdf
for syntax, pikepdf for the rest.

What a PDF declares decides how strict a check is. A PDF that claims PDF/UA (XMP
``pdfuaid:part``) must be tagged, have ``/Lang``, a title shown as the window title
and alternative text on every figure: missing any is an error. Without the claim the
same gaps are warnings. A PDF/A claim (``pdfaid``) needs a valid part and conformance,
an output intent, no encryption, a PDF version its part allows and an Info title that
matches the XMP one; a PDF/X claim needs a trim or art box on every page. Whatever is
claimed: the syntax is sound, every font is embedded, outline entries lead to pages
of this document, and each page's boxes nest (crop in media, bleed/trim/art in crop,
trim in bleed).

Codes: ``syntax``, ``font-not-embedded``, ``untagged``, ``no-lang``,
``display-doc-title``, ``figure-alt``, ``no-title``, ``metadata-mismatch``,
``no-outline``, ``outline-target``, ``pdfa-id``, ``pdfa-output-intent``,
``pdfa-encrypted``, ``pdf-version``, ``pdfua-id``, ``pdfx-boxes``, ``page-box``, ``page-sizes``, and
the PDF/UA conditions of :mod:`exporter.checks.pdfua` (``untagged-content``, ``list-structure``,
``table-structure``, ``table-headers``, ``formula-alt``, ``note-id``): errors when PDF/UA is
claimed — the writer claims it only when they hold.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from exporter.checks import pdfua, tools
from exporter.checks.result import Finding, Severity

if TYPE_CHECKING:  # pikepdf is imported where it is used: exporter runs without it
    import pikepdf
    from pikepdf.models.metadata import PdfMetadata

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
_EMBEDDED = ("/FontFile", "/FontFile2", "/FontFile3")
_MAX_REPORTED = 20  # per code, so that one systematic fault does not bury the others
#: what a missing PDF dictionary reads as
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def available() -> bool:
    try:
        import pikepdf  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class Claims:
    """What the PDF says it conforms to."""

    pdfua: str = ""  # XMP pdfuaid:part, e.g. "1"
    pdfa_part: str = ""  # XMP pdfaid:part, e.g. "2"
    pdfa_conformance: str = ""  # XMP pdfaid:conformance, e.g. "B"
    pdfx: str = ""  # GTS_PDFXVersion, e.g. "PDF/X-4"

    def describe(self) -> str:
        parts = [f"PDF/UA-{self.pdfua}" if self.pdfua else "",
                 f"PDF/A-{self.pdfa_part}{self.pdfa_conformance.lower()}" if self.pdfa_part else "",
                 self.pdfx]
        return ", ".join(p for p in parts if p) or "nothing"


def check(path: Path) -> list[Finding]:
    """Every finding for the PDF at ``path`` (an empty list: nothing to report)."""
    import pikepdf

    found = syntax(path)
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError, ValueError) as error:
        return found + [Finding(E, f"the file cannot be opened as a PDF: {error}", "syntax")]
    with pdf:
        claims = claims_of(pdf)
        for part in (fonts, structure, ua_conditions, metadata, outline, identification, page_boxes):
            found += part(pdf, claims)
    return _capped(found)


def syntax(path: Path) -> list[Finding]:
    """qpdf --check (pikepdf's check when qpdf is not installed). A fresh output must need
    no repair, so everything reported here is an error."""
    exe = tools.qpdf()
    if exe is None:
        import pikepdf

        try:
            with pikepdf.open(path) as pdf:
                problems = pdf.check_pdf_syntax() if hasattr(pdf, "check_pdf_syntax") else pdf.check()  # type: ignore[attr-defined]  # pikepdf < 9
        except (pikepdf.PdfError, OSError) as error:
            problems = [str(error)]
        return [Finding(E, str(p), "syntax") for p in problems]
    result = subprocess.run([exe, "--check", str(path)], capture_output=True, timeout=600, check=False)
    if result.returncode == 0:
        return []
    text = (result.stderr + result.stdout).decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines()
             if line.strip() and not line.startswith(("checking ", "PDF Version", "File is not", "File is linearized",
                                                      "No syntax or stream", "errors that qpdf"))]
    return [Finding(E, _plain(line, path), "syntax") for line in lines] or [
        Finding(E, f"qpdf --check exited with {result.returncode}", "syntax")]


def _plain(line: str, path: Path) -> str:
    """A qpdf message without the program name, ``WARNING:`` and the file name."""
    for prefix in ("qpdf: ", "WARNING: ", f"{path}: ", f"{path} "):
        line = line.removeprefix(prefix)
    return line


def claims_of(pdf: pikepdf.Pdf) -> Claims:
    xmp = _xmp(pdf)
    get: Callable[[str], str] = (lambda key: str(xmp.get(key, "") or "").strip()) if xmp is not None else (lambda key: "")
    pdfx = get("pdfxid:GTS_PDFXVersion") or str(pdf.trailer.get("/Info", _EMPTY).get("/GTS_PDFXVersion", "") or "")
    return Claims(pdfua=get("pdfuaid:part"), pdfa_part=get("pdfaid:part"),
                  pdfa_conformance=get("pdfaid:conformance").upper(), pdfx=pdfx.strip())


def _xmp(pdf: pikepdf.Pdf) -> PdfMetadata | None:
    if "/Metadata" not in pdf.Root:
        return None
    try:
        return pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
    except Exception:
        return None


# --- fonts --------------------------------------------------------------------------

def fonts(pdf: pikepdf.Pdf, claims: Claims) -> list[Finding]:
    found, seen = [], set()
    for number, page in enumerate(pdf.pages, 1):
        for name, font in _fonts_in(page.obj, set()):
            key = font.objgen if font.is_indirect else id(font)
            if key in seen:
                continue
            seen.add(key)
            if not _embedded(font):
                subtype = str(font.get("/Subtype", "")).lstrip("/")
                found.append(Finding(E, f"font {str(font.get('/BaseFont', name)).lstrip('/')} ({subtype}) is not "
                                        "embedded: readers substitute another font and the layout changes",
                                     "font-not-embedded", f"page {number}"))
    return found


def _fonts_in(holder: pikepdf.Object, visited: set[tuple[int, int]]) -> Iterator[tuple[str, pikepdf.Object]]:
    """(resource name, font dictionary) for the fonts a page, form, pattern, Type 3 font or
    annotation appearance uses, following nested resources once each."""
    import pikepdf

    if holder.is_indirect:
        if holder.objgen in visited:
            return
        visited.add(holder.objgen)
    resources = _inherited(holder, "/Resources") if holder.get("/Type") == "/Page" else holder.get("/Resources")
    if isinstance(resources, pikepdf.Dictionary):
        for name, font in (resources.get("/Font") or _EMPTY).items():
            if isinstance(font, pikepdf.Dictionary):
                yield name, font
                if font.get("/Subtype") == "/Type3":
                    yield from _fonts_in(font, visited)
        for group in ("/XObject", "/Pattern"):
            for item in (resources.get(group) or _EMPTY).values():
                if isinstance(item, (pikepdf.Stream, pikepdf.Dictionary)) and "/Resources" in item:
                    yield from _fonts_in(item, visited)
    for annotation in holder.get("/Annots", None) or []:
        appearance = annotation.get("/AP", _EMPTY).get("/N") if isinstance(annotation, pikepdf.Dictionary) else None
        states = [appearance] if isinstance(appearance, pikepdf.Stream) else list((appearance or _EMPTY).values())
        for state in states:
            if isinstance(state, pikepdf.Stream):
                yield from _fonts_in(state, visited)


def _embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # its glyphs are drawn by content streams inside the PDF
    if font.get("/Subtype") == "/Type0":
        descendants: pikepdf.Object | list[pikepdf.Object] = font.get("/DescendantFonts") or []
        if not descendants:
            return False
        font = descendants[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(key in descriptor for key in _EMBEDDED)


def _inherited(page: pikepdf.Object, key: str) -> pikepdf.Object | None:
    node: pikepdf.Object | None
    node, hops = page, 0
    while node is not None and hops < 64:
        if key in node:
            return node.get(key)
        node, hops = node.get("/Parent"), hops + 1
    return None


# --- tagged structure ----------------------------------------------------------------

def structure(pdf: pikepdf.Pdf, claims: Claims) -> list[Finding]:
    ua = bool(claims.pdfua)
    accessible_a = claims.pdfa_conformance == "A"
    severity = E if ua or accessible_a else W
    why = f" (required by the {claims.describe()} claim)" if ua or accessible_a else ""
    found = []
    marked = pdf.Root.get("/MarkInfo", _EMPTY).get("/Marked", False)
    tree = pdf.Root.get("/StructTreeRoot")
    kids = tree.get("/K") if tree is not None else None
    if not marked or tree is None or kids is None or (hasattr(kids, "__len__") and len(kids) == 0):
        what = "not marked as tagged (/MarkInfo /Marked)" if not marked else "without a structure tree"
        found.append(Finding(severity, f"the PDF is {what}: screen readers cannot follow it{why}", "untagged"))
    if not str(pdf.Root.get("/Lang", "")).strip():
        found.append(Finding(E if ua else W, "the document has no /Lang: screen readers cannot choose a "
                                             f"voice{' (required by PDF/UA)' if ua else ''}", "no-lang"))
    if ua and not pdf.Root.get("/ViewerPreferences", _EMPTY).get("/DisplayDocTitle", False):
        found.append(Finding(E, "/ViewerPreferences /DisplayDocTitle is not true: viewers show the file name "
                                "instead of the title (required by PDF/UA)", "display-doc-title"))
    if tree is not None and kids is not None:
        found += _figures(pdf, tree, E if ua else W)
    return found


#: conditions :func:`structure` and :func:`metadata` report with their own messages
_REPORTED_ELSEWHERE = frozenset({"untagged", "no-lang", "display-doc-title", "no-title", "figure-alt"})


def ua_conditions(pdf: pikepdf.Pdf, claims: Claims) -> list[Finding]:
    """The machine-checkable PDF/UA-1 conditions the writer checks before it claims
    PDF/UA (:mod:`exporter.checks.pdfua`): errors when the PDF claims PDF/UA, warnings
    otherwise (on a tagged PDF; an untagged one is reported as ``untagged``)."""
    found = pdfua.violations(pdf)
    if any(v.code == "untagged" for v in found):
        return []
    severity = E if claims.pdfua else W
    why = f" (the PDF claims {claims.describe()})" if claims.pdfua else ""
    return [Finding(severity, v.describe() + why, v.code)
            for v in found if v.code not in _REPORTED_ELSEWHERE]


def _figures(pdf: pikepdf.Pdf, tree: pikepdf.Object, severity: Severity) -> list[Finding]:
    import pikepdf

    role_map = {str(k): str(v) for k, v in (tree.get("/RoleMap") or _EMPTY).items()}
    page_numbers = {page.obj.objgen: n for n, page in enumerate(pdf.pages, 1)}
    found, visited, stack = [], set(), [tree.get("/K")]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.is_indirect:
            if node.objgen in visited:
                continue
            visited.add(node.objgen)
        kind = str(node.get("/S", ""))
        for _ in range(8):  # follow the role map to a standard type
            if kind not in role_map:
                break
            kind = role_map[kind]
        if kind == "/Figure" and not str(node.get("/Alt", "")).strip() and not str(node.get("/ActualText", "")).strip():
            page = node.get("/Pg")
            where = f"page {page_numbers.get(page.objgen, '?')}" if isinstance(page, pikepdf.Dictionary) else ""
            found.append(Finding(severity, "a figure has no alternative text (/Alt)", "figure-alt", where))
        if "/K" in node:
            stack.append(node.get("/K"))
    return found


# --- metadata and outline ------------------------------------------------------------

def metadata(pdf: pikepdf.Pdf, claims: Claims) -> list[Finding]:
    xmp = _xmp(pdf)
    info = pdf.trailer.get("/Info") or _EMPTY
    xmp_title = str(xmp.get("dc:title", "") or "").strip() if xmp is not None else ""
    info_title = str(info.get("/Title", "") or "").strip()
    found = []
    if claims.pdfua and not xmp_title:
        found.append(Finding(E, "no dc:title in the XMP metadata (required by PDF/UA)", "no-title"))
    elif not xmp_title and not info_title:
        found.append(Finding(W, "the PDF has no title (Info /Title or XMP dc:title)", "no-title"))
    if claims.pdfa_part and info_title and xmp_title and info_title != xmp_title:
        found.append(Finding(E, f"Info /Title {info_title!r} differs from XMP dc:title {xmp_title!r} "
                                "(PDF/A requires them to match)", "metadata-mismatch"))
    return found


def outline(pdf: pikepdf.Pdf, claims: Claims) -> list[Finding]:
    import pikepdf

    pages = {page.obj.objgen for page in pdf.pages}
    named = _named_destinations(pdf)
    found, count = [], 0
    try:
        with pdf.open_outline() as tree:
            stack = list(tree.root)
            while stack:
                item = stack.pop()
                count += 1
                stack.extend(item.children)
                target: pikepdf.Object | int | None = item.destination
                if target is None and item.action is not None and item.action.get("/S") == "/GoTo":
                    target = item.action.get("/D")
                if isinstance(target, (pikepdf.String, pikepdf.Name, str)):
                    target = named.get(str(target).lstrip("/"))
                if target is None:
                    if item.action is None:
                        found.append(Finding(E, f"outline entry {item.title!r} leads nowhere", "outline-target"))
                    continue
                if isinstance(target, pikepdf.Dictionary) and "/D" in target:
                    target = target.get("/D")
                first = target[0] if isinstance(target, pikepdf.Array) and len(target) else None
                if not (isinstance(first, pikepdf.Dictionary) and first.objgen in pages):
                    found.append(Finding(E, f"outline entry {item.title!r} does not lead to a page of this PDF",
                                         "outline-target"))
    except (pikepdf.PdfError, ValueError, TypeError, AttributeError) as error:
        found.append(Finding(E, f"the outline cannot be read: {error}", "outline-target"))
    if count == 0 and len(pdf.pages) > 1:
        found.append(Finding(W, f"no outline (bookmarks) in a {len(pdf.pages)}-page PDF", "no-outline"))
    return found


def _named_destinations(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    import pikepdf

    named = {}
    old = pdf.Root.get("/Dests")
    if isinstance(old, pikepdf.Dictionary):
        named.update({str(k).lstrip("/"): v for k, v in old.items()})
    names = pdf.Root.get("/Names", _EMPTY).get("/Dests")
    if names is not None:
        try:
            named.update({str(k): v for k, v in pikepdf.NameTree(names).items()})
        except (pikepdf.PdfError, ValueError, TypeError):
            pass
    return named


# --- declared conformance ------------------------------------------------------------

_PDFA_CONFORMANCE = {"1": {"A", "B"}, "2": {"A", "B", "U"}, "3": {"A", "B", "U"}, "4": {"", "E", "F"}}


def identification(pdf: pikepdf.Pdf, claims: Claims) -> list[Finding]:
    found = []
    version = str(pdf.pdf_version)
    if claims.pdfua and claims.pdfua not in ("1", "2"):
        found.append(Finding(E, f"pdfuaid:part is {claims.pdfua!r}; PDF/UA has parts 1 and 2", "pdfua-id"))
    if claims.pdfua == "2" and not version.startswith("2."):
        found.append(Finding(E, f"PDF/UA-2 requires PDF 2.0, the file is PDF {version}", "pdf-version"))
    if claims.pdfa_part:
        allowed = _PDFA_CONFORMANCE.get(claims.pdfa_part)
        if allowed is None or claims.pdfa_conformance not in allowed:
            found.append(Finding(E, f"PDF/A identification part={claims.pdfa_part!r} conformance="
                                    f"{claims.pdfa_conformance!r} is not a PDF/A level", "pdfa-id"))
        limits = {"1": ("1.0", "1.4"), "2": ("1.0", "1.7"), "3": ("1.0", "1.7"), "4": ("2.0", "2.0")}
        low, high = limits.get(claims.pdfa_part, ("1.0", "2.0"))
        if not (_version(low) <= _version(version) <= _version(high)):
            found.append(Finding(E, f"PDF/A-{claims.pdfa_part} allows PDF {low}–{high}, the file is PDF {version}",
                                 "pdf-version"))
        if not _output_intent(pdf, "/GTS_PDFA1"):
            found.append(Finding(E, "PDF/A is claimed but there is no PDF/A output intent with an ICC profile",
                                 "pdfa-output-intent"))
        if pdf.is_encrypted:
            found.append(Finding(E, "PDF/A forbids encryption", "pdfa-encrypted"))
    if claims.pdfx and not _output_intent(pdf, "/GTS_PDFX"):
        found.append(Finding(E, f"{claims.pdfx} is claimed but there is no PDF/X output intent", "pdfx-boxes"))
    return found


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def _output_intent(pdf: pikepdf.Pdf, subtype: str) -> bool:
    for intent in pdf.Root.get("/OutputIntents") or []:
        if intent.get("/S") == subtype and "/DestOutputProfile" in intent:
            return True
    return False


# --- page boxes ----------------------------------------------------------------------

_TOLERANCE = Decimal("0.01")


def page_boxes(pdf: pikepdf.Pdf, claims: Claims) -> list[Finding]:
    found: list[Finding] = []
    sizes: dict[tuple[int, int], list[int]] = {}
    for number, page in enumerate(pdf.pages, 1):
        where = f"page {number}"
        media = _box(_inherited(page.obj, "/MediaBox"))
        if media is None:
            found.append(Finding(E, "no valid /MediaBox", "page-box", where))
            continue
        boxes = {"/MediaBox": media}
        for key in ("/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
            raw = _inherited(page.obj, key) if key == "/CropBox" else page.obj.get(key)
            if raw is None:
                continue
            box = _box(raw)
            if box is None:
                found.append(Finding(E, f"{key} is not a valid rectangle", "page-box", where))
                continue
            boxes[key] = box
        crop = boxes.get("/CropBox", media)
        checks = [("/CropBox", "/MediaBox", media), ("/BleedBox", "/CropBox", crop), ("/TrimBox", "/CropBox", crop),
                  ("/ArtBox", "/CropBox", crop), ("/TrimBox", "/BleedBox", boxes.get("/BleedBox"))]
        for inner, outer_name, outer in checks:
            if inner in boxes and outer is not None and not _inside(boxes[inner], outer):
                found.append(Finding(E, f"{inner} {_show(boxes[inner])} extends beyond {outer_name} {_show(outer)}",
                                     "page-box", where))
        if claims.pdfx and "/TrimBox" not in boxes and "/ArtBox" not in boxes:
            found.append(Finding(E, f"{claims.pdfx} requires a /TrimBox or /ArtBox on every page", "pdfx-boxes", where))
        trim = boxes.get("/TrimBox", crop)
        size = (round(trim[2] - trim[0]), round(trim[3] - trim[1]))
        sizes.setdefault(size, []).append(number)
    if len(sizes) > 1:
        listing = "; ".join(f"{w}×{h} pt on page{'s' if len(p) > 1 else ''} {_ranges(p)}" for (w, h), p in sizes.items())
        found.append(Finding(I, f"pages differ in size: {listing}", "page-sizes"))
    return found


def _box(raw: pikepdf.Object | None) -> tuple[Decimal, ...] | None:
    if raw is None:
        return None
    try:
        x0, y0, x1, y1 = (Decimal(str(float(v))) for v in raw)
    except (TypeError, ValueError):
        return None
    box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return box if box[2] - box[0] > 0 and box[3] - box[1] > 0 else None


def _inside(inner: tuple[Decimal, ...], outer: tuple[Decimal, ...]) -> bool:
    return (inner[0] >= outer[0] - _TOLERANCE and inner[1] >= outer[1] - _TOLERANCE
            and inner[2] <= outer[2] + _TOLERANCE and inner[3] <= outer[3] + _TOLERANCE)


def _show(box: tuple[Decimal, ...]) -> str:
    return "[" + " ".join(f"{float(v):g}" for v in box) + "]"


def _ranges(numbers: list[int]) -> str:
    runs, start, previous = [], numbers[0], numbers[0]
    for number in numbers[1:]:
        if number != previous + 1:
            runs.append((start, previous))
            start = number
        previous = number
    runs.append((start, previous))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _capped(found: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    counts: dict[str, int] = {}
    for finding in found:
        counts[finding.code] = counts.get(finding.code, 0) + 1
        if counts[finding.code] <= _MAX_REPORTED:
            kept.append(finding)
    for code, count in counts.items():
        if count > _MAX_REPORTED:
            severity = max((f.severity for f in found if f.code == code), key=[I, W, E].index)
            kept.append(Finding(severity, f"… and {count - _MAX_REPORTED} more", code))
    return kept

"""The theme's fonts, embedded in the e-book.

A theme names its e-book fonts in ``epub.css`` with ordinary ``@font-face`` rules.
A ``src: local("Family")`` is found on this machine with fontconfig (the Debian font
packages scripts/setup.sh installs); a ``src: url(file)`` is a file in the theme
folder. Each face is embedded only when its licence allows it (a free licence named
in the font, and no embedding restriction in ``OS/2.fsType``), subset with fontTools
to the characters the book uses (with HarfBuzz), and optionally obfuscated with the IDPF algorithm
(EPUB OCF 3.3, *Resource obfuscation*), which some font licences ask for. The
``@font-face`` rule is rewritten to point at the embedded file.
"""

from __future__ import annotations

import functools
import hashlib
import io
import posixpath
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import tinycss2
from lxml import etree

from exporter.safety.fetch import FetchRefused
from exporter.settings import Context

if TYPE_CHECKING:
    from exporter.writers.epub.fontuse import Face

__all__ = ["FontFile", "EmbeddedFont", "find_font", "embed", "obfuscate", "encryption_document",
           "OBFUSCATION_ALGORITHM"]

OBFUSCATION_ALGORITHM = "http://www.idpf.org/2008/embedding"
FONT_DIR = "fonts"
#: words in a font's licence fields (name IDs 13 and 14) that name a free licence
FREE_LICENCES = ("openfontlicense", "open font license", "scripts.sil.org/ofl", "ofl", "apache.org/licenses",
                 "apache license", "gnu.org/licenses", "general public license", "gpl", "ubuntu font licen",
                 "bitstream vera", "dejavu", "public domain", "creativecommons.org/publicdomain", "mit license",
                 "opensource.org/licenses/mit")
#: characters kept in every subset, whatever the text (what reading systems add themselves)
_ALWAYS = set(range(0x20, 0x7F)) | {0xA0, 0xAD, 0x2010, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D,
                                      0x2026, 0x2022, 0x00AB, 0x00BB, 0x00B7}
#: CSS font-weight -> fontconfig weight; font-style -> fontconfig slant
_FC_WEIGHT = {100: 0, 200: 40, 300: 50, 400: 80, 500: 100, 600: 180, 700: 200, 800: 205, 900: 210}
_FC_SLANT = {"normal": 0, "italic": 100, "oblique": 110}
#: OpenType features kept beside HarfBuzz's default shaping set (which has kern, liga,
#: the Arabic joining forms, marks…): those CSS font-variant values and numerals use
_TYPOGRAPHIC_FEATURES = ("smcp", "c2sc", "onum", "lnum", "pnum", "tnum", "case", "sups", "subs", "ordn", "zero",
                         "frac", "numr", "dnom")


def _tag(text: str) -> int:
    return int.from_bytes(text.encode("ascii"), "big")


class _Uncovered(Enum):
    FACE = "uncovered"


#: what _embed_face returns for a face whose font has none of the characters set in it
_UNCOVERED: Final = _Uncovered.FACE
_MEDIA_TYPES = {"ttf": "font/ttf", "otf": "font/otf", "woff": "font/woff", "woff2": "font/woff2"}


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int
    family: str


@dataclass(frozen=True)
class EmbeddedFont:
    href: str  #: relative to the package folder, e.g. fonts/CharisSIL-Regular.ttf
    media_type: str
    data: bytes
    obfuscated: bool


def _css_weight(value: str) -> int:
    value = value.strip().lower()
    if value in ("normal", ""):
        return 400
    if value == "bold":
        return 700
    try:
        return min(_FC_WEIGHT, key=lambda w: abs(w - float(value.split()[0])))
    except ValueError:
        return 400


@functools.lru_cache(maxsize=256)
def find_font(family: str, weight: int = 400, style: str = "normal", lang: str | None = None,
              exact: bool = True) -> FontFile | None:
    """The installed font file for a CSS face, via fontconfig (None when not installed).

    With ``exact``, a face fontconfig substitutes (another family, weight or slant)
    does not count: embedding a regular face as the bold would be worse than none.
    """
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    pattern = family.replace("-", r"\-").replace(":", r"\:")
    pattern += f":weight={_FC_WEIGHT.get(weight, 80)}:slant={_FC_SLANT.get(style, 0)}"
    if lang:
        pattern += f":lang={lang}"
    try:
        result = subprocess.run([exe, "-f", "%{file}|%{index}|%{family}|%{weight}|%{slant}", pattern],
                                capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    fields = result.stdout.decode("utf-8", "replace").split("|")
    if result.returncode != 0 or len(fields) != 5 or not fields[0]:
        return None
    path, index, families, got_weight, got_slant = fields
    names = [name.strip().casefold() for name in families.split(",")]
    if exact and (family.casefold() not in names or _number(got_weight) != _FC_WEIGHT.get(weight, 80)
                  or _number(got_slant) != _FC_SLANT.get(style, 0)):
        return None
    return FontFile(Path(path), int(_number(index)), families.split(",")[0].strip())


def _number(value: str) -> float:
    try:
        return float(value.split()[0].strip("[]"))
    except (ValueError, IndexError):
        return -1


def obfuscate(data: bytes, identifier: str) -> bytes:
    """IDPF font obfuscation: XOR the first 1040 bytes with the SHA-1 of the identifier
    (spaces, tabs, carriage returns and line feeds removed). The same call undoes it."""
    key = hashlib.sha1(identifier.translate({0x20: None, 0x09: None, 0x0D: None, 0x0A: None})
                       .encode("utf-8")).digest()
    head = bytes(b ^ key[i % len(key)] for i, b in enumerate(data[:1040]))
    return head + data[1040:]


def encryption_document(paths: list[str]) -> bytes:
    """``META-INF/encryption.xml`` naming the obfuscated fonts (paths from the zip's root)."""
    ns = "urn:oasis:names:tc:opendocument:xmlns:container"
    enc = "http://www.w3.org/2001/04/xmlenc#"
    root = etree.Element(f"{{{ns}}}encryption", nsmap={None: ns, "enc": enc})
    for path in paths:
        data = etree.SubElement(root, f"{{{enc}}}EncryptedData")
        etree.SubElement(data, f"{{{enc}}}EncryptionMethod", Algorithm=OBFUSCATION_ALGORITHM)
        cipher = etree.SubElement(data, f"{{{enc}}}CipherData")
        etree.SubElement(cipher, f"{{{enc}}}CipherReference", URI=path)
    text: bytes = etree.tostring(root, encoding="utf-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + text


def _licence_problem(font: Any) -> str | None:
    """Why this font (a fontTools TTFont) may not be embedded (None when it may)."""
    fs_type = font["OS/2"].fsType if "OS/2" in font else 0
    if fs_type & 0x0002:
        return "its licence restricts embedding (OS/2 fsType)"
    if fs_type & 0x0200:
        return "it allows embedding of bitmaps only (OS/2 fsType)"
    name = font["name"] if "name" in font else None
    words = " ".join(str(name.getDebugName(i) or "") for i in (13, 14)).casefold() if name else ""
    if not any(marker in words for marker in FREE_LICENCES):
        return "its licence is not one exporter recognises as free (name table IDs 13/14)"
    return None


def _subset(data: bytes, index: int, text: set[int]) -> tuple[bytes | None, str | None]:
    """(subset font bytes, licence problem) for the characters ``text``; no bytes when
    the font has none of those characters (text in a script it does not cover).

    HarfBuzz's subsetter (uharfbuzz) keeps the layout features text needs (shaping:
    kerning, ligatures, Arabic joining forms, marks; and small capitals and figure
    styles for CSS) for the glyphs kept, and drops hinting, which e-book screens do
    not need; it takes a millisecond where fontTools takes a second.
    """
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    problem = _licence_problem(TTFont(io.BytesIO(data), fontNumber=index, lazy=True))
    if problem:
        return b"", problem
    face = hb.Face(hb.Blob(data), index)
    if not text & set(face.unicodes):
        return None, None
    request = hb.SubsetInput()
    for codepoint in sorted(text | _ALWAYS):
        request.unicode_set.add(codepoint)
    features = request.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG)  # HarfBuzz's shaping defaults, and
    for tag in _TYPOGRAPHIC_FEATURES:  # what CSS asks for with font-variant
        features.add(hb.ot_tag_from_string(tag) if hasattr(hb, "ot_tag_from_string") else _tag(tag))
    for kept in (hb.SubsetInputSets.NAME_ID, hb.SubsetInputSets.NAME_LANG_ID):
        every = request.sets(kept)  # the complement of nothing: every name record
        every.clear()
        every.invert()
    request.flags = hb.SubsetFlags.NAME_LEGACY | hb.SubsetFlags.NOTDEF_OUTLINE | hb.SubsetFlags.NO_HINTING
    subset = hb.subset(face, request)
    if subset is None:
        return b"", "HarfBuzz could not subset it"
    return bytes(subset.blob.data), None


def _declarations(rule: Any) -> dict[str, list[Any]]:
    """A tinycss2 rule's declarations (tinycss2 is untyped): name -> value tokens."""
    found = {}
    for decl in tinycss2.parse_blocks_contents(rule.content or [], skip_whitespace=True, skip_comments=True):
        if decl.type == "declaration":
            found[decl.lower_name] = [t for t in decl.value if t.type not in ("whitespace", "comment")]
    return found


def _text_value(tokens: Iterable[Any]) -> str:
    return " ".join(str(t.value) if t.type in ("string", "ident", "number") else tinycss2.serialize([t])
                    for t in tokens if t.type != "literal")


def _sources(tokens: Iterable[Any]) -> list[tuple[str, str]]:
    """(kind, value) for each src entry: ("local", family) or ("url", reference)."""
    found: list[tuple[str, str]] = []
    for token in tokens:
        if token.type == "url":
            found.append(("url", token.value))
        elif token.type == "function" and token.lower_name in ("local", "url"):
            args = [t for t in token.arguments if t.type in ("string", "ident")]
            if args:
                found.append((token.lower_name, " ".join(str(a.value) for a in args)))
    return found


def embed(ctx: Context, css: str, documents: list[etree._Element], identifier: str, *, obfuscated: bool,
          css_href: str = "css/style.css") -> tuple[str, list[EmbeddedFont]]:
    """Embed the faces ``css`` declares that the ``documents`` use; return the
    rewritten CSS and the font files.

    Which face each piece of text is set in comes from the style sheet's cascade
    (:mod:`.epub_fontuse`), so a face nothing uses is left out, and each face is
    subset to the characters set in it.
    """
    from exporter.writers.epub.fontuse import Face, face_usage

    rules = tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=False)
    faces: dict[int, Face] = {}
    for index, rule in enumerate(rules):
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face":
            decls = _declarations(rule)
            faces[index] = Face(_text_value(decls.get("font-family", [])),
                                _css_weight(_text_value(decls.get("font-weight", []))),
                                _text_value(decls.get("font-style", [])).lower() or "normal",
                                tuple(_sources(decls.get("src", []))))
    usage = face_usage(rules, documents, list(faces.values()), lambda face: _coverage(ctx, face)) if faces else {}
    fonts: dict[str, EmbeddedFont] = {}
    out = []
    for index, rule in enumerate(rules):
        face = faces.get(index)
        if face is None:
            out.append(tinycss2.serialize([rule]))
            continue
        if face not in usage:
            continue  # nothing is set in this face: no need to declare it
        embedded = _embed_face(ctx, face, usage[face], identifier, obfuscated, fonts)
        if embedded is _UNCOVERED:
            continue  # its text is in a script the font does not cover: the reader's fonts serve
        if embedded is None:  # not embedded: keep what the reader's system may have, never a missing file
            local = [value for kind, value in face.sources if kind == "local"]
            if local:
                sources = ", ".join(f'local("{value}")' for value in local)
                out.append(f'@font-face {{ font-family: "{face.family}"; font-style: {face.style}; '
                           f'font-weight: {face.weight}; src: {sources}; }}')
            continue
        rel = posixpath.relpath(embedded.href, posixpath.dirname(css_href))
        fmt = {"font/ttf": "truetype", "font/otf": "opentype"}.get(embedded.media_type, "opentype")
        out.append(f'@font-face {{ font-family: "{face.family}"; font-style: {face.style}; '
                   f'font-weight: {face.weight}; src: url("{rel}") format("{fmt}"); }}')
    return "".join(out), list(fonts.values())


def _font_data(ctx: Context, kind: str, value: str, face: Face) -> tuple[bytes, int, str] | None:
    """(font bytes, index in a collection, file name) for one src entry, or None."""
    if kind == "local":
        found = find_font(value, face.weight, face.style)
        return (found.path.read_bytes(), found.index, found.path.name) if found else None
    path = ctx.theme.find(value)
    try:
        fetched = ctx.fetcher.get(path.resolve().as_uri() if path else ctx.url_for(value))
    except FetchRefused:
        return None
    return fetched.data, 0, posixpath.basename(value)


def _coverage(ctx: Context, face: Face) -> frozenset[int] | None:
    """The characters the face's font has (None when its font cannot be found)."""
    for kind, value in face.sources:
        if kind == "local":
            found = find_font(value, face.weight, face.style)
            if found is not None:
                return _unicodes(str(found.path), found.index)
        else:
            loaded = _font_data(ctx, kind, value, face)
            if loaded is not None:
                return _unicodes_of(loaded[0], loaded[1])
    return None


@functools.lru_cache(maxsize=64)
def _unicodes(path: str, index: int) -> frozenset[int]:
    return _unicodes_of(Path(path).read_bytes(), index)


def _unicodes_of(data: bytes, index: int) -> frozenset[int]:
    import uharfbuzz as hb

    try:
        return frozenset(hb.Face(hb.Blob(data), index).unicodes)
    except Exception:  # not a font HarfBuzz can read: nothing is known to be covered
        return frozenset()


def _embed_face(ctx: Context, face: Face, codepoints: set[int], identifier: str, obfuscated: bool,
                fonts: dict[str, EmbeddedFont]) -> EmbeddedFont | _Uncovered | None:
    for kind, value in face.sources:
        loaded = _font_data(ctx, kind, value, face)
        if loaded is None:
            continue
        data, index, name = loaded
        href = f"{FONT_DIR}/{name}"
        if href in fonts:
            return fonts[href]
        try:
            subset, problem = _subset(data, index, codepoints)
        except Exception as error:  # fontTools raises many kinds of errors on damaged fonts
            problem = f"it could not be read ({error.__class__.__name__})"
        if problem:
            ctx.diagnostics.add("E003", f"font '{face.family}' ({name}) is not embedded: {problem}",
                                file=ctx.theme.find("epub.css"),
                                hint="use a font under a free licence, such as the SIL Open Font License")
            return None
        if subset is None:
            return _UNCOVERED
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in ("ttf", "otf"):
            suffix = "otf" if subset[:4] == b"OTTO" else "ttf"
            href = f"{FONT_DIR}/{name.rsplit('.', 1)[0]}.{suffix}"
        if obfuscated:
            subset = obfuscate(subset, identifier)
        fonts[href] = EmbeddedFont(href, _MEDIA_TYPES[suffix], subset, obfuscated)
        return fonts[href]
    ctx.diagnostics.add("E002", f"font '{face.family}' ({face.weight}, {face.style}) is not installed; "
                        "it is not embedded", file=ctx.theme.find("epub.css"),
                        hint="install the theme's font packages (scripts/setup.sh), or pass --no-embed-fonts")
    return None

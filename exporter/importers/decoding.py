"""Bytes to text for the text-based importers (plain text, Markdown, web HTML): only text
is text.

* Binary content is refused before anything is decoded: a known file signature (an
  image, a PDF, an archive, an office document, an executable), UTF-16 without its
  byte-order mark (NUL in every other byte), or bytes that are not UTF-8 and hold a
  share of control characters no text has. (Valid UTF-8 is text: a stray NUL or other
  control character in it is removed later with S002, docs/security.md case 10.)
* An encoding named by the person running exporter (``--encoding``, the sidecar's
  ``encoding`` key, or a Markdown/HTML front matter's ``encoding``) wins; then a byte-order mark; then UTF-8; then, when the bytes are
  not UTF-8, the encoding is detected (charset-normalizer) and named in an info
  diagnostic (S006), so a Shift_JIS or KOI8-R text is read as what it is rather than
  as mojibake. Bytes that no encoding reads as text are refused.
* A source that decodes to nothing but white space is refused: there is no document.

Every refusal is a :class:`~exporter.errors.SourceError` naming the file, what was found
and what to do (exit 1).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from exporter.diagnostics import Diagnostics
from exporter.errors import SourceError, UsageError

__all__ = ["codec_for", "decode_detected", "refuse_binary", "decode_text", "detect_encoding", "require_text", "checked_codec"]

#: WHATWG encoding labels -> the Python codec that decodes like a browser does
_LABELS = {
    "utf-8": "utf-8", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "ms_kanji": "cp932", "x-sjis": "cp932",
    "windows-31j": "cp932", "csshiftjis": "cp932", "ms932": "cp932", "cp932": "cp932",
    "euc-jp": "euc_jis_2004", "x-euc-jp": "euc_jis_2004", "cseucpkdfmtjapanese": "euc_jis_2004",
    "iso-2022-jp": "iso2022_jp_ext", "csiso2022jp": "iso2022_jp_ext",
    "gb2312": "gb18030", "gbk": "gb18030", "chinese": "gb18030", "x-gbk": "gb18030", "csgb2312": "gb18030",
    "gb_2312-80": "gb18030", "iso-ir-58": "gb18030", "gb18030": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cn-big5": "big5hkscs", "x-x-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "windows-949": "cp949", "cseuckr": "cp949",
    "iso-ir-149": "cp949", "korean": "cp949",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso8859-1": "cp1252", "iso_8859-1": "cp1252", "windows-1252": "cp1252", "cp1252": "cp1252",
    "x-cp1252": "cp1252", "cp819": "cp1252", "ibm819": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254", "windows-1254": "cp1254",
    "iso-8859-11": "cp874", "tis-620": "cp874", "windows-874": "cp874",
    "koi8-r": "koi8_r", "koi8": "koi8_r", "koi8-u": "koi8_u", "koi8-ru": "koi8_u",
    "macintosh": "mac_roman", "mac": "mac_roman", "x-mac-roman": "mac_roman",
    "utf-16": "utf-16", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be",
}

#: file signatures of things that are not text, with what to call them
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an EPUB, a Word or OpenDocument file, or another archive)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"(\xb5/\xfd", "a zstd-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
    (b"\xca\xfe\xba\xbe", "a compiled program or Java class"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"wOFF", "a WOFF font"),
    (b"wOF2", "a WOFF2 font"),
    (b"OTTO", "an OpenType font"),
    (b"\x00\x01\x00\x00\x00", "a TrueType font"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg audio or video file"),
    (b"fLaC", "a FLAC audio file"),
    (b"\x1aE\xdf\xa3", "a Matroska or WebM video"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose mark it starts with
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: C0 controls that text does not use (tab, line feed, form feed, carriage return and
#: escape are allowed: old texts carry form feeds and ANSI colour codes)
_CONTROLS = bytes(c for c in range(32) if c not in (9, 10, 12, 13, 27))
#: a sample with more than this share of such controls is not text
_CONTROL_SHARE = 0.01
_SAMPLE = 65536


def codec_for(label: str) -> str | None:
    """The Python codec for an encoding label, or None when the label is unknown."""
    label = label.strip().lower()
    if label in _LABELS:
        return _LABELS[label]
    if label.startswith("windows-125") and label[-1].isdigit():
        return "cp125" + label[-1]
    if label.startswith("iso-8859-"):
        return "iso8859_" + label.rsplit("-", 1)[-1]
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def bom_codec(data: bytes) -> str | None:
    """The codec a byte-order mark at the start names, or None."""
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return codec
    return None


def refuse_binary(data: bytes, path: Path) -> None:
    """Raise :class:`SourceError` when ``data`` is not text (see the module docs)."""
    hint = "give exporter a text, Markdown, HTML, JATS or EPUB source; convert other files first"
    if data[4:12] in (b"ftypavif", b"ftypheic", b"ftypmp42", b"ftypisom", b"ftypM4A ", b"ftypqt  "):
        raise SourceError("this is an image, audio or video file (ISO media), not text", file=path, hint=hint)
    if data[:4] == b"RIFF":
        raise SourceError("this is a RIFF file (WebP image, WAV audio or AVI video), not text",
                          file=path, hint=hint)
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            # "MZ" and "BM" are also how a text may begin: only a binary continuation counts
            if signature in (b"MZ", b"BM", b"ID3") and not _controls(data[:512]):
                continue
            raise SourceError(f"this is {what}, not text", file=path, hint=hint)
    if bom_codec(data) in ("utf-16", "utf-32"):
        return
    sample = data[:_SAMPLE]
    if _utf16_without_mark(sample):
        raise SourceError("the file is UTF-16 text without a byte-order mark", file=path,
                          hint="save it as UTF-8 (iconv -f UTF-16LE -t UTF-8), or name the encoding with "
                               "--encoding utf-16-le")
    try:
        sample.decode("utf-8", "surrogatepass")
        return  # UTF-8 text: stray control characters (and lone surrogates) are removed later
    except UnicodeDecodeError as error:
        if len(data) > len(sample) and error.start >= len(sample) - 4:
            return  # only a character cut in two by the end of the sample
    if _controls(sample) > _CONTROL_SHARE * len(sample):
        raise SourceError("the file is binary data, not text: it is not UTF-8 and holds control characters "
                          "no text has", file=path, hint=hint)


def _utf16_without_mark(sample: bytes) -> bool:
    """NUL in nearly every other byte and almost nowhere else: UTF-16 without a mark."""
    sample = sample[:4096]
    if len(sample) < 16:
        return False
    even, odd = sample[0::2], sample[1::2]
    for zeros, others in ((even, odd), (odd, even)):
        if zeros.count(0) >= 0.9 * len(zeros) and others.count(0) <= 0.1 * len(others):
            return True
    return False


def _controls(sample: bytes) -> int:
    return len(sample) - len(sample.translate(None, _CONTROLS))


ENCODING_HINT = "name a standard encoding such as utf-8, shift_jis, koi8-r or windows-1252"


def checked_codec(label: str) -> str:
    """The Python codec for an encoding named on the command line (``--encoding``);
    :class:`UsageError` (exit 2) for a name that is not an encoding."""
    codec = codec_for(label)
    if codec is None:
        raise UsageError(f"unknown encoding '{label}'", hint=ENCODING_HINT)
    return codec


#: the legacy encodings detection chooses from, most common first (the order breaks ties
#: between encodings that read the bytes equally well: a short French text is as
#: plausible in Windows-1250 as in Windows-1252, and far more likely to be the latter)
_LEGACY = ("cp1252", "cp1251", "koi8_r", "cp932", "gb18030", "euc_jp", "big5", "euc_kr", "cp1250",
           "cp1256", "cp1253", "cp1254", "cp1255", "cp1257", "cp1258", "iso8859_2", "iso8859_5",
           "iso8859_7", "iso8859_8", "iso8859_15", "koi8_u", "cp866", "mac_roman", "cp874", "iso2022_jp")


def detect_encoding(data: bytes) -> str | None:
    """The encoding that reads ``data`` as the most plausible text (charset-normalizer,
    among :data:`_LEGACY`), or None when none does."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[: 4 * _SAMPLE], cp_isolation=list(_LEGACY), explain=False))
    if not matches:
        return None
    # the detector's chaos (lower is better) and coherence (higher is better), and a
    # small prior for common encodings: charset-normalizer alone prefers Mac Roman for
    # Latin-1 Finnish (ä as ‰), which no Finnish text is written in
    scored = sorted((m.chaos - 0.05 * m.coherence + 0.002 * _rank(_normal(n)), _rank(_normal(n)), _normal(n))
                    for m in matches for n in [m.encoding, *m.could_be_from_charset])
    names = list(dict.fromkeys(name for _, _, name in scored))
    for name in names:
        try:
            data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        return name
    return None


def _rank(name: str) -> int:
    return _LEGACY.index(name) if name in _LEGACY else len(_LEGACY)


def _normal(name: str) -> str:
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name


def decode_text(data: bytes, path: Path, diagnostics: Diagnostics, encoding: str | None = None) -> str:
    """The text of a plain-text or Markdown source (see the module docs)."""
    refuse_binary(data, path)
    if encoding:
        codec = codec_for(encoding)
        if codec is None:
            raise SourceError(f"unknown encoding '{encoding}'", file=path, hint=ENCODING_HINT)
        return _decode_as(data, codec, encoding, path)
    codec = bom_codec(data)
    if codec:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as error:
            raise SourceError(f"the text starts with a {codec.upper().removesuffix('-SIG')} byte-order mark "
                              "but is not valid in that encoding", file=path,
                              line=_line_at(data, error.start, codec),
                              hint="save the file again as UTF-8") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad_line = _line_at(data, error.start)
    try:  # UTF-8 but for encoded lone surrogates, which no text can carry
        data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return decode_detected(data, path, diagnostics, bad_line)
    diagnostics.add("S002", "removed lone surrogates (U+D800–U+DFFF) that text cannot carry", file=path,
                    line=bad_line, hint="save the file as proper UTF-8")
    return data.decode("utf-8", "replace").replace("\ufffd", "")


def decode_detected(data: bytes, path: Path, diagnostics: Diagnostics, bad_line: int | None = None) -> str:
    """``data`` (not UTF-8) read in the encoding detected for it, with an S006 diagnostic;
    :class:`SourceError` when no encoding reads it as text."""
    detected = detect_encoding(data)
    if detected is None:
        raise SourceError("the bytes are not text in UTF-8 or in any encoding exporter can recognise",
                          file=path, line=bad_line,
                          hint="save the file as UTF-8, or name its encoding with --encoding")
    name = _display_name(detected)
    diagnostics.add("S006", f"the text is not UTF-8; read as {name} (detected)", file=path,
                    hint=f"if that is wrong, name the encoding with --encoding; or save the file as UTF-8 "
                         f"(iconv -f {name} -t UTF-8)")
    return data.decode(detected)


def _decode_as(data: bytes, codec: str, label: str, path: Path) -> str:
    bom = bom_codec(data)
    if bom == "utf-8-sig" and codecs.lookup(codec).name == "utf-8":
        codec = "utf-8-sig"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise SourceError(f"the text is not valid {label}", file=path, line=_line_at(data, error.start),
                          hint="name the encoding the file is in (--encoding), or save it as UTF-8") from None


def require_text(text: str, path: Path) -> str:
    """``text`` unless it is empty or white space only (:class:`SourceError`)."""
    if not text.strip():
        raise SourceError("the file holds no text", file=path, hint="check that this is the file you meant")
    return text


def _line_at(data: bytes, offset: int, codec: str = "utf-8") -> int:
    newline = "\n".encode(codec.removesuffix("-sig")) if codec.startswith("utf-16") else b"\n"
    if codec == "utf-16":
        newline = b"\n\x00" if data.startswith(codecs.BOM_UTF16_LE) else b"\x00\n"
    return data[:offset].count(newline) + 1


def _display_name(codec: str) -> str:
    names = {"cp932": "Shift_JIS", "shift_jis": "Shift_JIS", "euc_jp": "EUC-JP", "koi8_r": "KOI8-R",
             "cp1251": "Windows-1251", "cp1252": "Windows-1252", "gb18030": "GB18030", "big5": "Big5",
             "euc_kr": "EUC-KR", "cp949": "EUC-KR", "iso2022_jp": "ISO-2022-JP", "mac_cyrillic": "MacCyrillic"}
    if codec in names:
        return names[codec]
    if codec.startswith("cp125"):
        return "Windows-" + codec[2:]
    if codec.startswith(("latin_", "iso8859_")):
        return "ISO-8859-" + codec.rsplit("_", 1)[-1]
    return codec.upper().replace("_", "-")

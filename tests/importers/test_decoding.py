"""Only text is text: binary data, empty files and bytes no encoding reads are refused
(exit 1, the file named, a hint); legacy encodings are detected and named (S006);
``--encoding``, a sidecar's or front matter's ``encoding`` overrides the detection."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import SHARED

from exporter.cli import main
from exporter.diagnostics import Diagnostics
from exporter.importers.decoding import detect_encoding
from exporter.importers.load import load
from exporter.model import text_of
from exporter.settings import Settings

RUSSIAN = ("Москва - столица России. Город расположен на реке Москве. В городе много музеев, театров и "
           "парков, а также старинных церквей и современных зданий.")
JAPANESE = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所で泣いていた。"
FRENCH = "Le café de la place était plein : on y parlait de la grève, des élections et du prix du pain."


def _build(path: Path, tmp_path: Path, capsys, *options: str) -> tuple[int, str]:
    code = main(["build", str(path), "-o", str(tmp_path / "out"), "--to", "html", *options])
    return code, capsys.readouterr().err


def _paragraphs(path: Path, **settings) -> tuple[list[str], list[str]]:
    article = load(path, Settings(**settings))
    return [text_of(p) for p in article.body.iter("p")], article.diagnostics.codes()


@pytest.mark.parametrize("text, codec, name", [
    (RUSSIAN, "koi8_r", "KOI8-R"),
    (RUSSIAN, "cp1251", "Windows-1251"),
    (JAPANESE, "shift_jis", "Shift_JIS"),
    (JAPANESE, "euc_jp", "EUC-JP"),
    (FRENCH, "cp1252", "Windows-1252"),
    ("中文文本测试，这是简体中文的一段文字，用来检查编码的识别。", "gb18030", "GB18030"),
])
def test_legacy_encodings_are_detected_and_named(tmp_path, text, codec, name):
    path = tmp_path / "legacy.txt"
    path.write_bytes(f"{text}\n\n{text}\n".encode(codec))
    paragraphs, codes = _paragraphs(path)
    assert paragraphs[-1] == text  # not mojibake
    assert "S006" in codes
    diagnostics = Diagnostics()
    from exporter.importers.decoding import decode_text

    decode_text(path.read_bytes(), path, diagnostics)
    assert [d.severity.value for d in diagnostics] == ["info"] and name in next(iter(diagnostics)).message


def test_markdown_and_html_are_detected_too(tmp_path):
    md = tmp_path / "ja.md"
    md.write_bytes(f"# 猫\n\n{JAPANESE}\n".encode("shift_jis"))
    assert _paragraphs(md)[0] == [JAPANESE]
    page = tmp_path / "ru.html"
    page.write_bytes(f"<html><body><article><p>{RUSSIAN}</p></article></body></html>".encode("koi8_r"))
    paragraphs, codes = _paragraphs(page)
    assert paragraphs == [RUSSIAN] and "S006" in codes


def test_encoding_named_by_the_user_wins(tmp_path, capsys):
    path = tmp_path / "w.txt"
    data = f"{RUSSIAN}\n".encode("cp1251")
    path.write_bytes(data)
    # read as KOI8-R because the user says so: the user's word is taken, no detection
    paragraphs, codes = _paragraphs(path, encoding="koi8-r")
    assert paragraphs == [data.decode("koi8_r").strip()] and "S006" not in codes
    code, err = _build(path, tmp_path, capsys, "--encoding", "windows-1251")
    assert code == 0 and "S006" not in err
    assert RUSSIAN in (tmp_path / "out" / "w.html").read_text(encoding="utf-8")


def test_sidecar_and_front_matter_name_the_encoding(tmp_path):
    text = tmp_path / "side.txt"
    text.write_bytes(f"{RUSSIAN}\n".encode("cp1251"))
    (tmp_path / "side.toml").write_text('encoding = "koi8-r"\ntitle = "T"\n', encoding="utf-8")
    paragraphs, codes = _paragraphs(text)
    assert paragraphs == [text.read_bytes().decode("koi8_r").strip()] and "S008" not in codes
    md = tmp_path / "front.md"
    md.write_bytes(f"---\ntitle: T\nencoding: koi8-r\n---\n\n{RUSSIAN}\n".encode("koi8_r"))
    paragraphs, codes = _paragraphs(md)
    assert paragraphs == [RUSSIAN] and "S006" not in codes and "S008" not in codes


def test_unknown_encoding_names(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text("Text.\n", encoding="utf-8")
    with pytest.raises(SystemExit) as caught:
        main(["build", str(path), "-o", str(tmp_path / "o"), "--encoding", "klingon-8"])
    assert caught.value.code == 2 and "unknown encoding 'klingon-8'" in capsys.readouterr().err
    (tmp_path / "a.toml").write_text('encoding = "klingon-8"\n', encoding="utf-8")
    code, err = _build(path, tmp_path, capsys)
    assert code == 1 and "a.toml" in err and "klingon-8" in err


def _random_bytes(size: int) -> bytes:
    return random.Random(size).randbytes(size)


@pytest.mark.parametrize("name, data, message", [
    ("random.md", _random_bytes(4000), "binary data, not text"),
    ("random.txt", _random_bytes(200), "binary data, not text"),
    ("photo.md", b"\x89PNG\r\n\x1a\n" + _random_bytes(300), "this is a PNG image, not text"),
    ("scan.txt", b"%PDF-1.7\n" + _random_bytes(300), "this is a PDF document, not text"),
    ("book.html", b"PK\x03\x04" + _random_bytes(300), "ZIP archive"),
    ("photo.html", b"\xff\xd8\xff\xe0" + _random_bytes(300), "JPEG image"),
    ("wide.txt", "A text saved as UTF-16 without its mark.\n".encode("utf-16-le") * 4, "UTF-16"),
    ("empty.txt", b"", "holds no text"),
    ("blank.md", b" \n\n\t\n", "holds no text"),
    ("blank.html", b"\n", "holds no text"),
])
def test_what_is_not_text_is_refused(tmp_path, capsys, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    code, err = _build(path, tmp_path, capsys)
    assert code == 1
    assert name in err and message in err and "hint:" in err and "Traceback" not in err
    assert not (tmp_path / "out" / (path.stem + ".html")).exists()


def test_text_with_a_stray_control_character_is_still_text(tmp_path):
    """docs/security.md case 10: UTF-8 text keeps its words; the NUL goes, with S002."""
    path = tmp_path / "nul.txt"
    path.write_bytes("Bad\x00 line in UTF-8 — ça va.\n".encode())
    paragraphs, codes = _paragraphs(path)
    assert paragraphs == ["Bad line in UTF-8 — ça va."] and "S002" in codes


def test_undecodable_bytes_are_refused(tmp_path, capsys):
    """Bytes that no encoding reads as text (here: every byte value from 0x80 up, many
    times, which no legacy encoding makes plausible) are refused, not decoded as mojibake."""
    assert detect_encoding(bytes(range(128, 256)) * 8) is None
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(128, 256)) * 8)
    code, err = _build(path, tmp_path, capsys)
    assert code == 1 and "not text in UTF-8 or in any encoding" in err


def test_random_bytes_never_build(tmp_path, capsys):
    for seed in range(20):
        path = tmp_path / f"r{seed}.md"
        path.write_bytes(random.Random(seed).randbytes(64 + seed * 97))
        code, err = _build(path, tmp_path, capsys)
        assert code == 1 and path.name in err, err


def test_real_cp932_page_is_read_as_declared(tmp_path):
    page = SHARED / "corpus/html/aozora/cards/000879/files/92_14545.html"
    if not page.is_file():
        pytest.skip("the Aozora page is absent")
    paragraphs, codes = _paragraphs(page)
    assert "S006" not in codes and any("御釈迦様" in p for p in paragraphs)

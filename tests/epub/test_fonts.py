"""Fonts: the theme's faces that the text uses are embedded (free licences only),
subset to the characters set in them, and optionally obfuscated with the IDPF
algorithm; a theme can also bring its own font files."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil

import pytest
from conftest import SOURCES
from epubtools import assert_valid, build, meta, names, opf, part, raw, write_article, xpath
from fontTools.ttLib import TTFont

from exporter.cli import main
from exporter.writers.epub.fonts import find_font, obfuscate

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def fonts_of(epub) -> dict[str, str]:
    package = opf(epub)
    return {i.get("href"): i.get("media-type") for i in xpath(package, "//opf:item[starts-with(@href, 'fonts/')]")}


def cmap(data: bytes) -> set[int]:
    return set(TTFont(io.BytesIO(data)).getBestCmap())


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = tmp_path_factory.mktemp("fonts")
    build(SOURCES / "harbour-ledger.xhtml", out / "magazine", "--to", "epub", "--no-page-list")
    build(SOURCES / "harbour-ledger.xhtml", out / "obfuscated", "--to", "epub", "--no-page-list", "--obfuscate-fonts")
    build(SOURCES / "harbour-ledger.xhtml", out / "scholarly", "--to", "epub", "--no-page-list", "--theme", "scholarly")
    build(SOURCES / "harbour-ledger.xhtml", out / "none", "--to", "epub", "--no-page-list", "--no-embed-fonts")
    return out


def test_epubcheck_and_ace_pass(books):
    assert_valid(*(books / name / "harbour-ledger.epub" for name in ("magazine", "obfuscated", "scholarly", "none")))


def test_theme_faces_in_use_are_embedded(books):
    epub = books / "magazine" / "harbour-ledger.epub"
    fonts = fonts_of(epub)
    assert fonts == {"fonts/CharisSIL-Regular.ttf": "font/ttf", "fonts/CharisSIL-Italic.ttf": "font/ttf",
                     "fonts/CharisSIL-Bold.ttf": "font/ttf", "fonts/Inter-Regular.otf": "font/otf",
                     "fonts/Inter-Bold.otf": "font/otf", "fonts/Inter-ExtraBold.otf": "font/otf"}
    css = raw(epub, "EPUB/css/style.css").decode()
    declared = re.findall(r'src: url\("\.\./(fonts/[^"]+)"\)', css)
    assert sorted(declared) == sorted(fonts)
    assert "local(" not in css and "--cover-" not in css  # the cover's properties are not shipped
    assert "Charis SIL" in css and "CharisSIL-BoldItalic" not in css  # no bold italic text: not embedded
    package = opf(epub)
    assert meta(package, "ibooks:specified-fonts") == ["true"] and "ibooks:" in package.get("prefix")


def test_faces_are_subset_to_their_characters(books):
    epub = books / "magazine" / "harbour-ledger.epub"
    article = part(epub, "EPUB/text/article.xhtml")
    paragraphs = "".join(t for p in xpath(article, "//x:div[@class='article-body']//x:p") for t in p.itertext())
    regular = raw(epub, "EPUB/fonts/CharisSIL-Regular.ttf")
    original = find_font("Charis SIL", 400, "normal")
    assert len(regular) < 0.4 * original.path.stat().st_size
    assert {ord(c) for c in paragraphs if not c.isspace()} - {0x21A9, 0xFE0E} <= cmap(regular)
    assert 0x0416 not in cmap(regular) and 0x0416 in cmap(original.path.read_bytes())  # Ж: unused, dropped
    title = xpath(article, "string(//x:h1)")
    assert {ord(c) for c in title if not c.isspace()} <= cmap(raw(epub, "EPUB/fonts/Inter-ExtraBold.otf"))


def test_scholarly_theme_embeds_its_own_faces(books):
    fonts = fonts_of(books / "scholarly" / "harbour-ledger.epub")
    assert all("Lin" in href for href in fonts) and any("LinLibertine" in h for h in fonts)
    assert any("LinBiolinum" in h for h in fonts)


def test_fonts_can_be_left_out(books):
    epub = books / "none" / "harbour-ledger.epub"
    assert not [n for n in names(epub) if "/fonts/" in n]
    assert 'src: local("Charis SIL")' in raw(epub, "EPUB/css/style.css").decode()
    assert meta(opf(epub), "ibooks:specified-fonts") == []


def test_obfuscation(books):
    epub = books / "obfuscated" / "harbour-ledger.epub"
    plain = books / "magazine" / "harbour-ledger.epub"
    encryption = part(epub, "META-INF/encryption.xml")
    uris = xpath(encryption, "//enc:CipherReference/@URI")
    assert sorted(uris) == sorted(f"EPUB/{href}" for href in fonts_of(epub))
    assert set(xpath(encryption, "//enc:EncryptionMethod/@Algorithm")) == {"http://www.idpf.org/2008/embedding"}
    identifier = xpath(opf(epub), "string(//dc:identifier[@id='pub-id'])")
    assert identifier == xpath(opf(plain), "string(//dc:identifier[@id='pub-id'])")
    for uri in uris:
        stored = raw(epub, uri)
        assert stored != raw(plain, uri)
        assert obfuscate(stored, identifier) == raw(plain, uri)  # the IDPF algorithm undoes itself
    key = hashlib.sha1(identifier.encode()).digest()
    first = raw(plain, uris[0])
    assert raw(epub, uris[0])[:20] == bytes(a ^ b for a, b in zip(first[:20], key))


def test_theme_font_files_and_licence_checks(tmp_path, capsys):
    theme = tmp_path / "mytheme"
    theme.mkdir()
    (theme / "theme.toml").write_text('description = "test"\nextends = "magazine"\n', encoding="utf-8")
    shutil.copy(DEJAVU, theme / "free.ttf")
    restricted = TTFont(DEJAVU)
    restricted["OS/2"].fsType = 0x0002
    restricted.save(theme / "restricted.ttf")
    (theme / "epub.css").write_text(
        '@font-face { font-family: "Test Free"; src: url("free.ttf"); }\n'
        '@font-face { font-family: "Test Restricted"; src: url("restricted.ttf"); }\n'
        '@font-face { font-family: "Missing Face"; font-weight: 700; src: local("No Such Font Family"); }\n'
        'h1.title { font-family: "Test Free", sans-serif; }\n'
        '.byline p { font-family: "Test Restricted", sans-serif; }\n'
        'h2 { font-family: "Missing Face", serif; }\n', encoding="utf-8")
    source = write_article(tmp_path / "src", "t.xhtml", "<h2>A heading</h2><p>Text.</p>",
                           head='<meta name="author" content="Ann Author"/>')
    assert main(["build", str(source), "-o", str(tmp_path / "o"), "--to", "epub", "--no-page-list",
                 "--theme", str(theme), "--format", "json"]) == 0
    diagnostics = json.loads(capsys.readouterr().out)["documents"][0]["diagnostics"]
    messages = {d["code"]: d["message"] for d in diagnostics}
    assert "Test Restricted" in messages["E003"] and "fsType" in messages["E003"]
    assert "Missing Face" in messages["E002"]
    epub = tmp_path / "o" / "t.epub"
    assert "fonts/free.ttf" in fonts_of(epub) and "fonts/restricted.ttf" not in fonts_of(epub)
    css = raw(epub, "EPUB/css/style.css").decode()
    assert 'url("../fonts/free.ttf")' in css and "restricted.ttf" not in css  # no reference to a missing file
    assert 'src: local("No Such Font Family")' in css  # a reader's system may have it
    assert_valid(epub)


def test_subsets_keep_shaping_and_typographic_features_and_names(books):
    epub = books / "magazine" / "harbour-ledger.epub"
    charis = TTFont(io.BytesIO(raw(epub, "EPUB/fonts/CharisSIL-Regular.ttf")))
    features = {record.FeatureTag for record in charis["GSUB"].table.FeatureList.FeatureRecord}
    assert {"liga", "smcp", "c2sc"} <= features  # features with nothing left to do are pruned
    assert charis["name"].getDebugName(1) == "Charis SIL" and "SIL" in charis["name"].getDebugName(13)
    inter = TTFont(io.BytesIO(raw(epub, "EPUB/fonts/Inter-Regular.otf")))
    assert "kern" in {record.FeatureTag for record in inter["GPOS"].table.FeatureList.FeatureRecord}
    assert "fpgm" not in charis and "prep" not in charis  # hinting dropped: e-book screens do not use it

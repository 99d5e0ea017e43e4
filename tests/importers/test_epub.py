"""EPUB and unpacked EPUB sources: package metadata, spine order, chapters as sections,
notes across documents, missing parts, images — and archives checked before reading."""

from __future__ import annotations

import stat
import zipfile

import pytest
from helpers import codes, find

from exporter.errors import SourceError
from exporter.importers import find_sources
from exporter.pipeline import load


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
OPF = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="en">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">https://books.example/tale</dc:identifier>
<dc:title id="t">A Tale</dc:title><dc:title id="s">In Two Parts</dc:title>
<meta refines="#s" property="title-type">subtitle</meta>
<dc:creator id="a">Mary Writer</dc:creator><meta refines="#a" property="role" scheme="marc:relators">aut</meta>
<meta refines="#a" property="file-as">Writer, Mary</meta>
<dc:contributor id="b">Type Setter</dc:contributor><meta refines="#b" property="role" scheme="marc:relators">tyg</meta>
<dc:language>en-GB</dc:language><dc:date>1901-05-06</dc:date><dc:publisher>Old Press</dc:publisher>
<dc:subject>Fiction</dc:subject><meta property="dcterms:modified">2024-01-01T00:00:00Z</meta>
</metadata>
<manifest>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="title" href="text/title.xhtml" media-type="application/xhtml+xml"/>
<item id="c1" href="text/one.xhtml" media-type="application/xhtml+xml"/>
<item id="c2" href="text/two.xhtml" media-type="application/xhtml+xml"/>
<item id="gone" href="text/gone.xhtml" media-type="application/xhtml+xml"/>
<item id="notes" href="text/notes.xhtml" media-type="application/xhtml+xml"/>
<item id="img" href="images/dot.png" media-type="image/png"/>
</manifest>
<spine><itemref idref="title"/><itemref idref="c1"/><itemref idref="gone"/><itemref idref="c2"/><itemref idref="notes"/></spine>
</package>"""
HEAD = ('<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="en"><head><title>x</title></head>')
FILES = {
    "mimetype": "application/epub+zip",
    "META-INF/container.xml": '<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"'
                              ' version="1.0"><rootfiles><rootfile full-path="OEBPS/book.opf" '
                              'media-type="application/oebps-package+xml"/></rootfiles></container>',
    "OEBPS/book.opf": OPF,
    "OEBPS/nav.xhtml": HEAD + '<body><nav epub:type="toc"><ol><li><a href="text/one.xhtml">One</a></li></ol></nav>'
                       '</body></html>',
    "OEBPS/text/title.xhtml": HEAD + '<body epub:type="frontmatter"><section epub:type="titlepage">'
                              '<h1>A Tale</h1></section></body></html>',
    "OEBPS/text/one.xhtml": HEAD + '<body><section id="one" epub:type="chapter"><h2>One</h2>'
                            '<p>First chapter<a href="notes.xhtml#n1" epub:type="noteref">1</a>, see '
                            '<a href="two.xhtml#p2">the next</a> and <a href="gone.xhtml">the lost one</a>.</p>'
                            '<p><img src="../images/dot.png" alt="A dot"/></p>'
                            '<blockquote epub:type="z3998:verse"><p><span>Line one,</span><br/>'
                            '<span>line two.</span></p></blockquote></section></body></html>',
    "OEBPS/text/two.xhtml": HEAD + '<body><section epub:type="chapter"><h2>Two</h2><p id="p2">Second&#160;'
                            'chapter.</p><p id="dup">A</p></section></body></html>',
    "OEBPS/text/notes.xhtml": HEAD + '<body><section epub:type="endnotes"><h2>Notes</h2><ol><li id="n1">'
                              '<p>The note. <a href="one.xhtml#r1" epub:type="backlink">↩</a></p></li></ol>'
                              '<p id="dup">B</p></section></body></html>',
    "OEBPS/images/dot.png": PNG,
}


def make_epub(path, files=FILES, mode=None):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            if mode is not None and name == "OEBPS/images/dot.png":
                info.create_system = 3
                info.external_attr = mode << 16
            z.writestr(info, data)
    return path


def check_book(article, images_inline: bool):
    meta = article.meta
    assert (meta.title, meta.subtitle, meta.language, meta.date) == ("A Tale", "In Two Parts", "en-GB", "1901-05-06")
    assert [(c.name, c.role, c.file_as) for c in meta.contributors] == [("Mary Writer", "aut", "Writer, Mary")]
    assert meta.source == "https://books.example/tale" and meta.subjects == ["Fiction"]
    assert find(article, "/article/section/@class") == ["chapter", "chapter", "chapter"]  # the last: notes.xhtml's own text
    assert find(article, "/article/section/h2/text()") == ["One", "Two"]
    assert find(article, "//a[@class='noteref']/@href") == ["#n1"]
    assert find(article, "//aside[@class='note' and @id='n1']")[0].xpath("string()").strip() == "The note."
    assert find(article, "//a[.='the next']/@href") == ["#p2"]
    assert not find(article, "//a[.='the lost one']")
    assert find(article, "//blockquote[@class='verse']/div[@class='stanza']/p[@class='verse-line']/text()") == [
        "Line one,", "line two."]
    assert sorted(find(article, "//p/@id")) == ["dup", "notes-dup", "p2"]
    src = find(article, "//figure/img/@src")[0]
    assert src.startswith("data:image/png;base64,") if images_inline else src == "images/dot.png"
    assert {"S035", "S036", "S037", "S039"} <= set(codes(article))


def test_epub_file(tmp_path):
    article = load(make_epub(tmp_path / "tale.epub"))
    check_book(article, images_inline=True)
    assert article.stem == "tale"


def test_unpacked_folder_is_one_source(tmp_path):
    root = tmp_path / "tale" / "src"
    for name, data in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    assert find_sources(tmp_path) == [root]
    article = load(root)
    check_book(article, images_inline=False)
    assert article.stem == "tale"


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil", "OEBPS/../../evil", "C:/evil", "a\\..\\evil"])
def test_unsafe_names_refuse_the_archive(tmp_path, name):
    path = make_epub(tmp_path / "bad.epub", {**FILES, name: "x"})
    before = set(tmp_path.rglob("*"))
    with pytest.raises(SourceError, match="unsafe archive"):
        load(path)
    assert set(tmp_path.rglob("*")) == before


def test_duplicates_symlinks_and_bombs_refuse_the_archive(tmp_path):
    dup = tmp_path / "dup.epub"
    make_epub(dup)
    with zipfile.ZipFile(dup, "a") as z:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z.writestr("OEBPS/Book.OPF", OPF)
    with pytest.raises(SourceError, match="appears twice"):
        load(dup)
    with pytest.raises(SourceError, match="symbolic link"):
        load(make_epub(tmp_path / "link.epub", mode=stat.S_IFLNK | 0o777))
    bomb = tmp_path / "bomb.epub"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in FILES.items():
            z.writestr(name, data)
        z.writestr("OEBPS/zeros.bin", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(SourceError, match="zip bomb"):
        load(bomb)


def test_not_a_zip(tmp_path):
    path = tmp_path / "fake.epub"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(SourceError, match="not a readable zip"):
        load(path)


def test_epub2_with_xhtml_entities_and_tag_soup(tmp_path):
    head = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
            '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" '
            'xml:lang="fr"><head><title>x</title></head>')
    opf = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="i">'
           '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">'
           '<dc:title>Vieux livre</dc:title><dc:creator opf:role="aut" opf:file-as="Doe, Jane">Jane Doe</dc:creator>'
           '<dc:creator opf:role="trl">Tom Trans</dc:creator><dc:language>fr</dc:language>'
           '<dc:identifier id="i">urn:isbn:9780000000000</dc:identifier></metadata><manifest>'
           '<item id="c1" href="c1.html" media-type="application/xhtml+xml"/>'
           '<item id="c2" href="c2.html" media-type="application/xhtml+xml"/></manifest>'
           '<spine><itemref idref="c1"/><itemref idref="c2" linear="no"/></spine></package>')
    files = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": FILES["META-INF/container.xml"].replace("OEBPS/book.opf", "OEBPS/content.opf"),
        "OEBPS/content.opf": opf,
        "OEBPS/c1.html": head + '<body><div class="chapter"><h1>Chapitre&nbsp;I</h1><p>L&rsquo;été '
                                '&mdash; <a href="c2.html#n">note</a>.</p><div class="poem"><div class="stanza">'
                                '<p class="line">Un vers</p><p class="line">Deux vers</p></div></div></div></body></html>',
        "OEBPS/c2.html": '<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>II</h1><p id="n">Note&hellip;<br>'
                         ' ouverte</p></body></html>',
    }
    article = load(make_epub(tmp_path / "old.epub", files))
    meta = article.meta
    assert [(c.name, c.role, c.file_as) for c in meta.contributors] == [("Jane Doe", "aut", "Doe, Jane"),
                                                                        ("Tom Trans", "trl", None)]
    assert meta.language == "fr" and find(article, "//h2/text()") == ["Chapitre\u00a0I", "II"]
    assert find(article, "//p[a]")[0].xpath("string()") == "L’été — note."
    assert find(article, "//a/@href") == ["#n"]
    assert find(article, "//div[@class='verse']/div[@class='stanza']/p[@class='verse-line']/text()") == [
        "Un vers", "Deux vers"]
    assert {"S034", "S029"} <= set(codes(article))


@pytest.mark.slow
def test_an_epub_source_rebuilds_to_a_valid_epub(tmp_path):
    """Images from an .epub travel as data: URLs and are packaged again under a content name."""
    from conftest import assert_epubcheck_clean

    from exporter.cli import main

    source = make_epub(tmp_path / "tale.epub")
    assert main(["build", str(source), "-o", str(tmp_path / "out"), "--to", "epub"]) == 0
    rebuilt = tmp_path / "out" / "tale.epub"
    assert_epubcheck_clean(rebuilt)
    with zipfile.ZipFile(rebuilt) as z:
        images = [n for n in z.namelist() if n.startswith("EPUB/images/")]
        # the article's image under its content name, and the generated cover (the source has none)
        assert sorted(images) == sorted(["EPUB/images/cover.png",
                                         "EPUB/images/image-" + __import__("hashlib").sha256(PNG).hexdigest()[:12] + ".png"])


def _book(language: str, progression: str, documents: dict[str, str]) -> dict[str, str]:
    """A small EPUB: the package's language and page progression, and content documents
    given as name -> attributes of <html> and the body's text."""
    items = "".join(f'<item id="d{i}" href="{name}" media-type="application/xhtml+xml"/>'
                    for i, name in enumerate(documents))
    refs = "".join(f'<itemref idref="d{i}"/>' for i in range(len(documents)))
    opf = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="i">'
           '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Book</dc:title>'
           f'<dc:language>{language}</dc:language><dc:identifier id="i">urn:uuid:1</dc:identifier></metadata>'
           f'<manifest>{items}</manifest><spine page-progression-direction="{progression}">{refs}</spine></package>')
    files = {"mimetype": "application/epub+zip", "META-INF/container.xml": FILES["META-INF/container.xml"],
             "OEBPS/book.opf": opf}
    for name, (attrs, text) in documents.items():
        files[f"OEBPS/{name}"] = (f'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"'
                                  f' {attrs}><head><title>x</title></head><body><p>{text}</p></body></html>')
    return files


@pytest.mark.parametrize("language, attrs", [("en", 'xml:lang="en" lang="en"'), ("ja", 'xml:lang="ja"'),
                                             ("ja", "")])
def test_page_progression_does_not_make_text_right_to_left(tmp_path, language, attrs):
    from helpers import XHTML_NS, build_epub, epub_part, epubcheck_messages

    source = make_epub(tmp_path / "book.epub", _book(language, "rtl", {"a.xhtml": (attrs, "Words 言葉.")}))
    article = load(source)
    assert (article.meta.language, article.meta.dir) == (language, "ltr")
    (note,) = [d for d in article.diagnostics if d.code == "S033" and "page-progression" in d.message]
    assert note.file.endswith("book.opf") and note.line == 1
    epub = build_epub(source, tmp_path / "out")
    assert epub_part(epub, "content.opf").xpath("//opf:spine/@page-progression-direction",
                                                namespaces=XHTML_NS) in ([], ["ltr"])
    assert epub_part(epub, "text/article.xhtml").xpath("/x:html/@dir", namespaces=XHTML_NS) == ["ltr"]
    assert epubcheck_messages(epub) == []


def test_language_and_direction_come_from_the_documents_first(tmp_path):
    from helpers import XHTML_NS, build_epub, epub_part, epubcheck_messages

    documents = {"a.xhtml": ('xml:lang="ar" dir="rtl"', "نص عربي."), "b.xhtml": ('lang="ar"', "نص آخر."),
                 "c.xhtml": ('xml:lang="en" dir="ltr"', "An English chapter."), "d.xhtml": ('xml:lang="fr"', "Du texte.")}
    source = make_epub(tmp_path / "mixed.epub", _book("en", "ltr", documents))
    article = load(source)
    assert (article.meta.language, article.meta.dir) == ("ar", "rtl")
    assert "S029" in codes(article)  # the package said en
    sections = find(article, "/article/section")
    assert [(s.get("lang"), s.get("dir")) for s in sections] == [(None, None), (None, None), ("en", "ltr"),
                                                                 ("fr", "ltr")]
    epub = build_epub(source, tmp_path / "out")
    page = epub_part(epub, "text/article.xhtml")
    assert page.xpath("/x:html/@dir", namespaces=XHTML_NS) == ["rtl"]
    assert page.xpath("//x:section[@lang='fr']/@dir", namespaces=XHTML_NS) == ["ltr"]
    assert epubcheck_messages(epub) == []


SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="900" viewBox="0 0 600 900">'
       '<title>{title}</title><script>alert(1)</script><rect width="600" height="900" fill="#234"/></svg>')


@pytest.mark.parametrize("packed", [True, False])
def test_svg_pages_and_svg_covers_are_kept(tmp_path, packed):
    from helpers import XHTML_NS, build_epub, epub_part, epubcheck_messages

    opf = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="i">'
           '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Drawn</dc:title><dc:language>en'
           '</dc:language><dc:identifier id="i">urn:uuid:2</dc:identifier></metadata><manifest>'
           '<item id="cover" href="images/cover.svg" media-type="image/svg+xml" properties="cover-image"/>'
           '<item id="plate" href="images/plate.svg" media-type="image/svg+xml"/>'
           '<item id="c1" href="text/one.xhtml" media-type="application/xhtml+xml"/></manifest>'
           '<spine><itemref idref="c1"/><itemref idref="plate"/></spine></package>')
    files = {"mimetype": "application/epub+zip", "META-INF/container.xml": FILES["META-INF/container.xml"],
             "OEBPS/book.opf": opf, "OEBPS/images/cover.svg": SVG.format(title="The cover"),
             "OEBPS/images/plate.svg": SVG.format(title="Plate 1: a dark rectangle"),
             "OEBPS/text/one.xhtml": HEAD + "<body><p>Before the plate.</p></body></html>"}
    if packed:
        source = make_epub(tmp_path / "drawn.epub", files)
    else:
        source = tmp_path / "drawn"
        for name, data in files.items():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_text(data, encoding="utf-8")
    article = load(source)
    (plate,) = find(article, "//section[@class='chapter']/figure/img")
    assert plate.get("alt") == "Plate 1: a dark rectangle"
    assert "S035" not in codes(article) and article.meta.cover
    epub = build_epub(source, tmp_path / "out")
    opf_out = epub_part(epub, "content.opf")
    (cover,) = opf_out.xpath("//opf:item[contains(@properties, 'cover-image')]", namespaces=XHTML_NS)
    assert cover.get("media-type") == "image/svg+xml"
    with zipfile.ZipFile(epub) as book:
        svgs = [book.read(n) for n in book.namelist() if n.endswith(".svg")]
    assert len(svgs) == 2 and not any(b"<script" in data for data in svgs)  # cleaned (exporter/safety/svg.py)
    page = epub_part(epub, "text/article.xhtml")
    assert page.xpath("//x:img/@alt", namespaces=XHTML_NS) == ["Plate 1: a dark rectangle"]
    assert epubcheck_messages(epub) == []


def test_a_date_that_is_no_date_is_left_out(tmp_path):
    """dc:date and dcterms:modified are read by exporter's date parser: an impossible one
    is S026 with its line, and never reaches the EPUB exporter writes (OPF-053)."""
    opf = OPF.replace("<dc:date>1901-05-06</dc:date>",
                      '<dc:date opf:event="modification" xmlns:opf="http://www.idpf.org/2007/opf">2020-01-01</dc:date>'
                      "<dc:date>1901-02-30</dc:date>").replace("2024-01-01T00:00:00Z", "2024-01-01 00:00 GMT")
    article = load(make_epub(tmp_path / "b.epub", {**FILES, "OEBPS/book.opf": opf}))
    assert (article.meta.date, article.meta.modified) == (None, "2024-01-01T00:00Z")
    (warning,) = [d for d in article.diagnostics if d.code == "S026"]
    assert warning.line == 10 and "dc:date '1901-02-30' is not a valid date: February 1901 has 28 days" \
        in warning.message

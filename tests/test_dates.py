"""Dates (issue 19 item 3): one parser for every place a date enters, impossible dates
refused where they enter (file and line, exit 2 for the command line and configuration,
1 for a source, S026 where a date is incidental), dates shown in the article's language,
and only valid W3CDTF dates in the EPUB package."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import assert_epubcheck_clean
from lxml import etree

from exporter.cli import main
from exporter.diagnostics import Diagnostics
from exporter.importers import frontmatter
from exporter.importers.load import load
from exporter.model.dates import DateError, format_date, html_datetime, parse_date, valid_date

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- the parser -------------------------------------------------------------------------------

@pytest.mark.parametrize("value, iso", [
    ("2017", "2017"), ("2017-01", "2017-01"), ("2017-01-19", "2017-01-19"), ("2017-1-9", "2017-01-09"),
    ("2017/01/19", "2017-01-19"), ("2017-01-19T10:30Z", "2017-01-19T10:30Z"),
    ("2014-05-14T11:02:00-04:00", "2014-05-14T11:02:00-04:00"),
    ("2014-05-14 11:02:00 -0400", "2014-05-14T11:02:00-04:00"),
    ("2017-01-19t10:30:00.123456z", "2017-01-19T10:30:00.123Z"), ("2017-01-19 10:30 UTC", "2017-01-19T10:30Z"),
    ("2017-01-19T10:30", "2017-01-19T10:30"),
    ("Thu, 19 Jan 2017 10:30:00 +0000", "2017-01-19T10:30:00+00:00"), ("19 January 2017", "2017-01-19"),
    ("January 19, 2017", "2017-01-19"), ("Jan. 19th 2017", "2017-01-19"), ("January 2017", "2017-01"),
    (2017, "2017"), (dt.date(2017, 1, 19), "2017-01-19"),
    (dt.datetime(2017, 1, 19, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4))), "2017-01-19T10:30:00-04:00"),
])
def test_what_the_parser_reads(value, iso):
    assert parse_date(value).iso() == iso
    assert valid_date(iso)


@pytest.mark.parametrize("value, words", [
    ("2025-13", "there is no month 13"), ("2025-00", "there is no month 0"),
    ("2025-13-45", "there is no month 13"), ("2025-02-29", "February 2025 has 28 days"),
    ("2025-04-31", "April 2025 has 30 days"), ("2025-01-00", "there is no day 0"),
    ("0000-01-01", "there is no year 0"), ("2025-01-19T25:00Z", "there is no hour 25"),
    ("2025-01-19T10:61", "there is no minute 61"), ("2025-01-19T10:30+25:00", "there is no time zone +25:00"),
    ("31 February 2025", "February 2025 has 28 days"),
])
def test_impossible_dates_say_what_is_wrong(value, words):
    with pytest.raises(DateError) as caught:
        parse_date(value, "date")
    assert caught.value.impossible and words in caught.value.message and caught.value.hint
    assert not valid_date(value)


@pytest.mark.parametrize("value", ["yesterday", "March 3", "Foo 2017", "2017-01-19 10:30 CET", "20170119", ""])
def test_what_is_no_date(value):
    with pytest.raises(DateError) as caught:
        parse_date(value, "date")
    assert not caught.value.impossible


def test_only_the_model_form_is_valid_in_the_model():
    assert valid_date("2017-01-19T10:30:00Z") and not valid_date("2017/01/19") and not valid_date("2017-1-9")


@pytest.mark.parametrize("value, kept", [
    ("2017/01/19", "2017-01-19"), ("2017-01-19 10:30", "2017-01-19T10:30"), ("PT2H", "PT2H"), ("10:30", "10:30"),
    ("01-19", "01-19"), ("2017-W03", "2017-W03"), ("2 H", "2 H"),
    ("yesterday", None), ("2017-02-30", None), ("25:00", None),
])
def test_html_datetime(value, kept):
    assert html_datetime(value) == kept


# -- how dates are shown ----------------------------------------------------------------------

@pytest.mark.parametrize("value, language, shown", [
    ("2017-01-19", "en", "19 January 2017"), ("2017-01-19", "en-GB", "19 January 2017"),
    ("2017-01-19", "en-US", "January 19, 2017"), ("2017-01-19", "fr", "19 janvier 2017"),
    ("2017-01-19", "de", "19. Januar 2017"), ("2017-01-19", "ja", "2017年1月19日"),
    ("2017-01-19", "ar", "19 يناير 2017"), ("2017-01-19", "pt-BR", "19 de janeiro de 2017"),
    ("2017-01", "fr", "janvier 2017"), ("2017-01", "en", "January 2017"), ("2017-01", "de", "Januar 2017"),
    ("2017", "fr", "2017"), ("2017", "en", "2017"),
    ("2017-01-19T23:30:00-04:00", "fr", "19 janvier 2017"),  # the day where it was written
    ("2017-01-19", "tlh", "2017-01-19"), ("2017-01-19", "x-private", "2017-01-19"),
    ("2017-01-19", "fr-CA-x-house", "19 janvier 2017"),
])
def test_dates_are_shown_in_the_articles_language(value, language, shown):
    assert format_date(value, language) == shown


def test_the_machines_locale_does_not_matter(monkeypatch):
    for name in ("LC_ALL", "LC_TIME", "LANG", "LANGUAGE"):
        monkeypatch.setenv(name, "de_DE.UTF-8")
    assert format_date("2017-01-19", "en") == "19 January 2017"
    assert format_date("2017-01", "fr") == "janvier 2017"


def test_showing_a_date_reads_nothing_of_the_machine(tmp_path):
    """Babel looks up the machine's time zone when babel.dates is imported (TZ,
    /etc/localtime, zoneinfo files): exporter fixes it first, so nothing is read."""
    script = write(tmp_path / "audit.py", (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == 'open' else None)\n"
        "from exporter.model.dates import format_date\n"
        "assert format_date('2017-01-19', 'fr') == '19 janvier 2017'\n"
        "print([p for p in opened if 'localtime' in p or 'share/zoneinfo' in p or p.endswith('/timezone')])\n"))
    env = {**os.environ, "TZ": "Europe/Paris", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run([sys.executable, "-P", str(script)], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"


# -- the command line: exit 2, the option named -----------------------------------------------

@pytest.mark.parametrize("value, words", [
    ("2025-13", "--date '2025-13' is not a valid date: there is no month 13"),
    ("2025-00", "--date '2025-00' is not a valid date: there is no month 0"),
    ("2025-02-30", "--date '2025-02-30' is not a valid date: February 2025 has 28 days"),
    ("soon", "--date 'soon' is not an ISO 8601 date"),
])
def test_an_impossible_date_option_is_a_usage_error(tmp_path, capsys, value, words):
    source = write(tmp_path / "a.txt", "Title\n\nText.\n")
    assert main(["build", str(source), "-o", str(tmp_path / "out"), "--to", "html", "--date", value]) == 2
    err = capsys.readouterr().err
    assert f"error: {words} (hint: write YYYY-MM-DD" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "a.html").exists()
    assert main(["import", str(source), "-o", str(tmp_path / "a.xhtml"), "--date", value]) == 2


def test_a_year_month_date_is_shown_and_packaged(tmp_path):
    """--date 2025-02 (once an IndexError, and 2025-00 "December 2025"): shown as the
    month in the article's language, dc:date 2025-02, and EPUBCheck has nothing to say."""
    source = write(tmp_path / "a.txt", "Le titre\n\nUn texte en français.\n")
    out = tmp_path / "out"
    assert main(["build", str(source), "-o", str(out), "--to", "epub,html", "--date", "2025-02",
                 "--lang", "fr"]) == 0
    html = etree.parse(str(out / "a.html"), etree.HTMLParser())
    assert html.xpath("string(//p[@class='dateline']/time)") == "février 2025"
    assert html.xpath("string(//p[@class='dateline']/time/@datetime)") == "2025-02"
    with zipfile.ZipFile(out / "a.epub") as epub:
        package = etree.fromstring(epub.read("EPUB/content.opf"))
    assert package.xpath("string(//dc:date)", namespaces=OPF) == "2025-02"
    assert_epubcheck_clean(out / "a.epub")


def test_a_date_time_without_zone_reaches_the_package_as_its_day(tmp_path):
    source = write(tmp_path / "a.txt", "Title\n\nText.\n")
    write(tmp_path / "a.toml", "date = 2017-01-19T10:30:00\nlanguage = \"de\"\n")
    out = tmp_path / "out"
    assert main(["build", str(source), "-o", str(out), "--to", "epub,html"]) == 0
    with zipfile.ZipFile(out / "a.epub") as epub:
        package = etree.fromstring(epub.read("EPUB/content.opf"))
    assert package.xpath("string(//dc:date)", namespaces=OPF) == "2017-01-19"
    html = etree.parse(str(out / "a.html"), etree.HTMLParser())
    assert html.xpath("string(//p[@class='dateline']/time)") == "19. Januar 2017"


# -- sources: an error with file and line (exit 1), or S026 where the date is incidental ------

def test_an_impossible_front_matter_date_fails_its_document_with_the_line(tmp_path, capsys):
    source = write(tmp_path / "post.md", "---\ntitle: T\ndate: 2025-13-45\n---\n\nText.\n")
    assert main(["build", str(source), "-o", str(tmp_path / "out"), "--to", "html"]) == 1
    err = capsys.readouterr().err
    assert f"error: {source}:3: date '2025-13-45' is not a valid date: there is no month 13" in err
    html = write(tmp_path / "page.html", "---\ntitle: T\nmodified: '2025-02-30'\n---\n<p>Text.</p>\n")
    assert main(["build", str(html), "-o", str(tmp_path / "out"), "--to", "html"]) == 1
    assert f"error: {html}:3: modified '2025-02-30' is not a valid date" in capsys.readouterr().err


def test_front_matter_date_times_keep_their_zone(tmp_path):
    source = write(tmp_path / "post.md", "---\ntitle: T\ndate: 2014-05-14 11:02:00 -04:00\n---\n\nText.\n")
    assert load(source).meta.date == "2014-05-14T11:02:00-04:00"


def test_an_impossible_sidecar_date_fails_its_document_with_the_line(tmp_path, capsys):
    source = write(tmp_path / "a.txt", "Title\n\nText.\n")
    sidecar = write(tmp_path / "a.toml", 'title = "T"\ndate = "2025-13"\n')
    assert main(["build", str(source), "-o", str(tmp_path / "out"), "--to", "epub"]) == 1
    err = capsys.readouterr().err
    assert f"error: {sidecar}:2: date '2025-13' is not a valid date: there is no month 13" in err
    assert not (tmp_path / "out" / "a.epub").exists()  # never an OPF with dc:date 2025-13 (OPF-053)


def test_a_model_file_date_is_a_model_error_with_its_line(tmp_path, capsys):
    source = write(tmp_path / "m.xhtml", '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/'
                   'xhtml" lang="en">\n<head><title>T</title>\n<meta name="date" content="2025-02-30"/>\n</head>\n'
                   "<body><article><p>x</p></article></body></html>\n")
    assert main(["build", str(source), "-o", str(tmp_path / "out"), "--to", "html"]) == 1
    assert f"error: {source}:4: date '2025-02-30' is not a valid date" in capsys.readouterr().err


def test_an_impossible_file_name_date_is_left_out(tmp_path):
    article = load(write(tmp_path / "2014-13-45-post.md", "# Post\n\nText.\n"))
    assert article.meta.date is None
    (warning,) = [d for d in article.diagnostics if d.code == "S026"]
    assert "there is no month 13" in warning.message
    assert load(write(tmp_path / "2014-09-08-post.md", "# Post\n\nText.\n")).meta.date == "2014-09-08"


def test_html_meta_dates_are_read_and_an_impossible_one_is_left_out(tmp_path):
    page = write(tmp_path / "p.html", '<html lang="en"><head><title>T</title>\n'
                 '<meta name="citation_publication_date" content="2025/13/45">\n'
                 '<meta name="dc.date" content="2017/01/19">\n'
                 '<meta property="article:modified_time" content="2017-01-20T10:00:00.000Z">\n'
                 '</head><body><p>Text on <time datetime="yesterday">a day</time>, '
                 '<time datetime="2017/01/19">then</time>, for <time datetime="PT2H">two hours</time>.</p>'
                 '</body></html>\n')
    article = load(page)
    assert (article.meta.date, article.meta.modified) == ("2017-01-19", "2017-01-20T10:00:00.000Z")
    warnings = [d for d in article.diagnostics if d.code == "S026"]
    assert [w.line for w in warnings] == [2, 5]
    assert "<meta citation_publication_date> '2025/13/45' is not a valid date" in warnings[0].message
    assert "datetime='yesterday'" in warnings[1].message
    assert article.body.xpath("//time/@datetime") == ["2017-01-19", "PT2H"]
    assert article.body.xpath("string(//time[1])") == "a day"


JATS = """<?xml version="1.0" encoding="utf-8"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink"><front><article-meta>
<title-group><article-title>A paper</article-title></title-group>
<pub-date pub-type="epub"><day>30</day><month>2</month><year>2021</year></pub-date>
<pub-date pub-type="ppub"><month>Mar</month><year>2021</year></pub-date>
</article-meta></front><body><p>Text.</p></body></article>
"""


def test_an_impossible_jats_pub_date_is_left_out_for_the_next(tmp_path):
    article = load(write(tmp_path / "paper.xml", JATS))
    assert article.meta.date == "2021-03"
    (warning,) = [d for d in article.diagnostics if d.code == "S026"]
    assert warning.line == 4 and "February 2021 has 28 days" in warning.message


def test_front_matter_reports_the_line_of_each_key(tmp_path):
    data = frontmatter.parse("title: T\n\nauthor: A\ndate: '2017'\n", 2, tmp_path / "a.md", Diagnostics())
    assert data.lines == {"title": 2, "author": 4, "date": 5}

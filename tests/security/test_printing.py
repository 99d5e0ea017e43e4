"""File names and messages never reach a terminal or a text report raw (issue 12): a
name holding terminal escapes (CSI, OSC), a carriage return, a newline (which could fake
a report line), other C0/C1 controls or bidi overrides is printed with those characters
escaped, by one function (exporter.display.printable) that every formatter uses. JSON
keeps the name as given, with JSON escapes."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from lxml import etree

from exporter.batch.progress import Progress
from exporter.checks import report as check_report
from exporter.checks.result import Finding, Outcome, Report, Severity
from exporter.cli import main
from exporter.diagnostics import Diagnostics
from exporter.display import json_text, printable
from exporter.errors import SourceError

#: what must never be printed raw: C0 (newline aside, which ends our own lines), DEL, C1,
#: bidi controls, line/paragraph separators, lone surrogates
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
                 "\ud800-\udfff]")
#: the progress bar's own control sequence (erase the line), the only escape exporter writes
BAR = "\r\x1b[K"

NAMES = {
    "csi": "red\x1b[31mALERT\x1b[0m",
    "osc": "title\x1b]0;owned\x07\x1b]52;c;ZWNobyBoaQ==\x07",
    "carriage-return": "innocent\rok      evil",
    "newline": "a\nok      fake.md -> fake.html",
    "c1-csi": "c1\x9b31m",
    "bidi": "invoice\u202egpj.exe",
    "isolates": "x\u2066y\u2069\u2028z",
}
BYTES = {"not-utf-8": b"caf\xe9\xff"}


def odd_source(folder: Path, key: str, suffix: str = ".md", text: str = "# Odd\n\nText.\n") -> Path:
    """A real file on disk whose name is one of the odd names."""
    folder.mkdir(parents=True, exist_ok=True)
    if key in BYTES:
        raw = os.fsencode(folder) + b"/" + BYTES[key] + suffix.encode()
        with open(raw, "w", encoding="utf-8") as handle:
            handle.write(text)
        return Path(os.fsdecode(raw))
    path = folder / (NAMES[key] + suffix)
    path.write_text(text, encoding="utf-8")
    return path


ALL = [*NAMES, *BYTES]
BROKEN = ('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>B</title></head>'
          '<body><article><p>Fine.</p>\n<blink>bad</blink></article></body></html>')


def assert_nothing_raw(text: str) -> None:
    found = RAW.search(text.replace(BAR, ""))
    assert found is None, f"raw {found.group(0)!r} printed: …{text[max(0, found.start() - 40):found.end() + 40]!r}"


@pytest.mark.parametrize("key", ALL)
def test_names_of_built_documents_print_escaped(tmp_path, capsys, key):
    src = tmp_path / "src"
    source = odd_source(src, key, text="# Odd\n\n![x](missing.png)\n")
    (src / "plain.md").write_text("# Plain\n\nText.\n", encoding="utf-8")
    assert main(["build", str(src), "-o", str(tmp_path / "out"), "--to", "html", "--progress"]) == 0
    captured = capsys.readouterr()
    assert_nothing_raw(captured.out)
    assert_nothing_raw(captured.err)
    # one report line per document: a name cannot add one
    assert [line[:8] for line in captured.out.splitlines() if line.startswith("ok")] == ["ok      "] * 2
    assert f"ok      {printable(source)} -> " in captured.out
    assert printable(source) != str(source)
    # the diagnostic about the missing image names the file escaped
    assert f"  {printable(source)}:3: warning[S022]: " in captured.out


@pytest.mark.parametrize("key", ALL)
def test_names_of_failed_documents_print_escaped(tmp_path, capsys, key):
    src = tmp_path / "src"
    source = odd_source(src, key, suffix=".xhtml", text=BROKEN)
    assert main(["build", str(src), "-o", str(tmp_path / "out"), "--to", "html", "-q"]) == 1
    captured = capsys.readouterr()
    assert_nothing_raw(captured.out + captured.err)
    lines = captured.err.splitlines()
    assert lines[0] == f"FAILED  {printable(source)}"
    assert lines[1].startswith(f"  error: {printable(source)}:2: ") and len(lines) == 2


@pytest.mark.parametrize("key", ["newline", "csi", "bidi", "not-utf-8"])
def test_json_reports_keep_the_name_as_given(tmp_path, capsys, key):
    src = tmp_path / "src"
    source = odd_source(src, key, text="# Odd\n\n![x](gone.png)\n")
    report = tmp_path / "report.json"
    assert main(["build", str(src), "-o", str(tmp_path / "out"), "--to", "html", "--format", "json",
                 "--report", str(report)]) == 0
    printed = capsys.readouterr().out
    assert_nothing_raw(printed)
    written = report.read_bytes().decode("utf-8")  # valid UTF-8, whatever the name's bytes
    assert_nothing_raw(written)
    for text in (printed, written):
        (document,) = json.loads(text)["documents"]
        assert document["source"] == str(source)  # the name as given, decoded from JSON escapes
        (diagnostic,) = [d for d in document["diagnostics"] if d["code"] == "S022"]
        assert diagnostic["file"] == str(source) and "gone.png" in diagnostic["message"]


def test_import_prints_the_output_name_escaped(tmp_path, capsys):
    source = odd_source(tmp_path, "osc")
    target = tmp_path / "out\x1b[2Jx.xhtml"
    assert main(["import", str(source), "-o", str(target)]) == 0
    captured = capsys.readouterr()
    assert_nothing_raw(captured.out + captured.err)
    assert target.is_file() and f"wrote {printable(target)}" in captured.out


def test_usage_errors_print_escaped(tmp_path, capsys):
    assert main(["build", str(tmp_path / "gone\x1b]0;x\x07\nerror: fake"), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert_nothing_raw(err)
    assert len(err.splitlines()) == 1


def test_the_progress_bar_escapes_the_name_it_shows():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = Progress(3, enabled=True, stream=stream)
    for key in ("csi", "osc", "newline"):
        bar.advance(NAMES[key])
        assert_nothing_raw(bar.line())
    bar.finish()
    assert_nothing_raw(stream.getvalue())
    assert "\n" not in stream.getvalue()


def test_check_reports_escape_names_and_findings(tmp_path):
    output = tmp_path / (NAMES["newline"] + NAMES["csi"] + ".epub")
    report = Report(outcomes=[
        Outcome("epubcheck", output, findings=[
            Finding(Severity.ERROR, "bad file 'x\x1b]0;t\x07\nFAILED fake'", "RSC-001", "OEBPS/\u202eevil.xhtml")]),
        Outcome("ace", output, skipped="not installed\r\x1b[2K passed"),
    ])
    text = check_report.text(report)
    assert_nothing_raw(text)  # (RAW allows newlines: the count below shows they are the report's own)
    assert len(text.splitlines()) == 5 and printable(output) in text
    junit = etree.fromstring(check_report.junit(report))
    for element in junit.iter():
        for value in [element.text or "", *element.attrib.values()]:
            assert_nothing_raw(value.replace("\n", " "))
    data = json.loads(check_report.to_json(report))
    assert data["results"][0]["output"] == str(output)  # JSON: as given
    assert "\x1b]0;t\x07" in data["results"][0]["findings"][0]["message"]


def test_diagnostics_and_errors_print_escaped_and_stay_raw_in_json():
    diagnostics = Diagnostics()
    diagnostic = diagnostics.add("S022", "image 'a\x1b[2Jb' not found", file="x\ny.md", line=3, hint="\u202ehint")
    assert str(diagnostic) == "x\\ny.md:3: warning[S022]: image 'a\\x1b[2Jb' not found (hint: \\u202ehint)"
    assert diagnostic.to_json()["file"] == "x\ny.md" and diagnostic.plain().startswith("x\ny.md:3:")
    error = SourceError("bad \x9b name", file="a\rb", line=2, hint="h")
    assert str(error) == "a\\rb:2: bad \\x9b name (hint: h)"
    assert error.plain() == "a\rb:2: bad \x9b name (hint: h)"


def test_printable_and_json_text():
    ordinary = "plain/path with spaces – ünï, عربی, 日本, zero\u200cwidth non-joiner.md"
    assert printable(ordinary) == ordinary
    assert printable("C:\\Users\\a.md") == "C:\\Users\\a.md"  # backslashes are kept
    assert printable("\t\x00\x7f\x85\u200f\udcff") == "\\t\\x00\\x7f\\x85\\u200f\\xff"
    assert printable(Path("a\nb")) == "a\\nb"
    data = {"name": "a\x1b\n\x85\u202e\udcff\u2028b", "n": [1, {"k": "v"}]}
    text = json_text(data, indent=2)
    assert_nothing_raw(text)
    assert json.loads(text) == data
    text.encode("utf-8")  # no lone surrogate left to fail on

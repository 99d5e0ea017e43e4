"""The CLI's contract: exit codes, clear errors, nothing partial, previous outputs kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.batch.cache import MANIFEST
from exporter.cli import main


def test_no_command_is_usage(capsys):
    assert main([]) == 2


def test_unknown_format_is_usage(tmp_path, capsys):
    import pytest

    with pytest.raises(SystemExit) as caught:
        main(["build", str(tmp_path), "--to", "docx"])
    assert caught.value.code == 2


def test_unknown_source_type(tmp_path, capsys):
    path = tmp_path / "a.docx"
    path.write_bytes(b"x")
    assert main(["build", str(path), "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "a.docx" in err and "no importer for '.docx'" in err and "hint:" in err


def test_missing_path_is_usage(tmp_path, capsys):
    assert main(["build", str(tmp_path / "nope.txt")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_bad_document_fails_and_keeps_previous_outputs(tmp_path, capsys):
    source = tmp_path / "a.xhtml"
    good = ('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>T</title></head>'
            "<body><article><p>Good.</p></article></body></html>")
    source.write_text(good, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(source), "-o", str(out), "--to", "html,epub"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    source.write_text(good.replace("<p>Good.</p>", "<p>Good.</p>\n<blink>bad</blink>"), encoding="utf-8")
    assert main(["build", str(source), "-o", str(out), "--to", "html,epub"]) == 1
    err = capsys.readouterr().err
    assert f"{source}:2:" in err and "<blink> is not part of the article model" in err
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # old outputs intact, no temporary files


def test_batch_carries_on_past_a_bad_document(tmp_path, capsys):
    (tmp_path / "good.txt").write_text("A good article.\n", encoding="utf-8")
    (tmp_path / "bad.xhtml").write_text("<html><body>not a model", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(tmp_path), "-o", str(out), "--to", "html"]) == 1
    assert sorted(p.name for p in out.iterdir() if p.name != MANIFEST) == ["good.html"]
    captured = capsys.readouterr()
    assert "bad.xhtml" in captured.err and "1 built, 1 failed" in captured.out


def test_strict_fails_on_warnings(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("No title here.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "a.txt"), "-o", str(out), "--to", "html", "--strict"]) == 1
    assert not out.exists() or not list(out.iterdir())
    assert main(["build", str(tmp_path / "a.txt"), "-o", str(out), "--to", "html", "--title", "Given"]) == 0


def test_metadata_options(tmp_path):
    from lxml import html

    (tmp_path / "a.txt").write_text("Body text.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "a.txt"), "-o", str(out), "--to", "html", "--title", "T <&> T",
                 "--author", "Ann", "--contributor", "trl:Bo", "--date", "2020-02-03", "--lang", "fr"]) == 0
    page = html.fromstring((out / "a.html").read_bytes())
    assert page.get("lang") == "fr"
    assert page.xpath("string(//h1)") == "T <&> T"
    assert page.xpath("//p[@class='byline-line']/text()") == ["Par Ann", "Traduit par Bo"]


def test_import_writes_a_model_file(tmp_path, seed):
    target = tmp_path / "article.xhtml"
    assert main(["import", str(seed), "-o", str(target), "--title", "Kalin on Mosul"]) == 0
    assert main(["build", str(target), "-o", str(tmp_path / "o"), "--to", "html"]) == 0
    assert (tmp_path / "o" / "article.html").is_file()


def test_python_m_exporter(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "exporter", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("exporter ")


def test_allow_network_takes_one_value_and_repeats(tmp_path, capsys):
    from exporter.cli import _parser, _settings

    args = _parser().parse_args(["build", "--allow-network", "A.org", "one.txt", "two.txt",
                                 "--allow-network", "b.org,c.org", "--allow-network=d.org"])
    assert args.sources == [Path("one.txt"), Path("two.txt")]  # not swallowed as hosts
    assert args.allow_network == ["a.org", "b.org", "c.org", "d.org"]
    assert _settings(args).allow_hosts == frozenset({"a.org", "b.org", "c.org", "d.org"})
    # end to end: the source after the option is built
    (tmp_path / "story.txt").write_text("Story\n\nText.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--allow-network", "example.org", str(tmp_path / "story.txt"), "-o", str(out),
                 "--to", "html"]) == 0
    assert (out / "story.html").is_file()
    for bad in ("https://example.org/x", ",", "a b"):
        with pytest.raises(SystemExit) as caught:
            main(["build", "--allow-network", bad, str(tmp_path / "story.txt")])
        assert caught.value.code == 2
    assert "not a host name" in capsys.readouterr().err

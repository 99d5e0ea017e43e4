"""Configuration errors (issue 19 item 7): exporter.toml, theme.toml and command-line
values are usage errors (exit 2); a sidecar is part of its source (exit 1). Typos in any
of the three TOML files — unknown keys, values of the wrong kind — are errors with the
file and line, found by the same checks (exporter/model/tomlschema.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.cli import main
from exporter.errors import SourceError, UsageError
from exporter.model.sidecar import read_sidecar
from exporter.themes import load_theme


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def build(tmp_path: Path, *extra: str, source: Path | None = None) -> int:
    source = source or write(tmp_path / "a.txt", "Title\n\nText.\n")
    return main(["build", str(source), "-o", str(tmp_path / "out"), "--to", "html", *extra])


# -- sidecars: SourceError with the line, exit 1 -----------------------------------------------

@pytest.mark.parametrize("text, line, words", [
    ('title = "T"\ntitel = "U"\n', 2, "unknown key 'titel' at the top level"),
    ('title = 3\n', 1, "'title' must be a string"),
    ('title = "T"\nsubjects = [1, 2]\n', 2, "'subjects' must be a string or a list of strings"),
    ('date = "2025-02-30"\n', 1, "date '2025-02-30' is not a valid date: February 2025 has 28 days"),
    ('modified = 12:30:00\n', 1, "'modified' must be a date"),
    ('language = "en_US!"\n', 1, "'en_US!' is not a language tag"),
    ('direction = "up"\n', 1, "direction 'up' is not ltr or rtl"),
    ('title = "T"\n\n[[contributors]]\nname = "A"\nrole = "boss"\n', 5, "unknown contributor role 'boss'"),
    ('[[contributors]]\nname = "A"\nrol = "ivr"\n', 3, "unknown key 'rol' in [contributors[0]]"),
    ('[[contributors]]\nrole = "ivr"\n', 1, "each contributor needs a name"),
    ('contributors = "A"\n', 1, "'contributors' must be list"),
])
def test_sidecar_typos_are_errors_with_their_line(tmp_path, capsys, text, line, words):
    sidecar = write(tmp_path / "a.toml", text)
    assert build(tmp_path) == 1
    err = capsys.readouterr().err
    assert f"error: {sidecar}:{line}: {words}" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "a.html").exists()


def test_every_sidecar_problem_is_reported_at_once(tmp_path):
    sidecar = write(tmp_path / "a.toml", 'titel = "T"\ndate = "2025-13"\nauthors = 4\n')
    with pytest.raises(SourceError) as caught:
        read_sidecar(sidecar)
    assert [p.line for p in caught.value.problems] == [1, 2, 3]
    assert "(and 2 more problems)" in caught.value.message


def test_a_good_sidecar_still_reads(tmp_path):
    sidecar = write(tmp_path / "a.toml", 'title = "T"\nlang = "fr"\nkeywords = "one"\ndate = 2017-01-19\n'
                    'author = "A"\n[[contributors]]\nname = "B"\nrole = "trl"\nfile_as = "B, b"\n')
    meta = read_sidecar(sidecar)
    assert (meta.title, meta.language, meta.subjects, meta.date) == ("T", "fr", ["one"], "2017-01-19")
    assert [(c.name, c.role, c.file_as) for c in meta.contributors] == [("A", "aut", None), ("B", "trl", "B, b")]


# -- theme.toml: UsageError with the line, exit 2, before anything is built --------------------

@pytest.mark.parametrize("text, line, words", [
    ('extends = "magazine"\ncolour = "red"\n', 2, "unknown key 'colour' at the top level"),
    ('extends = "magazine"\n[page]\nsize = "a4"\nnote = "end"\n', 4, "unknown key 'note' in [page]"),
    ('extends = "magazine"\n[header]\nkeywords = "yes"\n', 3, "'header.keywords' must be true or false"),
    ('extends = "magazine"\n[page]\nnotes = "side"\n', 3, "notes = 'side': choose foot or end"),
    ('extends = "magazine"\n[page]\nsize = "a3"\n', 3, "unknown page size 'a3'"),
    ('extends = "magazine"\n[page.margins]\na4 = "20mm; color: red"\n', 3, "page margin"),
    ('extends = "magazine"\n[page.margins]\nA4 = "20mm"\n', 3, "unknown key 'A4' in [page.margins]"),
    ('extends = "magazine"\n[page.margins]\na5 = "1mm 2mm 3mm 4mm 5mm"\n', 3, "give 1 to 4 lengths"),
    ('extends = "magazine"\n[header]\nbyline = "list"\n', 3, "byline = 'list': choose names or roles"),
    ('extends = "magazine"\npage = "a4"\n', 2, "'page' must be table"),
    ('description = "x"\n\nextends = "no-such-theme"\n', 3, "theme 'no-such-theme' not found"),
    ('extends = "magazine"\n[page\n', 2, "invalid TOML"),
])
def test_theme_typos_are_usage_errors_with_their_line(tmp_path, capsys, text, line, words):
    theme = write(tmp_path / "house" / "theme.toml", text)
    assert build(tmp_path, "--theme", str(theme.parent)) == 2
    err = capsys.readouterr().err
    assert f"error: {theme}:{line}: " in err and words in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_every_theme_problem_is_reported_at_once(tmp_path):
    theme = write(tmp_path / "house" / "theme.toml",
                  'extends = "scholarly"\n[page]\nnotes = "side"\nsize = 4\n[header]\nbyline = "names"\nlabel = 1\n')
    with pytest.raises(UsageError) as caught:
        load_theme(str(theme.parent))
    assert [(p.line, p.file) for p in caught.value.problems] == [(3, str(theme)), (4, str(theme)), (7, str(theme))]


def test_a_theme_that_extends_itself_names_the_line(tmp_path):
    a = write(tmp_path / "a" / "theme.toml", 'extends = "b"\n')  # a folder beside the theme's
    write(tmp_path / "b" / "theme.toml", '# b\nextends = "a"\n')
    with pytest.raises(UsageError) as caught:
        load_theme(str(a.parent))
    assert caught.value.line == 2 and "extends itself" in caught.value.message


def test_the_builtin_themes_pass_their_own_checks():
    for name in ("base", "magazine", "scholarly"):
        load_theme(name)


# -- exporter.toml and the command line: exit 2 ------------------------------------------------

def test_an_impossible_book_date_is_a_usage_error_with_its_line(tmp_path, capsys):
    write(tmp_path / "book" / "a.md", "# A\n\nText.\n")
    project = write(tmp_path / "book" / "exporter.toml",
                    'articles = ["a.md"]\n[book]\ntitle = "B"\ndate = "2025-02-30"\nmodified = 2025-01-01\n')
    assert main(["build", str(project.parent), "-o", str(tmp_path / "out"), "--to", "html"]) == 2
    err = capsys.readouterr().err
    assert f"error: {project}:4: date '2025-02-30' is not a valid date: February 2025 has 28 days" in err


def test_a_book_config_error_in_a_batch_exits_2_and_the_rest_is_built(tmp_path, capsys):
    write(tmp_path / "src" / "book" / "a.md", "# A\n\nText.\n")
    project = write(tmp_path / "src" / "book" / "exporter.toml", 'articles = ["a.md"]\n[book]\ntitel = "B"\n')
    write(tmp_path / "src" / "other.txt", "Other\n\nText.\n")
    assert main(["build", str(tmp_path / "src"), "-o", str(tmp_path / "out"), "--to", "html"]) == 2
    err = capsys.readouterr().err
    assert f"error: {project}:3: unknown key 'titel' in [book]" in err
    assert (tmp_path / "out" / "other.html").is_file()


@pytest.mark.parametrize("option, words", [
    (["--lang", "en_US!"], "--lang 'en_US!' is not a language tag"),
    (["--contributor", "boss:Ann"], "--contributor 'boss:Ann': unknown role 'boss'"),
    (["--contributor", "Ann"], "--contributor 'Ann' must be ROLE:NAME"),
])
def test_bad_metadata_options_are_usage_errors(tmp_path, capsys, option, words):
    assert build(tmp_path, *option) == 2
    assert f"error: {words}" in capsys.readouterr().err

"""Case 4: WeasyPrint objects are built only through exporter.safety.weasy, with the confined
fetcher; WeasyPrint's default fetcher is never called during a build."""

from __future__ import annotations

import ast
import shutil

import pytest
import weasyprint
import weasyprint.urls

from exporter.batch.cache import MANIFEST
from exporter.cli import main
from exporter.diagnostics import Diagnostics
from exporter.safety import weasy
from exporter.safety.fetch import ConfinedFetcher

from . import figures
from .harness import ROOT


class Spy:
    """Records (in a file, so forked children report too) every call of WeasyPrint's
    own fetcher and every fetcher made that is not exporter's confined one."""

    def __init__(self, monkeypatch, log) -> None:
        self.log = log
        original_fetch = weasyprint.urls.URLFetcher.fetch
        original_init = weasyprint.urls.URLFetcher.__init__

        def note(line: str) -> None:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")

        def fetch(fetcher, url, headers=None):
            note(f"fetch {url}")
            return original_fetch(fetcher, url, headers)

        def init(fetcher, *args, **kwargs):
            if not isinstance(fetcher, ConfinedFetcher):
                note(f"default {type(fetcher).__name__}")
            original_init(fetcher, *args, **kwargs)

        monkeypatch.setattr(weasyprint.urls.URLFetcher, "fetch", fetch)
        monkeypatch.setattr(weasyprint.urls.URLFetcher, "__init__", init)

    @property
    def calls(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []


@pytest.mark.parametrize("isolate", [False, True])
def test_default_fetcher_never_called(tmp_path, monkeypatch, isolate):
    shutil.copytree(ROOT / "sources", tmp_path / "src")
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.toml").write_text('extends = "magazine"\n')
    (theme / "print.css").write_text("body { background: url(bg.png) }\n")
    (theme / "paged.css").write_text("@import url(extra.css);\n")
    (theme / "extra.css").write_text("h1 { color: #222 }\n")
    shutil.copy(ROOT / "sources" / "type-case.png", theme / "bg.png")
    spy = Spy(monkeypatch, tmp_path / "calls.log")
    if not isolate:
        from exporter.safety import isolation

        monkeypatch.setattr(isolation, "can_isolate", lambda: False)
    args = ["build", str(tmp_path / "src"), "-o", str(tmp_path / "out"), "--to", "pdf", "--theme", str(theme),
            "--allow-read", str(tmp_path / "src")]
    assert main(args) == 0
    from exporter.checks.gate import stem_of
    from exporter.pipeline import discover

    expected = sorted(f"{stem_of(p)}.pdf" for p in discover([tmp_path / "src"]))
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name != MANIFEST) == expected
    assert spy.calls == []
    figures.add("attacks")


def test_spy_would_notice_a_default_fetcher(monkeypatch, tmp_path):
    spy = Spy(monkeypatch, tmp_path / "calls.log")
    weasyprint.CSS(string="@import url(data:text/css,a{});")
    assert spy.calls == ["default URLFetcher", "fetch data:text/css,a{}"]


def test_factory_refuses_other_fetchers():
    with pytest.raises(TypeError):
        weasy.html("<p>x</p>", base_url="file:///", fetcher=weasyprint.urls.URLFetcher())
    with pytest.raises(TypeError):
        weasy.css("p {}", base_url="file:///", fetcher=None)
    fetcher = ConfinedFetcher([ROOT], Diagnostics())
    assert weasy.css("p {}", base_url=ROOT.as_uri(), fetcher=fetcher)


def test_only_the_factory_builds_weasyprint_objects():
    offenders = []
    for path in sorted((ROOT / "exporter").rglob("*.py")):
        if path.name == "weasy.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("HTML", "CSS", "URLFetcher", "default_url_fetcher"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}(…)")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("weasyprint"):
                names = {a.name for a in node.names}
                if names & {"HTML", "CSS", "default_url_fetcher"}:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {names}")
    assert not offenders, "\n".join(offenders)


def test_templates_never_compiled_from_author_text():
    """Case 9: no Template(...) or from_string(...) anywhere in exporter."""
    offenders = []
    for path in sorted((ROOT / "exporter").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("from_string", "Template"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders


def test_font_face_goes_through_the_confined_fetcher(tmp_path):
    """Stylesheets made with a font configuration load @font-face sources; those loads
    are confined like every other (exporter's themes do not need fonts from files yet)."""
    from weasyprint.text.fonts import FontConfiguration

    from .harness import AUDIT, Sandbox

    AUDIT.install(tmp_path)
    sandbox = Sandbox(tmp_path / "box")
    fetcher = ConfinedFetcher([sandbox.src], Diagnostics(), source="doc.xhtml")
    fonts = FontConfiguration()
    sheet = ("@font-face { font-family: Evil; src: url(../outside/canary.ttf) }\n"
             "@font-face { font-family: Evil2; src: url(file:///etc/passwd) }\n"
             "p { font-family: Evil, Evil2, serif }")
    with AUDIT.recording() as records:
        stylesheet = weasy.css(sheet, base_url=(sandbox.src / "theme.css").as_uri(), fetcher=fetcher,
                               font_config=fonts)
        page = weasy.html("<p>text</p>", base_url=(sandbox.src / "doc.html").as_uri(), fetcher=fetcher)
        weasy.render(page, [stylesheet], font_config=fonts).write_pdf()
    assert fetcher.diagnostics.codes().count("R001") == 2
    assert sandbox.outside_reads(records) == []
    figures.add("attacks", 2)

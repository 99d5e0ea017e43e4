"""Defence in depth: the outputs' Content-Security-Policy, proven in a real browser.

A script and remote loads are planted in a built print HTML file and in an EPUB content
document (as if the sanitiser had missed them), and the file is opened in headless
Chromium: the script must not run and the loopback server must get no request. The
same file with its policy taken out shows that the plant works (the script runs, the
server is asked), so the zeros mean something. The untouched EPUB document must load
its own style sheet, fonts and images without a policy violation.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from exporter.cli import main

from . import figures
from .harness import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh installs it)")

POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>', re.I)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("csp")
    assert main(["build", str(ROOT / "sources" / "type-case.txt"), "-o", str(out), "--to", "html,epub"]) == 0
    epub = out / "epub"
    with zipfile.ZipFile(out / "type-case.epub") as archive:
        archive.extractall(epub)
    return out


def _plant(text: str, port: int) -> str:
    planted = (f'<script>document.title="XSS";fetch("http://127.0.0.1:{port}/planted-fetch");'
               f'new Image().src="http://127.0.0.1:{port}/planted-script-img";</script>'
               f'<script src="http://127.0.0.1:{port}/planted.js"></script>'
               f'<img src="http://127.0.0.1:{port}/planted.png" alt="x"/>'
               f'<link rel="stylesheet" href="http://127.0.0.1:{port}/planted.css"/>'
               f'<iframe src="http://127.0.0.1:{port}/planted-frame"></iframe>'
               f'<p style="background: url(http://127.0.0.1:{port}/planted-bg.png)">x</p>')
    return text.replace("</body>", planted + "</body>", 1)


def _open(path: Path) -> tuple[str, str]:
    """(the DOM after load, the browser's console log)."""
    done = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000",
                           "--dump-dom", path.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    return done.stdout, done.stderr


def _title(dom: str) -> str:
    match = re.search(r"<title>([^<]*)</title>", dom)
    return match.group(1) if match else ""


@pytest.mark.parametrize("output", ["type-case.html", "epub/EPUB/text/article.xhtml"])
def test_planted_script_and_remote_loads_are_blocked(built, loopback, output):
    path = built / output
    original = path.read_text(encoding="utf-8")
    assert len(POLICY.findall(original)) == 1, "exactly one policy in the document"
    planted = path.with_name("planted-" + path.name)
    planted.write_text(_plant(original, loopback.port), encoding="utf-8")
    control = path.with_name("control-" + path.name)
    control.write_text(POLICY.sub("", _plant(original, loopback.port)), encoding="utf-8")

    before = len(loopback.requests)
    dom, _ = _open(planted)
    blocked = loopback.requests[before:]
    if output.endswith(".html"):  # the print HTML runs no script at all
        assert _title(dom) != "XSS" and _title(dom), "the planted script ran"
    # neither output lets anything reach the network: remote images, style sheets,
    # frames, script files, and what a script that ran would fetch
    assert blocked == [], f"requests from the planted document: {blocked}"
    figures.add("csp_blocked", 7)

    before = len(loopback.requests)
    dom, _ = _open(control)
    assert _title(dom) == "XSS", "the control without a policy should run the script"
    made = loopback.requests[before:]
    assert {"/planted-fetch", "/planted.png", "/planted-frame"} <= set(made), f"the control made {made}"


def test_epub_document_loads_its_own_resources_under_the_policy(built):
    _, log = _open(built / "epub/EPUB/text/article.xhtml")
    refused = [line for line in log.splitlines() if "Content Security Policy" in line]
    assert refused == [], "\n".join(refused)

"""A browser's print of the print-ready HTML: headless Chromium's print-to-PDF, with
the page's own CSS deciding paper size and margins (no browser headers or footers).
Used to check that the HTML prints at the same size and about the same length as
the PDF exporter makes from it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from exporter.checks import tools

#: flags that keep a headless Chromium off the network and away from the user's profile
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer"]


def available() -> bool:
    return tools.chromium() is not None


def print_to_pdf(html: Path, pdf: Path, timeout: int = 120) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium; return ``pdf``."""
    exe = tools.chromium()
    if exe is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="exporter-chromium-") as profile:
        result = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
                                 Path(html).resolve().as_uri()], capture_output=True, timeout=timeout)
    if result.returncode != 0 or not Path(pdf).is_file():
        raise RuntimeError(f"Chromium could not print {html}: {result.stderr.decode(errors='replace')[-500:]}")
    return Path(pdf)

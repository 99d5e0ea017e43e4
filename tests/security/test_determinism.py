"""Case 15: the same input and SOURCE_DATE_EPOCH give byte-identical EPUB, PDF and HTML,
whatever the time zone, working folder, wall clock, locale and hash seed of the run."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from exporter.batch.cache import MANIFEST
from exporter.cli import main

from . import figures
from .harness import ROOT

SHIFTED_CLOCK = textwrap.dedent("""
    import datetime as _dt, sys, time
    _offset = 400 * 86400 + 12345.678          # a different day, hour and second
    _time, _time_ns = time.time, time.time_ns
    time.time = lambda: _time() + _offset
    time.time_ns = lambda: _time_ns() + int(_offset * 1e9)
    _localtime, _gmtime = time.localtime, time.gmtime
    time.localtime = lambda t=None: _localtime(time.time() if t is None else t)
    time.gmtime = lambda t=None: _gmtime(time.time() if t is None else t)
    class _Clock(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return _dt.datetime.fromtimestamp(time.time(), tz)
        @classmethod
        def utcnow(cls):
            return _dt.datetime.fromtimestamp(time.time(), _dt.timezone.utc).replace(tzinfo=None)
    _dt.datetime = _Clock
    from exporter.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.name != MANIFEST}


def test_builds_are_byte_identical_across_environments(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    (sources / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><script>x()</script>'
        '<rect width="5" height="5" onclick="y()"/></svg>')
    (sources / "with-svg.xhtml").write_text(
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>SVG</title></head><body><article>'
        '<figure><img src="drawing.svg" alt="a drawing"/><figcaption>Cleaned.</figcaption></figure>'
        "</article></body></html>")
    first = tmp_path / "first"
    assert main(["build", str(sources), "-o", str(first), "--allow-read", str(sources)]) == 0

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "C", "PYTHONHASHSEED": "12345",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "SOURCE_DATE_EPOCH": os.environ["SOURCE_DATE_EPOCH"]}
    second = tmp_path / "second"
    subprocess.run([sys.executable, "-c", SHIFTED_CLOCK, "build", str(sources), "-o", str(second),
                    "--allow-read", str(sources)],
                   cwd=elsewhere, env=env, check=True, capture_output=True)

    a, b = _digests(first), _digests(second)
    figures.add("repro", len(a))
    figures.add("repro_ok", sum(1 for name in a if a[name] == b.get(name)))
    assert a == b
    from exporter.pipeline import discover

    assert len(a) == 3 * len(discover([sources]))  # every source, three formats

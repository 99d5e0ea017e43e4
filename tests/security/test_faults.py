"""Case 14: faults while writing (an exception, a full disk, a file-size limit, SIGKILL)
or while rendering leave the previous outputs intact and no temporary file behind."""

from __future__ import annotations

import errno
import os
import pathlib
import signal
import time
from pathlib import Path

import pytest

from exporter.cli import main
from exporter.errors import OutputError
from exporter.safety import isolation
from exporter.safety.outputs import sweep_stale, write_all

from . import figures

GOOD = ('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>{title}</title></head>'
        "<body><article><p>{text}</p></article></body></html>")


def _source(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    source = folder / "doc.xhtml"
    source.write_text(GOOD.format(title="Fault", text=text), encoding="utf-8")
    return source


def _state(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())} if out.exists() else {}


def _partial(out: Path, before: dict[str, bytes]) -> int:
    """Outputs that are neither what was there before nor absent, plus temporary files."""
    now = _state(out)
    temps = [n for n in now if n.endswith(".part")]
    changed = [n for n in now if not n.endswith(".part") and before.get(n) != now[n]]
    return len(temps) + len(changed)


@pytest.fixture
def built(tmp_path):
    """A source with outputs from a first, good build: (source, out, outputs before)."""
    source = _source(tmp_path / "src", "First version.")
    out = tmp_path / "out"
    assert main(["build", str(source), "-o", str(out), "--to", "html,epub"]) == 0
    source.write_text(GOOD.format(title="Fault", text="Second version."), encoding="utf-8")
    return source, out, _state(out)


def _half_then(error: BaseException):
    original = pathlib.Path.write_bytes

    def write_bytes(self, data):
        original(self, data[: len(data) // 2])
        raise error

    return write_bytes


@pytest.mark.parametrize("error", [RuntimeError("injected"), OSError(errno.ENOSPC, "No space left on device"),
                                   KeyboardInterrupt()], ids=["exception", "enospc", "interrupt"])
def test_fault_in_the_middle_of_a_write(built, monkeypatch, capsys, error):
    source, out, before = built
    monkeypatch.setattr(pathlib.Path, "write_bytes", _half_then(error))
    figures.add("faults")
    if isinstance(error, KeyboardInterrupt):
        assert main(["build", str(source), "-o", str(out), "--to", "html,epub"]) == 130
    else:
        assert main(["build", str(source), "-o", str(out), "--to", "html,epub"]) == 1
        err = capsys.readouterr().err
        assert "previous output" in err
        if error.errno if isinstance(error, OSError) else False:
            assert "No space left on device" in err
    figures.add("partial", _partial(out, before))
    assert _state(out) == before


def test_disk_full_on_the_second_output_keeps_the_first(built, monkeypatch):
    """Outputs are a set: the EPUB written fine, the HTML failing, leaves both old."""
    source, out, before = built
    original = pathlib.Path.write_bytes
    calls = []

    def write_bytes(self, data):
        calls.append(self.name)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    figures.add("faults")
    assert main(["build", str(source), "-o", str(out), "--to", "epub,html"]) == 1
    assert len(calls) == 2
    figures.add("partial", _partial(out, before))
    assert _state(out) == before


def _write_under_fsize_limit(targets: dict[Path, bytes], limit: int) -> str:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        write_all(targets)
    except OutputError as error:
        return str(error)
    return "written"


def test_real_file_size_limit(tmp_path):
    """The kernel refuses the write (RLIMIT_FSIZE, as on a full disk): nothing changes."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.pdf").write_bytes(b"old pdf")
    (out / "a.epub").write_bytes(b"old epub")
    before = _state(out)
    targets = {out / "a.epub": b"e" * 1000, out / "a.pdf": b"p" * 1_000_000}
    outcome = isolation.run(_write_under_fsize_limit, targets, 100_000,
                            limits=isolation.Limits(timeout=30, memory=None))
    figures.add("faults")
    assert outcome.status == "ok", outcome.describe()
    assert "File too large" in outcome.value and "previous output was kept" in outcome.value
    figures.add("partial", _partial(out, before))
    assert _state(out) == before


def _slow_write(targets: dict[Path, bytes], ready: int) -> None:
    original = pathlib.Path.write_bytes

    def write_bytes(self, data):
        original(self, data[: len(data) // 2])
        os.write(ready, b"x")
        time.sleep(60)

    pathlib.Path.write_bytes = write_bytes
    write_all(targets)


def test_sigkill_in_the_middle_of_a_write(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.pdf").write_bytes(b"old pdf")
    before = _state(out)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child is killed
        try:
            _slow_write({out / "a.pdf": b"new" * 100_000}, write_fd)
        finally:
            os._exit(1)
    os.close(write_fd)
    assert os.read(read_fd, 1) == b"x"  # the child is half-way through writing
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_fd)
    figures.add("faults")
    assert (out / "a.pdf").read_bytes() == b"old pdf"
    left = [p.name for p in out.iterdir() if p.name.endswith(".part")]
    assert len(left) == 1  # a killed process cannot clean up; the next run does
    assert sweep_stale(out) and _state(out) == before
    figures.add("partial", _partial(out, before))


def test_next_run_sweeps_what_a_killed_run_left(built):
    source, out, before = built
    dead = os.fork()
    if dead == 0:  # pragma: no cover
        os._exit(0)
    os.waitpid(dead, 0)
    (out / f".doc.pdf.{dead}.abc123.part").write_bytes(b"half")
    (out / f".doc.pdf.{os.getppid()}.live99.part").write_bytes(b"another run, still going")
    assert main(["build", str(source), "-o", str(out), "--to", "html"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert f".doc.pdf.{dead}.abc123.part" not in names
    assert f".doc.pdf.{os.getppid()}.live99.part" in names  # not swept from under a live process


def _raise_in_writer(*args):
    raise ZeroDivisionError("a renderer bug")


@pytest.mark.parametrize("fault", ["exception", "timeout", "crash"])
def test_faults_while_rendering_write_nothing(built, monkeypatch, capsys, fault):
    source, out, before = built
    from exporter import writers

    def hang(ctx):
        time.sleep(60)

    def crash(ctx):
        os.kill(os.getpid(), signal.SIGSEGV)

    replacement = {"exception": _raise_in_writer, "timeout": hang, "crash": crash}[fault]
    monkeypatch.setitem(writers.WRITERS, "epub", (".epub", replacement))
    figures.add("faults")
    assert main(["build", str(source), "-o", str(out), "--to", "html,epub", "--timeout", "3"]) == 1
    err = capsys.readouterr().err
    expected = {"exception": "ZeroDivisionError", "timeout": "time limit", "crash": "SIGSEGV"}[fault]
    assert expected in err
    figures.add("partial", _partial(out, before))
    assert _state(out) == before

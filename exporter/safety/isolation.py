"""Run one document's build in a child process, under a wall-clock and a memory limit.

A pathological document (``font-size: 1e7px``, thousands of pages, deeply nested
boxes, an image bomb) can make WeasyPrint, Pango or HarfBuzz run for hours or eat
every byte of memory, in C code that Python cannot interrupt. The only reliable
bound is a separate process: :func:`run` forks a child, lets it do the work and
send back the result, and ends it when it runs out of time. Each run ends in one of:

``ok``       the function returned; its value is in :attr:`Outcome.value`
``failed``   the function raised; the exception is in :attr:`Outcome.error`
``timeout``  the wall-clock limit passed; the child was killed (SIGKILL)
``oom``      the child ran out of its memory limit (``RLIMIT_DATA``, which counts
             the heap and every private mapping, so C libraries are bound too);
             the limit is what the document may use on top of what the process
             held when it forked, so a large calling program does not eat into it
``crash``    the child died any other way (a signal such as SIGSEGV, or an exit
             without a result)

While it works, the child says what it is doing (:func:`stage`: "laying out the print
edition") in a small memory page shared with the parent, so a document stopped by its
time limit is reported with the step that was slow, not only with the limit.

The child never writes outputs: it renders to bytes and hands them back, and the
parent writes them atomically (:mod:`exporter.safety.outputs`), so killing a child can
never leave a partial file. The child is its own process group (a renderer's
helpers die with it), gets no core dumps, and dies with its parent.

:func:`run_many` keeps up to ``workers`` children busy and yields each outcome as it
arrives: a batch on a pool of workers, each document still alone in its process.
Forking is cheap on Linux: about 0.01 s for the fork itself and a few hundredths of a
CPU second per full document build (measured by ``tests/security/test_limits.py``);
where ``fork`` is missing (Windows) or with ``Limits(isolate=False)``, the function
runs in-process with no limits.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Limits", "Outcome", "run", "run_many", "stage", "STATUSES", "DEFAULT_TIMEOUT", "DEFAULT_MEMORY",
           "parse_size", "parse_seconds", "can_isolate"]

STATUSES = ("ok", "failed", "timeout", "oom", "crash")
#: defaults that a normal article never meets (a long article takes seconds and
#: ~300 MiB; these are 100 times that)
DEFAULT_TIMEOUT = 600.0
DEFAULT_MEMORY = 4 * 1024**3

_POLL = 0.05          # seconds between memory samples while waiting
_STAGE_BYTES = 512    # the shared page the child describes its current step in
#: in a child: the page shared with the parent (None in the parent and in-process)
_stage_page: mmap.mmap | None = None
_EXIT_OOM = 71        # the child's exit code when even reporting ran out of memory
_EXIT_LOST = 70       # the child left its main function without reporting


@dataclass(frozen=True)
class Limits:
    """Per-document limits. ``None`` means no limit of that kind."""

    timeout: float | None = DEFAULT_TIMEOUT
    memory: int | None = DEFAULT_MEMORY
    isolate: bool = True


@dataclass
class Outcome:
    status: str
    value: Any = None
    error: BaseException | None = None
    elapsed: float = 0.0
    #: the child's peak resident memory in bytes (from the kernel's rusage), if known
    peak_memory: int | None = None
    #: the signal that ended the child, if one did
    signal: int | None = None
    limits: Limits | None = None
    #: the step the child last said it was doing (:func:`stage`), if any
    stage: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def describe(self) -> str:
        """One line for reports: what happened, in words."""
        limits = self.limits or Limits()
        if self.status == "timeout":
            where = f" while {self.stage}" if self.stage else ""
            return f"stopped after {self.elapsed:.0f} s{where}: over the time limit of {limits.timeout:g} s"
        if self.status == "oom":
            return f"stopped: over the memory limit of {_mib(limits.memory)}"
        if self.status == "crash":
            if self.signal:
                return f"the renderer crashed ({signal.Signals(self.signal).name})"
            return "the renderer ended without a result"
        if self.status == "failed":
            return f"{self.error.__class__.__name__}: {self.error}"
        return "ok"


def stage(text: str) -> None:
    """Say what the document's build is doing now ("laying out the print edition, 3.2 MB
    of text"); in a child, the parent reads it if the time limit ends the child."""
    page = _stage_page
    if page is None:
        return
    data = text.encode("utf-8", "replace")[: _STAGE_BYTES - 2]
    page[2 : 2 + len(data)] = data
    page[0:2] = len(data).to_bytes(2, "big")


def _read_stage(page: mmap.mmap) -> str | None:
    size = int.from_bytes(page[0:2], "big")
    if not 0 < size <= _STAGE_BYTES - 2:
        return None
    return page[2 : 2 + size].decode("utf-8", "replace") or None


def can_isolate() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


_NO_LIMIT = ("0", "none", "off", "unlimited")


def _quantity(text: str, units: Mapping[str, float], example: str, what: str, value: str | None = None) -> float | None:
    """A positive number with an optional unit suffix; ``0``/``none`` = no limit (None).
    ``value`` is ``text`` already normalised by the caller (messages quote ``text``)."""
    value = text.strip().lower().replace(" ", "") if value is None else value
    if value in _NO_LIMIT:
        return None
    factor = units.get(value[-1:], 1)
    number = value[:-1] if value[-1:] in units else value
    try:
        amount = float(number) * factor
    except ValueError:
        raise ValueError(f"{text!r} is not a {what} (e.g. {example})") from None
    if amount <= 0:
        raise ValueError(f"{text!r} is not a positive {what}")
    return amount


def parse_size(text: str) -> int | None:
    """``512M``, ``2G``, ``1.5GiB``, ``300000`` (bytes); ``0``/``none`` = no limit."""
    value = text.strip().lower().replace(" ", "")
    units = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
    for suffix in ("ib", "b"):
        if value.endswith(suffix) and value[:-len(suffix)][-1:] in units:
            value = value[:-len(suffix)]
            break
    size = _quantity(text, units, "512M, 2G", "size", value)
    return None if size is None else int(size)


def parse_seconds(text: str) -> float | None:
    """``90``, ``2.5``, ``10m``, ``1h``; ``0``/``none`` = no limit."""
    return _quantity(text, {"s": 1, "m": 60, "h": 3600}, "90, 10m", "duration")


def _mib(size: int | None) -> str:
    if size is None:
        return "none"
    return f"{size / 2**30:g} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"


# -- in the child -----------------------------------------------------------------

def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process if its parent dies (no orphaned renders)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _data_size(pid: int | str = "self") -> int:
    """A process's data size (heap and private mappings) in bytes, 0 if unknown."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _set_limits(limits: Limits, base: int) -> None:
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.memory is not None:
        ceiling = base + limits.memory
        resource.setrlimit(resource.RLIMIT_DATA, (ceiling, ceiling))
    if limits.timeout is not None:
        # a backstop in case the parent cannot kill us: a (single-threaded) render's CPU
        # time never exceeds its wall-clock time
        cpu = int(limits.timeout) + 10
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def _portable(error: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError describing it."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        return RuntimeError(text)


def _child(write_fd: int, function: Callable[..., Any], args: tuple[Any, ...], limits: Limits, base: int,
           page: mmap.mmap) -> None:
    global _stage_page
    code = _EXIT_LOST
    _stage_page = page
    try:
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        _die_with_parent()
        with contextlib.suppress(Exception):
            import faulthandler

            faulthandler.disable()  # a crash is reported by its status, not a dump on stderr
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _set_limits(limits, base)
        try:
            message = ("ok", function(*args))
        except MemoryError:
            message = ("oom", None)
        except BaseException as error:
            message = ("failed", _portable(error))
        try:
            payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            code = _EXIT_OOM
            return
        except Exception as error:  # an unpicklable return value
            payload = pickle.dumps(("failed", RuntimeError(f"result cannot be sent back: {error}")))
        view = memoryview(payload)
        while view:
            written = os.write(write_fd, view[: 1 << 20])
            view = view[written:]
        code = 0
    except MemoryError:
        code = _EXIT_OOM
    finally:
        with contextlib.suppress(Exception):
            os.close(write_fd)
        os._exit(code)


# -- in the parent ----------------------------------------------------------------

@dataclass
class _Running:
    key: Any
    pid: int
    fd: int
    started: float
    deadline: float | None
    limits: Limits
    chunks: list[bytes]
    page: mmap.mmap
    base: int = 0
    peak_data: int = 0
    timed_out: bool = False
    eof: bool = False


def _start(key: Any, function: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> _Running:
    read_fd, write_fd = os.pipe()
    page = mmap.mmap(-1, _STAGE_BYTES)  # anonymous and shared: the child's writes are seen here
    sys.stdout.flush()
    sys.stderr.flush()
    base = _data_size()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves through os._exit
        os.close(read_fd)
        _child(write_fd, function, args, limits, base, page)
    os.close(write_fd)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also from this side, so that killpg works at once
    now = time.monotonic()
    deadline = now + limits.timeout if limits.timeout is not None else None
    return _Running(key, pid, read_fd, now, deadline, limits, [], page, base=base, peak_data=base)


def _sample_memory(child: _Running) -> None:
    child.peak_data = max(child.peak_data, _data_size(child.pid))


def _kill(child: _Running) -> None:
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(child.pid, signal.SIGKILL)
            return


def _finish(child: _Running) -> Outcome:
    with contextlib.suppress(OSError):
        os.close(child.fd)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.monotonic() - child.started
    peak = int(usage.ru_maxrss) * 1024 or None
    outcome = Outcome("crash", elapsed=elapsed, peak_memory=peak, limits=child.limits,
                      stage=_read_stage(child.page))
    child.page.close()
    limit = child.limits.memory
    near_limit = limit is not None and child.peak_data - child.base >= 0.75 * limit
    if os.WIFSIGNALED(status):
        outcome.signal = os.WTERMSIG(status)
        if child.timed_out or outcome.signal == signal.SIGXCPU:
            outcome.status = "timeout"
        elif near_limit:
            outcome.status = "oom"
        return outcome
    code = os.WEXITSTATUS(status)
    if code == _EXIT_OOM:
        outcome.status = "oom"
        return outcome
    data = b"".join(child.chunks)
    if code != 0 or not data:
        outcome.status = "oom" if near_limit else "crash"
        return outcome
    try:
        kind, value = pickle.loads(data)
    except Exception:
        return outcome
    outcome.status = kind
    if kind == "ok":
        outcome.value = value
    elif kind == "failed":
        outcome.error = value
    return outcome


def _in_process(function: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> Outcome:
    started = time.monotonic()
    try:
        value = function(*args)
    except MemoryError:
        return Outcome("oom", elapsed=time.monotonic() - started, limits=limits)
    except Exception as error:
        return Outcome("failed", error=error, elapsed=time.monotonic() - started, limits=limits)
    return Outcome("ok", value=value, elapsed=time.monotonic() - started, limits=limits)


def run_many(jobs: Iterable[tuple[Any, Callable[..., Any], tuple[Any, ...]]], limits: Limits = Limits(),
             workers: int = 1) -> Iterator[tuple[Any, Outcome]]:
    """Run ``function(*args)`` for each ``(key, function, args)`` job, each in its own
    child under ``limits``, at most ``workers`` at a time; yield ``(key, outcome)`` in
    the order they finish. Children still running when the caller stops iterating (or
    on KeyboardInterrupt) are killed."""
    if not limits.isolate or not can_isolate():
        for key, function, args in jobs:
            yield key, _in_process(function, args, limits)
        return
    pending = iter(jobs)
    running: dict[int, _Running] = {}
    try:
        while True:
            while len(running) < max(1, workers):
                job = next(pending, None)
                if job is None:
                    break
                child = _start(job[0], job[1], tuple(job[2]), limits)
                running[child.fd] = child
            if not running:
                return
            now = time.monotonic()
            deadlines = [c.deadline - now for c in running.values() if c.deadline is not None]
            wait = max(0.0, min([_POLL, *deadlines]))
            ready, _, _ = select.select(list(running), [], [], wait)
            for fd in ready:
                child = running[fd]
                chunk = os.read(fd, 1 << 20)
                if chunk:
                    child.chunks.append(chunk)
                else:
                    child.eof = True
            now = time.monotonic()
            for fd, child in list(running.items()):
                if not child.eof:
                    _sample_memory(child)
                    if child.deadline is not None and now >= child.deadline:
                        child.timed_out = True
                        _kill(child)
                        child.eof = True
                if child.eof:
                    del running[fd]
                    yield child.key, _finish(child)
    finally:
        for child in running.values():
            _kill(child)
            with contextlib.suppress(OSError, ChildProcessError):
                os.close(child.fd)
                os.waitpid(child.pid, 0)


def run(function: Callable[..., Any], *args: Any, limits: Limits = Limits()) -> Outcome:
    """Run ``function(*args)`` in a child process under ``limits``; see the module doc."""
    for _, outcome in run_many([(None, function, args)], limits, workers=1):
        return outcome
    raise AssertionError("run_many yielded nothing")  # pragma: no cover

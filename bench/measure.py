"""Timing and peak memory of a command and every process it starts.

:func:`run` starts a command and, while it runs, samples the memory of its whole
process tree every 50 ms from ``/proc``: the sum of the resident set sizes (RSS) of
the command and all its descendants, and keeps the largest sum. That is an upper
bound: pages a forked worker still shares with its parent count in both. It also
returns the largest resident set of any single process of the tree, from the kernel's
own accounting (``wait4``'s ``ru_maxrss``), which no sampling can miss.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measured", "run", "tree_memory", "human_bytes"]

_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    seconds: float
    returncode: int
    #: peak of the whole tree's resident memory, sampled (bytes); 0 where /proc is missing
    peak_tree: int
    #: largest single process's peak RSS (bytes), from the kernel
    peak_process: int


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def tree_memory(root: int) -> int:
    """The resident memory of ``root`` and all its descendants now (bytes)."""
    children = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss(pid)
        todo += children.get(pid, [])
    return total


def run(command: list[str], *, cwd: Path | None = None, env: dict | None = None, quiet: bool = True,
        interval: float = 0.05) -> Measured:
    """Run ``command`` to its end; its output is discarded when ``quiet``."""
    sink = subprocess.DEVNULL if quiet else None
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink, stderr=sink)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            if Path("/proc").is_dir():
                peak[0] = max(peak[0], tree_memory(process.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(seconds, process.returncode, peak[0], usage.ru_maxrss * 1024)


def run_many(commands: list[list[str]], workers: int, *, env: dict | None = None) -> Measured:
    """Run ``commands``, ``workers`` at a time (a small process pool, as ``xargs -P``),
    measured as one tree: this process's helpers are threads, the commands its children."""
    started = time.perf_counter()
    queue = list(reversed(commands))
    lock = threading.Lock()
    codes: list[int] = []
    peaks: list[int] = []
    current: set[int] = set()
    peak_tree = [0]
    done = threading.Event()

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                command = queue.pop()
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with lock:
                current.add(process.pid)
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            with lock:
                current.discard(process.pid)
                codes.append(process.returncode)
                peaks.append(usage.ru_maxrss * 1024)

    def sample() -> None:
        while not done.is_set():
            with lock:
                pids = list(current)
            peak_tree[0] = max(peak_tree[0], sum(tree_memory(pid) for pid in pids))
            done.wait(0.05)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    failed = [code for code in codes if code != 0]
    return Measured(seconds, failed[0] if failed else 0, peak_tree[0], max(peaks, default=0))


def human_bytes(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"

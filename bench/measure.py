"""Timing and peak memory of a command and every process it starts.

:func:`run` starts a command and, while it runs, samples the memory of its whole
process tree every 50 ms from ``/proc``: the sum of the resident set sizes (RSS) of
the command and all its descendants, and keeps the largest sum. That is an upper
bound: pages a forked worker still shares with its parent count in both — and the
largest single process seen. (The kernel's ``ru_maxrss`` is no use here: a process
forked from this large one and then exec'd keeps this one's high-water mark.)
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
    #: largest single process's RSS (bytes), sampled. (Not wait4's ru_maxrss: a child
    #: forked from a large parent inherits the parent's high-water mark across exec.)
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


def tree_memory(root: int) -> tuple[int, int]:
    """The resident memory of ``root`` and all its descendants now, and of the largest
    of them (bytes)."""
    children = _children()
    total, largest, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        rss = _rss(pid)
        total, largest = total + rss, max(largest, rss)
        todo += children.get(pid, [])
    return total, largest


def run(command: list[str], *, cwd: Path | None = None, env: dict | None = None, quiet: bool = True,
        interval: float = 0.05) -> Measured:
    """Run ``command`` to its end; its output is discarded when ``quiet``."""
    sink = subprocess.DEVNULL if quiet else None
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink, stderr=sink)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            if Path("/proc").is_dir():
                total, largest = tree_memory(process.pid)
                peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return Measured(seconds, process.returncode, peak[0], peak[1])


def run_many(commands: list[list[str]], workers: int, *, env: dict | None = None) -> Measured:
    """Run ``commands``, ``workers`` at a time (a small process pool, as ``xargs -P``),
    measured as one tree: this process's helpers are threads, the commands its children."""
    started = time.perf_counter()
    queue = list(reversed(commands))
    lock = threading.Lock()
    codes: list[int] = []
    current: set[int] = set()
    peak_tree = [0, 0]
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
            process.wait()
            with lock:
                current.discard(process.pid)
                codes.append(process.returncode)

    def sample() -> None:
        while not done.is_set():
            with lock:
                pids = list(current)
            sizes = [tree_memory(pid) for pid in pids]
            peak_tree[0] = max(peak_tree[0], sum(total for total, _ in sizes))
            peak_tree[1] = max([peak_tree[1], *(largest for _, largest in sizes)])
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
    return Measured(seconds, failed[0] if failed else 0, peak_tree[0], peak_tree[1])


def human_bytes(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"

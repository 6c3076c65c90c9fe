"""Peak memory of a process and all its descendants, from ``/proc`` (Linux only).

``ru_maxrss`` is useless here (Linux carries a parent's high-water mark across fork+exec,
and it ignores grandchildren); ``VmHWM`` is each process's own peak resident set. A sampler
thread walks the tree every ``interval`` seconds, so short-lived children (a parse worker
killed for overrunning its budget) are counted too. The sum of the per-process peaks is an
upper bound of the tree's peak (they need not peak together, and shared library pages count
once per process), which is the safe side for a memory goal. Each process's CPU time (user +
system, from ``/proc/<pid>/stat``) is kept as last sampled, so it undercounts by at most one
``interval`` of each process's CPU.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children = _children_map()
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, ()))
    return found


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


@dataclass
class TreeMemory:
    """Samples ``pid``'s process tree until ``stop()``; ``peak_mb`` sums per-process peaks."""

    pid: int
    interval: float = 0.2
    peaks_kb: dict[int, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> TreeMemory:
        self._thread.start()
        return self

    def sample(self) -> None:
        for pid in descendants(self.pid):
            status = _status(pid)
            if "VmHWM" not in status:
                continue
            self.peaks_kb[pid] = max(self.peaks_kb.get(pid, 0), int(status["VmHWM"].split()[0]))
            self.names.setdefault(pid, status.get("Name", "?").strip())
            seconds = _cpu_seconds(pid)
            if seconds is not None:
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), seconds)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self.sample()
        self._stop.set()
        self._thread.join()

    @property
    def root_cpu(self) -> float:
        """CPU seconds of the sampled process itself (not its children)."""
        return self.cpu.get(self.pid, 0.0)

    @property
    def tree_cpu(self) -> float:
        return sum(self.cpu.values())

    @property
    def peak_mb(self) -> float:
        return sum(self.peaks_kb.values()) / 1024

    def describe(self) -> str:
        parts = [f"{self.names[p]}[{p}] {kb / 1024:.0f} MB" for p, kb in self.peaks_kb.items()]
        return f"{self.peak_mb:.0f} MB = " + " + ".join(parts)

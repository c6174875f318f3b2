"""What the benchmark reads from ``/proc``: memory and CPU time of process trees, machine facts.

Linux only, like the rest of the benchmark. Processes that exit between two
readings simply drop out of a sum.
"""

from __future__ import annotations

import os
import platform
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ("CpuClock", "RssSampler", "machine", "rss_bytes", "tree", "tree_cpu_seconds")

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _parents() -> dict[int, int]:
    """pid → parent pid of every process now running."""
    found: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with suppress(OSError, ValueError, IndexError):
            stat = Path(entry.path, "stat").read_text()
            found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def tree(root: int) -> list[int]:
    """``root`` and every process descended from it."""
    parents = _parents()
    result = [root]
    frontier = [root]
    while frontier:
        current = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == current]
        result.extend(children)
        frontier.extend(children)
    return result


def rss_bytes(pids: list[int]) -> int:
    """Resident memory of ``pids`` together (from ``/proc/<pid>/statm``)."""
    total = 0
    for pid in pids:
        with suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    return total


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name (field 3 onwards), or None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def tree_cpu_seconds(root: int) -> float:
    """CPU time of ``root``'s whole tree so far, including children that have already exited.

    Live processes count their own user and system time; exited ones are in
    their parent's ``cutime``/``cstime`` once reaped (PostgreSQL's postmaster
    reaps every backend, so short-lived connections are counted too).
    """
    total = 0
    for pid in tree(root):
        fields = _stat_fields(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return total / _TICKS


def _machine_seconds() -> tuple[float, float]:
    """CPU time the whole machine has spent busy, and the part spent in interrupts (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    _ = idle, iowait
    return (user + nice + system + irq + softirq + steal) / _TICKS, (irq + softirq) / _TICKS


@dataclass
class CpuClock:
    """CPU seconds used between :meth:`start` and :meth:`stop` by process trees and the machine.

    ``roots`` names the root pid of each tree. :meth:`stop` also reports
    ``machine`` (every core's busy time) and ``irq`` (interrupt handling,
    which on loopback traffic is network work no process is charged for).
    """

    roots: dict[str, int]
    _before: dict[str, float] = field(default_factory=dict)
    _machine: tuple[float, float] = (0.0, 0.0)

    def start(self) -> None:
        """Take the first reading."""
        self._before = {name: tree_cpu_seconds(root) for name, root in self.roots.items()}
        self._machine = _machine_seconds()

    def stop(self) -> dict[str, float]:
        """CPU seconds per tree since :meth:`start`, plus ``machine`` and ``irq``."""
        used = {name: tree_cpu_seconds(root) - self._before[name] for name, root in self.roots.items()}
        busy, irq = _machine_seconds()
        used["machine"] = busy - self._machine[0]
        used["irq"] = irq - self._machine[1]
        return used


class RssSampler:
    """Samples the resident memory of a set of processes in a thread; keeps the peak."""

    def __init__(self, pids: list[int], interval: float = 0.5) -> None:
        self.pids = pids
        self.interval = interval
        self.peak = rss_bytes(pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_bytes(self.pids))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes(self.pids))


def machine() -> dict[str, object]:
    """CPU model, core count, memory and kernel of this machine."""
    model = "unknown"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = 0
    with suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }

"""Where the CPU goes during a phase: CPU seconds per process group, read from /proc (Linux only).

Groups: the broker (beam.smp and its helpers), PostgreSQL (every ``postgres`` process), the
benchmark's own child processes (by pid, e.g. the consumer service), this process (producer and
relay threads) and everything else on the machine. On the 2-core machine everything shares the
CPUs, so ``cpu_ms_per_event`` per group is the budget the backbone spends on one event.
"""
from __future__ import annotations

import os
import time

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> dict[int, tuple[str, int, float]]:
    """pid -> (command name, start time in ticks, CPU seconds used so far)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                raw = f.read().decode(errors="replace")
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        found[int(entry)] = (comm, int(fields[19]), (int(fields[11]) + int(fields[12])) / TICK)  # utime+stime
    return found


def _idle_total() -> tuple[float, float]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return idle / TICK, sum(values) / TICK


class CpuSampler:
    def __init__(self, children: dict[str, int] | None = None):
        self.children = dict(children or {})   # group name -> pid
        self.available = os.path.isdir("/proc") and os.path.exists("/proc/stat")

    def _group(self, pid: int, comm: str) -> str:
        for name, child in self.children.items():
            if pid == child:
                return name
        if pid == os.getpid():
            return "bench process"
        if comm in ("beam.smp", "erl_child_setup", "inet_gethost", "epmd"):
            return "rabbitmq"
        if comm.startswith("postgres"):
            return "postgresql"
        return "other"

    def start(self) -> "CpuSampler":
        if self.available:
            self._before = _processes()
            self._idle0, self._total0 = _idle_total()
            self._t0 = time.monotonic()
        return self

    def stop(self, events: int) -> dict:
        if not self.available:
            return {}
        after = _processes()
        idle1, total1 = _idle_total()
        wall = time.monotonic() - self._t0
        groups: dict[str, float] = {}
        others: dict[str, float] = {}
        for pid, (comm, start, cpu) in after.items():
            before = self._before.get(pid)  # same pid and start time: the same process (kworkers rename)
            used = max(0.0, cpu - (before[2] if before and before[1] == start else 0.0))
            group = self._group(pid, comm)
            groups[group] = groups.get(group, 0.0) + used
            if group == "other" and used:
                others[comm] = others.get(comm, 0.0) + used
        busy = (total1 - self._total0) - (idle1 - self._idle0)
        return {
            "wall_s": wall,
            "machine_busy_pct": 100.0 * busy / max(1e-9, total1 - self._total0),
            "cpus": os.cpu_count(),
            "cpu_ms_per_event": {g: 1000.0 * s / events for g, s in sorted(groups.items(), key=lambda kv: -kv[1])},
            "cpu_pct_of_machine": {g: 100.0 * s / (wall * (os.cpu_count() or 1))
                                   for g, s in sorted(groups.items(), key=lambda kv: -kv[1])},
            "other_top_cpu_s": dict(sorted(others.items(), key=lambda kv: -kv[1])[:6]),
        }

"""CPU seconds of processes, read from Linux's /proc: what a benchmark's parts used."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def _stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and all their descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat(int(entry))
        except OSError:
            continue
        stats[int(entry)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, list(pids)
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += int(stats[pid][11]) + int(stats[pid][12])  # utime, stime
        todo.extend(children.get(pid, []))
    return total / tick


def postmaster_pid(database_url: str) -> int:
    """The PostgreSQL server's main process, from the pid file in its data directory."""
    out = subprocess.run(
        ["psql", database_url, "-Atc", "SHOW data_directory"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int((Path(out.stdout.strip()) / "postmaster.pid").read_text().split()[0])


def postgres_cpu_seconds(postmaster: int) -> float:
    """CPU of the whole PostgreSQL server so far: the postmaster, its live processes, and
    the backends that have exited (counted in the postmaster's children times). All
    databases: meaningful on an otherwise idle machine."""
    fields = _stat(postmaster)
    exited = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime
    return cpu_seconds([postmaster]) + exited

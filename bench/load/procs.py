"""What each replica's processes hold: RSS, threads, connections to PostgreSQL (from /proc).

A replica is a gunicorn master, its workers and the scheduler it started; each is
sampled on its own, named by its role.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcSample:
    replica: int
    pid: int
    role: str  # master, worker, scheduler
    rss_mb: float
    threads: int
    db_connections: int  # TCP connections to the database's port

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in (PROC / str(pid) / "task").iterdir():
            text = (task / "children").read_text()
            found += [int(p) for p in text.split()]
    return found


def _status(pid: int) -> dict[str, str]:
    fields = {}
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return fields


def _sockets_to(port: int) -> set[str]:
    """Inodes of TCP sockets whose remote end is 127.0.0.1:`port` (IPv4 and IPv6 tables)."""
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in (PROC / "net" / table).read_text().splitlines()[1:]:
                parts = line.split()
                remote_port = int(parts[2].rsplit(":", 1)[1], 16)
                if remote_port == port and parts[3] == "01":  # ESTABLISHED
                    inodes.add(parts[9])
    return inodes


def _connections(pid: int, inodes: set[str]) -> int:
    count = 0
    with contextlib.suppress(OSError):
        for fd in (PROC / str(pid) / "fd").iterdir():
            with contextlib.suppress(OSError):
                target = str(fd.readlink())
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    count += 1
    return count


def sample(replica: int, master: int, db_port: int) -> list[ProcSample]:
    """The master, each worker and the scheduler of one replica, now."""
    inodes = _sockets_to(db_port)
    found: list[ProcSample] = []
    for pid in [master, *children(master)]:
        try:
            status = _status(pid)
            cmdline = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile
        role = (
            "master" if pid == master else "scheduler" if "bot.scheduler" in cmdline else "worker"
        )
        rss_kb = int(status.get("VmRSS", "0 kB").split()[0])
        found.append(
            ProcSample(
                replica,
                pid,
                role,
                round(rss_kb / 1024, 1),
                int(status.get("Threads", "0")),
                _connections(pid, inodes),
            )
        )
    return found

"""Measuring in process: what a piece of work sent to the database, how long it took, memory.

`Tally` observes an engine (SQLAlchemy events, nothing patched): each statement with its
time at the driver and the rows it returned (when the driver knows: not for a server-side
cursor), executemany parameter sets, commits, and pool checkouts (on
PostgreSQL each checkout is also a pre-ping round trip, not a statement). `measure` runs
one piece of work under a Tally, timed, with the process's resident memory around it and,
when asked, tracemalloc's peak.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Shape:
    """One kind of statement: how often it ran and its time at the driver (ms)."""

    count: int = 0
    total_ms: float = 0.0
    first_ms: float = 0.0
    last_ms: float = 0.0
    max_ms: float = 0.0
    executemany_sets: int = 0
    rows: int = 0  # returned (a SELECT) or changed, as the driver's rowcount says when known
    first: tuple[str, Any] = ("", None)  # its first and last statement with their parameters
    last: tuple[str, Any] = ("", None)

    def add(self, ms: float, statement: str, parameters: Any, sets: int, rows: int) -> None:
        if not self.count:
            self.first_ms, self.first = ms, (statement, parameters)
        self.count += 1
        self.total_ms += ms
        self.last_ms, self.last = ms, (statement, parameters)
        self.max_ms = max(self.max_ms, ms)
        self.executemany_sets += sets
        self.rows += max(rows, 0)  # -1: not known (a server-side cursor, an executemany)

    def summary(self, name: str) -> dict[str, Any]:
        return {
            "statement": name[:160],
            "count": self.count,
            "total_ms": round(self.total_ms, 1),
            "mean_ms": round(self.total_ms / self.count, 3),
            "first_ms": round(self.first_ms, 3),
            "last_ms": round(self.last_ms, 3),
            "max_ms": round(self.max_ms, 3),
            "executemany_sets": self.executemany_sets,
            "rows": self.rows,
        }


def shape_of(statement: str) -> str:
    """The statement with placeholders and IN / VALUES lists folded: which query it is."""
    flat = re.sub(
        r"%\(\w+\)s(::(TIMESTAMP WITH TIME ZONE|[A-Z]+))?", "?", " ".join(statement.split())
    )
    flat = re.sub(r"IN \([?, ]*\)", "IN (...)", flat)
    return re.sub(r"VALUES \([^()]*\)(, \([^()]*\))*", "VALUES (...)", flat)


class Tally:
    """Everything an engine sends while it is entered (any thread)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self.shapes: dict[str, Shape] = {}
        self.commits = 0
        self.checkouts = 0

    def __enter__(self) -> Tally:
        sa.event.listen(self._engine, "before_cursor_execute", self._before)
        sa.event.listen(self._engine, "after_cursor_execute", self._after)
        sa.event.listen(self._engine, "commit", self._commit)
        sa.event.listen(self._engine.pool, "checkout", self._checkout)
        return self

    def __exit__(self, *_exc: object) -> None:
        sa.event.remove(self._engine, "before_cursor_execute", self._before)
        sa.event.remove(self._engine, "after_cursor_execute", self._after)
        sa.event.remove(self._engine, "commit", self._commit)
        sa.event.remove(self._engine.pool, "checkout", self._checkout)

    def _before(self, conn: sa.Connection, *_args: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(
        self, conn: sa.Connection, cursor: Any, statement: str, parameters: Any,
        _context: Any, executemany: bool,
    ) -> None:  # fmt: skip
        ms = (time.perf_counter() - conn.info["bench_started"].pop()) * 1000
        sets = len(parameters) if executemany else 0
        rows = -1 if executemany else cursor.rowcount
        shape = self.shapes.setdefault(shape_of(statement), Shape())
        shape.add(ms, statement, parameters, sets, rows)

    def _commit(self, _conn: sa.Connection) -> None:
        self.commits += 1

    def _checkout(self, *_args: Any) -> None:
        self.checkouts += 1

    @property
    def statements(self) -> int:
        return sum(s.count for s in self.shapes.values())

    def find(self, needle: str) -> Shape | None:
        """The first kind of statement containing `needle`."""
        return next((s for name, s in self.shapes.items() if needle in name), None)

    def summary(self, per: int = 0) -> dict[str, Any]:
        """Counts, totals and each kind of statement, slowest first; `per`: per message."""
        found: dict[str, Any] = {
            "statements": self.statements,
            "executemany_parameter_sets": sum(s.executemany_sets for s in self.shapes.values()),
            "commits": self.commits,
            "pool_checkouts": self.checkouts,
            "statement_ms": round(sum(s.total_ms for s in self.shapes.values()), 1),
        }
        # On PostgreSQL (psycopg): a checkout pings (";"), a transaction sends BEGIN and
        # COMMIT, a statement (an executemany too: pipelined) is one exchange.
        found["round_trips_estimated"] = self.statements + self.checkouts + 2 * self.commits
        if per:
            counted = ("statements", "commits", "pool_checkouts", "round_trips_estimated")
            found["per_message"] = {key: round(found[key] / per, 3) for key in counted} | {
                "statement_ms": round(found["statement_ms"] / per, 3)
            }
        ranked = sorted(self.shapes.items(), key=lambda item: -item[1].total_ms)
        found["by_statement"] = [shape.summary(name) for name, shape in ranked]
        return found


@dataclass
class Measured:
    """One piece of work: its result, time, database traffic and memory."""

    name: str
    result: int
    seconds: float
    tally: Tally
    memory: dict[str, float] = field(default_factory=dict)

    def summary(self, per: int = 0) -> dict[str, Any]:
        return {
            "name": self.name,
            "result": self.result,
            "seconds": round(self.seconds, 3),
            "memory_mb": self.memory,
            **self.tally.summary(per),
        }


def rss_mb() -> float:
    """The process's resident memory now (/proc/self/statm), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES / 2**20


def max_rss_mb() -> float:
    """The process's peak resident memory so far (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def traced(on: bool) -> Iterator[dict[str, float]]:
    """tracemalloc's peak of what was allocated meanwhile (MB), when `on`."""
    found: dict[str, float] = {}
    if not on:
        yield found
        return
    tracemalloc.start()
    try:
        yield found
        _, peak = tracemalloc.get_traced_memory()
        found["tracemalloc_peak"] = round(peak / 2**20, 1)
    finally:
        tracemalloc.stop()


def measure(
    name: str, engine: sa.Engine, work: Callable[[], int], *, trace: bool = False
) -> Measured:
    """Run `work` once under a Tally; RSS now and peak around it; tracemalloc's peak."""
    before, peak_before = rss_mb(), max_rss_mb()
    with Tally(engine) as tally, traced(trace) as memory:
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    memory |= {
        "rss_before": round(before, 1),
        "rss_after": round(rss_mb(), 1),
        "max_rss_before": round(peak_before, 1),
        "max_rss_after": round(max_rss_mb(), 1),
        "max_rss_delta": round(max_rss_mb() - peak_before, 1),
    }
    return Measured(name, result, seconds, tally, memory)

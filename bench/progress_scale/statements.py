"""Statements per interaction, on an in-process app, at each data size; EXPLAIN of the slowest.

The servers run in gunicorn subprocesses; as in bench/assign_scale/statements.py the same
requests (ProgressBench's) go to bot.app.build_app + bot.web.make_wsgi_app served on
loopback in this process, on the same database. assign_scale's StatementLog splits the
statements by thread (request thread: in the ack; the after-ack executor's: after it), and
sweep_scale's Tally times each kind of statement at the driver, so the slowest can be
EXPLAINed with the parameters it ran with: on PostgreSQL `EXPLAIN (ANALYZE, BUFFERS)`
(sweep_scale's `explain`), on SQLite `EXPLAIN QUERY PLAN` and the statement run once more,
timed (`explain_sqlite`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.assign_scale.statements import StatementLog
from bench.progress_scale.interactions import ProgressBench, ProgressFakeSlack
from bench.progress_scale.seed import ProgressData
from bench.servers import SIGNING_SECRET, Target, server_env
from bench.sweep_scale.measure import Shape, Tally
from bench.sweep_scale.phases import explain
from bench.timing import Series, TimedClient
from bot import db

IN_PROCESS = Target("in-process", "in-process app", (), has_effect=True)


@contextlib.contextmanager
def in_process_app(
    fake: ProgressFakeSlack, url: str
) -> Iterator[tuple[TimedClient, Any, sa.Engine]]:
    """Trainbot in this process on `url` (as tests/conftest.py builds it): a client for it,
    its after-ack executor (which can be waited on) and its engine."""
    from bot.app import build_app
    from bot.services import build_services
    from bot.settings import Settings
    from bot.settling import SettlingExecutor
    from bot.web import make_wsgi_app
    from tests.support.wsgi import serve_wsgi

    env = server_env(fake, url) | {"LOG_LEVEL": "WARNING"}
    executor = SettlingExecutor(thread_name_prefix="lazy")  # StatementLog tells them by it
    engine = db.make_engine(url)
    services = build_services(Settings.load(env, env_file=Path(os.devnull)), engine=engine,
                              background=executor)  # fmt: skip
    try:
        with serve_wsgi(make_wsgi_app(build_app(services), services)) as base:
            yield TimedClient(f"{base}/slack/events", SIGNING_SECRET, fake, timeout=60), \
                executor, engine  # fmt: skip
    finally:
        executor.shutdown(wait=True)
        engine.dispose()


def count_statements(
    fake: ProgressFakeSlack,
    url: str,
    data: ProgressData,
    kinds: Sequence[str],
    *,
    repeats: int,
    explained: Sequence[str] = (),
) -> dict[str, Any]:
    """Each kind `repeats` times after a warm-up: statements in and after the ack, the ack
    and the effect in process, the slowest statements; EXPLAIN for the `explained` kinds."""
    from tests.support.executor import settle

    found: dict[str, Any] = {}
    with in_process_app(fake, url) as (client, executor, engine), \
            StatementLog(engine, "lazy") as log:  # fmt: skip
        bench = ProgressBench(fake, data, pause_s=0)
        for kind in kinds:
            runs: list[tuple[int, int, Tally]] = []
            acks = Series()
            for turn in range(repeats + 1):  # the first one warms up (and prepares the Home)
                settle(executor, 120)
                log.clear()
                series = acks if turn else Series()
                with Tally(engine) as tally:
                    bench.send(kind, client, IN_PROCESS, series)
                    settle(executor, 120)
                if series.failures:
                    raise RuntimeError(f"in-process {kind}: {series.failures}")
                if turn:
                    runs.append((len(log.in_ack), len(log.after_ack), tally))
            last = runs[-1][2]
            effects = bench.effects.pop(kind).samples[1:]
            found[kind] = {
                "in_ack": [a for a, _, _ in runs],
                "after_ack": [b for _, b, _ in runs],
                "total": [a + b for a, b, _ in runs],
                "ack_ms_in_process": [round(ms, 1) for ms in acks.samples],
                "effect_ms_in_process": [round(ms, 1) for ms in effects],
                "statement_ms": [round(t.summary()["statement_ms"], 1) for _, _, t in runs],
                "by_statement": last.summary()["by_statement"],  # the last run's, slowest first
            }
            if kind in explained:
                slowest = max(last.shapes.values(), key=lambda shape: shape.total_ms)
                plan = explain_sqlite if url.startswith("sqlite") else explain
                found[kind]["explain_slowest"] = plan(url, slowest).get("first", [])
    return found


def explain_sqlite(url: str, shape: Shape | None) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of the first time a statement ran (as a tree), then that statement
    run again with its parameters, timed, on a connection of its own (SQLite has no
    EXPLAIN ANALYZE)."""
    if shape is None:
        return {}
    statement, parameters = shape.first
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        nodes = conn.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
        depth = {0: -1}
        lines = []
        for node, parent, _unused, detail in nodes:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + str(detail))
        started = time.perf_counter()
        rows = len(conn.execute(statement, parameters).fetchall())
        lines.append(f"(run again: {(time.perf_counter() - started) * 1000:.1f} ms, {rows} rows)")
        conn.rollback()
    finally:
        conn.close()
    return {"first": lines}

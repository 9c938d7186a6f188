"""Statements per interaction, counted on an in-process app on the benchmark's database.

The servers run in gunicorn subprocesses, where counting would need a launcher patching
the app; so the same requests go to bot.app.build_app + bot.web.make_wsgi_app served on
loopback in this process (as tests/conftest.py builds it), with a before_cursor_execute
listener on its engine.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.assign_scale.interactions import KINDS, SEND_PER_MINUTE, AssignBench, ScaleFakeSlack
from bench.assign_scale.seed import Seeded
from bench.servers import BOT_TOKEN, SIGNING_SECRET, Target
from bench.timing import Series, TimedClient
from bot import db


class StatementLog:
    """Statements on an engine, split by thread: the request's (in the ack) or the executor's."""

    def __init__(self, engine: sa.Engine, after_ack_prefix: str) -> None:
        self._engine = engine
        self._prefix = after_ack_prefix
        self._lock = threading.Lock()
        self.in_ack: list[str] = []
        self.after_ack: list[str] = []

    def __enter__(self) -> StatementLog:
        sa.event.listen(self._engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *_exc: object) -> None:
        sa.event.remove(self._engine, "before_cursor_execute", self._note)

    def _note(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        after = threading.current_thread().name.startswith(self._prefix)
        shape = " ".join(statement.split())[:100]
        with self._lock:
            (self.after_ack if after else self.in_ack).append(shape)

    def clear(self) -> None:
        with self._lock:
            self.in_ack.clear()
            self.after_ack.clear()


def count_statements(
    fake: ScaleFakeSlack,
    url: str,
    data: Seeded,
    dms: Iterable[tuple[str, str, str]],
    *,
    first_submission: int,
    people: int,
    big_people: int,
    repeats: int,
) -> dict[str, Any]:
    """The same requests against an in-process app on the same database, counted."""
    from bot.app import build_app
    from bot.services import build_services
    from bot.settings import Settings
    from bot.settling import SettlingExecutor
    from bot.web import make_wsgi_app
    from tests.support.executor import settle
    from tests.support.wsgi import serve_wsgi

    settings = Settings.load(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.base_url,
            "DATABASE_URL": url,
            "TRAINBOT_SEND_PER_MINUTE": SEND_PER_MINUTE,
            "LOG_LEVEL": "WARNING",
        },
        env_file=Path(os.devnull),
    )
    executor = SettlingExecutor(thread_name_prefix="lazy")  # StatementLog tells them by it
    engine = db.make_engine(url)
    services = build_services(settings, engine=engine, background=executor)
    wsgi = make_wsgi_app(build_app(services), services)
    found: dict[str, Any] = {}
    try:
        with serve_wsgi(wsgi) as base, StatementLog(engine, "lazy") as log:
            client = TimedClient(f"{base}/slack/events", SIGNING_SECRET, fake, timeout=30)
            in_process = Target("in-process", "in-process app", (), has_effect=True)
            # Fresh resources after the HTTP run's, so every submission creates assignments.
            bench = AssignBench(
                fake, data, people=people, pause_s=0, first_submission=first_submission
            )
            bench.dms.extend(dms)
            plan = [*((k, people) for k in KINDS), ("submission", big_people)]
            for kind, size in plan:
                bench.people = size
                label = kind if size == people else f"{kind}, {size} people"
                runs = []
                acks: list[float] = []
                for turn in range(repeats + 1):  # the first one warms up
                    settle(executor, 60)
                    log.clear()
                    series = Series()
                    bench.send(kind, client, in_process, series)
                    settle(executor, 60)
                    if series.failures:
                        raise RuntimeError(f"in-process {label}: {series.failures}")
                    if turn:
                        runs.append((list(log.in_ack), list(log.after_ack)))
                        acks.extend(series.samples)
                found[label] = {
                    "people": size if kind == "submission" else None,
                    "in_ack": [len(a) for a, _ in runs],
                    "after_ack": [len(b) for _, b in runs],
                    "total": [len(a) + len(b) for a, b in runs],
                    "ack_ms_in_process": [round(ms, 2) for ms in acks],
                    "statements_in_ack": _tally(runs[-1][0]),
                    "statements_after_ack": _tally(runs[-1][1]),
                }
    finally:
        executor.shutdown(wait=True)
        engine.dispose()
    return found


def _tally(statements: Sequence[str]) -> list[str]:
    """Each statement shape once, with how often it ran, in order of first appearance."""
    counts = Counter(statements)
    return [f"{counts[s]} x {s}" for s in dict.fromkeys(statements)]

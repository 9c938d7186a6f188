"""Statements per click, and where the effect's time goes, on an in-process app.

The servers run in gunicorn subprocesses; as in bench/progress_scale/statements.py the
same clicks (CourseBench's) go to bot.app.build_app + bot.web.make_wsgi_app served on
loopback in this process (progress_scale's `in_process_app`), on the same database.
assign_scale's StatementLog splits the statements by thread (request thread: in the ack;
the after-ack executor's: after it), sweep_scale's Tally times each kind of statement at
the driver (and counts transactions and pool checkouts).

For the breakdown, a few functions are wrapped in this process while counting (the app's
files are not touched, the servers not at all): slack_sdk's `BaseClient.api_call` (every
Web API call the app makes: its time on the app's side, the stand-in's answer included),
the Jinja environment bot/render.py renders with, plus its `json.loads` (every template
rendered and parsed), and SQLAlchemy's pool checkout (with its pre-ping) and
`Connection._commit_impl` (a transaction's round trips that are not statements). The
stand-in's own time comes from its stamps. What is left ("the rest") is Python: Bolt,
the handlers, SQLAlchemy building statements and loading rows, handing work to the
after-ack thread.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from bench.assign_scale.interactions import SEND_PER_MINUTE
from bench.assign_scale.statements import StatementLog
from bench.course_scale.interactions import EFFECTS, CourseBench, CourseFakeSlack
from bench.course_scale.seed import CourseData
from bench.progress_scale.statements import IN_PROCESS
from bench.servers import SIGNING_SECRET, server_env
from bench.sweep_scale.measure import Tally
from bench.sweep_scale.phases import explain
from bench.timing import Series, TimedClient
from bot import db


class Clocked:
    """Time spent in wrapped functions (any thread), by name; calls counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.ms: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def wrap(self, name: Callable[..., str] | str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                ms = (time.perf_counter() - started) * 1000
                key = name(*args, **kwargs) if callable(name) else name
                with self._lock:
                    self.ms[key] += ms
                    self.calls[key] += 1

        return timed

    def clear(self) -> None:
        with self._lock:
            self.ms.clear()
            self.calls.clear()

    def total(self, prefix: str) -> tuple[float, int]:
        with self._lock:
            keys = [k for k in self.ms if k.startswith(prefix)]
            return sum(self.ms[k] for k in keys), sum(self.calls[k] for k in keys)


class _TimedTemplate:
    def __init__(self, template: Any, name: str, clocked: Clocked) -> None:
        self.render = clocked.wrap(f"render {name}", template.render)


class _TimedEnvironment:
    """bot.render's Jinja environment, its templates' render() timed."""

    def __init__(self, env: Any, clocked: Clocked) -> None:
        self._env = env
        self._clocked = clocked

    def get_template(self, name: str) -> _TimedTemplate:
        return _TimedTemplate(self._env.get_template(name), name, self._clocked)


@contextlib.contextmanager
def clocked_app() -> Iterator[Clocked]:
    """Web API calls, template rendering, and the transactions' round trips outside the
    statements (a pool checkout, with its pre-ping; a COMMIT) timed in this process."""
    from slack_sdk.web.base_client import BaseClient
    from sqlalchemy.engine.base import Connection
    from sqlalchemy.pool.base import _ConnectionFairy

    import bot.render

    clocked = Clocked()
    commit, checkout = Connection._commit_impl, _ConnectionFairy.__dict__["_checkout"]
    Connection._commit_impl = clocked.wrap("db commit", commit)  # type: ignore[method-assign]
    _ConnectionFairy._checkout = classmethod(  # type: ignore[method-assign,assignment]
        clocked.wrap("db checkout", checkout.__func__)
    )
    api_call = BaseClient.api_call
    env, json_module = bot.render._env, vars(bot.render)["json"]
    BaseClient.api_call = clocked.wrap(  # type: ignore[method-assign]
        lambda _self, method, *_a, **_k: f"api {method}", api_call
    )
    bot.render._env = _TimedEnvironment(env, clocked)  # type: ignore[assignment]
    timed_json = SimpleNamespace(
        loads=clocked.wrap("render json.loads", json_module.loads), dumps=json_module.dumps
    )
    setattr(bot.render, "json", timed_json)  # noqa: B010 (the module's own `import json`)
    try:
        yield clocked
    finally:
        Connection._commit_impl = commit  # type: ignore[method-assign]
        _ConnectionFairy._checkout = checkout  # type: ignore[method-assign]
        BaseClient.api_call = api_call  # type: ignore[method-assign]
        bot.render._env = env
        setattr(bot.render, "json", json_module)  # noqa: B010


@contextlib.contextmanager
def in_process_app(fake: CourseFakeSlack, url: str) -> Iterator[tuple[TimedClient, Any, sa.Engine]]:
    """Trainbot in this process on `url`: progress_scale's `in_process_app`, with the
    servers' TRAINBOT_SEND_PER_MINUTE (a step's DM would otherwise wait for Slack's pace,
    one post per 250 ms, behind the click before it)."""
    from bot.app import build_app
    from bot.services import build_services
    from bot.settings import Settings
    from bot.settling import SettlingExecutor
    from bot.web import make_wsgi_app
    from tests.support.wsgi import serve_wsgi

    env = server_env(fake, url) | {"LOG_LEVEL": "WARNING",
                                   "TRAINBOT_SEND_PER_MINUTE": SEND_PER_MINUTE}  # fmt: skip
    executor = SettlingExecutor(thread_name_prefix="lazy")  # StatementLog tells them by it
    engine = db.make_engine(url)
    settings = Settings.load(env, env_file=Path(os.devnull))
    services = build_services(settings, engine=engine, background=executor)
    try:
        with serve_wsgi(make_wsgi_app(build_app(services), services)) as base:
            client = TimedClient(f"{base}/slack/events", SIGNING_SECRET, fake, timeout=60)
            yield client, executor, engine
    finally:
        executor.shutdown(wait=True)
        engine.dispose()


def count_statements(
    fake: CourseFakeSlack,
    url: str,
    data: CourseData,
    kinds: Sequence[str],
    *,
    repeats: int,
    explained: int = 0,
    after: CourseBench | None = None,
) -> dict[str, Any]:
    """Each kind `repeats` times after a warm-up, each by a learner who has not clicked:
    statements in and after the ack, transactions, Web API calls, the effect in process and
    its breakdown; EXPLAIN (ANALYZE) of each kind's `explained` slowest SELECTs.
    `after`: the bench that clicked before on this database (its learners are used up)."""
    from tests.support.executor import settle

    found: dict[str, Any] = {}
    with in_process_app(fake, url) as (client, executor, engine), \
            StatementLog(engine, "lazy") as log, clocked_app() as clocked:  # fmt: skip
        bench = CourseBench(fake, data, pause_s=0)
        if after is not None:
            bench.course, bench.path = after.course, after.path
        for kind in kinds:
            runs: list[dict[str, Any]] = []
            tallies: list[Tally] = []
            for turn in range(repeats + 1):  # the first one warms up
                bench.prepare(kind, client)  # not counted: the course modal opened
                settle(executor, 120)
                log.clear()
                clocked.clear()
                series = Series()
                with Tally(engine) as tally:
                    bench.send(kind, client, IN_PROCESS, series)
                    settle(executor, 120)
                if series.failures:
                    raise RuntimeError(f"in-process {kind}: {series.failures}")
                if turn:
                    runs.append(_run(kind, bench, fake, log, tally, clocked, series))
                    tallies.append(tally)
            last = tallies[-1]
            found[kind] = {
                "in_ack": [r["in_ack"] for r in runs],
                "after_ack": [r["after_ack"] for r in runs],
                "total": [r["in_ack"] + r["after_ack"] for r in runs],
                "runs": runs,
                "statements_in_ack": _tally(runs[-1]["statements_in_ack"]),
                "statements_after_ack": _tally(runs[-1]["statements_after_ack"]),
                "by_statement": last.summary()["by_statement"],  # the last run's, slowest first
            }
            selects = [s for name, s in last.shapes.items() if name.startswith("SELECT")]
            found[kind]["explained"] = [
                {"statement": " ".join(shape.last[0].split())[:400],
                 "ms": round(shape.total_ms, 2), "count": shape.count,
                 "plan": explain(url, shape).get("last", [])}
                for shape in sorted(selects, key=lambda shape: -shape.total_ms)[:explained]
            ]  # fmt: skip
    return found


def _run(
    kind: str, bench: CourseBench, fake: CourseFakeSlack, log: StatementLog, tally: Tally,
    clocked: Clocked, series: Series,
) -> dict[str, Any]:  # fmt: skip
    """One counted click: its statements and calls, its effect and where the time went."""
    summary = tally.summary()
    full = EFFECTS[kind][-1][0]
    effect = bench.effects[full].samples[-1]
    api_ms, api_calls = clocked.total("api ")
    render_ms, renders = clocked.total("render ")
    transactions_ms, _ = clocked.total("db ")
    methods, stand_in = fake.made()
    statement_ms = summary["statement_ms"]
    return {
        "in_ack": len(log.in_ack),
        "after_ack": len(log.after_ack),
        "statements_in_ack": list(log.in_ack),
        "statements_after_ack": list(log.after_ack),
        "transactions": summary["commits"],
        "pool_checkouts": summary["pool_checkouts"],
        "ack_ms": round(series.samples[-1], 2),
        "effect_ms": round(effect, 2),
        "statement_ms": statement_ms,
        "slack_calls": methods,
        "slack_calls_ms_app_side": round(api_ms, 2),
        "slack_calls_app_side": api_calls,
        "stand_in_ms": round(stand_in, 2),
        "render_ms": round(render_ms, 2),
        "renders": renders,
        "rendered": _rendered(clocked),
        "checkouts_and_commits_ms": round(transactions_ms, 2),
        "without_stand_in_ms": round(effect - stand_in, 2),
        "rest_ms": round(effect - statement_ms - transactions_ms - api_ms - render_ms, 2),
    }


def _rendered(clocked: Clocked) -> dict[str, float]:
    """ms per template rendered (and json.loads of them all)."""
    return {
        k.removeprefix("render "): round(v, 2)
        for k, v in clocked.ms.items()
        if k.startswith("render ")
    }


def _tally(statements: Sequence[str]) -> list[str]:
    """Each statement shape once, with how often it ran, in order of first appearance."""
    counts = Counter(statements)
    return [f"{counts[s]} x {s}" for s in dict.fromkeys(statements)]

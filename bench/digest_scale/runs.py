"""Each subscription's digest, delivered again and again, timed, its statements counted.

A run: the subscription's outbox row deleted and the app's `plan()` run (not timed: the
digest is then owed, as the scheduler's `plan_and_send` leaves it), then `deliver_pending`
(what `plan_and_send` calls next), timed from its start until the stand-in has recorded
the chat.postMessage, under sweep_scale's Tally. The stand-in's own time per Web API
method comes from its stamps; the posted message is read back and checked (check.py).
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg
from slack_sdk import WebClient
from sqlalchemy import delete

from bench.assign_scale.database import conninfo_of
from bench.digest_scale.check import Figures, disagreements, expected, posted
from bench.digest_scale.world import MOMENT, Scope, week
from bench.sweep_scale.measure import Shape, Tally
from bench.timing import StampedFakeSlack, percentile
from bot.charts import completion_chart
from bot.delivery import deliver_pending
from bot.services import Services
from models import OutboxMessage


@dataclass
class Run:
    """One digest delivered."""

    ms_to_post: float  # deliver_pending's start to the post recorded by the stand-in
    ms_deliver: float  # ... to deliver_pending's return (the row marked sent)
    tally: Tally
    stand_in_ms: dict[str, float]  # the stand-in's own time, per method


@dataclass
class ScopeRuns:
    """A subscription's runs: the first (cold) apart, what was checked, the plan."""

    scope: Scope
    cold: Run | None = None
    runs: list[Run] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    figures: Figures | None = None  # as posted in the last run
    plan: list[str] = field(default_factory=list)  # EXPLAIN of the slowest statement


def owe_again(services: Services, scope: Scope) -> None:
    """This week's digest owed afresh: its outbox row gone, the planner run."""
    with services.sessions.begin() as s:
        s.execute(delete(OutboxMessage).where(OutboxMessage.key == scope.key))
    owed = services.digests.plan()
    if (scope.subscription.id, week()) not in [(sub.id, w) for sub, w in owed]:
        raise RuntimeError(f"plan() did not owe the digest of {scope.name}: {owed}")


def deliver(services: Services, client: WebClient, fake: StampedFakeSlack) -> Run:
    fake.reset_calls()
    with Tally(services.engine) as tally:
        started = time.perf_counter()
        deliver_pending(services, client)
        returned = time.perf_counter()
    stamps = list(fake.stamps)
    post = next((s for s in stamps if s.path == "/api/chat.postMessage"), None)
    busy: dict[str, float] = {}
    for stamp in stamps:
        method = re.sub(r"/F\w+", "/F…", stamp.path.removeprefix("/api/"))
        busy[method] = busy.get(method, 0.0) + (stamp.answered - stamp.started) * 1000
    return Run(
        ms_to_post=((post.answered if post else float("nan")) - started) * 1000,
        ms_deliver=(returned - started) * 1000, tally=tally, stand_in_ms=busy,
    )  # fmt: skip


def measure_scope(
    services: Services, client: WebClient, fake: StampedFakeSlack, url: str, scope: Scope,
    n: int, *, plan: bool,
) -> ScopeRuns:  # fmt: skip
    """A cold run, then `n` timed; every posted digest checked; EXPLAIN when `plan`."""
    found = ScopeRuns(scope)
    counted = expected(url, scope, MOMENT)
    channel = scope.subscription.channel_id
    for i in range(n + 1):
        owe_again(services, scope)
        before = len(fake.messages(channel))
        run = deliver(services, client, fake)
        messages = fake.messages(channel)
        if len(messages) != before + 1:
            found.problems.append(f"{scope.name}: {len(messages) - before} posts in run {i}")
            continue
        found.figures = posted(messages[-1])
        found.problems += [f"{scope.name}: {d}" for d in disagreements(found.figures, counted)]
        if i == 0:
            found.cold = run
        else:
            found.runs.append(run)
    if plan and found.runs:
        slowest = max(found.runs[-1].tally.shapes.values(), key=lambda s: s.total_ms)
        found.plan = explain(url, slowest)
    return found


def explain(url: str, shape: Shape) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the statement as it last ran, with its parameters."""
    statement, parameters = shape.last
    with psycopg.connect(conninfo_of(url)) as conn:
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).fetchall()
        conn.rollback()
    return [_clip(str(row[0])) for row in rows]


def _clip(line: str, most: int = 400) -> str:
    """A plan line, its long constants (the scope's 20,000 user ids) cut short."""
    return line if len(line) <= most else f"{line[:most]}… ({len(line):,} characters)"


def chart_ms(draws: int = 3) -> float:
    """Drawing the 8-week chart alone (bot.charts, as the digest does), median of `draws`:
    its cost does not depend on the data."""
    weeks = [(MOMENT - timedelta(days=7 * (7 - k)), 40 + k) for k in range(8)]
    times = []
    for _ in range(draws):
        started = time.perf_counter()
        completion_chart(weeks, title="Completion: #everyone-digest")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def summary(found: ScopeRuns) -> dict[str, Any]:
    """Times (ms), statements per digest, the stand-in's share, each statement's cost."""
    runs = found.runs
    to_post = sorted(r.ms_to_post for r in runs)
    result: dict[str, Any] = {
        "scope": found.scope.name, "people": len(found.scope.people or ()) or None,
        "runs": len(runs), "cold_ms": round(found.cold.ms_to_post, 1) if found.cold else None,
        "problems": found.problems,
        "figures": found.figures.__dict__ if found.figures else None, "explain": found.plan,
    }  # fmt: skip
    if not runs:
        return result
    result |= {
        "median_ms": round(percentile(to_post, 50), 1),
        "p90_ms": round(percentile(to_post, 90), 1),
        "p99_ms": round(percentile(to_post, 99), 1),
        "max_ms": round(to_post[-1], 1), "min_ms": round(to_post[0], 1),
        "deliver_pending_median_ms": round(statistics.median(r.ms_deliver for r in runs), 1),
        "statements": sorted({r.tally.statements for r in runs}),
        "commits": sorted({r.tally.commits for r in runs}),
        "pool_checkouts": sorted({r.tally.checkouts for r in runs}),
        "statement_ms_median": round(statistics.median(_statement_ms(r) for r in runs), 1),
        "stand_in_ms_median": {
            method: round(statistics.median(r.stand_in_ms.get(method, 0.0) for r in runs), 2)
            for method in runs[-1].stand_in_ms
        },
        "by_statement": _by_statement(runs),
    }  # fmt: skip
    return result


def _statement_ms(run: Run) -> float:
    return sum(s.total_ms for s in run.tally.shapes.values())


def _by_statement(runs: list[Run]) -> list[dict[str, Any]]:
    """Each kind of statement: runs per digest, median and max ms per digest; slowest first."""
    names = {name for run in runs for name in run.tally.shapes}
    rows = []
    for name in names:
        per_run = [r.tally.shapes.get(name, Shape()) for r in runs]
        rows.append({
            "statement": name[:200], "per_digest": sum(s.count for s in per_run) / len(runs),
            "median_ms": round(statistics.median(s.total_ms for s in per_run), 2),
            "max_ms": round(max(s.total_ms for s in per_run), 2),
            "parameters": len(per_run[-1].last[1] or ()),
        })  # fmt: skip
    return sorted(rows, key=lambda row: -float(row["median_ms"]))

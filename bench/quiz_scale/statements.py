"""Statements per request, and where the time goes, on an in-process app.

course_scale's machinery, with this benchmark's requests: QuizBench's requests go to
bot.app.build_app + bot.web.make_wsgi_app served on loopback in this process
(course_scale's `in_process_app`, with the servers' TRAINBOT_SEND_PER_MINUTE), on the same
database. assign_scale's StatementLog splits the statements by thread (request thread: in
the ack; the after-ack executor's: after it): the quiz's Next and Submit answer in the
modal, so their work is in the ack. sweep_scale's Tally times each kind of statement at the
driver; course_scale's `clocked_app` times the Web API calls, the templates and the
transactions' round trips outside the statements.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from bench.assign_scale.statements import StatementLog
from bench.course_scale.interactions import CourseFakeSlack
from bench.course_scale.statements import Clocked, _rendered, _tally, clocked_app, in_process_app
from bench.progress_scale.statements import IN_PROCESS
from bench.quiz_scale.interactions import EFFECTS, QuizBench
from bench.quiz_scale.seed import QuizData
from bench.sweep_scale.measure import Tally
from bench.sweep_scale.phases import explain
from bench.timing import Series

SETTLE_S = 120


def count_statements(
    fake: CourseFakeSlack,
    url: str,
    data: QuizData,
    kinds: Sequence[str],
    *,
    repeats: int,
    explained: int = 0,
    after: QuizBench | None = None,
) -> dict[str, Any]:
    """Each kind `repeats` times after a warm-up, each by a learner on their first attempt:
    statements in and after the ack, transactions, Web API calls, the effect in process and
    its breakdown; EXPLAIN (ANALYZE) of each kind's `explained` slowest SELECTs.
    `after`: the bench that ran before on this database (its learners are used up)."""
    from tests.support.executor import settle

    found: dict[str, Any] = {}
    with in_process_app(fake, url) as (client, executor, engine), \
            StatementLog(engine, "lazy") as log, clocked_app() as clocked:  # fmt: skip
        bench = QuizBench(fake, data, pause_s=0)
        if after is not None:
            bench.fresh = after.fresh
        for kind in kinds:
            runs: list[dict[str, Any]] = []
            tallies: list[Tally] = []
            for turn in range(repeats + 1):  # the first one warms up
                bench.prepare(kind, client)  # not counted: Take quiz, Next before a Submit
                settle(executor, SETTLE_S)
                log.clear()
                clocked.clear()
                series = Series()
                with Tally(engine) as tally:
                    bench.send(kind, client, IN_PROCESS, series)  # (with its think time, 0)
                    settle(executor, SETTLE_S)
                    settled = (time.perf_counter() - client.sent_perf) * 1000
                if series.failures:
                    raise RuntimeError(f"in-process {kind}: {series.failures}")
                if turn:
                    runs.append(_run(kind, bench, fake, log, tally, clocked, series, settled))
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
    kind: str, bench: QuizBench, fake: CourseFakeSlack, log: StatementLog, tally: Tally,
    clocked: Clocked, series: Series, settled: float,
) -> dict[str, Any]:  # fmt: skip
    """One counted request: its statements and calls, its effect (the ack where nothing
    follows it), when the work after the ack was done (`settled`, ms from the send: a
    pass's `deliver_pending` runs after the effect) and where that time went."""
    summary = tally.summary()
    ack = series.samples[-1]
    effect = bench.effects[EFFECTS[kind][-1][0]].samples[-1] if EFFECTS[kind] else ack
    done = max(settled, effect) if EFFECTS[kind] else ack  # (settled waits for the client too)
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
        "ack_ms": round(ack, 2),
        "effect_ms": round(effect, 2),
        "settled_ms": round(done, 2),
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
        "rest_ms": round(done - statement_ms - transactions_ms - api_ms - render_ms, 2),
    }

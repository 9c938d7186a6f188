"""The steps of a run on the seeded database: plan, plan again, replay, deliver, the floor.

The planner changes what it plans from (it owes reminders and moves each row's next
reminder on), so the due rows are copied aside first (BACKUP) and put back to replay the
very same sweep: once more under tracemalloc, and for EXPLAIN ANALYZE of its queries.
With --plan-only there is no delivery: `owed_in_outbox` reads the replay's reminder rows.

The rows a sweep reads are what its page queries fetched (one row per assignment, the
driver's rowcount): the people query before them only counts those same rows per person.
Beside them, for comparison, the rows the old rule read (every open row whose reminder day
had come somewhere on Earth, whatever the hour there), which is also what BACKUP keeps.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import psycopg
from slack_sdk import WebClient

from bench.assign_scale.database import conninfo_of
from bench.servers import BOT_TOKEN
from bench.sweep_scale.measure import Measured, Shape, measure
from bench.sweep_scale.seed import MOMENT, TODAY
from bench.timing import StampedFakeSlack
from bot.app import make_client
from bot.clock import FixedClock
from bot.delivery import deliver_pending
from bot.posting import TAG
from bot.services import Services

BACKUP = "bench_sweep_backup"
HORIZON = TODAY + timedelta(days=1)  # the old rule: due somewhere on Earth (a superset)
# The planner's statements, by their shapes: the page of due rows, the people due before it.
PAGE_QUERY = "members.slack_user_id, members.tz FROM resource_assignments JOIN members"
PEOPLE_QUERY = "count(*) AS count_1 FROM resource_assignments JOIN members"
OPEN_IN_HORIZON = """
FROM resource_assignments a JOIN members m ON m.id = a.member_id
WHERE a.next_remind_on <= %(horizon)s AND a.completed_at IS NULL AND a.cancelled_at IS NULL
  AND NOT m.is_bot AND NOT m.is_deactivated
"""


def _sql(url: str, *statements: str, **params: Any) -> list[Any]:
    """Run statements in autocommit (VACUUM needs it); the first row of each (or None)."""
    rows = []
    with psycopg.connect(conninfo_of(url), autocommit=True) as conn:
        for sql in statements:
            cursor = conn.execute(sql, params)
            rows.append(cursor.fetchone() if cursor.description else None)
    return rows


def rows_in_horizon(url: str) -> int:
    """Open assignments whose next reminder day has come somewhere: what the old rule read."""
    (found,) = _sql(url, "SELECT count(*) " + OPEN_IN_HORIZON, horizon=HORIZON)
    return int(found[0])


def keep_due_state(url: str) -> None:
    _sql(
        url,
        f"DROP TABLE IF EXISTS {BACKUP}",
        f"CREATE TABLE {BACKUP} AS SELECT a.id, a.next_remind_on, a.last_reminded_on "
        + OPEN_IN_HORIZON,
        horizon=HORIZON,
    )


def restore_due_state(url: str) -> None:
    """The due rows as they were, no reminder owed, the tables vacuumed: as before the sweep."""
    _sql(
        url,
        f"UPDATE resource_assignments a SET next_remind_on = b.next_remind_on,"
        f" last_reminded_on = b.last_reminded_on FROM {BACKUP} b WHERE a.id = b.id",
        "DELETE FROM outbox WHERE kind = 'reminder'",
        "VACUUM ANALYZE resource_assignments",
        "VACUUM ANALYZE outbox",
    )


def explain(url: str, shape: Shape | None) -> dict[str, list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the first and the last time a statement ran (the
    first only, when it ran once)."""
    if shape is None:
        return {}
    plans = {}
    runs = [("first", shape.first), ("last", shape.last)][: 2 if shape.count > 1 else 1]
    with psycopg.connect(conninfo_of(url)) as conn:
        for which, (statement, parameters) in runs:
            rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            plans[which] = [str(row[0]) for row in rows]
        conn.rollback()
    return plans


def sweeps(services: Services, clock: FixedClock, url: str) -> dict[str, Any]:
    """The sweep, the one a minute later, then the same sweep again under tracemalloc."""
    engine = services.engine
    plan = services.reminders.plan
    found: dict[str, Any] = {"rows_the_old_rule_read": rows_in_horizon(url)}
    keep_due_state(url)
    sweep = measure("plan", engine, lambda: len(plan()))
    found["rows_the_old_rule_read_a_minute_later"] = rows_in_horizon(url)
    clock.advance(timedelta(minutes=1))
    later = measure("plan, a minute later", engine, lambda: len(plan()))
    found |= {"rows_read_by_the_sweep": rows_read(sweep), "pages_read": pages_read(sweep),
              "rows_read_a_minute_later": rows_read(later),
              "pages_read_a_minute_later": pages_read(later)}  # fmt: skip
    restore_due_state(url)
    clock.set(MOMENT)
    found["explain_page_query"] = explain(url, sweep.tally.find(PAGE_QUERY))
    found["explain_people_query"] = explain(url, sweep.tally.find(PEOPLE_QUERY))
    traced = measure("plan again, under tracemalloc", engine, lambda: len(plan()), trace=True)
    found["steps"] = [sweep, later, traced]
    return found


def rows_read(step: Measured) -> int:
    """The due rows the planner's page queries fetched in a step."""
    shape = step.tally.find(PAGE_QUERY)
    return shape.rows if shape else 0


def pages_read(step: Measured) -> int:
    shape = step.tally.find(PAGE_QUERY)
    return shape.count if shape else 0


OWED_ONCE = """
WITH due AS (SELECT DISTINCT unnest(%(due)s::text[]) AS recipient),
     owed AS (SELECT recipient, count(*) AS n FROM outbox WHERE kind = 'reminder'
              GROUP BY recipient)
SELECT count(o.recipient), count(*) FILTER (WHERE d.recipient IS NULL),
       count(*) FILTER (WHERE o.recipient IS NULL), count(*) FILTER (WHERE o.n > 1)
FROM owed o FULL JOIN due d ON d.recipient = o.recipient
"""


def owed_in_outbox(url: str, people: Sequence[str]) -> dict[str, int]:
    """The outbox's reminder rows against the people due, in one statement: how many
    people were owed, how many of them were not due, how many due were owed none, and
    how many were owed more than one."""
    (found,) = _sql(url, OWED_ONCE, due=list(people))
    names = ("people_owed", "owed_but_not_due", "due_but_owed_none", "owed_more_than_one")
    return dict(zip(names, map(int, found), strict=True))


def deliver(services: Services, fake: StampedFakeSlack) -> tuple[Measured, dict[str, Any]]:
    """deliver_pending for everything owed, with what the stand-in spent answering."""
    fake.reset_calls()
    client = make_client(services.settings)
    sent = measure("deliver_pending", services.engine, lambda: deliver_pending(services, client))
    return sent, stand_in(fake, sent.result)


def stand_in(fake: StampedFakeSlack, messages: int) -> dict[str, Any]:
    """The stand-in's own time for the chat.postMessage calls it answered since reset_calls."""
    posts = [s for s in fake.stamps if s.path == "/api/chat.postMessage"]
    busy = sum(s.answered - s.started for s in posts) * 1000
    return {
        "posts": len(posts),
        "other_calls": len(fake.stamps) - len(posts),
        "stand_in_ms_per_post": round(busy / max(1, len(posts)), 3),
        "messages": messages,
    }


def floor(fake: StampedFakeSlack, people: Sequence[str], rounds: int) -> dict[str, Any]:
    """The same posts (each person's reminder, as the stand-in recorded it) from a plain
    WebClient, one after another, `rounds` times: what the stand-in and the HTTP client
    cost alone. The median round is the floor."""
    posts = [(user, fake.messages(fake.dm_channel(user))[-1]) for user in people]
    client = WebClient(token=BOT_TOKEN, base_url=fake.base_url)
    found = []
    for _ in range(rounds):
        fake.reset_calls()
        started = time.perf_counter()
        for n, (user, message) in enumerate(posts):
            client.chat_postMessage(
                channel=user, text=message["text"], blocks=message.get("blocks"),
                metadata={"event_type": TAG, "event_payload": {"outbox_id": n}},
            )  # fmt: skip
        seconds = time.perf_counter() - started
        found.append({
            **stand_in(fake, len(posts)),
            "seconds": round(seconds, 3),
            "ms_per_post": round(seconds * 1000 / max(1, len(posts)), 3),
            "posts_per_second": round(len(posts) / seconds, 1) if seconds else None,
        })  # fmt: skip
    median = sorted(found, key=lambda r: float(r["ms_per_post"]))[len(found) // 2]
    return {**median, "rounds": found}

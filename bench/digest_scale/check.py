"""Is the posted digest right? Its figures read back from the message, and the same figures
counted by the benchmark with its own SQL on resource_assignments (the app counts the
totals and rates from assignment_events: two roads to the same numbers)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg

from bench.assign_scale.database import conninfo_of
from bench.digest_scale.world import Scope
from bot.services.digests import OVERDUE_SHOWN, TOP

RATE = re.compile(
    r"\*(\d+)%\* of (\d+) assignments completed(?: \(([▲▼±]) (\d+) pts since last week\))?\."
)
SCOPE = """
WITH scope AS (
  SELECT a.*, m.slack_user_id AS uid
  FROM resource_assignments a JOIN members m ON m.id = a.member_id
  WHERE a.workspace_id = %(ws)s AND a.cancelled_at IS NULL AND a.assigned_at <= %(as_of)s
    AND (%(everyone)s OR m.slack_user_id = ANY(%(people)s))
), open AS (SELECT * FROM scope WHERE completed_at IS NULL OR completed_at > %(as_of)s)
"""  # each query below follows it
COUNTS = """
SELECT (SELECT count(*) FROM scope), (SELECT count(*) FROM scope WHERE completed_at <= %(as_of)s),
  (SELECT count(*) FROM scope WHERE assigned_at <= %(week_ago)s),
  (SELECT count(*) FROM scope WHERE completed_at <= %(week_ago)s),
  (SELECT count(*) FROM scope WHERE completed_at > %(week_ago)s AND completed_at <= %(as_of)s),
  (SELECT count(*) FROM open WHERE status = 'in_progress'),
  (SELECT count(*) FROM open WHERE due_on < %(today)s)
"""
OVERDUE = """
SELECT uid, r.title, due_on FROM open JOIN training_resources r ON r.id = open.resource_id
WHERE due_on < %(today)s ORDER BY due_on, uid LIMIT %(shown)s
"""
TOP_LEARNERS = """
SELECT uid, count(*) FROM scope WHERE completed_at > %(week_ago)s AND completed_at <= %(as_of)s
GROUP BY uid ORDER BY count(*) DESC, uid LIMIT %(top)s
"""
TOP_TRAININGS = """
SELECT r.title, count(*) FROM scope JOIN training_resources r ON r.id = scope.resource_id
WHERE completed_at > %(week_ago)s AND completed_at <= %(as_of)s
GROUP BY r.title ORDER BY count(*) DESC, r.title LIMIT %(top)s
"""


@dataclass(frozen=True)
class Figures:
    """What a digest says, as the channel reads it."""

    total: int
    rate: int
    change: int | None  # points since last week
    completed_this_week: int
    in_progress: int
    overdue_total: int
    overdue: tuple[str, ...]  # the lines listed, most late first
    top_learners: str
    most_completed: str


def expected(url: str, scope: Scope, as_of: datetime) -> Figures:
    """The figures, counted here (the scope's people as the benchmark put them in Slack)."""
    today = as_of.date()
    params: dict[str, Any] = {
        "ws": scope.subscription.workspace_id, "as_of": as_of, "week_ago": as_of - timedelta(7),
        "today": today, "everyone": scope.people is None, "people": list(scope.people or ()),
        "shown": OVERDUE_SHOWN, "top": TOP,
    }  # fmt: skip
    with psycopg.connect(conninfo_of(url)) as conn:
        row = conn.execute(SCOPE + COUNTS, params).fetchone()
        assert row is not None
        total, done, total_then, done_then, this_week, in_progress, overdue = map(int, row)
        late = conn.execute(SCOPE + OVERDUE, params).fetchall()
        learners = conn.execute(SCOPE + TOP_LEARNERS, params).fetchall()
        trainings = conn.execute(SCOPE + TOP_TRAININGS, params).fetchall()
    rate = round(100 * done / total) if total else 0
    then = round(100 * done_then / total_then) if total_then else None
    return Figures(
        total=total, rate=rate, change=None if then is None else rate - then,
        completed_this_week=this_week, in_progress=in_progress, overdue_total=overdue,
        overdue=tuple(_late_line(u, t, (today - due).days) for u, t, due in late),
        top_learners=", ".join(f"<@{u}> ({n})" for u, n in learners),
        most_completed=", ".join(f"{t} ({n})" for t, n in trainings),
    )  # fmt: skip


def _late_line(user: str, title: str, days: int) -> str:
    return f"<@{user}>  ·  {title}  ·  {days} day{'' if days == 1 else 's'} late"


def posted(message: dict[str, Any]) -> Figures:
    """The figures of a digest as the stand-in recorded it (digest.json.j2's blocks)."""
    blocks = {b.get("block_id"): b for b in message.get("blocks") or []}
    if "digest.rate" not in blocks:
        return Figures(0, 0, None, 0, 0, 0, (), "", "")
    said = blocks["digest.rate"]
    found = RATE.fullmatch(said["text"]["text"])
    if found is None:
        raise ValueError(f"unexpected rate line: {said['text']['text']!r}")
    rate, total, arrow, points = found.groups()
    change = None if arrow is None else int(points) * (-1 if arrow == "▼" else 1)
    fields = dict(f["text"].split("\n", 1) for f in said["fields"])
    overdue = _text(blocks, "digest.overdue").removeprefix("*Overdue*\n").split("\n")
    top = _text(blocks, "digest.top").removeprefix("*Top learners this week*: ")
    learners, _, trainings = top.partition("\n*Most completed*: ")
    return Figures(
        total=int(total), rate=int(rate), change=change,
        completed_this_week=int(fields["*Completed this week*"]),
        in_progress=int(fields["*In progress*"]), overdue_total=int(fields["*Overdue*"]),
        overdue=tuple(line for line in overdue if line and not line.startswith("…and ")),
        top_learners=learners, most_completed=trainings,
    )  # fmt: skip


def _text(blocks: dict[Any, Any], block_id: str) -> str:
    block = blocks.get(block_id)
    return str(block["text"]["text"]) if block else ""


def disagreements(said: Figures, counted: Figures) -> list[str]:
    """Each figure the digest got wrong: `name: posted X, counted Y`."""
    a, b = asdict(said), asdict(counted)
    return [f"{name}: posted {a[name]!r}, counted {b[name]!r}" for name in a if a[name] != b[name]]

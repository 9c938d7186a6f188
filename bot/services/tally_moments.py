"""Figures as of past moments (a digest's week ends), from the tallies and what changed since.

Both take the scope's tallies summed (`tallies.sums`), read once per digest.

The tallies say how things stand now. An assignment's timestamps are written in the same
transaction as its events, so what stood at a moment is what stands now less what
happened after it: assigned after, completed after, cancelled after. Those are read
through their indexes (migration 0018), a few weeks of changes instead of every
assignment and event of the scope. The same figures as `analytics.history`, which reads
the event history (tests/test_digests.py and bench/digest_scale check them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.services.tallies import (
    Sums,
    TallyScope,
    Then,
    after_columns,
    assignments_of,
    changed_after,
    fell_due_between,
    is_open,
    then,
)
from models import ResourceAssignment


@dataclass(frozen=True)
class DigestCounts:
    """What a digest counts as of its moment, of the assignments made by then."""

    completed_this_week: int  # completed in the week to the moment
    in_progress: int  # not completed by then, in progress
    overdue: int  # not completed by then, due before the moment's day


def history(s: Session, scope: TallyScope, ends: Sequence[datetime], *, now: Sums) -> list[Then]:
    """(completed, assigned and not closed) as of each moment in `ends` (one statement;
    `now`: the scope's tallies summed)."""
    columns = [column for end in ends for column in after_columns(end)]
    after = s.execute(
        select(*columns).where(*assignments_of(scope), changed_after(min(ends)))
    ).one()
    return [then(now, after[i : i + 3]) for i in range(0, len(after), 3)]


def digest_counts(
    s: Session, scope: TallyScope, *, now: Sums, moment: datetime, week_ago: datetime,
    today: date,
) -> DigestCounts:  # fmt: skip
    """Completions in the week to `moment`, and what was open then and in progress or
    overdue (due before `today`), of the assignments made by then (cancelled: left out);
    `now`: the scope's tallies summed."""
    a = ResourceAssignment
    lo, hi, sign = fell_due_between(s, today)
    live, due_before = a.cancelled_at.is_(None), a.due_on < today
    fell_due = is_open() & (a.due_on >= lo) & (a.due_on < hi)
    made_after, done_after = a.assigned_at > moment, a.completed_at > moment
    changed = s.execute(
        select(
            func.count().filter(live, a.completed_at > week_ago, ~done_after, ~made_after),
            func.count().filter(live, made_after, a.status == "in_progress"),
            func.count().filter(fell_due),
            func.count().filter(live, made_after, a.completed_at.is_(None), due_before),
            func.count().filter(live, done_after, ~made_after, due_before),
        ).where(*assignments_of(scope), or_(fell_due, made_after, a.completed_at > week_ago))
    ).one()  # fmt: skip
    return DigestCounts(
        completed_this_week=changed[0],
        in_progress=now.in_progress - changed[1],
        overdue=now.overdue + sign * changed[2] - changed[3] + changed[4],
    )

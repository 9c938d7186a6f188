"""Keeping the report tallies (models/tally.py) right over time: their day moved forward
(the scheduler, hourly), and every tally counted again when asked (after a bulk load
written around the triggers)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    delete,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.services.tallies import is_open
from models import MemberTally, ResourceAssignment, ResourceTally, TallyDate
from models.tally import EVERYONE

COUNTS = ("live", "completed", "in_progress", "overdue", "completed_any")  # the tallies' columns

# Each tally table, the assignments' column it is per, and its own.
_TALLIED: tuple[tuple[Any, Any, Any], ...] = (
    (ResourceTally, ResourceAssignment.resource_id, ResourceTally.resource_id),
    (MemberTally, ResourceAssignment.member_id, MemberTally.member_id),
)


class TallyService:
    """Keeps the tallies' day current (the scheduler, hourly) and counts them again on demand."""

    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def roll(self) -> date:
        """Count what fell due since the tallies' day as overdue in them, and make today
        (UTC) their day, in one transaction; the triggers wait for it (FOR KEY SHARE)."""
        today = self._clock.now().date()
        a = ResourceAssignment
        with self._sessions.begin() as s:
            as_of = s.scalar(select(TallyDate.as_of).where(TallyDate.id == 1).with_for_update())
            if as_of is None or as_of == today:
                return today
            lo, hi, sign = (as_of, today, 1) if as_of < today else (today, as_of, -1)
            fell_due = (is_open(), a.due_on >= lo, a.due_on < hi)
            for t, key, own_key in _TALLIED:
                for grouped in _per_tally(key, func.count() * sign, where=fell_due):
                    moved = grouped.subquery()
                    w, m, k, n = moved.c
                    s.execute(
                        update(t)
                        .where(t.workspace_id == w, t.manager_id == m, own_key == k)
                        .values(overdue=t.overdue + n)
                    )
            s.execute(update(TallyDate).where(TallyDate.id == 1).values(as_of=today))
        return today

    def rebuild(self) -> int:
        """Count every tally again from the assignments (after a bulk load written with
        the triggers disabled, as the benchmarks' COPY is); how many tallies there are."""
        a = ResourceAssignment
        live = a.cancelled_at.is_(None)
        with self._sessions.begin() as s:
            as_of = s.scalar(select(TallyDate.as_of).where(TallyDate.id == 1).with_for_update())
            shares = [
                func.sum(case((condition, 1), else_=0))
                for condition in (
                    live, live & a.completed_at.is_not(None),
                    live & (a.status == "in_progress"),
                    live & a.completed_at.is_(None) & (a.due_on < as_of),
                    a.completed_at.is_not(None),
                )
            ]  # fmt: skip
            for t, key, own_key in _TALLIED:
                s.execute(delete(t))
                columns = ["workspace_id", "manager_id", own_key.key, *COUNTS]
                for counted in _per_tally(key, *shares):
                    s.execute(insert(t).from_select(columns, counted))
            return sum(s.scalar(select(func.count()).select_from(t)) or 0 for t, _, _ in _TALLIED)


def _per_tally(
    key: Any, *values: ColumnElement[Any], where: Sequence[ColumnElement[bool]] = ()
) -> Iterator[Select[Any]]:
    """The assignments `where` selects, grouped per tally of `key` (a training or a person):
    (workspace, manager, key, *values), once for the workspace's tallies (manager 0) and
    once for the managers' (who assigned them)."""
    a = ResourceAssignment
    everyone: ColumnElement[int] = literal_column(str(EVERYONE)).label("manager_id")
    yield select(a.workspace_id, everyone, key, *values).where(*where).group_by(a.workspace_id, key)
    yield (
        select(a.workspace_id, a.assigned_by_id.label("manager_id"), key, *values)
        .where(*where, a.assigned_by_id.is_not(None))
        .group_by(a.workspace_id, a.assigned_by_id, key)
    )

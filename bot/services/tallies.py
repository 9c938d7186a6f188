"""Report figures read from the tallies (models/tally.py) instead of every assignment.

A report over a workspace (an admin's) or over what one manager assigned, narrowed by
people or by the trainings' type or domain (not both: a tally is per person or per
training), reads its counts and its rows from the tallies, plus two small corrections
read from the assignments through their indexes: what fell due between the tallies' day
and the report's, and what changed in the last week (for the figures of a week ago).
Every figure is the same as counting the assignments (tests/test_tallies.py checks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from bot.services.library import in_domain
from bot.services.members import Caller
from models import (
    Domain,
    Member,
    MemberTally,
    ResourceAssignment,
    ResourceDomain,
    ResourceTally,
    TallyDate,
    TrainingResource,
)
from models.enums import Role
from models.one_of import one_of
from models.tally import EVERYONE

Row = tuple[str, str, int, int, int]  # ref, label, total, completed, overdue


@dataclass(frozen=True)
class TallyScope:
    """A report's scope as far as tallies go."""

    workspace_id: int
    manager_id: int  # EVERYONE: the workspace's tallies (an admin's scope)
    people: tuple[str, ...] | None  # Slack user ids
    domain: str | None
    type: str | None

    @classmethod
    def of(
        cls, caller: Caller, people: tuple[str, ...] | None, domain: str | None, type: str | None
    ) -> TallyScope:
        manager = EVERYONE if caller.role is Role.ADMIN else caller.member_id
        return cls(caller.workspace_id, manager, people, domain, type)

    def counts_tallied(self) -> bool:
        """Per person when narrowed to people, else per training: not both at once."""
        return self.people is None or (self.domain is None and self.type is None)

    def rows_tallied(self, by_person: bool) -> bool:
        if by_person:
            return self.domain is None and self.type is None
        return self.people is None


@dataclass(frozen=True)
class Sums:
    """A scope's tallies summed: how things stand now (`overdue` as of the tallies' day)."""

    live: int
    completed: int
    in_progress: int
    overdue: int
    completed_any: int


@dataclass(frozen=True)
class Counts:
    total: int
    in_progress: int
    overdue: int
    completed: int
    completed_a_week_ago: int
    total_a_week_ago: int


Then = tuple[int, int]  # (completed, assigned and not closed) at some moment


def sums(s: Session, scope: TallyScope) -> Sums:
    """The scope's tallies summed (one statement)."""
    # Per person unless narrowed by training: fewer rows (20,000 people, 50,000 trainings).
    per_training = scope.type is not None or scope.domain is not None
    t: Any = ResourceTally if per_training else MemberTally
    summed = s.execute(
        select(func.sum(t.live), func.sum(t.completed), func.sum(t.in_progress),
               func.sum(t.overdue), func.sum(t.completed_any)).where(*tallies_of(t, scope))
    ).one()  # fmt: skip
    return Sums(*(int(n or 0) for n in summed))


def counts(s: Session, scope: TallyScope, *, today: date, week_ago: datetime) -> Counts:
    """The report's counts."""
    now = sums(s, scope)
    a = ResourceAssignment
    lo, hi, sign = fell_due_between(s, today)
    due_since = is_open() & (a.due_on >= lo) & (a.due_on < hi)
    read = [changed_after(week_ago)] + ([due_since] if lo < hi else [])
    changed = s.execute(
        select(func.count().filter(due_since), *after_columns(week_ago)).where(
            *assignments_of(scope), or_(*read)
        )
    ).one()
    completed_then, total_then = then(now, changed[1:])
    return Counts(
        total=now.live, in_progress=now.in_progress, overdue=now.overdue + sign * changed[0],
        completed=now.completed, completed_a_week_ago=completed_then, total_a_week_ago=total_then,
    )  # fmt: skip


def after_columns(moment: datetime) -> list[ColumnElement[int]]:
    """What `then` takes back from how things stand now to say how they stood at `moment`:
    completed after it; assigned after it and live; cancelled after it, assigned before.
    (Each assignment's timestamps are written in the same transaction as its events.)"""
    a = ResourceAssignment
    return [
        func.count().filter(a.completed_at > moment),
        func.count().filter(a.cancelled_at.is_(None), a.assigned_at > moment),
        func.count().filter(a.cancelled_at > moment, a.assigned_at <= moment),
    ]


def changed_after(moment: datetime) -> ColumnElement[bool]:
    """The assignments `after_columns` counts (through 0018's three indexes)."""
    a = ResourceAssignment
    return or_(a.assigned_at > moment, a.completed_at > moment, a.cancelled_at > moment)


def then(now: Sums, after: Sequence[int]) -> Then:
    """(completed, assigned and not closed) at a moment, from now and `after_columns`."""
    return now.completed_any - after[0], now.live - after[1] + after[2]


def by_domain(s: Session, scope: TallyScope, *, limit: int = 6) -> tuple[tuple[str, int, int], ...]:
    """(domain, completed, total) for the domains with the most assignments (no people)."""
    t = ResourceTally
    total = func.sum(t.live)
    found = s.execute(
        select(Domain.name, func.sum(t.completed), total)
        .select_from(t)
        .join(ResourceDomain, ResourceDomain.resource_id == t.resource_id)
        .join(Domain, Domain.id == ResourceDomain.domain_id)
        .where(*tallies_of(t, scope))
        .group_by(Domain.name)
        .having(total > 0)
        .order_by(total.desc(), Domain.name)
        .limit(limit)
    ).all()
    return tuple((name, int(done), int(n)) for name, done, n in found)


def tallies_of(t: Any, scope: TallyScope) -> list[ColumnElement[bool]]:
    """The scope's tallies `t` (MemberTally or ResourceTally), as conditions on them alone."""
    where = [t.workspace_id == scope.workspace_id, t.manager_id == scope.manager_id]
    if t is MemberTally:
        if scope.people is not None:
            where.append(t.member_id.in_(people_of(scope)))
        return where
    if scope.type is not None:
        of_type = select(TrainingResource.id).where(TrainingResource.type == scope.type)
        where.append(t.resource_id.in_(of_type))
    if scope.domain is not None:
        where.append(t.resource_id.in_(in_domain(scope.domain)))
    return where


def people_of(scope: TallyScope) -> Select[int]:
    m = Member
    people = scope.people or ()
    return select(m.id).where(m.workspace_id == scope.workspace_id, one_of(m.slack_user_id, people))


def assignments_of(scope: TallyScope) -> list[ColumnElement[bool]]:
    """The scope's assignments, cancelled ones too, as conditions on resource_assignments
    alone: no join, which misleads SQLite's planner into reading every assignment."""
    a = ResourceAssignment
    where = [a.workspace_id == scope.workspace_id]
    if scope.manager_id != EVERYONE:
        where.append(a.assigned_by_id == scope.manager_id)
    if scope.people is not None:
        where.append(a.member_id.in_(select(Member.id).where(
            Member.workspace_id == scope.workspace_id, one_of(Member.slack_user_id, scope.people)
        )))  # fmt: skip
    if scope.type is not None:
        where.append(
            a.resource_id.in_(
                select(TrainingResource.id).where(TrainingResource.type == scope.type)
            )
        )
    if scope.domain is not None:
        where.append(a.resource_id.in_(in_domain(scope.domain)))
    return where


def is_open() -> ColumnElement[bool]:
    a = ResourceAssignment
    return and_(a.completed_at.is_(None), a.cancelled_at.is_(None))


def fell_due_between(s: Session, today: date) -> tuple[date, date, int]:
    """The due dates between the tallies' day and `today` (from, to excluded), and +1 when
    what is due then is overdue today but not in the tallies, -1 the other way round."""
    as_of = s.scalar(select(TallyDate.as_of).where(TallyDate.id == 1))
    if as_of is None:
        raise RuntimeError("tally_date has no row: migration 0018 writes it")
    return (as_of, today, 1) if as_of <= today else (today, as_of, -1)

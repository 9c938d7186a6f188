"""Aggregates over assignments, computed in SQL: time to complete, rates by domain, trends.

Each function takes the conditions of a report (over assignments joined with their
person and resource) and runs one or two statements, whatever the number of rows.
Figures as of a past moment (trends, "a week ago") come from the assignment event
history, so an assignment cancelled since still counts for the weeks it was open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from models import (
    AssignmentEvent,
    Domain,
    Member,
    ResourceAssignment,
    ResourceDomain,
    TrainingResource,
)
from models.enums import EventKind
from models.one_of import one_of

Ts = TypeVarTuple("Ts")
WEEKS = 8
EXTREMES = 3  # most and least completed trainings shown
GROUPS_SHOWN = 10  # user groups in a breakdown (one statement: two counts per group)

Tally = tuple[str, int, int]  # (what, completed, total)
Then = tuple[int, int]  # (completed, assigned and not closed) at some moment
# Events that end an assignment without completing it (a reassignment opens a new one).
CLOSING = (EventKind.CANCELLED.value, EventKind.REASSIGNED.value)


@dataclass(frozen=True)
class Breakdown:
    """A report's assignments by type and user group; its most and least completed trainings."""

    types: tuple[Tally, ...]
    groups: tuple[Tally, ...]
    most: tuple[Tally, ...]
    least: tuple[Tally, ...]


def joined(query: Select[*Ts]) -> Select[*Ts]:
    """Assignments with their person and resource, whatever the columns asked for."""
    a = ResourceAssignment
    return (
        query.select_from(a)
        .join(Member, Member.id == a.member_id)
        .join(TrainingResource, TrainingResource.id == a.resource_id)
    )


def _days_to_complete(s: Session) -> ColumnElement[Any]:
    a = ResourceAssignment
    if s.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", a.completed_at - a.assigned_at) / 86400.0
    return func.julianday(a.completed_at) - func.julianday(a.assigned_at)


def median_days(s: Session, where: Sequence[ColumnElement[bool]]) -> float | None:
    """Median days from assigned to completed, found in SQL: PostgreSQL's percentile_cont
    in one statement; elsewhere a count, then the middle one or two rows."""
    a = ResourceAssignment
    done = [*where, a.completed_at.is_not(None)]
    days = _days_to_complete(s)
    if s.get_bind().dialect.name == "postgresql":
        median = s.scalar(joined(select(func.percentile_cont(0.5).within_group(days))).where(*done))
        return None if median is None else round(float(median), 1)
    n = s.scalar(joined(select(func.count())).where(*done)) or 0
    if not n:
        return None
    middle = s.scalars(
        joined(select(days)).where(*done).order_by(days).offset((n - 1) // 2).limit(2 - n % 2)
    ).all()
    return round(sum(float(d) for d in middle) / len(middle), 1)


def by_domain(
    s: Session, where: Sequence[ColumnElement[bool]], *, limit: int = 6
) -> tuple[tuple[str, int, int], ...]:
    """(domain, completed, total) for the domains with the most assignments."""
    a = ResourceAssignment
    rows = s.execute(
        joined(select(Domain.name, func.count(a.completed_at), func.count()))
        .join(ResourceDomain, ResourceDomain.resource_id == a.resource_id)
        .join(Domain, Domain.id == ResourceDomain.domain_id)
        .where(*where)
        .group_by(Domain.name)
        .order_by(func.count().desc(), Domain.name)
        .limit(limit)
    ).all()
    return tuple((name, done, total) for name, done, total in rows)


def history(
    s: Session, where: Sequence[ColumnElement[bool]], ends: Sequence[datetime]
) -> list[Then]:
    """(completed, assigned and not closed) as of each moment in `ends`, in one statement
    over the event history of the assignments `where` selects (closed ones included).

    An assignment counts from its "assigned" event until a cancel or reassign closes it,
    and as completed from its "completed" event: completion is final (only open
    assignments can be closed), so each kind happens at most once per assignment.
    """
    row = s.execute(_history(select(*_then_columns(ends)), where)).one()
    return _pairs(row)


def _history(query: Select[*Ts], where: Sequence[ColumnElement[bool]]) -> Select[*Ts]:
    e = AssignmentEvent
    kinds = (EventKind.ASSIGNED.value, EventKind.COMPLETED.value, *CLOSING)
    return (
        joined(query)
        .join(e, e.assignment_id == ResourceAssignment.id)
        .where(*where, e.kind.in_(kinds))
    )


def _then_columns(ends: Sequence[datetime]) -> list[ColumnElement[int]]:
    e = AssignmentEvent
    columns: list[ColumnElement[int]] = []
    for end in ends:
        by_then = e.occurred_at <= end
        columns += [
            func.count().filter(by_then & (e.kind == EventKind.COMPLETED.value)),
            func.count().filter(by_then & (e.kind == EventKind.ASSIGNED.value)),
            func.count().filter(by_then & e.kind.in_(CLOSING)),
        ]
    return columns


def _pairs(counts: Sequence[int]) -> list[Then]:
    return [(counts[i], counts[i + 1] - counts[i + 2]) for i in range(0, len(counts), 3)]


def rate(then: Then) -> int | None:
    done, total = then
    return round(100 * done / total) if total else None


def weekly_rates(
    s: Session, where: Sequence[ColumnElement[bool]], *, now: datetime, domains: Sequence[str]
) -> tuple[list[datetime], dict[str, list[int | None]]]:
    """Completion rate at the end of each of the last weeks: overall and per domain."""
    ends = [now - timedelta(days=7 * k) for k in range(WEEKS)][::-1]
    series = {"All": [rate(then) for then in history(s, where, ends)]}
    if domains:
        rows = s.execute(
            _history(select(Domain.name, *_then_columns(ends)), where)
            .join(ResourceDomain, ResourceDomain.resource_id == ResourceAssignment.resource_id)
            .join(Domain, Domain.id == ResourceDomain.domain_id)
            .where(Domain.name.in_(domains))
            .group_by(Domain.name)
        ).all()
        series |= {row[0]: [rate(then) for then in _pairs(row[1:])] for row in rows}
    return ends, series


def by_type(s: Session, where: Sequence[ColumnElement[bool]]) -> tuple[Tally, ...]:
    """(type, completed, total) for each type of training assigned, most assigned first."""
    a = ResourceAssignment
    rows = s.execute(
        joined(select(TrainingResource.type, func.count(a.completed_at), func.count()))
        .where(*where)
        .group_by(TrainingResource.type)
        .order_by(func.count().desc(), TrainingResource.type)
    ).all()
    return tuple((kind, done, total) for kind, done, total in rows)


def by_people(
    s: Session, where: Sequence[ColumnElement[bool]], groups: Mapping[str, Sequence[str]]
) -> tuple[Tally, ...]:
    """(group, completed, total) for named groups of people (Slack user groups), in one
    statement; groups with nothing assigned are left out."""
    a = ResourceAssignment
    chosen = [(label, list(people)) for label, people in groups.items() if people]
    chosen = chosen[:GROUPS_SHOWN]
    if not chosen:
        return ()
    columns: list[ColumnElement[int]] = []
    for _, people in chosen:
        member = one_of(Member.slack_user_id, people)
        columns += [func.count().filter(member & a.completed_at.is_not(None)),
                    func.count().filter(member)]  # fmt: skip
    counts = s.execute(joined(select(*columns)).where(*where)).one()
    found = [(label, counts[2 * i], counts[2 * i + 1]) for i, (label, _) in enumerate(chosen)]
    return tuple(sorted((t for t in found if t[2]), key=lambda t: (-t[2], t[0])))


def extremes(s: Session, where: Sequence[ColumnElement[bool]], *, best: bool) -> tuple[Tally, ...]:
    """The trainings with the highest (or lowest) completion rate, busiest first on ties."""
    a = ResourceAssignment
    rate = func.count(a.completed_at) * 1.0 / func.count()
    rows = s.execute(
        joined(select(TrainingResource.title, func.count(a.completed_at), func.count()))
        .where(*where)
        .group_by(TrainingResource.id, TrainingResource.title)
        .order_by(rate.desc() if best else rate, func.count().desc(), TrainingResource.title)
        .limit(EXTREMES)
    ).all()
    return tuple((title, done, total) for title, done, total in rows)

"""Aggregates over assignments, computed in SQL: time to complete, rates by domain, trends.

Each function takes the conditions of a report (over assignments joined with their
person and resource) and runs one or two statements, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from models import Domain, Member, ResourceAssignment, ResourceDomain, TrainingResource

Ts = TypeVarTuple("Ts")
WEEKS = 8


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
    """Median days from assigned to completed (the middle one or two, found in SQL)."""
    a = ResourceAssignment
    done = [*where, a.completed_at.is_not(None)]
    n = s.scalar(joined(select(func.count())).where(*done)) or 0
    if not n:
        return None
    days = _days_to_complete(s)
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


def weekly_rates(
    s: Session, where: Sequence[ColumnElement[bool]], *, now: datetime, domains: Sequence[str]
) -> tuple[list[datetime], dict[str, list[int | None]]]:
    """Completion rate at the end of each of the last weeks: overall and per domain."""
    a = ResourceAssignment
    ends = [now - timedelta(days=7 * k) for k in range(WEEKS)][::-1]
    counts = [func.count().filter(a.completed_at <= end) for end in ends] + [
        func.count().filter(a.assigned_at <= end) for end in ends
    ]
    overall = s.execute(joined(select(*counts)).where(*where)).one()
    series = {"All": _rates(overall)}
    if domains:
        rows = s.execute(
            joined(select(Domain.name, *counts))
            .join(ResourceDomain, ResourceDomain.resource_id == a.resource_id)
            .join(Domain, Domain.id == ResourceDomain.domain_id)
            .where(*where, Domain.name.in_(domains))
            .group_by(Domain.name)
        ).all()
        series |= {row[0]: _rates(row[1:]) for row in rows}
    return ends, series


def _rates(counts: Sequence[int]) -> list[int | None]:
    done, assigned = counts[:WEEKS], counts[WEEKS:]
    return [round(100 * d / n) if n else None for d, n in zip(done, assigned, strict=True)]

"""A report's rows from the tallies: one page, most overdue first, then least complete,
then by name, and how many rows in all (one statement).

A scope of a whole workspace or manager (not narrowed) reads them through the rank
indexes (migration 0019), in the report's order: the first page*size rows and their ties
instead of ranking every tally of the scope (45,000 for a manager of 5,000 people).
That order is the tallies' own, with `overdue` as of the tallies' day. When the caller's
day is another, a row's overdue is corrected by what fell due in between, which only
changes the rows that have such assignments (F); the candidates are then F and the first
page*size + |F| rows in the tallies' order with their ties (T), ranked again corrected.
That is exact: a row in neither is not in F, so keeps its figures, and ranks below every
row of T; at least page*size of those are not in F either and keep theirs, so it ranks
below page*size rows and is on no page up to this one.

A scope narrowed to people, a domain or a type ranks all its tallies (a few thousand at
most; an index in the report's order would be read far past the page for them).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    and_,
    func,
    select,
    true,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import HasCTE

from bot.services.tallies import (
    Row,
    TallyScope,
    assignments_of,
    fell_due_between,
    is_open,
    tallies_of,
)
from models import Member, MemberTally, ResourceAssignment, ResourceTally, TrainingResource
from models.tally import completion_rate


def rows(
    s: Session, scope: TallyScope, *, by_person: bool, today: date, page: int, size: int
) -> tuple[tuple[Row, ...], int]:
    """One page of rows and how many in all. Only the rows ranked as high as the page's
    last row, ties included, are named (by a correlated lookup, the final tie-break):
    joining every name first cost 130 ms at 50,000 trainings."""
    t: Any = MemberTally if by_person else ResourceTally
    shown = and_(*tallies_of(t, scope), t.live > 0)
    fell_due = _fell_due(s, scope, by_person, today)
    whole = scope.people is None and scope.domain is None and scope.type is None
    ranked = (
        _candidates(t, shown, fell_due, page * size) if whole else _all(t, shown, fell_due)
    ).cte("ranked")
    # The page's last row (none: fewer rows than that); a row is ranked as high as it,
    # ties included, when its (-overdue, rate) is <= the last one's.
    last = (
        select(-ranked.c.overdue, ranked.c.rate)
        .order_by(ranked.c.overdue.desc(), ranked.c.rate)
        .offset(page * size - 1)
        .limit(1)
        .scalar_subquery()
    )
    ranked_high = func.coalesce(tuple_(-ranked.c.overdue, ranked.c.rate) <= last, true())
    # A training's id is its key, a person's is their name.
    named, name = (
        (Member, Member.slack_user_id) if by_person else (TrainingResource, TrainingResource.title)
    )
    label = select(name).where(named.id == ranked.c.key).scalar_subquery()
    ref = label if by_person else ranked.c.key
    # Not narrowed: counted from the rank index alone (the candidates are not all rows).
    counted = select(func.count())
    counted = counted.where(shown) if whole else counted.select_from(ranked)
    found = s.execute(
        select(ref, label, ranked.c.live, ranked.c.completed, ranked.c.overdue,
               counted.scalar_subquery())
        .where(ranked_high)
        .order_by(ranked.c.overdue.desc(), ranked.c.rate, label, ref)
        .offset((page - 1) * size)
        .limit(size)
    ).all()  # fmt: skip
    if found or page == 1:
        return tuple((str(r[0]), str(r[1]), r[2], r[3], r[4]) for r in found), (
            int(found[0][5]) if found else 0
        )
    return (), s.scalar(select(func.count()).where(shown)) or 0


def _fell_due(s: Session, scope: TallyScope, by_person: bool, today: date) -> CTE | None:
    """Per row (`key`), `n`: what its tally's overdue is short of today's (negative: over
    it), from the open assignments that fell due between the tallies' day and `today`;
    None when that day is today."""
    lo, hi, sign = fell_due_between(s, today)
    if lo == hi:
        return None
    a = ResourceAssignment
    key = a.member_id if by_person else a.resource_id
    return (
        select(key.label("key"), (func.count() * sign).label("n"))
        .where(*assignments_of(scope), is_open(), a.due_on >= lo, a.due_on < hi)
        .group_by(key)
        .cte("fell_due")
    )


def _key(t: Any) -> ColumnElement[int]:
    return cast(ColumnElement[int], (t.member_id if t is MemberTally else t.resource_id).expression)


def _columns(t: Any) -> list[ColumnElement[Any]]:
    return [_key(t).label("key"), t.live, t.completed, t.overdue,
            completion_rate(t).label("rate")]  # fmt: skip


def _all(t: Any, shown: ColumnElement[bool], fell_due: CTE | None) -> Select[Any]:
    """Every row of the scope, its overdue corrected."""
    tallied = select(*_columns(t)).where(shown)
    return tallied if fell_due is None else _corrected(tallied.subquery(), fell_due)


def _candidates(t: Any, shown: ColumnElement[bool], fell_due: CTE | None, up_to: int) -> HasCTE:
    """The rows of F and T (the module's docstring), their overdue corrected; the edge
    (T's last row) read in the rank index's order, T as two ranges of it: ahead of the
    edge's overdue, and the edge's overdue up to its rate (a range each on either
    database, where one condition with an OR is a filter over the scope on SQLite)."""
    rate = completion_rate(t)
    offset: int | ColumnElement[int] = up_to - 1
    if fell_due is not None:
        offset = up_to - 1 + select(func.count()).select_from(fell_due).scalar_subquery()
    edge = (
        select(t.overdue.label("overdue"), rate.label("rate"))
        .where(shown)
        .order_by(t.overdue.desc(), rate)
        .offset(offset)
        .limit(1)
        .cte("edge")  # read once, not once per use below
    )
    # No edge (fewer rows than that): every row, overdue being >= 0.
    overdue = func.coalesce(select(edge.c.overdue).scalar_subquery(), -1)
    edge_rate = select(edge.c.rate).scalar_subquery()
    ahead = select(*_columns(t)).where(shown, t.overdue > overdue)
    level = select(*_columns(t)).where(shown, t.overdue == overdue, rate <= edge_rate)
    if fell_due is None:
        return union_all(ahead, level)
    f_rows = select(*_columns(t)).join(fell_due, fell_due.c.key == _key(t)).where(shown)
    return _corrected(union(ahead, level, f_rows).subquery(), fell_due)


def _corrected(rows: Any, fell_due: CTE) -> Select[Any]:
    """`rows` (key, live, completed, overdue, rate) with what fell due added to overdue."""
    return select(
        rows.c.key, rows.c.live, rows.c.completed,
        (rows.c.overdue + func.coalesce(fell_due.c.n, 0)).label("overdue"), rows.c.rate,
    ).outerjoin(fell_due, fell_due.c.key == rows.c.key)  # fmt: skip

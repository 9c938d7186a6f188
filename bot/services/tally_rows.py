"""A report's rows from the tallies: one page, most overdue first, then least complete,
then by name, and how many rows in all (one statement).

A scope of a whole workspace or manager (not narrowed) reads them through the rank
indexes (migration 0019), in the report's order: the first page*size rows and their ties
instead of ranking every tally of the scope (45,000 for a manager of 5,000 people).
That order is the tallies' own, with `overdue` as of the tallies' day. When the caller's
day is another, a row's overdue is corrected by what fell due in between, which only
changes the rows that have such assignments (F); the candidates are then F and the first
page*size rows in the tallies' order with their ties (T; page*size + |F| of them when
the correction lowers overdue), ranked again corrected. That is exact: a row in neither
is not in F, so keeps its figures, and ranks below every row of T; at least page*size of
those are not in F or gain from it, and rank as high as before, so it ranks below
page*size rows and is on no page up to this one. When F is a large part of the scope
(a day of due dates touches most people of a workspace), ranking every row is cheaper,
and the statement does that instead (PostgreSQL runs only the branch it needs).

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
from sqlalchemy.sql.selectable import CompoundSelect

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
    fell_due, sign = _fell_due(s, scope, by_person, today)
    whole = scope.people is None and scope.domain is None and scope.type is None
    # Not narrowed: counted from the rank index alone (the candidates are not all rows).
    in_all = select(func.count().label("n")).where(shown).cte("in_all")
    n_rows = select(in_all.c.n).scalar_subquery()
    ranked = (
        _whole(t, shown, fell_due, sign, page * size, n_rows, s.get_bind().dialect.name)
        if whole
        else _all(t, shown, fell_due)
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
    counted = n_rows if whole else select(func.count()).select_from(ranked).scalar_subquery()
    found = s.execute(
        select(ref, label, ranked.c.live, ranked.c.completed, ranked.c.overdue, counted)
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


def _fell_due(
    s: Session, scope: TallyScope, by_person: bool, today: date
) -> tuple[CTE | None, int]:
    """Per row (`key`), `n`: what its tally's overdue is short of today's (negative: over
    it), from the open assignments that fell due between the tallies' day and `today`;
    None when that day is today. And the sign of every `n`."""
    lo, hi, sign = fell_due_between(s, today)
    if lo == hi:
        return None, sign
    a = ResourceAssignment
    key = a.member_id if by_person else a.resource_id
    return (
        select(key.label("key"), (func.count() * sign).label("n"))
        .where(*assignments_of(scope), is_open(), a.due_on >= lo, a.due_on < hi)
        .group_by(key)
        .cte("fell_due")
    ), sign


def _key(t: Any) -> ColumnElement[int]:
    return cast(ColumnElement[int], (t.member_id if t is MemberTally else t.resource_id).expression)


def _columns(t: Any) -> list[ColumnElement[Any]]:
    return [_key(t).label("key"), t.live, t.completed, t.overdue,
            completion_rate(t).label("rate")]  # fmt: skip


def _all(t: Any, shown: ColumnElement[bool], fell_due: CTE | None) -> Select[Any]:
    """Every row of the scope, its overdue corrected."""
    tallied = select(*_columns(t)).where(shown)
    return tallied if fell_due is None else _corrected(tallied.subquery(), fell_due)


# F's share of the scope's rows below which reading the candidates beats ranking every
# row (at 100,000 assignments: 6% was 2x faster, 23% and 58% 1.3x to 2x slower).
CANDIDATES_BELOW = 0.125


def _whole(
    t: Any, shown: ColumnElement[bool], fell_due: CTE | None, sign: int, up_to: int,
    n_rows: ColumnElement[int], dialect: str,
) -> Select[Any] | CompoundSelect[Any]:  # fmt: skip
    """A whole scope's rows to rank for the first `up_to`: the candidates, or when F is
    a large part of the scope every row (a branch each, one of them read)."""
    if fell_due is None:
        return _candidates(t, shown, None, 0, up_to, dialect)
    in_f = select(func.count()).select_from(fell_due).scalar_subquery()
    few = in_f < n_rows * CANDIDATES_BELOW
    candidates = _candidates(t, shown, fell_due, sign, up_to, dialect).subquery()
    every = _all(t, shown, fell_due).subquery()
    return union_all(select(candidates).where(few), select(every).where(~few))


def _candidates(
    t: Any, shown: ColumnElement[bool], fell_due: CTE | None, sign: int, up_to: int,
    dialect: str,
) -> Select[Any] | CompoundSelect[Any]:  # fmt: skip
    """The rows of F and T (the module's docstring), their overdue corrected; the edge
    (T's last row) read in the rank index's order, T as two ranges of it: ahead of the
    edge's overdue, and the edge's overdue up to its rate (a range each on either
    database, where one condition with an OR is a filter over the scope on SQLite)."""
    rate = completion_rate(t)
    offset: int | ColumnElement[int] = up_to - 1
    if fell_due is not None and sign < 0:  # F's rows may fall behind: as many more
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
    # F's tallies by their key, one lookup each. PostgreSQL would join every tally of the
    # scope to a few hundred keys: a LATERAL subquery with OFFSET 0 (kept apart from the
    # join) looks them up; SQLite (no LATERAL) looks them up for the join as it is.
    f_rows = select(*_columns(t)).join(fell_due, fell_due.c.key == _key(t)).where(shown)
    if dialect == "postgresql":
        by_key = select(*_columns(t)).where(shown, _key(t) == fell_due.c.key).offset(0)
        lookup = by_key.lateral()
        f_rows = select(*lookup.c).select_from(fell_due).join(lookup, true())
    return _corrected(union(ahead, level, f_rows).subquery(), fell_due)


def _corrected(rows: Any, fell_due: CTE) -> Select[Any]:
    """`rows` (key, live, completed, overdue, rate) with what fell due added to overdue."""
    return select(
        rows.c.key, rows.c.live, rows.c.completed,
        (rows.c.overdue + func.coalesce(fell_due.c.n, 0)).label("overdue"), rows.c.rate,
    ).outerjoin(fell_due, fell_due.c.key == rows.c.key)  # fmt: skip

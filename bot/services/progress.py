"""Progress reports: a person, a group of people, or one resource, in a few statements.

Who may see what: everyone their own report; managers the assignments they made; admins
every assignment in the workspace (the same rule as Manage).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TextIO

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.services import tallies, tally_rows
from bot.services.analytics import (
    Breakdown,
    by_domain,
    by_people,
    by_type,
    extremes,
    joined,
    median_days,
    weekly_rates,
)
from bot.services.catalog import require_manager
from bot.services.library import in_domain
from bot.services.managing import managed_by
from bot.services.members import Caller
from bot.services.progress_export import attempt_lines, csv_lines
from bot.services.progress_paths import PathScope, ReportExtras, extras, steps_of_path
from bot.services.tallies import TallyScope
from models import Member, ResourceAssignment, TrainingResource
from models.enums import ResourceType
from models.one_of import one_of

ROWS_SHOWN = 20
OVERDUE_SHOWN = 10


@dataclass(frozen=True)
class Scope:
    """What a report is about. `people` None: not limited to people (a resource, a workspace)."""

    title: str
    people: tuple[str, ...] | None = None  # Slack user ids
    resource_id: int | None = None
    own: bool = False  # the caller's own report: every assignment of theirs, whoever assigned it
    person: str | None = None  # when about one person: their Slack id (shown as a mention)
    domain: str | None = None  # only trainings in this domain (slug)
    type: str | None = None  # only trainings of this type
    kind: str | None = None  # the type of the one training it is about (a path: its steps)

    @property
    def paths(self) -> PathScope:
        return PathScope(self.own, self.people, self.resource_id, self.kind, self.domain,
                         self.type)  # fmt: skip


@dataclass(frozen=True)
class ReportRow:
    ref: str  # the person's Slack id, or the resource's id
    label: str  # a Slack user id (rows per person) or a resource title (rows per resource)
    total: int
    completed: int
    overdue: int

    @property
    def rate(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


@dataclass(frozen=True)
class Report:
    scope: Scope
    by_person: bool  # rows are people (else resources)
    total: int
    in_progress: int
    overdue: int
    completed: int
    completed_a_week_ago: int
    total_a_week_ago: int
    rows: tuple[ReportRow, ...]  # most overdue first, then least complete
    rows_total: int
    late: tuple[tuple[str, str, int], ...]  # (user id, title, days late), most late first
    median_days: float | None  # from assigned to completed
    domains: tuple[tuple[str, int, int], ...]  # (domain, completed, total), biggest first
    page: int = 1  # of the rows, `page_size` at a time
    page_size: int = ROWS_SHOWN
    extras: ReportExtras = field(default_factory=ReportExtras)  # paths and courses

    @property
    def pages(self) -> int:
        return max(1, -(-self.rows_total // self.page_size))

    @property
    def rate(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def change(self) -> int | None:
        """Percentage points since a week ago (None when nothing was assigned then)."""
        if not self.total_a_week_ago:
            return None
        return self.rate - round(100 * self.completed_a_week_ago / self.total_a_week_ago)


class ProgressService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def report(
        self, *, caller: Caller, scope: Scope, today: date, by_person: bool | None = None,
        page: int = 1, page_size: int = ROWS_SHOWN, late_shown: int = OVERDUE_SHOWN,
        detail: bool = True,
    ) -> Report:  # fmt: skip
        """The report; rows per person or per training (default: per training for one
        person). `detail` False leaves out the most overdue, the median and the domains
        (Team progress shows none of them)."""
        if not scope.own:
            require_manager(caller, "see other people's progress")
        now = self._clock.now()
        a = ResourceAssignment
        where = _where(caller, scope)
        late = (a.completed_at.is_(None)) & (a.due_on < today)
        if by_person is None:  # one person's report lists trainings; anything wider, people
            by_person = not (scope.own or (scope.people is not None and len(scope.people) == 1))
        # A week ago, from the assignments' own timestamps: each is written in the same
        # transaction as its event, so for one moment they say what the event history says
        # (analytics.history), without reading the events: one statement, closed ones too.
        live, week_ago = a.cancelled_at.is_(None), now - timedelta(days=7)
        open_then = (a.assigned_at <= week_ago) & (live | (a.cancelled_at > week_ago))
        tally = _tally_scope(caller, scope)
        with self._sessions.begin() as s:
            if tally is not None and tally.counts_tallied():
                c = tallies.counts(s, tally, today=today, week_ago=week_ago)
                counts: tuple[int, ...] = (c.total, c.in_progress, c.overdue, c.completed,
                          c.completed_a_week_ago, c.total_a_week_ago)  # fmt: skip
            else:
                counts = tuple(s.execute(
                    joined(select(
                        func.count().filter(live),
                        func.count().filter(live, a.status == "in_progress"),
                        func.count().filter(live, late),
                        func.count().filter(live, a.completed_at.is_not(None)),
                        func.count().filter(a.completed_at <= week_ago),  # completion is final
                        func.count().filter(open_then),
                    )).where(*_where(caller, scope, closed=True))
                ).one())  # fmt: skip
            page = max(1, page)
            rows, rows_total = _rows(s, caller, scope, by_person, today, page=page, size=page_size)
            if not rows and page > 1:  # fewer rows than when that page was offered: the last
                page = max(1, -(-rows_total // page_size))
                rows, rows_total = _rows(s, caller, scope, by_person, today, page=page,
                                         size=page_size)  # fmt: skip
            overdue_items: Sequence[tuple[str, str, date | None]] = []
            median: float | None = None
            domains: tuple[tuple[str, int, int], ...] = ()
            if detail:
                overdue_items = s.execute(
                    joined(select(Member.slack_user_id, TrainingResource.title, a.due_on))
                    .where(*where, late).order_by(a.due_on, Member.slack_user_id)
                    .limit(late_shown)
                ).all()  # fmt: skip
                median = median_days(s, where)
                domains = _by_domain(s, tally, where)
            people = [r.ref for r in rows] if by_person else [scope.person or caller.user_id]
            more = extras(s, caller, scope.paths, today, people, where)
        return Report(
            scope, by_person, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5],
            rows, rows_total,
            tuple((u, t, (today - d).days) for u, t, d in overdue_items if d is not None),
            median, domains, page, page_size, more,
        )  # fmt: skip

    def rows(
        self, *, caller: Caller, scope: Scope, today: date, by_person: bool
    ) -> tuple[tuple[ReportRow, ...], int]:
        """Only the rows of a report (the first ones) and how many there are in all."""
        if not scope.own:
            require_manager(caller, "see other people's progress")
        with self._sessions.begin() as s:
            return _rows(s, caller, scope, by_person, today, page=1, size=ROWS_SHOWN)

    def breakdown(
        self, *, caller: Caller, scope: Scope, groups: Mapping[str, Sequence[str]]
    ) -> Breakdown:
        """The report's assignments by type, by user group (`groups`: label -> people),
        and the most and least completed trainings."""
        if not scope.own:
            require_manager(caller, "see other people's progress")
        where = _where(caller, scope)
        with self._sessions.begin() as s:
            return Breakdown(
                types=by_type(s, where), groups=by_people(s, where, groups),
                most=extremes(s, where, best=True), least=extremes(s, where, best=False),
            )  # fmt: skip

    def trend(
        self, *, caller: Caller, scope: Scope
    ) -> tuple[list[datetime], dict[str, list[int | None]]]:
        """Weekly completion rates, overall and for the scope's biggest domains (a chart)."""
        if not scope.own:
            require_manager(caller, "see other people's progress")
        with self._sessions.begin() as s:
            biggest = _by_domain(s, _tally_scope(caller, scope), _where(caller, scope), limit=4)
            names = [name for name, _, _ in biggest]
            return weekly_rates(
                s, _where(caller, scope, closed=True), now=self._clock.now(), domains=names
            )

    def export(
        self, *, caller: Caller | None, workspace_id: int, scope: Scope, into: TextIO,
        what: str = "assignments",
    ) -> int:  # fmt: skip
        """Every assignment in scope as CSV, or (`what` "attempts") every quiz attempt
        under them, written into `into` a row at a time as the database hands them over
        (memory stays flat at a million rows); how many rows, the header left out.
        `caller` None: an operator, who sees all."""
        if caller is not None and not scope.own:
            require_manager(caller, "see other people's progress")
        a = ResourceAssignment
        where = (
            _where(caller, scope) if caller is not None
            else [a.workspace_id == workspace_id, a.cancelled_at.is_(None), *_scope_filter(scope)]
        )  # fmt: skip
        lines = attempt_lines if what == "attempts" else csv_lines
        lines_written = 0
        with self._sessions.begin() as s:
            for chunk in lines(s, where):
                into.write(chunk)
                lines_written += chunk.count("\n")
        return lines_written - 1


def _row_columns(by_person: bool) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """What a row is keyed and labelled by: a person (their id) or a training (id, title)."""
    if by_person:
        return Member.slack_user_id.expression, Member.slack_user_id.expression
    return TrainingResource.id.expression, TrainingResource.title.expression


def _rows(
    s: Session, caller: Caller, scope: Scope, by_person: bool, today: date, *, page: int,
    size: int,
) -> tuple[tuple[ReportRow, ...], int]:  # fmt: skip
    """One page of rows, most overdue first, then least complete, then by name; and how
    many rows there are in all: from the tallies when the scope allows, else counted
    (a window count over the groups: no second statement, unless the page is past the end)."""
    tally = _tally_scope(caller, scope)
    where = _where(caller, scope)
    if tally is not None and tally.rows_tallied(by_person):
        found, total = tally_rows.rows(s, tally, by_person=by_person, today=today, page=page,
                                    size=size)  # fmt: skip
        return tuple(ReportRow(*r) for r in found), total
    a = ResourceAssignment
    ref, label = _row_columns(by_person)
    overdue = func.count().filter(a.completed_at.is_(None) & (a.due_on < today))
    done = func.count().filter(a.completed_at.is_not(None))
    counted = s.execute(
        joined(select(ref, label, func.count(), done, overdue, func.count().over()))
        .where(*where)
        .group_by(ref, label)
        .order_by(overdue.desc(), (done * 1.0 / func.count()), label, ref)
        .offset((page - 1) * size).limit(size)
    ).all()  # fmt: skip
    rows = tuple(ReportRow(str(r[0]), str(r[1]), r[2], r[3], r[4]) for r in counted)
    if counted:
        return rows, int(counted[0][5])
    if page == 1:
        return rows, 0
    return rows, s.scalar(joined(select(func.count(func.distinct(ref)))).where(*where)) or 0


def _tally_scope(caller: Caller, scope: Scope) -> TallyScope | None:
    """The tallies' view of a report about a workspace's or a manager's assignments (None:
    about one person or one training, counted from their few assignments)."""
    if scope.own or scope.resource_id is not None:
        return None
    return TallyScope.of(caller, scope.people, scope.domain, scope.type)


def _by_domain(
    s: Session, tally: TallyScope | None, where: Sequence[ColumnElement[bool]], *, limit: int = 6
) -> tuple[tuple[str, int, int], ...]:
    if tally is not None and tally.people is None:
        return tallies.by_domain(s, tally, limit=limit)
    return by_domain(s, where, limit=limit)


def _where(caller: Caller, scope: Scope, *, closed: bool = False) -> list[ColumnElement[bool]]:
    """The caller's assignments in scope; `closed`: cancelled and reassigned ones too (for
    the history, where they count for the weeks they were open)."""
    a = ResourceAssignment
    where: list[ColumnElement[bool]] = [] if closed else [a.cancelled_at.is_(None)]
    if scope.own:
        where += [a.workspace_id == caller.workspace_id, a.member_id == caller.member_id]
    else:
        where += list(managed_by(caller))
    return where + _scope_filter(scope)


def _scope_filter(scope: Scope) -> list[ColumnElement[bool]]:
    a = ResourceAssignment
    where: list[ColumnElement[bool]] = []
    if scope.people is not None:
        where.append(one_of(Member.slack_user_id, scope.people))
    if scope.resource_id is not None and scope.kind == ResourceType.PATH:
        where.append(steps_of_path(scope.resource_id))
    elif scope.resource_id is not None:
        where.append(a.resource_id == scope.resource_id)
    if scope.type is not None:
        where.append(TrainingResource.type == scope.type)
    if scope.domain is not None:
        where.append(a.resource_id.in_(in_domain(scope.domain)))
    return where

"""Learning paths and courses in reports, computed in SQL: one statement per figure set,
whatever the number of people, so /progress, Team progress, the full report, the CSV and
the weekly digest all show the same numbers from the same functions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from models import (
    CourseItemDone,
    CourseSection,
    CourseSectionItem,
    EnrollmentStep,
    Member,
    PathEnrollment,
    ResourceAssignment,
    TrainingResource,
)
from models.enums import StepState
from models.one_of import one_of

PATHS_SHOWN = 5


@dataclass(frozen=True)
class PathFigures:
    path_id: int
    title: str
    enrolled: int  # everyone on it, finished or not (cancelled enrollments aside)
    on_step: tuple[tuple[int, int], ...]  # (step number, people on it now), in step order
    finished: int
    overdue: int  # people whose current step is past its due date
    median_days: float | None  # from enrolling to finishing

    @property
    def active(self) -> int:
        return self.enrolled - self.finished


@dataclass(frozen=True)
class OnPath:
    """Where one person is on one path."""

    user_id: str
    title: str
    step: int
    steps: int
    step_title: str | None
    overdue: bool
    status: str


def _current(e: type[PathEnrollment] = PathEnrollment) -> ColumnElement[int]:
    """The step an enrollment is on: its first step neither done nor skipped."""
    st = aliased(EnrollmentStep)
    return (
        select(func.min(st.position))
        .where(st.enrollment_id == e.id,
               st.state.in_((StepState.OPEN.value, StepState.LOCKED.value)))
        .scalar_subquery()
    )  # fmt: skip


def path_figures(
    s: Session, where: Sequence[ColumnElement[bool]], today: date
) -> tuple[PathFigures, ...]:
    """Per path (the busiest first): enrolled, on each step, finished, overdue, median days."""
    e, st, a = PathEnrollment, EnrollmentStep, ResourceAssignment
    current = _current()
    late = case((and_(a.due_on < today, a.completed_at.is_(None)), 1), else_=0)
    rows = s.execute(
        select(e.path_id, TrainingResource.title, current, func.count(),
               func.count(e.completed_at), func.sum(late))
        .join(Member, Member.id == e.member_id)
        .join(TrainingResource, TrainingResource.id == e.path_id)
        .outerjoin(st, (st.enrollment_id == e.id) & (st.state == StepState.OPEN.value))
        .outerjoin(a, a.id == st.assignment_id)
        .where(*where)
        .group_by(e.path_id, TrainingResource.title, current)
    ).all()  # fmt: skip
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    steps: dict[int, dict[int, int]] = defaultdict(dict)
    titles: dict[int, str] = {}
    for path_id, title, position, n, finished, overdue in rows:
        titles[path_id] = title
        totals[path_id][0] += n
        totals[path_id][1] += finished
        totals[path_id][2] += int(overdue or 0)
        if position is not None:
            steps[path_id][int(position)] = steps[path_id].get(int(position), 0) + n - finished
    medians = _median_days(s, where)
    found = [
        PathFigures(pid, titles[pid], t[0], tuple(sorted(steps[pid].items())), t[1], t[2],
                    medians.get(pid))
        for pid, t in totals.items()
    ]  # fmt: skip
    return tuple(sorted(found, key=lambda f: (-f.enrolled, f.title, f.path_id))[:PATHS_SHOWN])


def _days(s: Session) -> ColumnElement[Any]:
    e = PathEnrollment
    if s.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", e.completed_at - e.enrolled_at) / 86400.0
    return func.julianday(e.completed_at) - func.julianday(e.enrolled_at)


def _median_days(s: Session, where: Sequence[ColumnElement[bool]]) -> dict[int, float]:
    """Median days from enrolling to finishing, per path: the middle one or two of each
    path's finished enrollments, found with window functions (both databases)."""
    e = PathEnrollment
    days = _days(s)
    ranked = (
        select(e.path_id.label("path"), days.label("days"),
               func.row_number().over(partition_by=e.path_id, order_by=days).label("n"),
               func.count().over(partition_by=e.path_id).label("total"))
        .join(Member, Member.id == e.member_id)
        .where(*where, e.completed_at.is_not(None))
        .subquery()
    )  # fmt: skip
    middle = (ranked.c.n == (ranked.c.total + 1) // 2) | (ranked.c.n == (ranked.c.total + 2) // 2)
    rows = s.execute(
        select(ranked.c.path, func.avg(ranked.c.days)).where(middle).group_by(ranked.c.path)
    ).all()
    return {path: round(float(value), 1) for path, value in rows if value is not None}


def people_on_paths(
    s: Session, where: Sequence[ColumnElement[bool]], user_ids: Sequence[str], today: date
) -> dict[str, tuple[OnPath, ...]]:
    """For these people: each open path they are on, the step, and whether it is overdue."""
    if not user_ids:
        return {}
    e, st, a = PathEnrollment, EnrollmentStep, ResourceAssignment
    counted = aliased(EnrollmentStep)
    total = select(func.count(counted.id)).where(counted.enrollment_id == e.id).scalar_subquery()
    step_resource = aliased(TrainingResource)
    path = aliased(TrainingResource)
    rows = s.execute(
        select(Member.slack_user_id, path.title, func.coalesce(st.position, _current()), total,
               step_resource.title, a.due_on, e.status)
        .join(Member, Member.id == e.member_id)
        .join(path, path.id == e.path_id)
        .outerjoin(st, (st.enrollment_id == e.id) & (st.state == StepState.OPEN.value))
        .outerjoin(step_resource, step_resource.id == st.resource_id)
        .outerjoin(a, a.id == st.assignment_id)
        .where(*where, e.completed_at.is_(None), one_of(Member.slack_user_id, user_ids))
        .order_by(Member.slack_user_id, e.id)
    ).all()  # fmt: skip
    found: dict[str, list[OnPath]] = defaultdict(list)
    for user, title, position, steps, step_title, due, status in rows:
        found[user].append(OnPath(user, title, int(position or 0), int(steps), step_title,
                                  bool(due and due < today), status))  # fmt: skip
    return {user: tuple(paths) for user, paths in found.items()}


def finished_between(
    s: Session, where: Sequence[ColumnElement[bool]], start: datetime, end: datetime
) -> int:
    """How many enrollments in scope finished their path in [start, end)."""
    e = PathEnrollment
    return (
        s.scalar(
            select(func.count())
            .select_from(e)
            .join(Member, Member.id == e.member_id)
            .where(*where, e.completed_at >= start, e.completed_at < end)
        )
        or 0
    )


def course_sections(
    s: Session, course_id: int, where: Sequence[ColumnElement[bool]]
) -> tuple[tuple[str, int, int], ...]:
    """(section title, people with all its required items done, people taking the course),
    per section in order: a course's completion by section."""
    a, i, d = ResourceAssignment, CourseSectionItem, CourseItemDone
    per = (
        select(a.id.label("assignment"), i.section_id.label("section"),
               func.count(d.resource_id).label("done"), func.count().label("required"),
               func.max(case((a.completed_at.is_not(None), 1), else_=0)).label("complete"))
        .select_from(a)
        .join(Member, Member.id == a.member_id)
        .join(TrainingResource, TrainingResource.id == a.resource_id)
        .join(i, (i.course_id == a.resource_id) & ~i.optional)
        .outerjoin(d, (d.assignment_id == a.id) & (d.resource_id == i.resource_id))
        .where(*where, a.resource_id == course_id)
        .group_by(a.id, i.section_id)
        .subquery()
    )  # fmt: skip
    finished = (per.c.done == per.c.required) | (per.c.complete == 1)
    rows = s.execute(
        select(CourseSection.title, func.count().filter(finished), func.count())
        .join(per, per.c.section == CourseSection.id)
        .group_by(CourseSection.id, CourseSection.position, CourseSection.title)
        .order_by(CourseSection.position)
    ).all()
    return tuple((title, done, n) for title, done, n in rows)

"""The rows behind what people and managers see of paths: each step of an enrollment, and
each enrollment with the step it is on (one statement each, whatever the count)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, aliased

from models import (
    CourseSection,
    EnrollmentStep,
    Member,
    PathEnrollment,
    Quiz,
    ResourceAssignment,
    TrainingResource,
)
from models.enums import StepState


@dataclass(frozen=True)
class StepView:
    position: int
    title: str
    type: str
    state: str
    assignment_id: int | None
    due_on: date | None
    earlier: bool  # done before the path reached it: counted, not asked again
    is_course: bool  # a course with sections: "Open course", not "Mark complete"
    quiz_id: int | None = None  # completed by passing this quiz: "Take quiz"


def step_views(s: Session, enrollment_ids: list[int]) -> dict[int, tuple[StepView, ...]]:
    st, a = EnrollmentStep, ResourceAssignment
    sections = select(CourseSection.id).where(CourseSection.course_id == st.resource_id).exists()
    rows = s.execute(
        select(st.enrollment_id, st.position, TrainingResource.title, TrainingResource.type,
               st.state, st.assignment_id, a.due_on,
               (st.state == StepState.DONE.value) & st.opened_at.is_(None), sections, Quiz.id)
        .join(TrainingResource, TrainingResource.id == st.resource_id)
        .outerjoin(Quiz, Quiz.resource_id == st.resource_id)
        .outerjoin(a, a.id == st.assignment_id)
        .where(st.enrollment_id.in_(enrollment_ids))
        .order_by(st.enrollment_id, st.position)
    ).all()  # fmt: skip
    found: dict[int, list[StepView]] = defaultdict(list)
    for enrollment_id, position, title, kind, state, assignment_id, due, done, course, quiz in rows:
        found[enrollment_id].append(
            StepView(position, title, kind, state, assignment_id, due, bool(done), course, quiz)
        )
    return {i: tuple(found[i]) for i in enrollment_ids}


def roster_rows(today: date) -> Select[int, str, str, int, int, str | None, bool]:
    """Each enrollment with the step it is on: the open one, else the last one done."""
    e, st, a = PathEnrollment, EnrollmentStep, ResourceAssignment
    total = select(func.count()).where(st.enrollment_id == e.id).scalar_subquery()
    here = aliased(EnrollmentStep)
    reached = (
        select(func.max(here.position))
        .where(here.enrollment_id == e.id, here.state != StepState.LOCKED.value)
        .scalar_subquery()
    )
    at = aliased(EnrollmentStep)
    overdue = case(((a.due_on < today) & (at.state == StepState.OPEN.value), True), else_=False)
    return (
        select(e.id, Member.slack_user_id, e.status, func.coalesce(reached, 0), total,
               TrainingResource.title, overdue)
        .join(Member, Member.id == e.member_id)
        .outerjoin(at, (at.enrollment_id == e.id) & (at.position == reached))
        .outerjoin(TrainingResource, TrainingResource.id == at.resource_id)
        .outerjoin(a, a.id == at.assignment_id)
        .order_by(overdue.desc(), e.completed_at.is_not(None), Member.slack_user_id)
    )  # fmt: skip

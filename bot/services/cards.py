"""An assignment as its assignee sees it (DM, Home): plain data for templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Integer, Select, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased, lazyload

from bot.services.course_structure import Outline, outline, passed_quizzes
from models import (
    CourseItemDone,
    CourseSection,
    EnrollmentStep,
    Member,
    PathEnrollment,
    Quiz,
    ResourceAssignment,
    TrainingResource,
)


@dataclass(frozen=True)
class PathLabel:
    """Where an assignment stands on the path it is a step of."""

    enrollment_id: int
    title: str
    step: int  # 1-based
    steps: int
    next_title: str | None  # the step it unlocks


@dataclass(frozen=True)
class CourseView:
    """A course assignment's outline, with the items its learner marked done."""

    outline: Outline
    done: frozenset[int]
    passed: frozenset[int] = frozenset()  # the sections' quizzes passed

    @property
    def required_done(self) -> int:
        return len(self.outline.required & self.done) + len(self.outline.quizzes & self.passed)

    @property
    def required(self) -> int:
        """What counts: required items and section quizzes."""
        return len(self.outline.required) + len(self.outline.quizzes)


@dataclass(frozen=True)
class AssignmentCard:
    """An assignment as the assignee's DM and Home show it."""

    id: int
    resource_id: int
    title: str
    url: str | None
    type: str
    duration_minutes: int | None
    assignee: str
    assigned_by: str | None
    due_on: date | None
    priority: str
    note: str
    status: str
    progress: int
    completed_at: datetime | None
    cancelled: bool
    closed_reason: str | None  # why it was cancelled: cancelled, reassigned, unreachable
    dm_channel: str | None
    dm_ts: str | None
    is_course: bool = False  # a course with sections: it moves on as its items are done
    quiz_id: int | None = None  # completed by passing this quiz ("Take quiz", not "Mark complete")
    path: PathLabel | None = None  # the path this is a step of
    course: CourseView | None = None  # the outline (for one card: a DM, the course modal)


def card_for(
    s: Session, row: ResourceAssignment, course: CourseView | None = None
) -> AssignmentCard:
    """One card with everything its DM shows: a course's outline (`course`, when the
    caller has just read it), a path's step."""
    by = s.get(Member, row.assigned_by_id) if row.assigned_by_id else None
    card = card_of(
        row,
        s.get_one(TrainingResource, row.resource_id),
        s.get_one(Member, row.member_id).slack_user_id,
        by.slack_user_id if by else None,
    )
    (card,) = enrich(s, [card])
    if course is not None:
        return replace(card, course=course)
    if card.is_course:
        done = s.scalars(
            select(CourseItemDone.resource_id).where(CourseItemDone.assignment_id == row.id)
        )
        shape = outline(s, row.resource_id)
        passed = passed_quizzes(s, [row.id], shape.quizzes)[row.id]
        card = replace(card, course=CourseView(shape, frozenset(done), frozenset(passed)))
    return card


def enrich(s: Session, cards: Sequence[AssignmentCard]) -> list[AssignmentCard]:
    """Cards told which are structured courses, which have a quiz and which are path steps
    (two statements, whatever the number of cards)."""
    if not cards:
        return []
    courses, quizzes = _structure(s, {c.resource_id for c in cards})
    paths = path_labels(s, [c.id for c in cards])
    return [
        replace(c, is_course=c.resource_id in courses, quiz_id=quizzes.get(c.resource_id),
                path=paths.get(c.id))
        for c in cards
    ]  # fmt: skip


def _structure(s: Session, resource_ids: set[int]) -> tuple[set[int], dict[int, int]]:
    """Which of these resources are courses with sections, and their quizzes (one statement)."""
    sections = (
        select(CourseSection.course_id, literal(None, Integer))
        .where(CourseSection.course_id.in_(resource_ids))
        .distinct()
    )
    quizzes = select(Quiz.resource_id, Quiz.id).where(Quiz.resource_id.in_(resource_ids))
    courses: set[int] = set()
    found: dict[int, int] = {}
    resource_id: int
    quiz_id: int | None
    for resource_id, quiz_id in s.execute(union_all(sections, quizzes)):
        if quiz_id is None:
            courses.add(resource_id)
        else:
            found[resource_id] = quiz_id
    return courses, found


def _path_labels_query() -> Select[int | None, int, str, int, int, str | None]:
    st, nxt, count = EnrollmentStep, aliased(EnrollmentStep), aliased(EnrollmentStep)
    path, next_resource = aliased(TrainingResource), aliased(TrainingResource)
    steps = select(func.count()).where(count.enrollment_id == st.enrollment_id).scalar_subquery()
    return (
        select(st.assignment_id, st.enrollment_id, path.title, st.position, steps,
               next_resource.title)
        .join(PathEnrollment, PathEnrollment.id == st.enrollment_id)
        .join(path, path.id == PathEnrollment.path_id)
        .outerjoin(nxt, (nxt.enrollment_id == st.enrollment_id) & (nxt.position == st.position + 1))
        .outerjoin(next_resource, next_resource.id == nxt.resource_id)
        .where(st.assignment_id.in_(bindparam("ids", expanding=True)),
               PathEnrollment.cancelled_at.is_(None))
        .order_by(st.id)
    )  # fmt: skip


# Built once: every DM, Home and reminder asks it, and building it costs more than running it.
PATH_LABELS = _path_labels_query()


def path_labels(s: Session, assignment_ids: Sequence[int]) -> dict[int, PathLabel]:
    """The path step each of these assignments carries, if any (one statement)."""
    rows = s.execute(PATH_LABELS, {"ids": list(assignment_ids)}).all()
    return {
        int(aid): PathLabel(eid, title, position, int(n), following)
        for aid, eid, title, position, n, following in rows
        if aid is not None
    }


def card_of(
    row: ResourceAssignment, resource: TrainingResource, assignee: str, assigner: str | None
) -> AssignmentCard:
    """The plain card templates get, from the rows it is made of."""
    return AssignmentCard(
        id=row.id,
        resource_id=resource.id,
        title=resource.title,
        url=resource.url,
        type=resource.type,
        duration_minutes=resource.duration_minutes,
        assignee=assignee,
        assigned_by=assigner,
        due_on=row.due_on,
        priority=row.priority,
        note=row.note,
        status=row.status,
        progress=row.progress,
        completed_at=row.completed_at,
        cancelled=row.cancelled_at is not None,
        closed_reason=row.closed_reason,
        dm_channel=row.dm_channel,
        dm_ts=row.dm_ts,
    )


_assignee = aliased(Member)
_assigner = aliased(Member)


def card_rows() -> Select[ResourceAssignment, TrainingResource, str, str]:
    """One statement for a list of cards, whatever its length."""
    a = ResourceAssignment
    return (
        select(a, TrainingResource, _assignee.slack_user_id, _assigner.slack_user_id)
        .join(TrainingResource, TrainingResource.id == a.resource_id)
        .join(_assignee, _assignee.id == a.member_id)
        .outerjoin(_assigner, _assigner.id == a.assigned_by_id)
        # A card shows no domains: skip the query that would load them for every resource.
        .options(lazyload(TrainingResource.domains))
    )


def cards_by_id(s: Session, workspace_id: int, ids: Sequence[int]) -> list[AssignmentCard]:
    """These assignments as cards, in the order given (one statement)."""
    a = ResourceAssignment
    rows = s.execute(card_rows().where(a.workspace_id == workspace_id, a.id.in_(ids))).all()
    by_id = {card.id: card for card in enrich(s, [card_of(*row) for row in rows])}
    return [by_id[i] for i in ids if i in by_id]

"""A learner taking a course: items marked done (and undone), progress derived from them.

Progress is never typed in: it is the share of the course's required items done, and the
course completes by itself, exactly once, when the last of them is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import insert_for
from bot.errors import BotError, NotAllowed, NotFound
from bot.services.assignment_rows import own_open, record_event
from bot.services.cards import AssignmentCard, CourseView, card_for
from bot.services.completion import complete
from bot.services.course_structure import Outline, outline, passed_quizzes
from bot.services.members import Caller
from models import CourseItemDone, ResourceAssignment
from models.enums import AssignmentStatus, EventKind


class CourseService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tz = default_tz

    def mark(
        self, *, caller: Caller, assignment_id: int, resource_id: int, done: bool
    ) -> AssignmentCard:
        """Check (or uncheck) one item of one's own course; returns the card as it now is."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = own_open(s, caller, assignment_id, now)
            course = outline(s, row.resource_id)
            item = next((i for i in course.items if i.resource_id == resource_id), None)
            if item is None:
                raise BotError("That item is no longer part of this course.")
            if item.quiz_id is not None:
                raise BotError("This item is checked off by passing its quiz: *Take quiz*.")
            d = CourseItemDone
            if done:
                s.execute(
                    insert_for(s, d)
                    .values(assignment_id=row.id, resource_id=resource_id, done_at=now)
                    .on_conflict_do_nothing(index_elements=["assignment_id", "resource_id"])
                )
            else:
                s.execute(delete(d).where(d.assignment_id == row.id, d.resource_id == resource_id))
            view = moved_on(s, row, course, caller.member_id, now, self._tz,
                            {"item": resource_id, "done": done})  # fmt: skip
            return card_for(s, row, view)

    def view(self, *, caller: Caller, assignment_id: int) -> AssignmentCard:
        """One's own course assignment with its outline (the "Open course" modal)."""
        with self._sessions.begin() as s:
            row = s.get(ResourceAssignment, assignment_id)
            if row is None or row.workspace_id != caller.workspace_id:
                raise NotFound("That assignment no longer exists.")
            if row.member_id != caller.member_id:
                raise NotAllowed("This course was assigned to someone else.")
            card = card_for(s, row)
            if card.course is None:
                raise BotError("This training has no sections to show.")
            return card


def moved_on(
    s: Session,
    row: ResourceAssignment,
    course: Outline,
    actor_id: int | None,
    now: datetime,
    default_tz: str,
    data: dict[str, object],
) -> CourseView:
    """After an item checked (or a section's quiz passed): the course's progress from what
    is done now, and its completion once everything required is (the caller's transaction)."""
    d = CourseItemDone
    checked = frozenset(s.scalars(select(d.resource_id).where(d.assignment_id == row.id)))
    passed = frozenset(passed_quizzes(s, [row.id], course.quizzes)[row.id])
    view = CourseView(course, checked, passed)
    if course.complete(checked, passed):
        complete(s, row, actor_id=actor_id, now=now, default_tz=default_tz)
        return view
    row.progress = course.progress(checked, passed)
    if row.status == AssignmentStatus.ASSIGNED.value:
        row.status, row.started_at = AssignmentStatus.IN_PROGRESS.value, now
    record_event(s, row.workspace_id, row.id, actor_id, EventKind.PROGRESS, now, row, data)
    return view

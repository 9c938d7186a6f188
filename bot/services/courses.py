"""A learner taking a course: items marked done (and undone), progress derived from them.

Progress is never typed in: it is the share of the course's required items done, and the
course completes by itself, exactly once, when the last of them is.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import insert_for
from bot.errors import BotError, NotAllowed, NotFound
from bot.services.assignment_rows import own_open, record_event
from bot.services.cards import AssignmentCard, CourseView, card_for
from bot.services.completion import complete
from bot.services.course_structure import outline, progress_of
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
            if resource_id not in {item.resource_id for item in course.items}:
                raise BotError("That item is no longer part of this course.")
            d = CourseItemDone
            if done:
                s.execute(
                    insert_for(s, d)
                    .values(assignment_id=row.id, resource_id=resource_id, done_at=now)
                    .on_conflict_do_nothing(index_elements=["assignment_id", "resource_id"])
                )
            else:
                s.execute(delete(d).where(d.assignment_id == row.id, d.resource_id == resource_id))
            checked = set(s.scalars(select(d.resource_id).where(d.assignment_id == row.id)))
            view = CourseView(course, frozenset(checked))
            if course.required <= checked:
                complete(s, row, actor_id=caller.member_id, now=now, default_tz=self._tz)
                return card_for(s, row, view)
            row.progress = progress_of(course.required, checked)
            if row.status == AssignmentStatus.ASSIGNED.value:
                row.status, row.started_at = AssignmentStatus.IN_PROGRESS.value, now
            data = {"item": resource_id, "done": done}
            record_event(s, row.workspace_id, row.id, caller.member_id, EventKind.PROGRESS, now,
                         row, data)  # fmt: skip
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

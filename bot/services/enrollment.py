"""Enrolling people on a learning path, inside the caller's transaction.

Each new enrollment copies the path's steps as they stand (so later edits leave it alone
unless a manager applies them) and opens step 1 at once, or on its start date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from bot.db import insert_ignoring
from bot.errors import BotError
from bot.services.path_progress import open_next_steps
from models import EnrollmentStep, LearningPath, Member, PathEnrollment, PathStep
from models.enums import EnrollmentStatus, Priority, StepState
from models.one_of import one_of
from models.path import OPEN_ENROLLMENT_WHERE


@dataclass(frozen=True)
class Enrolment:
    """Who enrols, on what terms (a manager through /assign, or a keep-enrolled rule)."""

    path_id: int
    by_member_id: int | None
    priority: Priority
    note: str
    starts_on: date
    rule_id: int | None = None
    counts_since: datetime | None = None  # a renewal: earlier completions do not count


def path_plan(s: Session, path_id: int) -> tuple[list[PathStep], int | None]:
    """The path's steps in order, and its overall "by day N" (None: no overall due date)."""
    steps = list(
        s.scalars(select(PathStep).where(PathStep.path_id == path_id).order_by(PathStep.position))
    )
    due_days = s.scalar(select(LearningPath.due_days).where(LearningPath.resource_id == path_id))
    return steps, due_days


def enroll(
    s: Session,
    workspace_id: int,
    terms: Enrolment,
    members: Sequence[Member],
    now: datetime,
    default_tz: str,
) -> dict[int, Member]:
    """Open enrollments for these people (those on the path already are left as they are);
    returns the new ones by id. Step 1 opens now, unless the path starts later."""
    steps, due_days = path_plan(s, terms.path_id)
    if not steps:
        raise BotError("This path has no steps yet: add some before enrolling anyone.")
    by_id = {m.id: m for m in members}
    rows = [
        {"workspace_id": workspace_id, "path_id": terms.path_id, "member_id": m.id,
         "assigned_by_id": terms.by_member_id, "rule_id": terms.rule_id,
         "status": EnrollmentStatus.ACTIVE.value, "priority": terms.priority.value,
         "note": terms.note, "starts_on": terms.starts_on,
         "due_on": terms.starts_on + timedelta(days=due_days) if due_days else None,
         "enrolled_at": now, "updated_at": now, "counts_since": terms.counts_since}
        for m in members
    ]  # fmt: skip
    e = PathEnrollment
    created = {
        enrollment_id: by_id[member_id]
        for enrollment_id, member_id in insert_ignoring(
            s, e.__table__, rows, unique=["path_id", "member_id"],
            where=text(OPEN_ENROLLMENT_WHERE), returning=[e.id, e.member_id],
        )
    }  # fmt: skip
    if not created:
        return created
    plan = [
        {"enrollment_id": enrollment_id, "position": step.position,
         "resource_id": step.resource_id, "due_days": step.due_days,
         "state": StepState.LOCKED.value}
        for enrollment_id in created for step in steps
    ]  # fmt: skip
    s.execute(insert(EnrollmentStep), plan)
    enrollments = list(
        s.scalars(select(PathEnrollment).where(PathEnrollment.id.in_(list(created))))
    )
    open_next_steps(s, enrollments, now, default_tz)
    return created


def opened_steps(s: Session, enrollment_ids: Sequence[int]) -> tuple[int, ...]:
    """The assignments that carry these enrollments' open steps (their DMs are owed)."""
    if not enrollment_ids:
        return ()
    found = s.scalars(
        select(EnrollmentStep.assignment_id).where(
            one_of(EnrollmentStep.enrollment_id, enrollment_ids),
            EnrollmentStep.assignment_id.is_not(None),
            EnrollmentStep.state == StepState.OPEN.value,
        )
    ).all()
    return tuple(i for i in found if i is not None)

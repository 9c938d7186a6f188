"""Assigning training and moving it along: the rules, in one place."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sqlalchemy import select, text
from sqlalchemy.orm import Session, raiseload, sessionmaker

from bot.clock import Clock, local_today
from bot.errors import BotError, NotFound
from bot.services.assignment_rows import (
    Grant,
    enqueue_dms,
    insert_open,
    members_for,
    own_open,
    record_event,
    why_not,
)
from bot.services.cards import AssignmentCard, card_for
from bot.services.catalog import require_manager
from bot.services.completion import close, complete
from bot.services.enrollment import Enrolment, enroll, opened_steps
from bot.services.keep_enrolled import KeepSource, keep_enrolled
from bot.services.library import visible_to
from bot.services.members import Caller
from models import CourseSection, Member, Quiz, ResourceAssignment, TrainingResource
from models.assignment import OPEN_WHERE
from models.enums import (
    AssignmentStatus,
    ClosedReason,
    EventKind,
    Priority,
    ResourceStatus,
    ResourceType,
)


@dataclass(frozen=True)
class AssignForm:
    resource_id: int
    user_ids: tuple[str, ...]  # Slack user ids, people and channel members alike
    due_on: date | None
    priority: Priority
    note: str = ""
    starts_on: date | None = None  # a path's first day (None: today)
    keep: tuple[KeepSource, ...] = ()  # a path: groups and channels whose newcomers enroll too
    include_guests: bool = False  # ...guests among them as well


@dataclass(frozen=True)
class AssignResult:
    resource_title: str
    created: tuple[str, ...]
    already_open: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (user id, why)
    assignment_ids: tuple[int, ...] = ()  # of `created` (for a path: their first steps)
    is_path: bool = False  # people were enrolled on a path (created: the new enrollments)
    starts_on: date | None = None  # a path starting later than today
    kept: tuple[str, ...] = ()  # labels of the groups and channels kept enrolled

    def without(self, dropped: tuple[tuple[str, str], ...]) -> AssignResult:
        """The result once people found unreachable after all are moved to `skipped`."""
        gone = {user for user, _ in dropped}
        created = tuple(u for u in self.created if u not in gone)
        return replace(self, created=created, skipped=self.skipped + dropped)


class Step(StrEnum):
    START = "start"
    PROGRESS = "progress"
    COMPLETE = "complete"


class AssignmentService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tz = default_tz

    def assign(self, *, by: Caller, form: AssignForm) -> AssignResult:
        """One open assignment per (resource, person); repeats are reported, not re-sent.

        A path enrolls people instead: their enrollment, and its first step assigned.
        """
        require_manager(by, "assign training")
        now = self._clock.now()
        with self._sessions.begin() as s:
            resource = _assignable(s, by.workspace_id, form.resource_id)
            members = members_for(s, by.workspace_id, form.user_ids, now)
            skipped = tuple((m.slack_user_id, why_not(m)) for m in members if why_not(m))
            eligible = [m for m in members if not why_not(m)]
            if resource.type == ResourceType.PATH.value:
                return self._enroll(s, by, form, resource, eligible, skipped)
            grant = Grant(form.resource_id, form.due_on, form.priority, form.note)
            created = insert_open(s, by.workspace_id, by.member_id, grant, eligible, now)
            for assignment_id in created:
                record_event(
                    s, by.workspace_id, assignment_id, by.member_id, EventKind.ASSIGNED, now
                )
            enqueue_dms(s, by.workspace_id, created, now)  # after the events: one batch
            return _result(resource.title, created, eligible, skipped)

    def _enroll(
        self,
        s: Session,
        by: Caller,
        form: AssignForm,
        path: TrainingResource,
        eligible: list[Member],
        skipped: tuple[tuple[str, str], ...],
    ) -> AssignResult:
        now = self._clock.now()
        starts_on = form.starts_on or local_today(now, by.tz)
        terms = Enrolment(path.id, by.member_id, form.priority, form.note, starts_on)
        created = enroll(s, by.workspace_id, terms, eligible, now, self._tz)
        kept = keep_enrolled(s, by, terms, form.keep, include_guests=form.include_guests, now=now)
        first_steps = opened_steps(s, tuple(created))
        result = _result(path.title, {}, eligible, skipped)
        return replace(
            result,
            created=tuple(m.slack_user_id for m in created.values()),
            already_open=tuple(m.slack_user_id for m in eligible if m not in created.values()),
            assignment_ids=first_steps, is_path=True, kept=kept,
            starts_on=starts_on if starts_on > local_today(now, by.tz) else None,
        )  # fmt: skip

    def advance(
        self, *, caller: Caller, assignment_id: int, step: Step, progress: int = 0
    ) -> AssignmentCard:
        """Start, report progress on, or complete one's own assignment."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = own_open(s, caller, assignment_id, now)
            if step is not Step.START and _is_course(s, row.resource_id):
                raise BotError(
                    "A course moves on as you mark its items done: open the course to do that."
                )
            if step is Step.COMPLETE and _has_quiz(s, row.resource_id):
                raise BotError("This one is completed by passing its quiz: *Take quiz*.")
            if step is Step.COMPLETE:
                complete(s, row, actor_id=caller.member_id, now=now, default_tz=self._tz)
                return card_for(s, row)
            row.status = AssignmentStatus.IN_PROGRESS.value
            row.started_at = row.started_at or now
            row.progress = max(0, min(99, progress)) if step is Step.PROGRESS else row.progress
            kind = EventKind.STARTED if step is Step.START else EventKind.PROGRESS
            record_event(s, caller.workspace_id, row.id, caller.member_id, kind, now, row)
            return card_for(s, row)

    def card(self, *, workspace_id: int, assignment_id: int) -> AssignmentCard:
        with self._sessions.begin() as s:
            row = s.get(ResourceAssignment, assignment_id)
            if row is None or row.workspace_id != workspace_id:
                raise NotFound("That assignment no longer exists.")
            return card_for(s, row)

    def cancel_unreachable(self, *, assignment_id: int, why: str) -> None:
        """Someone who turned out to be a bot or deactivated: nothing is owed, nothing counts."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = s.get_one(ResourceAssignment, assignment_id)
            if row.cancelled_at is None and row.completed_at is None:
                close(s, row, ClosedReason.UNREACHABLE, None, now, self._tz)

    def drop_unreachable(self, *, assignment_ids: tuple[int, ...]) -> tuple[tuple[str, str], ...]:
        """Cancel those of these assignments whose person turned out a bot or deactivated."""
        now = self._clock.now()
        a = ResourceAssignment
        with self._sessions.begin() as s:
            found = s.execute(
                select(a, Member)
                .join(Member, Member.id == a.member_id)
                .where(a.id.in_(assignment_ids), text(OPEN_WHERE))
                .where(Member.is_bot | Member.is_deactivated)
            ).all()
            for row, _ in found:
                close(s, row, ClosedReason.UNREACHABLE, None, now, self._tz)
            return tuple((member.slack_user_id, why_not(member)) for _, member in found)

    def remember_dm(self, *, assignment_id: int, channel: str, ts: str) -> None:
        with self._sessions.begin() as s:
            row = s.get_one(ResourceAssignment, assignment_id)
            row.dm_channel, row.dm_ts = channel, ts


def _assignable(s: Session, workspace_id: int, resource_id: int) -> TrainingResource:
    resource = s.scalars(
        select(TrainingResource)
        .where(TrainingResource.id == resource_id, visible_to(workspace_id))
        .options(raiseload(TrainingResource.domains))  # not needed: one statement fewer
    ).one_or_none()
    if resource is None:
        raise NotFound("That resource no longer exists.")
    if resource.status == ResourceStatus.ARCHIVED.value:
        raise BotError(f"*{resource.title}* is archived; restore it before assigning it.")
    return resource


def _result(
    title: str,
    created: dict[int, Member],
    eligible: list[Member],
    skipped: tuple[tuple[str, str], ...],
) -> AssignResult:
    created_ids = {m.slack_user_id for m in created.values()}
    return AssignResult(
        resource_title=title,
        created=tuple(m.slack_user_id for m in created.values()),
        already_open=tuple(m.slack_user_id for m in eligible if m.slack_user_id not in created_ids),
        skipped=skipped,
        assignment_ids=tuple(created),
    )


def _has_quiz(s: Session, resource_id: int) -> bool:
    return s.scalar(select(Quiz.id).where(Quiz.resource_id == resource_id)) is not None


def _is_course(s: Session, resource_id: int) -> bool:
    """A course with sections (a course that is only a link is marked complete by hand)."""
    found = s.scalar(
        select(CourseSection.id).where(CourseSection.course_id == resource_id).limit(1)
    )
    return found is not None

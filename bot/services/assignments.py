"""Assigning training and moving it along: the rules, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import insert_for
from bot.errors import BotError, NotAllowed, NotFound
from bot.services.cards import AssignmentCard, card_for
from bot.services.catalog import require_manager
from bot.services.library import visible_to
from bot.services.members import Caller
from bot.services.outbox import ROWS_PER_INSERT, enqueue_many, enqueue_message, owed
from bot.services.reminder_policy import policy_of
from models import (
    AssignmentEvent,
    Member,
    ResourceAssignment,
    TrainingResource,
)
from models.assignment import OPEN_WHERE
from models.enums import AssignmentStatus, ClosedReason, EventKind, Priority, ResourceStatus, Role


@dataclass(frozen=True)
class AssignForm:
    resource_id: int
    user_ids: tuple[str, ...]  # Slack user ids, people and channel members alike
    due_on: date | None
    priority: Priority
    note: str = ""


@dataclass(frozen=True)
class AssignResult:
    resource_title: str
    created: tuple[str, ...]
    already_open: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (user id, why)
    assignment_ids: tuple[int, ...] = ()  # of `created`

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
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def assign(self, *, by: Caller, form: AssignForm) -> AssignResult:
        """One open assignment per (resource, person); repeats are reported, not re-sent."""
        require_manager(by, "assign training")
        now = self._clock.now()
        with self._sessions.begin() as s:
            resource = _assignable(s, by.workspace_id, form.resource_id)
            members = members_for(s, by.workspace_id, form.user_ids, now)
            skipped = tuple((m.slack_user_id, _why_not(m)) for m in members if _why_not(m))
            eligible = [m for m in members if not _why_not(m)]
            created = insert_open(s, by, form, eligible, now) if eligible else {}
            for assignment_id in created:
                record_event(
                    s, by.workspace_id, assignment_id, by.member_id, EventKind.ASSIGNED, now
                )
            # One insert for every DM owed (after the events, which flush as one batch).
            enqueue_many(s, [
                owed(workspace_id=by.workspace_id, key=f"assignment:{assignment_id}:dm",
                     recipient=member.slack_user_id, payload={}, assignment_id=assignment_id,
                     kind="assignment_dm")
                for assignment_id, member in created.items()
            ], now=now)  # fmt: skip
            created_ids = {m.slack_user_id for m in created.values()}
            return AssignResult(
                resource_title=resource.title,
                created=tuple(m.slack_user_id for m in created.values()),
                already_open=tuple(
                    m.slack_user_id for m in eligible if m.slack_user_id not in created_ids
                ),
                skipped=skipped,
                assignment_ids=tuple(created),
            )

    def advance(
        self, *, caller: Caller, assignment_id: int, step: Step, progress: int = 0
    ) -> AssignmentCard:
        """Start, report progress on, or complete one's own assignment."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = _own_open(s, caller, assignment_id)
            if step is Step.COMPLETE:
                row.status = AssignmentStatus.COMPLETED.value
                row.progress, row.completed_at = 100, now
                row.next_remind_on = None
                kind = EventKind.COMPLETED
            else:
                row.status = AssignmentStatus.IN_PROGRESS.value
                row.started_at = row.started_at or now
                row.progress = max(0, min(99, progress)) if step is Step.PROGRESS else row.progress
                kind = EventKind.STARTED if step is Step.START else EventKind.PROGRESS
            row.updated_at = now
            record_event(s, caller.workspace_id, row.id, caller.member_id, kind, now, row)
            if step is Step.COMPLETE:
                _tell_assigner(s, row, caller, now)
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
                row.cancelled_at = row.updated_at = now
                row.closed_reason = ClosedReason.UNREACHABLE.value
                row.next_remind_on = None
                record_event(s, row.workspace_id, row.id, None, EventKind.CANCELLED, now, row)

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
                row.cancelled_at = row.updated_at = now
                row.closed_reason = ClosedReason.UNREACHABLE.value
                row.next_remind_on = None
                record_event(s, row.workspace_id, row.id, None, EventKind.CANCELLED, now, row)
            return tuple((member.slack_user_id, _why_not(member)) for _, member in found)

    def remember_dm(self, *, assignment_id: int, channel: str, ts: str) -> None:
        with self._sessions.begin() as s:
            row = s.get_one(ResourceAssignment, assignment_id)
            row.dm_channel, row.dm_ts = channel, ts


def _assignable(s: Session, workspace_id: int, resource_id: int) -> TrainingResource:
    resource = s.scalars(
        select(TrainingResource).where(TrainingResource.id == resource_id, visible_to(workspace_id))
    ).one_or_none()
    if resource is None:
        raise NotFound("That resource no longer exists.")
    if resource.status == ResourceStatus.ARCHIVED.value:
        raise BotError(f"*{resource.title}* is archived; restore it before assigning it.")
    return resource


def members_for(
    s: Session, workspace_id: int, user_ids: tuple[str, ...], now: datetime
) -> list[Member]:
    """Member rows for these people, created (profile to come) for anyone new."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    for start in range(0, len(wanted), ROWS_PER_INSERT):
        s.execute(
            insert_for(s, Member)
            .values([{"workspace_id": workspace_id, "slack_user_id": uid, "display_name": uid,
                      "real_name": "", "role": Role.MEMBER.value, "is_slack_admin": False,
                      "is_bot": False, "is_deactivated": False, "created_at": now,
                      "updated_at": now} for uid in wanted[start : start + ROWS_PER_INSERT]])
            .on_conflict_do_nothing(index_elements=["workspace_id", "slack_user_id"])
        )  # fmt: skip
    return list(
        s.scalars(
            select(Member)
            .where(Member.workspace_id == workspace_id, Member.slack_user_id.in_(wanted))
            .order_by(Member.slack_user_id)
        )
    )


def _why_not(member: Member) -> str:
    if member.is_bot:
        return "a bot"
    if member.is_deactivated:
        return "deactivated"
    return ""


def insert_open(
    s: Session, by: Caller, form: AssignForm, members: list[Member], now: datetime
) -> dict[int, Member]:
    """Insert-or-ignore against the one-open-assignment index; returns the new rows."""
    by_id = {m.id: m for m in members}
    # The assignment DM goes out today: the first reminder is owed after today.
    next_remind_on = policy_of(s, by.workspace_id).next_reminder(form.due_on, after=now.date())
    rows = [
        {"workspace_id": by.workspace_id, "resource_id": form.resource_id, "member_id": m.id,
         "assigned_by_id": by.member_id, "status": AssignmentStatus.ASSIGNED.value, "progress": 0,
         "priority": form.priority.value, "due_on": form.due_on, "note": form.note,
         "assigned_at": now, "updated_at": now, "next_remind_on": next_remind_on}
        for m in members
    ]  # fmt: skip
    inserted: list[tuple[int, int]] = []
    for start in range(0, len(rows), ROWS_PER_INSERT):  # SQLite allows 32,766 parameters
        inserted += s.execute(
            insert_for(s, ResourceAssignment)
            .values(rows[start : start + ROWS_PER_INSERT])
            .on_conflict_do_nothing(
                index_elements=["resource_id", "member_id"], index_where=text(OPEN_WHERE)
            )
            .returning(ResourceAssignment.id, ResourceAssignment.member_id)
        ).all()
    return {assignment_id: by_id[member_id] for assignment_id, member_id in inserted}


def _own_open(s: Session, caller: Caller, assignment_id: int) -> ResourceAssignment:
    row = s.get(ResourceAssignment, assignment_id, with_for_update=True)
    if row is None or row.workspace_id != caller.workspace_id:
        raise NotFound("That assignment no longer exists.")
    if row.member_id != caller.member_id:
        raise NotAllowed("This assignment belongs to someone else; only they can update it.")
    if row.closed_reason == ClosedReason.REASSIGNED.value:
        raise BotError("This assignment was given to someone else, so there is nothing to do here.")
    if row.cancelled_at is not None:
        raise BotError("This assignment was cancelled, so there is nothing left to do here.")
    if row.completed_at is not None:
        raise BotError("You already completed this one. Nice work!")
    return row


def record_event(
    s: Session,
    workspace_id: int,
    assignment_id: int,
    actor_id: int | None,
    kind: EventKind,
    now: datetime,
    row: ResourceAssignment | None = None,
    data: Mapping[str, object] | None = None,
) -> None:
    s.add(
        AssignmentEvent(
            workspace_id=workspace_id,
            assignment_id=assignment_id,
            actor_id=actor_id,
            kind=kind.value,
            status=row.status if row else AssignmentStatus.ASSIGNED.value,
            progress=row.progress if row else 0,
            data=dict(data or {}),
            occurred_at=now,
        )
    )


def _tell_assigner(s: Session, row: ResourceAssignment, caller: Caller, now: datetime) -> None:
    """The manager who assigned it hears of the completion, if they asked to."""
    assigner = s.get(Member, row.assigned_by_id) if row.assigned_by_id else None
    if assigner is None or not assigner.notify_completions or assigner.id == caller.member_id:
        return
    enqueue_message(
        s, workspace_id=row.workspace_id, key=f"completed:{row.id}",
        recipient=assigner.slack_user_id, payload={"change": "completed", "by": caller.user_id},
        now=now, assignment_id=row.id, kind="assignment_notice",
    )  # fmt: skip

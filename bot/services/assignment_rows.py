"""Row-level rules of assignments, shared by assigning, courses, paths and Manage.

Nothing here opens a transaction: callers pass the session whose transaction they own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from bot.db import insert_ignoring
from bot.errors import BotError, NotAllowed, NotFound
from bot.services.members import Caller
from bot.services.outbox import enqueue_many, owed
from bot.services.reminder_policy import policy_of
from models import AssignmentEvent, Member, ResourceAssignment
from models.assignment import OPEN_WHERE
from models.enums import AssignmentStatus, ClosedReason, EventKind, Priority, Role
from models.one_of import one_of


@dataclass(frozen=True)
class Grant:
    """What an assignment is made of, whoever makes it (a manager, a path step)."""

    resource_id: int
    due_on: date | None
    priority: Priority
    note: str = ""


def members_for(
    s: Session, workspace_id: int, user_ids: Sequence[str], now: datetime
) -> list[Member]:
    """Member rows for these people, created (profile to come) for anyone new."""
    wanted = sorted(set(user_ids))
    known = _members(s, workspace_id, wanted)
    found = {m.slack_user_id for m in known}
    new = [uid for uid in wanted if uid not in found]
    if not new:  # the usual case: one statement
        return known
    insert_ignoring(
        s, Member.__table__,
        [{"workspace_id": workspace_id, "slack_user_id": uid, "display_name": uid,
          "real_name": "", "role": Role.MEMBER.value, "is_slack_admin": False, "is_bot": False,
          "is_deactivated": False, "is_guest": False, "created_at": now, "updated_at": now}
         for uid in new],
        unique=["workspace_id", "slack_user_id"],
    )  # fmt: skip
    return sorted([*known, *_members(s, workspace_id, new)], key=lambda m: m.slack_user_id)


def _members(s: Session, workspace_id: int, user_ids: Sequence[str]) -> list[Member]:
    if not user_ids:
        return []
    return list(
        s.scalars(
            select(Member)
            .where(Member.workspace_id == workspace_id, one_of(Member.slack_user_id, user_ids))
            .order_by(Member.slack_user_id)
        )
    )


def why_not(member: Member) -> str:
    """Why this person cannot be given training ("a bot", "deactivated"), else ""."""
    if member.is_bot:
        return "a bot"
    if member.is_deactivated:
        return "deactivated"
    return ""


def insert_open(
    s: Session,
    workspace_id: int,
    assigned_by_id: int | None,
    grant: Grant,
    members: Sequence[Member],
    now: datetime,
) -> dict[int, Member]:
    """Insert-or-ignore against the one-open-assignment index; returns the new rows."""
    by_id = {m.id: m for m in members}
    # The assignment DM goes out today: the first reminder is owed after today.
    next_remind_on = policy_of(s, workspace_id).next_reminder(grant.due_on, after=now.date())
    rows = [
        {"workspace_id": workspace_id, "resource_id": grant.resource_id, "member_id": m.id,
         "assigned_by_id": assigned_by_id, "status": AssignmentStatus.ASSIGNED.value,
         "progress": 0, "priority": grant.priority.value, "due_on": grant.due_on,
         "note": grant.note, "assigned_at": now, "updated_at": now,
         "next_remind_on": next_remind_on}
        for m in members
    ]  # fmt: skip
    a = ResourceAssignment
    inserted = insert_ignoring(
        s,
        a.__table__,
        rows,
        unique=["resource_id", "member_id"],
        where=text(OPEN_WHERE),
        returning=[a.id, a.member_id],
    )
    return {assignment_id: by_id[member_id] for assignment_id, member_id in inserted}


def assignment_dms(workspace_id: int, created: Mapping[int, Member]) -> list[dict[str, object]]:
    """The DM each new assignment is owed (one outbox key per assignment: sent once)."""
    return [
        owed(workspace_id=workspace_id, key=f"assignment:{assignment_id}:dm",
             recipient=member.slack_user_id, payload={}, assignment_id=assignment_id,
             kind="assignment_dm")
        for assignment_id, member in created.items()
    ]  # fmt: skip


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


def locked(s: Session, assignment_id: int, now: datetime) -> ResourceAssignment | None:
    """The assignment, locked against concurrent changes until the transaction ends.

    An UPDATE takes PostgreSQL's row lock and SQLite's write lock alike, so what is read
    after it cannot change under us (SQLite ignores SELECT ... FOR UPDATE).
    """
    a = ResourceAssignment
    touched = s.execute(
        update(a).where(a.id == assignment_id).values(updated_at=now).returning(a.id)
    ).first()
    if touched is None:
        return None
    return s.get(ResourceAssignment, assignment_id, populate_existing=True)


def own_open(s: Session, caller: Caller, assignment_id: int, now: datetime) -> ResourceAssignment:
    """The caller's own open assignment, locked; anything else is explained."""
    row = locked(s, assignment_id, now)
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


def enqueue_dms(
    s: Session, workspace_id: int, created: Mapping[int, Member], now: datetime
) -> None:
    enqueue_many(s, assignment_dms(workspace_id, created), now=now)

"""Completing an assignment, however it completes: Mark complete, or a course's last item.

One function so that every way in has the same effects, in the caller's transaction: the
history, the assigner's completion DM (if they asked for them), reminders stopped, and the
learner's path moved on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services.assignment_rows import record_event
from bot.services.certificates import issue
from bot.services.outbox import enqueue_message
from bot.services.path_progress import step_closed, step_completed
from models import Member, ResourceAssignment
from models.enums import AssignmentStatus, ClosedReason, EventKind


def complete(
    s: Session, row: ResourceAssignment, *, actor_id: int | None, now: datetime, default_tz: str
) -> None:
    """Mark `row` (open, locked by the caller) completed, with everything that follows."""
    row.status = AssignmentStatus.COMPLETED.value
    row.progress, row.completed_at, row.updated_at = 100, now, now
    row.next_remind_on = None
    record_event(s, row.workspace_id, row.id, actor_id, EventKind.COMPLETED, now, row)
    _tell_assigner(s, row, now)
    issue(s, member_id=row.member_id, resource_id=row.resource_id, source=f"assignment:{row.id}",
          now=now, default_tz=default_tz)  # fmt: skip
    step_completed(s, row, now, default_tz)


def close(
    s: Session,
    row: ResourceAssignment,
    reason: ClosedReason,
    actor_id: int | None,
    now: datetime,
    default_tz: str,
    data: Mapping[str, object] | None = None,
) -> None:
    """Close an open assignment without completing it (cancelled, reassigned, unreachable);
    a path it was a step of moves past it (or, for someone unreachable, is left)."""
    row.cancelled_at = row.updated_at = now
    row.closed_reason = reason.value
    row.next_remind_on = None
    kind = EventKind.REASSIGNED if reason is ClosedReason.REASSIGNED else EventKind.CANCELLED
    record_event(s, row.workspace_id, row.id, actor_id, kind, now, row, data)
    unreachable = reason is ClosedReason.UNREACHABLE
    step_closed(s, row, unreachable=unreachable, now=now, default_tz=default_tz)


def _tell_assigner(s: Session, row: ResourceAssignment, now: datetime) -> None:
    """The manager who assigned it hears of the completion, if they asked to."""
    assigner = s.get(Member, row.assigned_by_id) if row.assigned_by_id else None
    if assigner is None or not assigner.notify_completions or assigner.id == row.member_id:
        return
    learner = s.get_one(Member, row.member_id)
    enqueue_message(
        s, workspace_id=row.workspace_id, key=f"completed:{row.id}",
        recipient=assigner.slack_user_id,
        payload={"change": "completed", "by": learner.slack_user_id},
        now=now, assignment_id=row.id, kind="assignment_notice",
    )  # fmt: skip

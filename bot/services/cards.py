"""An assignment as its assignee sees it (DM, Home): plain data for templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from models import Member, ResourceAssignment, TrainingResource


@dataclass(frozen=True)
class AssignmentCard:
    """An assignment as the assignee's DM and Home show it."""

    id: int
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


def card_for(s: Session, row: ResourceAssignment) -> AssignmentCard:
    by = s.get(Member, row.assigned_by_id) if row.assigned_by_id else None
    return card_of(
        row,
        s.get_one(TrainingResource, row.resource_id),
        s.get_one(Member, row.member_id).slack_user_id,
        by.slack_user_id if by else None,
    )


def card_of(
    row: ResourceAssignment, resource: TrainingResource, assignee: str, assigner: str | None
) -> AssignmentCard:
    """The plain card templates get, from the rows it is made of."""
    return AssignmentCard(
        id=row.id,
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

"""An assignment as its assignee sees it (DM, Home): plain data for templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased, lazyload

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
    by_id = {row[0].id: card_of(*row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]

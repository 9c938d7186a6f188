"""Assignments of resources to members and their append-only history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.enums import AssignmentStatus, ClosedReason, EventKind, Priority, sql_in

# "Open" = neither completed nor cancelled; at most one per (resource, member).
OPEN_WHERE = "completed_at IS NULL AND cancelled_at IS NULL"


class ResourceAssignment(Base):
    __tablename__ = "resource_assignments"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(AssignmentStatus)})", name="status"),
        CheckConstraint(f"priority IN ({sql_in(Priority)})", name="priority"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
        CheckConstraint(f"closed_reason IN ({sql_in(ClosedReason)})", name="closed_reason"),
        Index(
            "uq_resource_assignments_open",
            "resource_id",
            "member_id",
            unique=True,
            sqlite_where=text(OPEN_WHERE),
            postgresql_where=text(OPEN_WHERE),
        ),
        Index("ix_resource_assignments_workspace_id_member_id", "workspace_id", "member_id"),
        # A manager's Home and Manage read what they assigned.
        Index(
            "ix_resource_assignments_workspace_id_assigned_by_id", "workspace_id", "assigned_by_id"
        ),
        # Reports read what the tallies (models/tally.py) cannot know from these: what fell
        # due since the tallies' day and the most overdue first; what changed in a week.
        Index(
            "ix_resource_assignments_open_due",
            "workspace_id",
            "due_on",
            sqlite_where=text(OPEN_WHERE),
            postgresql_where=text(OPEN_WHERE),
        ),
        Index("ix_resource_assignments_workspace_id_assigned_at", "workspace_id", "assigned_at"),
        *(
            Index(
                f"ix_resource_assignments_workspace_id_{column}",
                "workspace_id",
                column,
                sqlite_where=text(f"{column} IS NOT NULL"),
                postgresql_where=text(f"{column} IS NOT NULL"),
            )
            for column in ("completed_at", "cancelled_at")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # No ON DELETE: a resource someone was assigned cannot be deleted, only archived.
    resource_id: Mapped[int] = mapped_column(ForeignKey("training_resources.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default=AssignmentStatus.ASSIGNED.value)
    progress: Mapped[int] = mapped_column(default=0)
    priority: Mapped[str] = mapped_column(String(16), default=Priority.NORMAL.value)
    due_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    assigned_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(String(16))  # why cancelled: ClosedReason
    # The assignee's local day the next reminder is owed (None: no more, or closed), kept
    # current on every change, so the scheduler reads only what is due (indexed).
    next_remind_on: Mapped[date | None] = mapped_column(index=True)
    last_reminded_on: Mapped[date | None]
    # The assignee's DM about it, kept current with chat.update.
    dm_channel: Mapped[str | None] = mapped_column(String(32))
    dm_ts: Mapped[str | None] = mapped_column(String(32))


class AssignmentEvent(Base):
    """Who did what to an assignment, when. Rows are only ever inserted."""

    __tablename__ = "assignment_events"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(EventKind)})", name="kind"),
        Index("ix_assignment_events_workspace_id_occurred_at", "workspace_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # No ON DELETE: the history outlives nothing it describes (a workspace purge aside).
    assignment_id: Mapped[int] = mapped_column(ForeignKey("resource_assignments.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime]

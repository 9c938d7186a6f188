"""The audit log: who changed what in a workspace, when, and what it was before and after.

An entry is written in the same transaction as the change it records, so one never exists
without the other. `before` and `after` hold only the fields that changed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class AuditAction(StrEnum):
    """What was done. Stored as text without a CHECK: a new audited action needs no migration,
    and entries written by a newer release stay readable by an older one."""

    ROLE_CHANGED = "role.changed"
    CONTENT_CREATED = "content.created"
    CONTENT_EDITED = "content.edited"
    CONTENT_ARCHIVED = "content.archived"
    CONTENT_RESTORED = "content.restored"
    CONTENT_DELETED = "content.deleted"
    CONTENT_IMPORTED = "content.imported"
    QUIZ_CHANGED = "quiz.changed"
    QUIZ_REMOVED = "quiz.removed"
    ASSIGNMENT_CANCELLED = "assignment.cancelled"
    ASSIGNMENT_REASSIGNED = "assignment.reassigned"
    ASSIGNMENT_DUE_CHANGED = "assignment.due_changed"
    ENROLLMENT_CHANGED = "enrollment.changed"  # a path: paused, resumed or cancelled
    REMINDER_POLICY_CHANGED = "reminder_policy.changed"
    DIGEST_SUBSCRIBED = "digest.subscribed"
    DIGEST_CHANGED = "digest.changed"
    DIGEST_UNSUBSCRIBED = "digest.unsubscribed"
    CERTIFICATE_REVOKED = "certificate.revoked"
    APP_INSTALLED = "app.installed"
    APP_UNINSTALLED = "app.uninstalled"
    TOKENS_REVOKED = "tokens.revoked"
    WORKSPACE_EXPORTED = "workspace.exported"
    WORKSPACE_DELETED = "workspace.deleted"
    RECOMMENDATIONS_SWITCHED = "recommendations.switched"


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        # `/training audit` pages newest first by (at, id); a B-tree is read backwards as
        # cheaply as forwards on both databases, so the index needs no DESC.
        Index("ix_audit_log_workspace_id_at_id", "workspace_id", "at", "id"),
        Index("ix_audit_log_team_id_at", "team_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The entry recording a workspace's deletion outlives the workspace: `trainbot workspace
    # delete` removes the workspace's entries with the rest of its rows, then writes that
    # one with no workspace row to point at, found by `team_id` (`trainbot audit export`).
    # SET NULL rather than CASCADE, so an entry is never lost by a row deleted another way.
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="SET NULL")
    )
    team_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    # Who: a member of the workspace (id and Slack user id), or an installer Trainbot has
    # not met yet (user id only), or nobody in particular ("CLI (operator)", "Slack").
    # `actor` is how they were called at the time, kept when the member row goes.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    actor_user_id: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(40))
    # What it was done to: a kind ("member", "resource", "assignment", ...), its id as text
    # (a row id, a Slack user id, a certificate code), its title then, and the person it is
    # about, if any (an assignment's assignee, a member whose role changed).
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    subject_title: Mapped[str] = mapped_column(String(255), default="")
    subject_user_id: Mapped[str | None] = mapped_column(String(32))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

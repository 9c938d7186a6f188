"""Learning paths: ordered steps for a role, and the people enrolled on them.

A path is a resource of type path (so the library, search and /assign know it) with a
row here for what only paths have. Each enrollment keeps its own copy of the steps, so
a path edited later changes new enrollments and leaves current learners' plans alone
unless a manager applies the change to them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.enums import EnrollmentStatus, Priority, RuleSource, StepState, sql_in

ROLE_MAX = 100
MAX_STEPS = 25
MAX_DUE_DAYS = 365
# "Open" = neither completed nor cancelled (a paused enrollment is still open).
OPEN_ENROLLMENT_WHERE = "completed_at IS NULL AND cancelled_at IS NULL"


class LearningPath(Base):
    __tablename__ = "learning_paths"
    __table_args__ = (
        CheckConstraint(
            f"due_days IS NULL OR (due_days >= 1 AND due_days <= {MAX_DUE_DAYS})", name="due_days"
        ),
    )

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("training_resources.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(ROLE_MAX), default="")
    # The whole path is due this many days after it starts (None: no overall due date).
    due_days: Mapped[int | None]


class PathStep(Base):
    """A step of a path as it stands now: what new enrollments are given."""

    __tablename__ = "path_steps"
    __table_args__ = (
        UniqueConstraint("path_id", "position"),
        UniqueConstraint("path_id", "resource_id"),
        CheckConstraint(
            f"due_days IS NULL OR (due_days >= 1 AND due_days <= {MAX_DUE_DAYS})", name="due_days"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_resources.id", ondelete="CASCADE"))
    position: Mapped[int]
    # No ON DELETE: a resource that is a step is archived, never deleted under the path.
    resource_id: Mapped[int] = mapped_column(ForeignKey("training_resources.id"), index=True)
    due_days: Mapped[int | None]  # due this many days after the step opens


class EnrollmentRule(Base):
    """ "Also enroll people who join later": a path kept enrolled for a group or channel."""

    __tablename__ = "enrollment_rules"
    __table_args__ = (
        UniqueConstraint("workspace_id", "path_id", "source", "source_id"),
        CheckConstraint(f"source IN ({sql_in(RuleSource)})", name="source"),
        CheckConstraint(f"priority IN ({sql_in(Priority)})", name="priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    path_id: Mapped[int] = mapped_column(ForeignKey("training_resources.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(32))  # a user group or channel id
    source_label: Mapped[str] = mapped_column(String(255), default="")
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    priority: Mapped[str] = mapped_column(String(16), default=Priority.NORMAL.value)
    note: Mapped[str] = mapped_column(Text, default="")
    include_guests: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # subteam_members_changed carries date_previous_update: a gap means a missed event.
    group_updated_at: Mapped[int | None]
    reconciled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PathEnrollment(Base):
    __tablename__ = "path_enrollments"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(EnrollmentStatus)})", name="status"),
        CheckConstraint(f"priority IN ({sql_in(Priority)})", name="priority"),
        Index(
            "uq_path_enrollments_open",
            "path_id",
            "member_id",
            unique=True,
            sqlite_where=text(OPEN_ENROLLMENT_WHERE),
            postgresql_where=text(OPEN_ENROLLMENT_WHERE),
        ),
        Index("ix_path_enrollments_workspace_id_member_id", "workspace_id", "member_id"),
        Index("ix_path_enrollments_workspace_id_path_id", "workspace_id", "path_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # No ON DELETE: a path someone was enrolled on is archived, never deleted.
    path_id: Mapped[int] = mapped_column(ForeignKey("training_resources.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollment_rules.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default=EnrollmentStatus.ACTIVE.value)
    priority: Mapped[str] = mapped_column(String(16), default=Priority.NORMAL.value)
    note: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]  # the learner's local day step 1 opens
    due_on: Mapped[date | None]  # the whole path, from the path's "by day N"
    enrolled_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    paused_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # A renewal (recertification) is done again: steps completed before this do not count.
    counts_since: Mapped[datetime | None]


class EnrollmentStep(Base):
    """One step of one person's plan; `assignment_id` is the assignment that carries it."""

    __tablename__ = "enrollment_steps"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "position"),
        CheckConstraint(f"state IN ({sql_in(StepState)})", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("path_enrollments.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    resource_id: Mapped[int] = mapped_column(ForeignKey("training_resources.id"))
    due_days: Mapped[int | None]
    state: Mapped[str] = mapped_column(String(16), default=StepState.LOCKED.value)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_assignments.id"), index=True
    )
    opened_at: Mapped[datetime | None]  # None for a step done before the path reached it
    done_at: Mapped[datetime | None]

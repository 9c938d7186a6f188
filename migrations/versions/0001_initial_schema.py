"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Reviewed by hand: assignments keep their resource and events keep their assignment
(no ON DELETE: removing assigned content archives it instead); timestamps are plain timezone-aware DateTime columns (the
models' UTCDateTime only normalises values in Python); partial unique indexes keep
one open assignment per (resource, member) and unique external ids in the shared
library, where a NULL workspace would never collide in a plain UNIQUE constraint.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domains")),
        sa.UniqueConstraint("slug", name=op.f("uq_domains_slug")),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.create_index(
        op.f("ix_processed_events_received_at"), "processed_events", ["received_at"], unique=False
    )

    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint("team_id", name=op.f("uq_workspaces_team_id")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("real_name", sa.String(length=255), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("is_slack_admin", sa.Boolean(), nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("is_deactivated", sa.Boolean(), nullable=False),
        sa.Column("profile_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'manager', 'member')", name=op.f("ck_members_role")),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_members_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint(
            "workspace_id", "slack_user_id", name=op.f("uq_members_workspace_id_slack_user_id")
        ),
    )
    op.create_table(
        "training_resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("access", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("file_id", sa.String(length=32), nullable=True),
        sa.Column("thumbnail", sa.String(length=2000), nullable=True),
        sa.Column("partner", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("difficulty", sa.String(length=16), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "access IN ('free', 'premium', 'affiliate')", name=op.f("ck_training_resources_access")
        ),
        sa.CheckConstraint(
            "difficulty IS NULL OR difficulty IN ('beginner', 'intermediate', 'advanced')",
            name=op.f("ck_training_resources_difficulty"),
        ),
        sa.CheckConstraint(
            "status IN ('published', 'draft', 'coming_soon', 'archived')",
            name=op.f("ck_training_resources_status"),
        ),
        sa.CheckConstraint(
            "type IN ('article', 'video', 'pdf', 'course', 'podcast', 'book', 'document')",
            name=op.f("ck_training_resources_type"),
        ),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes >= 0",
            name=op.f("ck_training_resources_duration"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["members.id"],
            name=op.f("fk_training_resources_created_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_training_resources_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_resources")),
        sa.UniqueConstraint(
            "workspace_id",
            "external_id",
            name=op.f("uq_training_resources_workspace_id_external_id"),
        ),
    )
    op.create_index(op.f("ix_training_resources_url"), "training_resources", ["url"], unique=False)
    op.create_index(
        "ix_training_resources_workspace_id_status",
        "training_resources",
        ["workspace_id", "status"],
        unique=False,
    )
    op.create_index(
        "uq_training_resources_shared_external_id",
        "training_resources",
        ["external_id"],
        unique=True,
        sqlite_where=sa.text("workspace_id IS NULL"),
        postgresql_where=sa.text("workspace_id IS NULL"),
    )

    op.create_table(
        "course_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_resources.id"],
            name=op.f("fk_course_sections_course_id_training_resources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_sections")),
        sa.UniqueConstraint(
            "course_id", "position", name=op.f("uq_course_sections_course_id_position")
        ),
    )
    op.create_table(
        "resource_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "priority IN ('low', 'normal', 'high', 'urgent')",
            name=op.f("ck_resource_assignments_priority"),
        ),
        sa.CheckConstraint(
            "status IN ('assigned', 'in_progress', 'completed')",
            name=op.f("ck_resource_assignments_status"),
        ),
        sa.CheckConstraint(
            "progress >= 0 AND progress <= 100", name=op.f("ck_resource_assignments_progress")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["members.id"],
            name=op.f("fk_resource_assignments_assigned_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_resource_assignments_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["training_resources.id"],
            name=op.f("fk_resource_assignments_resource_id_training_resources"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_resource_assignments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_assignments")),
    )
    op.create_index(
        op.f("ix_resource_assignments_resource_id"),
        "resource_assignments",
        ["resource_id"],
        unique=False,
    )
    op.create_index(
        "ix_resource_assignments_workspace_id_member_id",
        "resource_assignments",
        ["workspace_id", "member_id"],
        unique=False,
    )
    op.create_index(
        "uq_resource_assignments_open",
        "resource_assignments",
        ["resource_id", "member_id"],
        unique=True,
        sqlite_where=sa.text("completed_at IS NULL AND cancelled_at IS NULL"),
        postgresql_where=sa.text("completed_at IS NULL AND cancelled_at IS NULL"),
    )

    op.create_table(
        "resource_domains",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["domain_id"],
            ["domains.id"],
            name=op.f("fk_resource_domains_domain_id_domains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["training_resources.id"],
            name=op.f("fk_resource_domains_resource_id_training_resources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", "domain_id", name=op.f("pk_resource_domains")),
    )
    op.create_index(
        op.f("ix_resource_domains_domain_id"), "resource_domains", ["domain_id"], unique=False
    )

    op.create_table(
        "assignment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('assigned', 'started', 'progress', 'completed', 'cancelled', 'due_changed', 'reassigned')",
            name=op.f("ck_assignment_events_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["members.id"],
            name=op.f("fk_assignment_events_actor_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["resource_assignments.id"],
            name=op.f("fk_assignment_events_assignment_id_resource_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_assignment_events_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_events")),
    )
    op.create_index(
        op.f("ix_assignment_events_assignment_id"),
        "assignment_events",
        ["assignment_id"],
        unique=False,
    )
    op.create_index(
        "ix_assignment_events_workspace_id_occurred_at",
        "assignment_events",
        ["workspace_id", "occurred_at"],
        unique=False,
    )

    op.create_table(
        "course_section_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["training_resources.id"],
            name=op.f("fk_course_section_items_resource_id_training_resources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["course_sections.id"],
            name=op.f("fk_course_section_items_section_id_course_sections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_section_items")),
        sa.UniqueConstraint(
            "section_id", "position", name=op.f("uq_course_section_items_section_id_position")
        ),
    )
    op.create_index(
        op.f("ix_course_section_items_resource_id"),
        "course_section_items",
        ["resource_id"],
        unique=False,
    )


def downgrade() -> None:
    # Dropping a table drops its indexes with it.
    for table in (
        "course_section_items",
        "assignment_events",
        "resource_domains",
        "resource_assignments",
        "course_sections",
        "training_resources",
        "members",
        "workspaces",
        "processed_events",
        "domains",
    ):
        op.drop_table(table)

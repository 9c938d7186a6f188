"""courses with sections, learning paths and their enrollments

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Reviewed by hand:
- training_resources.type admits 'path' (the CHECK is rebuilt: a table copy on SQLite);
- course_section_items gains course_id (backfilled from its section) so that a resource
  appears once per course as a database rule, and `optional`, false for what exists; its
  resource foreign key loses ON DELETE CASCADE: content inside a course is archived
  instead of silently leaving the course when someone removes it;
- course_item_done: the items a learner checked, per assignment and item resource;
- learning_paths (1:1 with a resource of type path), path_steps (the plan new
  enrollments copy), path_enrollments (one open per path and person, a partial unique
  index as for assignments), enrollment_steps (each person's own copy of the steps),
  enrollment_rules ("also enroll people who join later");
- members.is_guest (false for everyone known: profiles refresh it);
- builder_drafts: a course or path being built in a modal.
Nothing existing is rewritten beyond the backfill; downgrade drops the new tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TYPES_BEFORE = "'article', 'video', 'pdf', 'course', 'podcast', 'book', 'document'"
TYPES_AFTER = TYPES_BEFORE + ", 'path'"
PRIORITIES = "priority IN ('low', 'normal', 'high', 'urgent')"
OPEN = "completed_at IS NULL AND cancelled_at IS NULL"
DUE_DAYS = "due_days IS NULL OR (due_days >= 1 AND due_days <= 365)"


def _fk(
    table: str, column: str, target: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _stamp(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("training_resources") as batch_op:
        batch_op.drop_constraint(op.f("ck_training_resources_type"), type_="check")
        batch_op.create_check_constraint("type", f"type IN ({TYPES_AFTER})")

    op.add_column("course_section_items", sa.Column("course_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE course_section_items SET course_id = "
        "(SELECT course_id FROM course_sections WHERE course_sections.id = section_id)"
    )
    with op.batch_alter_table("course_section_items") as batch_op:
        batch_op.alter_column("course_id", nullable=False)
        batch_op.add_column(
            sa.Column("optional", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_unique_constraint(
            op.f("uq_course_section_items_course_id_resource_id"), ["course_id", "resource_id"]
        )
        batch_op.drop_constraint(
            op.f("fk_course_section_items_resource_id_training_resources"), type_="foreignkey"
        )
        batch_op.create_foreign_key(
            op.f("fk_course_section_items_resource_id_training_resources"),
            "training_resources",
            ["resource_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            op.f("fk_course_section_items_course_id_training_resources"),
            "training_resources",
            ["course_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("course_section_items") as batch_op:
        batch_op.alter_column("optional", server_default=None)

    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(
            sa.Column("is_guest", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("members") as batch_op:
        batch_op.alter_column("is_guest", server_default=None)

    op.create_table(
        "course_item_done",
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        _stamp("done_at"),
        _fk("course_item_done", "assignment_id", "resource_assignments", "CASCADE"),
        _fk("course_item_done", "resource_id", "training_resources", "CASCADE"),
        sa.PrimaryKeyConstraint("assignment_id", "resource_id", name=op.f("pk_course_item_done")),
    )
    op.create_table(
        "learning_paths",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=True),
        sa.CheckConstraint(DUE_DAYS, name=op.f("ck_learning_paths_due_days")),
        _fk("learning_paths", "resource_id", "training_resources", "CASCADE"),
        sa.PrimaryKeyConstraint("resource_id", name=op.f("pk_learning_paths")),
    )
    op.create_table(
        "path_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=True),
        sa.CheckConstraint(DUE_DAYS, name=op.f("ck_path_steps_due_days")),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_resources.id"],
            name=op.f("fk_path_steps_path_id_training_resources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["training_resources.id"],
            name=op.f("fk_path_steps_resource_id_training_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_path_steps")),
        sa.UniqueConstraint("path_id", "position", name=op.f("uq_path_steps_path_id_position")),
        sa.UniqueConstraint(
            "path_id", "resource_id", name=op.f("uq_path_steps_path_id_resource_id")
        ),
    )
    op.create_index(op.f("ix_path_steps_resource_id"), "path_steps", ["resource_id"])
    op.create_table(
        "enrollment_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=32), nullable=False),
        sa.Column("source_label", sa.String(length=255), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("include_guests", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("group_updated_at", sa.Integer(), nullable=True),
        _stamp("reconciled_at", nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.CheckConstraint(PRIORITIES, name=op.f("ck_enrollment_rules_priority")),
        sa.CheckConstraint(
            "source IN ('usergroup', 'channel')", name=op.f("ck_enrollment_rules_source")
        ),
        _fk("enrollment_rules", "assigned_by_id", "members", "SET NULL"),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_resources.id"],
            name=op.f("fk_enrollment_rules_path_id_training_resources"),
            ondelete="CASCADE",
        ),
        _fk("enrollment_rules", "workspace_id", "workspaces", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_rules")),
        sa.UniqueConstraint(
            "workspace_id",
            "path_id",
            "source",
            "source_id",
            name=op.f("uq_enrollment_rules_workspace_id_path_id_source_source_id"),
        ),
    )
    op.create_table(
        "path_enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        _stamp("enrolled_at"),
        _stamp("updated_at"),
        _stamp("paused_at", nullable=True),
        _stamp("completed_at", nullable=True),
        _stamp("cancelled_at", nullable=True),
        sa.CheckConstraint(PRIORITIES, name=op.f("ck_path_enrollments_priority")),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'completed', 'cancelled')",
            name=op.f("ck_path_enrollments_status"),
        ),
        _fk("path_enrollments", "assigned_by_id", "members", "SET NULL"),
        _fk("path_enrollments", "member_id", "members", "CASCADE"),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["training_resources.id"],
            name=op.f("fk_path_enrollments_path_id_training_resources"),
        ),
        _fk("path_enrollments", "rule_id", "enrollment_rules", "SET NULL"),
        _fk("path_enrollments", "workspace_id", "workspaces", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_path_enrollments")),
    )
    op.create_index(
        "ix_path_enrollments_workspace_id_member_id",
        "path_enrollments",
        ["workspace_id", "member_id"],
    )
    op.create_index(
        "ix_path_enrollments_workspace_id_path_id", "path_enrollments", ["workspace_id", "path_id"]
    )
    op.create_index(
        "uq_path_enrollments_open",
        "path_enrollments",
        ["path_id", "member_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    op.create_table(
        "enrollment_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        _stamp("opened_at", nullable=True),
        _stamp("done_at", nullable=True),
        sa.CheckConstraint(
            "state IN ('locked', 'open', 'done', 'skipped')", name=op.f("ck_enrollment_steps_state")
        ),
        _fk("enrollment_steps", "assignment_id", "resource_assignments"),
        _fk("enrollment_steps", "enrollment_id", "path_enrollments", "CASCADE"),
        _fk("enrollment_steps", "resource_id", "training_resources"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_steps")),
        sa.UniqueConstraint(
            "enrollment_id", "position", name=op.f("uq_enrollment_steps_enrollment_id_position")
        ),
    )
    op.create_index(
        op.f("ix_enrollment_steps_assignment_id"), "enrollment_steps", ["assignment_id"]
    )
    op.create_table(
        "builder_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
        _fk("builder_drafts", "member_id", "members", "CASCADE"),
        _fk("builder_drafts", "resource_id", "training_resources", "CASCADE"),
        _fk("builder_drafts", "workspace_id", "workspaces", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_builder_drafts")),
    )
    op.create_index(op.f("ix_builder_drafts_updated_at"), "builder_drafts", ["updated_at"])


def downgrade() -> None:
    op.drop_table("builder_drafts")
    op.drop_table("enrollment_steps")
    op.drop_table("path_enrollments")
    op.drop_table("enrollment_rules")
    op.drop_table("path_steps")
    op.drop_table("learning_paths")
    op.drop_table("course_item_done")
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_column("is_guest")
    with op.batch_alter_table("course_section_items") as batch_op:
        batch_op.drop_constraint(
            op.f("fk_course_section_items_course_id_training_resources"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            op.f("fk_course_section_items_resource_id_training_resources"), type_="foreignkey"
        )
        batch_op.create_foreign_key(
            op.f("fk_course_section_items_resource_id_training_resources"),
            "training_resources",
            ["resource_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint(
            op.f("uq_course_section_items_course_id_resource_id"), type_="unique"
        )
        batch_op.drop_column("optional")
        batch_op.drop_column("course_id")
    op.execute("DELETE FROM training_resources WHERE type = 'path'")
    with op.batch_alter_table("training_resources") as batch_op:
        batch_op.drop_constraint(op.f("ck_training_resources_type"), type_="check")
        batch_op.create_check_constraint("type", f"type IN ({TYPES_BEFORE})")

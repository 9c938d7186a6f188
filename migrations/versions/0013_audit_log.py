"""the audit log of administrative actions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

Reviewed by hand:
- audit_log: one row per administrative action (role changes, content, assignments
  cancelled or reassigned, policy and digest changes, installs, uninstalls, exports and
  deletions), written in the transaction of the change it records. `before` / `after`
  hold only the fields that changed (JSON).
- `workspace_id` is nullable, ON DELETE SET NULL, and `team_id` is kept beside it: the
  entry recording a workspace's deletion outlives the workspace row; an entry is never
  dropped by a cascade. `actor_id` is ON DELETE SET NULL too (`actor` keeps the name).
- `action` has no CHECK: new audited actions come without a migration.
- Indexes: (workspace_id, at, id) for `/training audit`, newest first, paged by key;
  (team_id, at) for `trainbot audit export --workspace TEAM_ID [--since]`.
- Nothing existing changes; no data is written (the log starts empty).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_user_id", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject_kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("subject_title", sa.String(length=255), nullable=False),
        sa.Column("subject_user_id", sa.String(length=32), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["members.id"], name=op.f("fk_audit_log_actor_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_audit_log_workspace_id_workspaces"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )  # fmt: skip
    op.create_index("ix_audit_log_workspace_id_at_id", "audit_log", ["workspace_id", "at", "id"])
    op.create_index("ix_audit_log_team_id_at", "audit_log", ["team_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_team_id_at", table_name="audit_log")
    op.drop_index("ix_audit_log_workspace_id_at_id", table_name="audit_log")
    op.drop_table("audit_log")

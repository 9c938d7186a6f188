"""managing assignments, completion notices, safer delivery

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Reviewed by hand:
- outbox.sending_since marks a row whose Slack call may have happened (see models/outbox.py);
- workspaces.send_paused_until shares a 429's Retry-After with every sender;
- members.notify_completions is a manager's opt-in, false for everyone who exists;
- resource_assignments.closed_reason says why a closed assignment was not completed;
- an index on resource_assignments (workspace_id, assigned_by_id): a manager's Home and
  Manage read what they assigned, which was a sequential scan of every assignment.
  Existing cancelled rows were only ever cancelled for being unreachable (the one way
  to cancel before this revision), so they are backfilled as such.
The CHECK on closed_reason needs a table copy on SQLite, hence batch mode there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("sending_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "workspaces", sa.Column("send_paused_until", sa.DateTime(timezone=True), nullable=True)
    )
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(
            sa.Column("notify_completions", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("members") as batch_op:
        batch_op.alter_column("notify_completions", server_default=None)
    with op.batch_alter_table("resource_assignments") as batch_op:
        batch_op.add_column(sa.Column("closed_reason", sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            "closed_reason", "closed_reason IN ('cancelled', 'reassigned', 'unreachable')"
        )
    op.execute(
        "UPDATE resource_assignments SET closed_reason = 'unreachable' "
        "WHERE cancelled_at IS NOT NULL"
    )
    op.create_index(
        "ix_resource_assignments_workspace_id_assigned_by_id",
        "resource_assignments",
        ["workspace_id", "assigned_by_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_resource_assignments_workspace_id_assigned_by_id", table_name="resource_assignments"
    )
    with op.batch_alter_table("resource_assignments") as batch_op:
        batch_op.drop_constraint(op.f("ck_resource_assignments_closed_reason"), type_="check")
        batch_op.drop_column("closed_reason")
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_column("notify_completions")
    with op.batch_alter_table("workspaces") as batch_op:
        batch_op.drop_column("send_paused_until")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("sending_since")

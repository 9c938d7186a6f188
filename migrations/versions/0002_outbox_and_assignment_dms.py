"""outbox and assignment DMs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Reviewed by hand: the outbox holds every message owed (unique key per message,
claimed with a lease); assignments remember their DM so it can be updated in place.
Adding nullable columns needs no table copy, so no batch mode on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed', 'skipped')", name=op.f("ck_outbox_status")
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["resource_assignments.id"],
            name=op.f("fk_outbox_assignment_id_resource_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_outbox_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    op.create_index(op.f("ix_outbox_assignment_id"), "outbox", ["assignment_id"], unique=False)
    op.create_index(
        "ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"], unique=False
    )
    op.add_column(
        "resource_assignments", sa.Column("dm_channel", sa.String(length=32), nullable=True)
    )
    op.add_column("resource_assignments", sa.Column("dm_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resource_assignments") as batch_op:
        batch_op.drop_column("dm_ts")
        batch_op.drop_column("dm_channel")
    op.drop_table("outbox")

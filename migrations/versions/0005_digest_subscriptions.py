"""weekly digest subscriptions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

Reviewed by hand: one new table; a subscription is unique per channel and scope, and
goes when its workspace goes. Which week a digest went out for is not stored here: the
outbox row's unique key (subscription + ISO week) is that record.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.String(length=32), nullable=False),
        sa.Column("scope_label", sa.String(length=255), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("broken_reason", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("hour >= 0 AND hour <= 23", name=op.f("ck_digest_subscriptions_hour")),
        sa.CheckConstraint(
            "scope IN ('workspace', 'usergroup', 'channel')",
            name=op.f("ck_digest_subscriptions_scope"),
        ),
        sa.CheckConstraint(
            "weekday >= 0 AND weekday <= 6", name=op.f("ck_digest_subscriptions_weekday")
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["members.id"],
            name=op.f("fk_digest_subscriptions_subscriber_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_digest_subscriptions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_subscriptions")),
        sa.UniqueConstraint(
            "workspace_id",
            "channel_id",
            "scope",
            "scope_id",
            name=op.f("uq_digest_subscriptions_workspace_id_channel_id_scope_scope_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("digest_subscriptions")

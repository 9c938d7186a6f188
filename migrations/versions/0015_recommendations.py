"""recommendations: "Not for me" per person, and a per-workspace switch

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

Reviewed by hand:
- recommendation_dismissals: one row per (member, resource) a person marked "Not for
  me"; the resource (course or path too) is never recommended to them again. Primary key
  (member_id, resource_id), so a second click changes nothing. Both ON DELETE CASCADE: a
  dismissal means nothing without its person or its resource. `workspace_id` (CASCADE)
  lets a workspace's export and deletion find the rows; indexed with member_id, the
  lookup made on every Home.
- workspaces gains `recommendations` (boolean, NOT NULL, server default true): existing
  rows are on, and the default stays (the model declares it too) so inserts that name
  only the older columns (the bench seeders' raw SQL) keep working. Off hides the Home
  section and makes `trainbot recommend` say so.
- Nothing else changes; no data is written beyond the default.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recommendation_dismissals",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("dismissed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"],
            name=op.f("fk_recommendation_dismissals_member_id_members"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["training_resources.id"],
            name=op.f("fk_recommendation_dismissals_resource_id_training_resources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_recommendation_dismissals_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "member_id", "resource_id", name=op.f("pk_recommendation_dismissals")
        ),
    )  # fmt: skip
    op.create_index(
        "ix_recommendation_dismissals_workspace_id_member_id",
        "recommendation_dismissals",
        ["workspace_id", "member_id"],
    )
    with op.batch_alter_table("workspaces") as batch_op:
        batch_op.add_column(
            sa.Column("recommendations", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch_op:
        batch_op.drop_column("recommendations")
    op.drop_index(
        "ix_recommendation_dismissals_workspace_id_member_id",
        table_name="recommendation_dismissals",
    )
    op.drop_table("recommendation_dismissals")

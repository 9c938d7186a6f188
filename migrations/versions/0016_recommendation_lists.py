"""recommendation lists: each person's recommendations as last computed, for Home

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

Reviewed by hand:
- recommendation_lists: one row per person (primary key member_id), written only by the
  hourly recommendations sweep (and `trainbot jobs run recommendations`): lists missing,
  older than 6 hours, or older than the person's latest assignment, completion,
  enrollment or "Not for me". Home reads it and never writes it.
  `items` (JSON) is the list best first: resource id, score and the reason's parts;
  titles and links are read from the library when shown. `computed_at` says how old it is.
- member_id and workspace_id ON DELETE CASCADE: a list means nothing without its person;
  workspace_id is indexed for the sweep and a workspace's deletion. Resources are not
  foreign keys here (they are inside the JSON): a list naming a resource since deleted
  or unpublished is filtered when read.
- Nothing else changes; no data is written (Home computes lists until the sweep runs).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recommendation_lists",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"],
            name=op.f("fk_recommendation_lists_member_id_members"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_recommendation_lists_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_recommendation_lists")),
    )  # fmt: skip
    op.create_index(
        "ix_recommendation_lists_workspace_id", "recommendation_lists", ["workspace_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_recommendation_lists_workspace_id", table_name="recommendation_lists")
    op.drop_table("recommendation_lists")

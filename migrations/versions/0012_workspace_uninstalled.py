"""a workspace remembers when Trainbot was uninstalled from it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

Reviewed by hand:
- workspaces gains `uninstalled_at` (NULL for every existing row: installed). While it is
  set, the outbox sender claims none of the workspace's rows: they are held, neither tried
  against Slack nor lost, until a reinstall clears it. A nullable column added in place.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "workspaces", sa.Column("uninstalled_at", UTCDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch_op:
        batch_op.drop_column("uninstalled_at")

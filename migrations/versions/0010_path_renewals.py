"""a path enrollment may count only what is done from a moment on (a renewal)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Reviewed by hand:
- path_enrollments gains `counts_since` (NULL for every existing row: earlier completions
  count, as before). A recertification enrolls the person again with it set, so steps they
  completed for the certificate that expires are done again, not counted at once.
  A nullable column is added in place on both databases: no table is rebuilt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "path_enrollments", sa.Column("counts_since", UTCDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("path_enrollments") as batch_op:
        batch_op.drop_column("counts_since")

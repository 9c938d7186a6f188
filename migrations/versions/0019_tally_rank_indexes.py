"""tally rank indexes: a report's rows read in its order from an index

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

Reviewed by hand:
- ix_resource_tallies_rank and ix_member_tallies_rank: a scope's tallies (workspace,
  manager) in a report's order, most overdue first, then least complete, the completed
  share written `CAST(completed AS FLOAT) / live` exactly as bot/services/tally_rows.py
  writes it (both databases use an expression index only for the same expression).
  Partial, WHERE live > 0: reports show only those rows, and the share is only computed
  (never divided by zero) for them. A page of the Team tab then reads its rows and their
  ties from the front of the index instead of ranking the scope's tens of thousands of
  tallies, and the number of rows is counted from the index alone.
- The tally triggers (0018) now update these indexes when a count in them changes
  (live, completed, overdue): PostgreSQL's heap-only updates no longer apply to those.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TALLIES = ("resource_tallies", "member_tallies")


def upgrade() -> None:
    live = sa.text("live > 0")
    for table in TALLIES:
        op.create_index(
            f"ix_{table}_rank", table,
            ["workspace_id", "manager_id", sa.text("overdue DESC"),
             sa.text("(CAST(completed AS FLOAT) / live)")],
            postgresql_where=live, sqlite_where=live,
        )  # fmt: skip


def downgrade() -> None:
    for table in TALLIES:
        op.drop_index(f"ix_{table}_rank", table_name=table)

"""due-date reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Reviewed by hand: two nullable date columns on resource_assignments and an index on the
one the scheduler filters by. Open assignments that exist already are owed a reminder on
their due date (an overdue one: at the next sweep, once); after that reminder the policy
plans the rest, as for any new assignment.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("resource_assignments", sa.Column("next_remind_on", sa.Date(), nullable=True))
    op.add_column("resource_assignments", sa.Column("last_reminded_on", sa.Date(), nullable=True))
    op.create_index(
        op.f("ix_resource_assignments_next_remind_on"),
        "resource_assignments",
        ["next_remind_on"],
        unique=False,
    )
    op.execute(
        "UPDATE resource_assignments SET next_remind_on = due_on "
        "WHERE due_on IS NOT NULL AND completed_at IS NULL AND cancelled_at IS NULL"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_resource_assignments_next_remind_on"), table_name="resource_assignments")
    with op.batch_alter_table("resource_assignments") as batch_op:
        batch_op.drop_column("last_reminded_on")
        batch_op.drop_column("next_remind_on")

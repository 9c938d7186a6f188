"""an index to find a reminder by the message it became

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Reviewed by hand: a partial index on outbox (channel, ts) for reminder rows only. A click
in a reminder DM redraws that reminder; the lookup was a sequential scan of the whole
outbox, which grows with every message ever sent (bench/course_scale: 19 ms at 200,000
rows). Nothing is rewritten.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

REMINDERS = "kind = 'reminder'"


def upgrade() -> None:
    op.create_index(
        "ix_outbox_reminder_channel_ts", "outbox", ["channel", "ts"],
        sqlite_where=sa.text(REMINDERS), postgresql_where=sa.text(REMINDERS),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_outbox_reminder_channel_ts", table_name="outbox")

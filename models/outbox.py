"""The durable outbox: every message Trainbot owes someone, sent exactly once.

Rows are created in the same transaction as the change they announce, with a
unique key per message (insert-or-ignore), and claimed by senders with a lease
and a claim token, so a retried request or a restart never sends twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.enums import sql_in


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # a permanent error for this recipient (recorded, not retried)
    SKIPPED = "skipped"  # no longer worth sending (cancelled, deactivated person...)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(OutboxStatus)})", name="status"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        # A click in a reminder DM finds that reminder by where it landed.
        Index(
            "ix_outbox_reminder_channel_ts",
            "channel",
            "ts",
            sqlite_where=text("kind = 'reminder'"),
            postgresql_where=text("kind = 'reminder'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(32))  # a Slack user or channel id
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_assignments.id"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]
    # Set just before the Slack call, cleared when settled: a row claimed again with this
    # set may have reached Slack already (a sender died in between) and is looked up first.
    sending_since: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))  # where it landed
    ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

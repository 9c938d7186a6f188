"""Bookkeeping for Slack deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ProcessedEvent(Base):
    """Events API ids already handled: Slack retries deliveries and Bolt does not dedupe."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)

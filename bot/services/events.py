"""Deduplication of Events API deliveries (Slack retries; Bolt does not dedupe)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import insert_for
from models import ProcessedEvent

KEEP_FOR = timedelta(days=2)


class EventLog:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def first_delivery(self, *, event_id: str) -> bool:
        """Record the event id; False when it was seen before (a retry)."""
        with self._sessions.begin() as s:
            # RETURNING, not rowcount: an ORM insert's rowcount is not reliable on PostgreSQL.
            inserted = s.scalars(
                insert_for(s, ProcessedEvent)
                .values(event_id=event_id, received_at=self._clock.now())
                .on_conflict_do_nothing(index_elements=["event_id"])
                .returning(ProcessedEvent.event_id)
            ).first()
            return inserted is not None

    def forget_old(self) -> int:
        """Drop ids older than Slack's retry window (a scheduler chore)."""
        with self._sessions.begin() as s:
            result = s.execute(
                delete(ProcessedEvent).where(
                    ProcessedEvent.received_at < self._clock.now() - KEEP_FOR
                )
            )
            return int(getattr(result, "rowcount", 0))

"""The sandbox clock: real time plus an offset that only time travel moves (forward).

The offset is kept in the SQLite file itself (`PRAGMA user_version`, an integer SQLite
reserves for applications and nothing else here uses; Alembic keeps its own table), so
a restart does not put the app back before what it already recorded, and `--fresh`
forgets it with the rest.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine


class TravelError(ValueError):
    """A time-travel target the sandbox refuses (malformed, or in the past)."""


class SandboxClock:
    """`bot.clock.Clock` for the app's services: wall time shifted by the sandbox's offset."""

    def __init__(
        self, offset: timedelta = timedelta(0), save: Callable[[timedelta], None] | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._offset = offset
        self._save = save

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def travel_to(self, moment: datetime) -> datetime:
        """Move forward to `moment` (aware); going back is refused. Returns the new now."""
        with self._lock:
            wall = datetime.now(UTC)
            now = wall + self._offset
            if moment < now - timedelta(seconds=1):
                raise TravelError(
                    f"going back in time is refused: it is already {now:%Y-%m-%d %H:%M} UTC"
                )
            self._set(max(self._offset, moment - wall))
            return wall + self._offset

    def shift_for_seeding(self, offset: timedelta) -> None:
        """Seeding only: set the offset outright (the demo's history is written in the past)."""
        with self._lock:
            self._set(offset)

    def _set(self, offset: timedelta) -> None:
        self._offset = offset
        if self._save is not None:
            self._save(offset)


def stored_clock(engine: Engine) -> SandboxClock:
    """A clock whose offset lives in the database file (whole seconds, never negative)."""
    with engine.connect() as conn:
        seconds = int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)

    def save(offset: timedelta) -> None:
        kept = max(0, min(math.ceil(offset.total_seconds()), 2**31 - 1))
        with engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA user_version = {kept}")

    return SandboxClock(timedelta(seconds=max(0, seconds)), save)


def parse_moment(text: object, tz: str) -> datetime:
    """A local time in `tz` ("2026-12-07T09:00"), or an ISO instant with an offset or Z."""
    if not isinstance(text, str) or not text.strip():
        raise TravelError('"to" must be an ISO-8601 date-time such as 2026-12-07T09:00')
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise TravelError(f"not an ISO-8601 date-time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment.astimezone(UTC)

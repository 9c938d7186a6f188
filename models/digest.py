"""Weekly completion digests: who subscribed which channel, and when a digest is due.

A digest goes out once per subscription and ISO week, at the subscription's weekday and
hour in its timezone; one missed by more than a day is skipped (a Monday digest read on
Wednesday misleads more than it helps).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.enums import sql_in

MISSED_AFTER = timedelta(days=1)


class DigestScope(StrEnum):
    WORKSPACE = "workspace"  # everyone with assignments
    USERGROUP = "usergroup"  # the members of a user group, read when the digest is made
    CHANNEL = "channel"  # the members of the digest's own channel


class DigestSubscription(Base):
    __tablename__ = "digest_subscriptions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "channel_id", "scope", "scope_id"),
        CheckConstraint(f"scope IN ({sql_in(DigestScope)})", name="scope"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
        CheckConstraint("hour >= 0 AND hour <= 23", name="hour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[str] = mapped_column(String(32), default="")  # the user group's id
    scope_label: Mapped[str] = mapped_column(String(255), default="")
    weekday: Mapped[int] = mapped_column(default=0)  # Monday
    hour: Mapped[int] = mapped_column(default=9)
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    broken_reason: Mapped[str | None] = mapped_column(String(64))  # e.g. is_archived
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


@dataclass(frozen=True)
class DigestSlot:
    """This week's digest moment for a subscription."""

    at: datetime  # UTC
    week: str  # ISO week, e.g. "2026-W48": with the subscription, the digest's identity

    def state(self, now: datetime) -> str:
        """ "due" (send now), "missed" (more than a day late: skip) or "later"."""
        if now < self.at:
            return "later"
        return "due" if now - self.at <= MISSED_AFTER else "missed"


def digest_slot(now: datetime, *, weekday: int, hour: int, tz: str) -> DigestSlot:
    """The digest moment in the local week that contains `now` (DST-correct wall time)."""
    local = now.astimezone(ZoneInfo(tz))
    monday = local.date() - timedelta(days=local.weekday())
    day = monday + timedelta(days=weekday)
    at = datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(tz))
    year, week, _ = day.isocalendar()
    return DigestSlot(at.astimezone(ZoneInfo("UTC")), f"{year}-W{week:02d}")

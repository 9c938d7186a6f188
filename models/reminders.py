"""Pure rules for due-date reminders: the policy, and which days a reminder is owed.

Days here are the learner's own calendar days (their Slack timezone); the scheduler
turns "now" into that day and sends at the workspace's hour. Nothing here knows Slack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

SATURDAY = 5
LATEST_HOUR = 20  # no reminder starts later than 20:00 local: it waits for the next day


class PolicyError(ValueError):
    """A policy that makes no sense; the message says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReminderPolicy:
    """A workspace's reminder policy (admins change it; these are the defaults)."""

    days_before: int = 2  # a reminder this many days before the due date (0: none)
    on_due_date: bool = True
    overdue_every: int = 7  # then a nudge every this many days...
    overdue_times: int = 3  # ...this many times, then stop
    hour: int = 9  # local hour at which reminders go out
    weekdays_only: bool = True  # a reminder that falls on a weekend waits for Monday

    def __post_init__(self) -> None:
        if not 0 <= self.days_before <= 30:
            raise PolicyError("days_before", "Days before the due date must be 0 to 30.")
        if not 1 <= self.overdue_every <= 30:
            raise PolicyError("overdue_every", "Overdue nudges must be 1 to 30 days apart.")
        if not 0 <= self.overdue_times <= 10:
            raise PolicyError("overdue_times", "Overdue nudges: 0 to 10 of them.")
        if not 0 <= self.hour < LATEST_HOUR:
            raise PolicyError("hour", f"The reminder hour must be 0 to {LATEST_HOUR - 1}.")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> ReminderPolicy:
        """The policy stored in a workspace's settings (defaults for anything missing)."""
        stored = dict((settings or {}).get("reminders") or {})
        known = {k: v for k, v in stored.items() if k in cls.__dataclass_fields__}
        try:
            return cls(**known)
        except (PolicyError, TypeError):
            return cls()  # a stored policy that no longer validates: fall back, never crash

    def as_settings(self) -> dict[str, Any]:
        return asdict(self)

    def reminder_days(self, due_on: date) -> list[date]:
        """Every day a reminder about something due on `due_on` is owed, in order."""
        days = []
        if self.days_before:
            days.append(due_on - timedelta(days=self.days_before))
        if self.on_due_date:
            days.append(due_on)
        days += [
            due_on + timedelta(days=self.overdue_every * n)
            for n in range(1, self.overdue_times + 1)
        ]
        if self.weekdays_only:
            days = [_weekday_on_or_after(day) for day in days]
        return sorted(set(days))

    def next_reminder(self, due_on: date | None, *, after: date) -> date | None:
        """The first reminder day later than `after`, or None when no more are owed."""
        if due_on is None:
            return None
        return next((day for day in self.reminder_days(due_on) if day > after), None)


def _weekday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= SATURDAY else day


def next_monday(today: date) -> date:
    """ "Snooze until Monday": the coming Monday (a week on, when today is Monday)."""
    return today + timedelta(days=(7 - today.weekday()) or 7)


def snooze_day(today: date, *, weekdays_only: bool) -> date:
    """ "Snooze 1 day": tomorrow, or Monday when tomorrow is a weekend day and that counts."""
    tomorrow = today + timedelta(days=1)
    return _weekday_on_or_after(tomorrow) if weekdays_only else tomorrow

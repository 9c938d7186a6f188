"""Who is at their reminder time now: the timezones, and the condition the planner reads by.

A reminder goes out from the policy's hour until LATEST_HOUR, local time, on the learner's
own calendar day (weekdays only, if the policy says so). Which IANA zones are in that
window at a given minute does not depend on the data, so it is worked out here, in Python
(about 600 zones, once a minute per window), and the database is asked only for the rows
of people in those zones whose next reminder day has come there. At 10:00 UTC the due rows
of New York (05:00) are not read; once everyone at their hour is reminded, nothing is.

A member's timezone is what Slack gave: NULL for some, and possibly a name this host's tz
database does not know (Slack's can be newer: Europe/Kyiv on an old tzdata). Those people
are planned by the default timezone, in SQL and in Python alike, so nobody is skipped and
one odd name cannot make every sweep raise.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import ColumnElement, and_, false, or_

from models import Member, ResourceAssignment
from models.one_of import one_of
from models.reminders import LATEST_HOUR, SATURDAY, ReminderPolicy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Window:
    """When a policy's reminders go out: local `hour` to LATEST_HOUR, maybe weekdays only.
    The rest of a policy (which days are owed) does not change who is read at a minute."""

    hour: int
    weekdays_only: bool

    @classmethod
    def of(cls, policy: ReminderPolicy) -> Window:
        return cls(policy.hour, policy.weekdays_only)

    def open_at(self, local: datetime) -> bool:
        """Whether a reminder may go out at this local time."""
        if self.weekdays_only and local.weekday() >= SATURDAY:
            return False
        return self.hour <= local.hour < LATEST_HOUR


@cache
def _zones() -> tuple[tuple[str, ZoneInfo], ...]:
    """Every zone this host can load, by name (read once: the tz database does not move)."""
    found = []
    for name in sorted(available_timezones()):
        try:
            found.append((name, ZoneInfo(name)))
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue  # listed but unreadable: planned by the default timezone, as unknown
    return tuple(found)


@cache
def known_zones() -> frozenset[str]:
    return frozenset(name for name, _ in _zones())


@lru_cache(maxsize=4096)
def is_known_zone(name: str | None) -> bool:
    """Whether this host can load zone `name`. One zone read, not the whole list: a
    person's request asks this, and listing every zone (`known_zones`) takes 20 ms."""
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@lru_cache(maxsize=4)
def _local_times(minute: datetime) -> tuple[tuple[str, datetime], ...]:
    return tuple((name, minute.astimezone(zone)) for name, zone in _zones())


@lru_cache(maxsize=64)
def zones_at(minute: datetime, window: Window) -> tuple[tuple[date, tuple[str, ...]], ...]:
    """The zones whose local time is in `window` at `minute` (UTC), by their local date:
    due dates compare with that date, which is not the same everywhere at once."""
    by_day: dict[date, list[str]] = {}
    for name, local in _local_times(minute):
        if window.open_at(local):
            by_day.setdefault(local.date(), []).append(name)
    return tuple((day, tuple(names)) for day, names in sorted(by_day.items()))


_warned: set[str] = set()
_warned_lock = threading.Lock()


def zone_of(name: str | None, default_tz: str) -> ZoneInfo:
    """The zone `name` says, or the default one when it is missing or unknown here (an
    unknown name is logged once per process: it is a host to update, not a user's error)."""
    if name in known_zones():
        return ZoneInfo(name)
    if name:  # None or "": Slack gave none, nothing to tell anyone
        with _warned_lock:
            first = name not in _warned
            _warned.add(name)
        if first:
            log.warning("timezone %r is unknown on this host; using %s for it", name, default_tz)
    return ZoneInfo(default_tz)


def due_condition(
    now: datetime, policies: Mapping[ReminderPolicy, Sequence[int]], default_tz: str
) -> list[ColumnElement[bool]]:
    """Rows (of assignments joined to their members) whose reminder day has come in a zone
    at its reminder time now: per window (the workspaces whose policy has it), per local
    date, the people in those zones, and those with no known zone when the default one is
    there. Also an upper bound on `next_remind_on` alone, for its index."""
    a, m = ResourceAssignment, Member
    windows: dict[Window, list[int]] = {}
    for policy, workspaces in policies.items():
        windows.setdefault(Window.of(policy), []).extend(workspaces)
    minute = now.replace(second=0, microsecond=0)
    default_local = now.astimezone(ZoneInfo(default_tz))
    unknown = or_(m.tz.is_(None), ~one_of(m.tz, sorted(known_zones())))
    arms, latest = [], date.min
    for window, workspaces in windows.items():
        days = [(day, one_of(m.tz, names)) for day, names in zones_at(minute, window)]
        if window.open_at(default_local):
            days.append((default_local.date(), unknown))
        if not days:
            continue
        latest = max(latest, *(day for day, _ in days))
        arms.append(and_(
            one_of(a.workspace_id, workspaces),
            or_(*(and_(zone, a.next_remind_on <= day) for day, zone in days)),
        ))  # fmt: skip
    if not arms:
        return [false()]  # nobody anywhere at their reminder time: the query finds nothing
    return [a.next_remind_on <= latest, or_(*arms)]

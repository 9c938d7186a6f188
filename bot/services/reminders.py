"""Due-date reminders: planning who is owed one today, snoozing, and the policy.

The planner works from the database as it is now, so a sweep after downtime catches
up, and any replica may run it: each reminder is an outbox row keyed by person and
local day (insert-or-ignore), so a person gets at most one reminder DM a day, listing
everything due. Only the rows of people whose local time is at their reminder time, and
whose `next_remind_on` has come there, are read (bot/services/reminder_zones.py), a page
of people at a time, so a sweep costs the same few statements per page whatever the
size of the assignments table, and a sweep after everyone due was reminded reads nothing.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import ColumnElement, Row, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, local_today
from bot.errors import BotError, NotAllowed, NotFound
from bot.services.audit import Subject, record
from bot.services.cards import AssignmentCard, cards_by_id
from bot.services.members import Caller
from bot.services.outbox import enqueue_many, owed
from bot.services.reminder_policy import installed_policies, policy_of
from bot.services.reminder_zones import Window, due_condition, zone_of
from models import AuditAction, Member, OutboxMessage, ResourceAssignment, Workspace
from models.enums import Role
from models.one_of import one_of
from models.reminders import ReminderPolicy, next_monday, snooze_day
from models.workspace import still_installed

PAGE = 2000  # due assignments read per statement (a person's all on one page)
# id, member_id, workspace_id, due_on, next_remind_on, priority, slack_user_id, tz
DueRow = Row[int, int, int, date | None, date | None, str, str, str | None]


@dataclass(frozen=True)
class PlannedReminder:
    workspace_id: int
    user_id: str
    day: date  # the learner's local day
    assignment_ids: tuple[int, ...]


@dataclass(frozen=True)
class Reminder:
    """A reminder DM as sent: its day and what it listed, for redrawing it after a click."""

    day: date
    cards: tuple[AssignmentCard, ...]

    def still_open(self) -> Reminder:
        """The reminder without what was completed or cancelled since."""
        cards = tuple(c for c in self.cards if c.status != "completed" and not c.cancelled)
        return Reminder(self.day, cards)


class ReminderService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._default_tz = default_tz

    def plan(self, *, dry_run: bool = False) -> list[PlannedReminder]:
        """Owe today's reminders to everyone for whom it is now reminder time.

        The policies in use are read, then who is at their reminder time with a reminder
        day that has come (one pass over the due range of `next_remind_on`, only in the
        zones at their reminder time); then their rows, a page of at most PAGE at a time
        (a person never split), each page through the people's own index. Reading the due
        range again for every page made a sweep's cost grow with the square of what is due."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            policies = installed_policies(s)
            where = _due_now(now, policies, self._default_tz)
            due = _due_people(s, where)
        of_workspace = {w: policy for policy, ids in policies.items() for w in ids}
        planned: list[PlannedReminder] = []
        for workspace_id, members in _pages(due):
            with self._sessions.begin() as s:
                rows = _due_rows(s, where, workspace_id, members)
                found = list(self._reminders(now, rows, of_workspace))
                if not dry_run:
                    found = _owe(s, found, now)
                planned += [reminder for reminder, _ in found]
        return planned

    def upcoming(self) -> tuple[date | None, int]:
        """The earliest day a reminder is planned for, and how many open assignments have one."""
        a = ResourceAssignment
        with self._sessions.begin() as s:
            first, count = s.execute(
                select(func.min(a.next_remind_on), func.count(a.next_remind_on)).where(
                    a.completed_at.is_(None), a.cancelled_at.is_(None)
                )
            ).one()
        return first, int(count)

    def reminder_at(self, *, workspace_id: int, channel: str, ts: str) -> Reminder | None:
        """The reminder this message is (None: it is not one of ours)."""
        o = OutboxMessage
        with self._sessions.begin() as s:
            payload = s.scalar(
                select(o.payload).where(
                    o.workspace_id == workspace_id, o.kind == "reminder",
                    o.channel == channel, o.ts == ts,
                )
            )  # fmt: skip
            if payload is None:
                return None
            ids = [int(i) for i in payload["assignments"]]
            return _reminder(payload, cards_by_id(s, workspace_id, ids))

    def reminder_for(self, *, workspace_id: int, payload: dict[str, Any]) -> Reminder:
        """What an owed reminder lists now (the outbox row's payload)."""
        ids = [int(i) for i in payload["assignments"]]
        with self._sessions.begin() as s:
            return _reminder(payload, cards_by_id(s, workspace_id, ids))

    def snooze(self, *, caller: Caller, assignment_id: int, until: str) -> date:
        """No reminder about this before `until` ("day": the next (week)day, or "monday")."""
        with self._sessions.begin() as s:
            row = s.get(ResourceAssignment, assignment_id, with_for_update=True)
            if row is None or row.workspace_id != caller.workspace_id:
                raise NotFound("That assignment no longer exists.")
            if row.member_id != caller.member_id:
                raise NotAllowed(
                    "This assignment belongs to someone else; only they can snooze it."
                )
            if row.completed_at is not None or row.cancelled_at is not None:
                raise BotError("This one is closed already: no more reminders about it.")
            today = local_today(self._clock.now(), caller.tz)  # a Caller's zone is a known one
            policy = policy_of(s, caller.workspace_id)
            day = (next_monday(today) if until == "monday"
                   else snooze_day(today, weekdays_only=policy.weekdays_only))  # fmt: skip
            row.next_remind_on = day
            row.updated_at = self._clock.now()
            return day

    def policy(self, *, workspace_id: int) -> ReminderPolicy:
        with self._sessions.begin() as s:
            return policy_of(s, workspace_id)

    def set_policy(self, *, caller: Caller, policy: ReminderPolicy) -> int:
        """An admin's new policy; every open assignment is re-planned by it (returns how many)."""
        if caller.role is not Role.ADMIN:
            raise NotAllowed("Only Trainbot admins can change the reminder policy.")
        now = self._clock.now()
        a = ResourceAssignment
        with self._sessions.begin() as s:
            workspace = s.get_one(Workspace, caller.workspace_id, with_for_update=True)
            was = ReminderPolicy.from_settings(workspace.settings).as_settings()
            record(s, caller, AuditAction.REMINDER_POLICY_CHANGED, Subject("policy", "reminders",
                   "Reminder policy"), at=now, before=was, after=policy.as_settings())  # fmt: skip
            workspace.settings = {**(workspace.settings or {}), "reminders": policy.as_settings()}
            rows = s.execute(
                select(a.id, a.due_on, a.last_reminded_on).where(
                    a.workspace_id == caller.workspace_id, a.due_on.is_not(None),
                    a.completed_at.is_(None), a.cancelled_at.is_(None),
                )
            ).all()  # fmt: skip
            plans = [
                {"id": rid, "next_remind_on": policy.next_reminder(
                    due, after=max(now.date(), last or now.date()))}
                for rid, due, last in rows
            ]  # fmt: skip
            if plans:
                s.execute(update(a), plans)
            return len(plans)

    def _reminders(
        self, now: datetime, rows: Sequence[DueRow], policies: Mapping[int, ReminderPolicy]
    ) -> Iterator[tuple[PlannedReminder, list[dict[str, Any]]]]:
        """Per person whose reminder time it is: the reminder, and the rows' new plans.
        (The query chose them by the same rules; checked again here, per person.)"""
        for _, group in groupby(rows, key=lambda r: r.member_id):
            mine = list(group)
            first = mine[0]
            policy = policies[first.workspace_id]
            local = now.astimezone(zone_of(first.tz, self._default_tz))
            day = local.date()
            if not Window.of(policy).open_at(local):
                continue
            due = [r for r in mine if r.next_remind_on <= day]
            if not due:
                continue
            plans = [
                {"id": r.id, "last_reminded_on": day,
                 "next_remind_on": policy.next_reminder(r.due_on, after=day)}
                for r in due
            ]  # fmt: skip
            ids = tuple(r.id for r in sorted(due, key=_most_pressing))
            yield PlannedReminder(first.workspace_id, first.slack_user_id, day, ids), plans


def _reminder(payload: dict[str, Any], cards: list[AssignmentCard]) -> Reminder:
    # A due date removed since: nothing to remind of there.
    dated = tuple(card for card in cards if card.due_on is not None)
    return Reminder(date.fromisoformat(str(payload["day"])), dated)


def _due_now(
    now: datetime, policies: Mapping[ReminderPolicy, Sequence[int]], default_tz: str
) -> list[ColumnElement[bool]]:
    """Open assignments of reachable people at their reminder time now, whose next reminder
    day has come on their own calendar."""
    a, m = ResourceAssignment, Member
    return [
        *due_condition(now, policies, default_tz), a.completed_at.is_(None),
        a.cancelled_at.is_(None), m.is_bot.is_(False), m.is_deactivated.is_(False),
        still_installed(a.workspace_id),
    ]  # fmt: skip


def _due_people(
    s: Session, where: Sequence[ColumnElement[bool]]
) -> dict[int, tuple[array[int], array[int]]]:
    """Per workspace, the people with due rows and how many each, by member id (compact:
    16 bytes a person, read as the database hands them over)."""
    a, m = ResourceAssignment, Member
    found: dict[int, tuple[array[int], array[int]]] = {}
    for workspace_id, member_id, n in s.execute(
        select(a.workspace_id, a.member_id, func.count())
        .join(m, m.id == a.member_id)
        .where(*where)
        .group_by(a.workspace_id, a.member_id)
        .order_by(a.workspace_id, a.member_id)
        .execution_options(yield_per=PAGE)
    ):
        members, counts = found.setdefault(workspace_id, (array("q"), array("q")))
        members.append(member_id)
        counts.append(n)
    return found


def _pages(due: dict[int, tuple[array[int], array[int]]]) -> Iterator[tuple[int, list[int]]]:
    """(workspace, people) with at most PAGE due rows between them (one with more: alone)."""
    for workspace_id, (members, counts) in due.items():
        page: list[int] = []
        rows = 0
        for member_id, n in zip(members, counts, strict=True):
            if page and rows + n > PAGE:
                yield workspace_id, page
                page, rows = [], 0
            page.append(member_id)
            rows += n
        if page:
            yield workspace_id, page


def _due_rows(
    s: Session, where: Sequence[ColumnElement[bool]], workspace_id: int, members: Sequence[int]
) -> Sequence[DueRow]:
    """These people's due rows, by person."""
    a, m = ResourceAssignment, Member
    return s.execute(
        select(a.id, a.member_id, a.workspace_id, a.due_on, a.next_remind_on, a.priority,
               m.slack_user_id, m.tz)
        .join(m, m.id == a.member_id)
        .where(a.workspace_id == workspace_id, one_of(a.member_id, members), *where)
        .order_by(a.member_id, a.id)
    ).all()  # fmt: skip


PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def _most_pressing(row: DueRow) -> tuple[int, date, int]:
    return (PRIORITY_ORDER.get(row.priority, 2), row.due_on or date.max, row.id)


def _owe(
    s: Session, found: list[tuple[PlannedReminder, list[dict[str, Any]]]], now: datetime
) -> list[tuple[PlannedReminder, list[dict[str, Any]]]]:
    """Owe the reminders not owed yet; only theirs move on to the next reminder day."""
    if not found:
        return []
    keys = {
        f"reminder:{r.workspace_id}:{r.user_id}:{r.day.isoformat()}": (r, plans)
        for r, plans in found
    }
    created = enqueue_many(s, [
        owed(workspace_id=r.workspace_id, key=key, recipient=r.user_id,
             payload={"assignments": list(r.assignment_ids), "day": r.day.isoformat()},
             kind="reminder")
        for key, (r, _) in keys.items()
    ], now=now)  # fmt: skip
    mine = [keys[key] for key in created]
    plans = [plan for _, row_plans in mine for plan in row_plans]
    if plans:
        s.execute(update(ResourceAssignment), plans)
    return mine

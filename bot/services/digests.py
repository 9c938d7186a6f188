"""Weekly completion digests: subscriptions, the planner, and the numbers in a digest.

Like reminders, digests are outbox rows (key: subscription + ISO week), planned from
the database as it is, so every replica may plan and each digest goes out once. The
numbers are computed when the digest is sent, as of its scheduled moment, in a fixed
number of statements whatever the size of the scope.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import insert_for
from bot.errors import NotFound
from bot.services import tallies, tally_moments
from bot.services.analytics import rate
from bot.services.audit import Subject, record
from bot.services.catalog import require_manager
from bot.services.members import Caller
from bot.services.outbox import enqueue_many, owed
from bot.services.path_analytics import PathFigures, finished_between, path_figures
from bot.services.tallies import TallyScope
from models import AuditAction as Act
from models import (
    DigestScope,
    DigestSubscription,
    Member,
    OutboxStatus,
    PathEnrollment,
    ResourceAssignment,
    TrainingResource,
)
from models.digest import DigestSlot, digest_slot
from models.one_of import one_of
from models.tally import EVERYONE
from models.workspace import still_installed

log = logging.getLogger("trainbot.digests")
WEEKS_CHARTED = 8
OVERDUE_SHOWN = 10
TOP = 3
PATHS_SHOWN = 3
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Subscription:
    id: int
    workspace_id: int
    channel_id: str
    scope: DigestScope
    scope_id: str
    scope_label: str
    weekday: int
    hour: int
    tz: str
    subscriber: str | None  # Slack user id
    broken_reason: str | None


@dataclass(frozen=True)
class Digest:
    """One week's numbers for a scope, as of the digest's moment."""

    scope_label: str
    week: str
    as_of: datetime
    total: int
    completed: int
    rate: int  # % of assignments completed
    rate_last_week: int | None
    completed_this_week: int
    in_progress: int
    overdue_total: int
    overdue: tuple[tuple[str, str, int], ...]  # (user id, title, days late), most late first
    top_learners: tuple[tuple[str, int], ...]  # (user id, completed this week)
    top_resources: tuple[tuple[str, int], ...]  # (title, completed this week)
    weekly_rates: tuple[tuple[datetime, int | None], ...]  # oldest first; None: nothing yet
    paths: tuple[PathFigures, ...] = ()  # the scope's learning paths, as in /progress
    paths_finished_this_week: int = 0

    @property
    def change(self) -> int | None:
        return None if self.rate_last_week is None else self.rate - self.rate_last_week


class DigestService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def subscribe(
        self, *, caller: Caller, channel_id: str, scope: DigestScope, scope_id: str = "",
        scope_label: str, weekday: int, hour: int, tz: str,
    ) -> Subscription:  # fmt: skip
        """Create (or change) the digest of this scope in this channel; repairs a broken one."""
        require_manager(caller, "subscribe channels to digests")
        now = self._clock.now()
        d = DigestSubscription
        values = {
            "scope_label": scope_label, "weekday": weekday, "hour": hour, "tz": tz,
            "subscriber_id": caller.member_id, "broken_reason": None, "updated_at": now,
        }  # fmt: skip
        key = (d.workspace_id == caller.workspace_id, d.channel_id == channel_id,
               d.scope == scope.value, d.scope_id == scope_id)  # fmt: skip
        with self._sessions.begin() as s:
            was = s.scalars(select(d).where(*key)).one_or_none()
            before = _facts(was) if was else None
            s.execute(
                insert_for(s, d)
                .values(workspace_id=caller.workspace_id, channel_id=channel_id, scope=scope.value,
                        scope_id=scope_id, created_at=now, **values)
                .on_conflict_do_update(
                    index_elements=["workspace_id", "channel_id", "scope", "scope_id"],
                    set_=values,
                )
            )  # fmt: skip
            row = s.scalars(select(d).where(*key).execution_options(populate_existing=True)).one()
            act = Act.DIGEST_SUBSCRIBED if was is None else Act.DIGEST_CHANGED
            record(s, caller, act, _about(row), at=now, before=before, after=_facts(row))
            return _subscription(s, row)

    def subscriptions(self, *, caller: Caller) -> list[Subscription]:
        with self._sessions.begin() as s:
            rows = s.scalars(
                select(DigestSubscription)
                .where(DigestSubscription.workspace_id == caller.workspace_id)
                .order_by(DigestSubscription.id)
            ).all()
            return [_subscription(s, row) for row in rows]

    def subscription(self, *, subscription_id: int) -> Subscription | None:
        with self._sessions.begin() as s:
            row = s.get(DigestSubscription, subscription_id)
            return _subscription(s, row) if row else None

    def unsubscribe(self, *, caller: Caller, subscription_id: int) -> Subscription:
        require_manager(caller, "unsubscribe channels from digests")
        with self._sessions.begin() as s:
            row = s.get(DigestSubscription, subscription_id)
            if row is None or row.workspace_id != caller.workspace_id:
                raise NotFound("That digest subscription no longer exists.")
            gone = _subscription(s, row)
            record(s, caller, Act.DIGEST_UNSUBSCRIBED, _about(row), at=self._clock.now(),
                   before=_facts(row))  # fmt: skip
            s.delete(row)
            return gone

    def mark_broken(self, *, subscription_id: int, reason: str) -> bool:
        """Stop sending to a channel we cannot post in; True the first time (tell once)."""
        with self._sessions.begin() as s:
            row = s.get(DigestSubscription, subscription_id, with_for_update=True)
            if row is None or row.broken_reason == reason:
                return False
            row.broken_reason, row.updated_at = reason, self._clock.now()
            return True

    def plan(self, *, dry_run: bool = False) -> list[tuple[Subscription, str]]:
        """Owe this week's digest to each subscription whose moment has come (once)."""
        now = self._clock.now()
        due: list[tuple[Subscription, DigestSlot]] = []
        with self._sessions.begin() as s:
            rows = s.scalars(
                select(DigestSubscription).where(
                    DigestSubscription.broken_reason.is_(None),
                    still_installed(DigestSubscription.workspace_id),
                )
            ).all()
            for row in rows:
                slot = digest_slot(now, weekday=row.weekday, hour=row.hour, tz=row.tz)
                if slot.state(now) != "later":
                    due.append((_subscription(s, row), slot))
            sendable = [(sub, slot) for sub, slot in due if slot.state(now) == "due"]
            if dry_run:
                return [(sub, slot.week) for sub, slot in sendable]
            created = set(enqueue_many(s, [_owed(sub, slot, now) for sub, slot in due], now=now))
        for sub, slot in due:
            if slot.state(now) == "missed" and _key(sub, slot) in created:
                log.info("digest %s for %s: more than a day late, skipped", sub.id, slot.week)
        return [(sub, slot.week) for sub, slot in sendable if _key(sub, slot) in created]

    def compute(
        self, *, subscription: Subscription, week: str, as_of: datetime,
        members: Sequence[str] | None,
    ) -> Digest:  # fmt: skip
        """The numbers for the scope (`members`: Slack ids; None: the whole workspace)."""
        with self._sessions.begin() as s:
            return _digest(s, subscription, week, as_of, members)


def _key(sub: Subscription, slot: DigestSlot) -> str:
    return f"digest:{sub.id}:{slot.week}"


def _owed(sub: Subscription, slot: DigestSlot, now: datetime) -> dict[str, object]:
    """The week's digest, owed; one missed by more than a day is recorded as skipped."""
    message = owed(
        workspace_id=sub.workspace_id, key=_key(sub, slot), recipient=sub.channel_id,
        kind="digest",
        payload={"subscription": sub.id, "week": slot.week, "as_of": slot.at.isoformat()},
    )  # fmt: skip
    if slot.state(now) == "missed":
        message |= {"status": OutboxStatus.SKIPPED.value, "last_error": "missed by more than a day"}
    return message


def _about(row: DigestSubscription) -> Subject:
    return Subject("subscription", row.id, f"Weekly digest about {row.scope_label}")


def _facts(row: DigestSubscription) -> dict[str, object]:
    """A subscription as the audit log shows it (the channel as <#C…>, the day by name)."""
    return {"channel": row.channel_id, "about": row.scope_label, "weekday": WEEKDAYS[row.weekday],
            "hour": f"{row.hour:02d}:00", "tz": row.tz}  # fmt: skip


def _subscription(s: Session, row: DigestSubscription) -> Subscription:
    subscriber = s.get(Member, row.subscriber_id) if row.subscriber_id else None
    return Subscription(
        row.id, row.workspace_id, row.channel_id, DigestScope(row.scope), row.scope_id,
        row.scope_label, row.weekday, row.hour, row.tz,
        subscriber.slack_user_id if subscriber else None, row.broken_reason,
    )  # fmt: skip


def _digest(
    s: Session, sub: Subscription, week: str, as_of: datetime, members: Sequence[str] | None
) -> Digest:
    a, m = ResourceAssignment, Member
    ever: list[ColumnElement[bool]] = [a.workspace_id == sub.workspace_id, a.assigned_at <= as_of]
    if members is not None:
        ever.append(a.member_id.in_(
            select(m.id).where(m.workspace_id == sub.workspace_id, one_of(m.slack_user_id, members))
        ))  # fmt: skip
    in_scope = [*ever, a.cancelled_at.is_(None)]
    week_ago = as_of - timedelta(days=7)
    ends = [as_of - timedelta(days=7 * k) for k in range(WEEKS_CHARTED)][::-1]
    # From the tallies and what changed since each moment: not every assignment and event
    # of a 20,000-person scope (cancelled since: still counted for the weeks it was open).
    scope = TallyScope(sub.workspace_id, EVERYONE, _people(members), None, None)
    now = tallies.sums(s, scope)
    then = tally_moments.history(s, scope, ends, now=now)
    rates = tuple((end, rate(counts)) for end, counts in zip(ends, then, strict=True))
    is_open = (a.completed_at.is_(None)) | (a.completed_at > as_of)
    today = as_of.date()
    counted = tally_moments.digest_counts(s, scope, now=now, moment=as_of, week_ago=week_ago,
                                          today=today)  # fmt: skip
    this_week, in_progress = counted.completed_this_week, counted.in_progress
    overdue_total = counted.overdue
    completed, total = then[-1]
    overdue = s.execute(
        select(m.slack_user_id, TrainingResource.title, a.due_on)
        .select_from(a)
        .join(m, m.id == a.member_id)
        .join(TrainingResource, TrainingResource.id == a.resource_id)
        .where(*in_scope, is_open, a.due_on < today)
        .order_by(a.due_on, m.slack_user_id)
        .limit(OVERDUE_SHOWN)
    ).all()
    finished = (a.completed_at > week_ago, a.completed_at <= as_of)
    learners = s.execute(
        select(m.slack_user_id, func.count()).select_from(a).join(m, m.id == a.member_id)
        .where(*in_scope, *finished).group_by(m.slack_user_id)
        .order_by(func.count().desc(), m.slack_user_id).limit(TOP)
    ).all()  # fmt: skip
    resources = s.execute(
        select(TrainingResource.title, func.count())
        .select_from(a)
        .join(TrainingResource, TrainingResource.id == a.resource_id)
        .where(*in_scope, *finished).group_by(TrainingResource.title)
        .order_by(func.count().desc(), TrainingResource.title).limit(TOP)
    ).all()  # fmt: skip
    e = PathEnrollment
    enrolled = [e.workspace_id == sub.workspace_id, e.cancelled_at.is_(None),
                e.enrolled_at <= as_of]  # fmt: skip
    if members is not None:
        enrolled.append(one_of(m.slack_user_id, members))
    return Digest(
        scope_label=sub.scope_label, week=week, as_of=as_of,
        total=total, completed=completed, rate=rate(then[-1]) or 0,
        rate_last_week=rates[-2][1], completed_this_week=this_week, in_progress=in_progress,
        overdue_total=overdue_total,
        overdue=tuple((u, t, (today - due).days) for u, t, due in overdue if due is not None),
        top_learners=tuple((u, n) for u, n in learners),
        top_resources=tuple((t, n) for t, n in resources),
        weekly_rates=rates, paths=path_figures(s, enrolled, today)[:PATHS_SHOWN],
        paths_finished_this_week=finished_between(s, enrolled, week_ago, as_of),
    )  # fmt: skip


def _people(members: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if members is None else tuple(members)

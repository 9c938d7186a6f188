"""Managers changing what they assigned: cancel, move the due date, reassign.

Every change is told to the assignee once: a notice row in the outbox per change (its
key names the assignment, the change and the moment), which posts a short DM and
redraws the original assignment DM. Nobody hears about an assignment whose DM never
went out: that DM, when it goes, shows the assignment as it then is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.errors import BotError, NotFound
from bot.services.assignment_rows import Grant, insert_open, members_for, record_event
from bot.services.audit import Subject, record
from bot.services.catalog import require_manager
from bot.services.completion import close
from bot.services.library import visible_to
from bot.services.members import Caller
from bot.services.outbox import enqueue_many, enqueue_message, owed
from bot.services.reminder_policy import policy_of
from models import AuditAction as Act
from models import Member, ResourceAssignment, TrainingResource
from models.enums import ClosedReason, EventKind, Priority, Role

ROSTER_SHOWN = 30  # 2 blocks each in the Manage modal, inside Slack's 100


@dataclass(frozen=True)
class RosterRow:
    assignment_id: int
    assignee: str
    status: str
    progress: int
    due_on: date | None
    overdue: bool


@dataclass(frozen=True)
class Roster:
    """The open assignments of one resource that the caller may manage."""

    resource_id: int
    title: str
    open_total: int
    overdue: int
    completed: int
    rows: tuple[RosterRow, ...]  # overdue first, then by due date
    only: str | None  # the one person shown, when the manager looked someone up

    @property
    def not_shown(self) -> int:
        return (1 if self.rows else 0) if self.only else self.open_total - len(self.rows)


@dataclass(frozen=True)
class Managed:
    title: str
    changed: tuple[str, ...]  # the people whose assignment changed


class ManageService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tz = default_tz

    def roster(
        self, *, caller: Caller, resource_id: int, today: date, only: str | None = None
    ) -> Roster:
        require_manager(caller, "manage assignments")
        a = ResourceAssignment
        with self._sessions.begin() as s:
            title = _title(s, caller, resource_id)
            mine = (*managed_by(caller), a.resource_id == resource_id)
            counts = s.execute(
                select(
                    func.count().filter(*open_only()),
                    func.count().filter(*open_only(), a.due_on < today),
                    func.count().filter(a.completed_at.is_not(None)),
                ).where(*mine)
            ).one()
            rows = s.execute(
                _roster_rows(today)
                .where(*mine, *open_only(), *((Member.slack_user_id == only,) if only else ()))
                .limit(ROSTER_SHOWN)
            ).all()
        return Roster(
            resource_id, title, counts[0], counts[1], counts[2],
            tuple(RosterRow(r.id, r.slack_user_id, r.status, r.progress, r.due_on,
                            bool(r.due_on and r.due_on < today)) for r in rows),
            only,
        )  # fmt: skip

    def cancel(
        self, *, caller: Caller, resource_id: int, assignment_id: int | None = None
    ) -> Managed:
        """Cancel one open assignment, or (no id) every one of this resource the caller manages."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            title = _title(s, caller, resource_id)
            changed, notices = [], []
            for row, assignee in _targets(s, caller, resource_id, assignment_id):
                record(s, caller, Act.ASSIGNMENT_CANCELLED, _it(row, title, assignee), at=now,
                       before={"status": row.status}, after={"status": "cancelled"})  # fmt: skip
                close(s, row, ClosedReason.CANCELLED, caller.member_id, now, self._tz)
                notices.append(notice(row, assignee, now, change="cancelled", by=caller.user_id))
                changed.append(assignee)
            enqueue_many(s, [n for n in notices if n], now=now)
            return Managed(title, tuple(changed))

    def change_due(
        self,
        *,
        caller: Caller,
        resource_id: int,
        due_on: date | None,
        assignment_id: int | None = None,
    ) -> Managed:
        """A new due date (or none) for one person, or for everyone on this resource."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            title = _title(s, caller, resource_id)
            policy = policy_of(s, caller.workspace_id)
            changed, notices = [], []
            for row, assignee in _targets(s, caller, resource_id, assignment_id):
                if row.due_on == due_on:
                    continue  # already so: nothing to tell (and a double submit tells once)
                data = {"from": row.due_on.isoformat() if row.due_on else None,
                        "to": due_on.isoformat() if due_on else None}  # fmt: skip
                record(s, caller, Act.ASSIGNMENT_DUE_CHANGED, _it(row, title, assignee), at=now,
                       before={"due_on": row.due_on}, after={"due_on": due_on})  # fmt: skip
                row.due_on, row.updated_at = due_on, now
                # Re-planned from the new date, from tomorrow on: the notice is today's news.
                after = max(now.date(), row.last_reminded_on or now.date())
                row.next_remind_on = policy.next_reminder(due_on, after=after)
                record_event(s, row.workspace_id, row.id, caller.member_id, EventKind.DUE_CHANGED,
                             now, row, data)  # fmt: skip
                notices.append(notice(row, assignee, now, change="due", by=caller.user_id))
                changed.append(assignee)
            enqueue_many(s, [n for n in notices if n], now=now)
            return Managed(title, tuple(changed))

    def nudge(self, *, caller: Caller, resource_id: int, assignment_id: int) -> tuple[str, bool]:
        """A reminder now, for one person (at most one nudge a day): (who, sent now?)."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            _title(s, caller, resource_id)
            found = _targets(s, caller, resource_id, assignment_id)
            if not found:
                raise NotFound("That assignment is no longer open.")
            row, assignee = found[0]
            if row.due_on is None:
                raise BotError(f"<@{assignee}>'s assignment has no due date to remind of.")
            created = enqueue_many(s, [owed(
                workspace_id=row.workspace_id, key=_nudge_key(row.id, now), recipient=assignee,
                payload={"assignments": [row.id], "day": now.date().isoformat()}, kind="reminder",
            )], now=now)  # fmt: skip
            return assignee, bool(created)

    def reassign(
        self, *, caller: Caller, resource_id: int, assignment_id: int, to_user_id: str
    ) -> Managed:
        """Move one open assignment to someone else: theirs is new, the old one is closed."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            title = _title(s, caller, resource_id)
            found = _targets(s, caller, resource_id, assignment_id)
            if not found:
                raise NotFound("That assignment is no longer open.")
            row, assignee = found[0]
            if to_user_id == assignee:
                # Plain text, no <@mention>: Slack shows modal errors as they are.
                raise BotError("That is who has it now: choose someone else.")
            (target,) = members_for(s, caller.workspace_id, (to_user_id,), now)
            if target.is_bot or target.is_deactivated:
                raise BotError("Choose a person: bots and deactivated accounts cannot learn.")
            grant = Grant(resource_id, row.due_on, Priority(row.priority), row.note)
            created = insert_open(s, caller.workspace_id, caller.member_id, grant, [target], now)
            if not created:
                name = target.real_name or target.display_name or "That person"
                raise BotError(f"{name} already has this assignment open: choose someone else.")
            (new_id,) = created
            record(s, caller, Act.ASSIGNMENT_REASSIGNED, _it(row, title, assignee), at=now,
                   before={"assignee": assignee}, after={"assignee": to_user_id})  # fmt: skip
            close(s, row, ClosedReason.REASSIGNED, caller.member_id, now, self._tz,
                  {"to": new_id})  # fmt: skip
            record_event(s, row.workspace_id, new_id, caller.member_id, EventKind.ASSIGNED, now)
            enqueue_message(
                s, workspace_id=caller.workspace_id, key=f"assignment:{new_id}:dm",
                recipient=to_user_id, payload={}, now=now, assignment_id=new_id,
                kind="assignment_dm",
            )  # fmt: skip
            told = notice(row, assignee, now, change="reassigned", by=caller.user_id, to=to_user_id)
            enqueue_many(s, [told] if told else [], now=now)
            return Managed(title, (assignee,))


def _it(row: ResourceAssignment, title: str, assignee: str) -> Subject:
    return Subject("assignment", row.id, title, assignee)


def _nudge_key(assignment_id: int, now: datetime) -> str:
    return f"nudge:{assignment_id}:{now.date().isoformat()}"


def open_only() -> tuple[ColumnElement[bool], ...]:
    a = ResourceAssignment
    return (a.completed_at.is_(None), a.cancelled_at.is_(None))


def managed_by(caller: Caller) -> tuple[ColumnElement[bool], ...]:
    """Admins manage every assignment in the workspace; managers those they made."""
    a = ResourceAssignment
    if caller.role is Role.ADMIN:
        return (a.workspace_id == caller.workspace_id,)
    return (a.workspace_id == caller.workspace_id, a.assigned_by_id == caller.member_id)


def _title(s: Session, caller: Caller, resource_id: int) -> str:
    require_manager(caller, "manage assignments")
    r = TrainingResource
    title = s.scalar(select(r.title).where(r.id == resource_id, visible_to(caller.workspace_id)))
    if title is None:
        raise NotFound("That resource no longer exists.")
    return title


def _targets(
    s: Session, caller: Caller, resource_id: int, assignment_id: int | None
) -> list[tuple[ResourceAssignment, str]]:
    """The open assignments a change applies to, locked, with their assignee's Slack id."""
    a = ResourceAssignment
    query = (
        select(a, Member.slack_user_id)
        .join(Member, Member.id == a.member_id)
        .where(*managed_by(caller), *open_only(), a.resource_id == resource_id)
        .order_by(a.id)
        .with_for_update(of=a)
    )
    if assignment_id is not None:
        query = query.where(a.id == assignment_id)
    found = [(row, user_id) for row, user_id in s.execute(query).all()]
    # Nothing open: another workspace's id (forged or replayed) is refused, not "nothing to
    # change" (asked only then, so a change that finds its row pays no extra query).
    if (
        not found
        and assignment_id is not None
        and s.scalar(select(a.workspace_id).where(a.id == assignment_id)) != caller.workspace_id
    ):
        raise NotFound("That assignment no longer exists.")
    return found


def _roster_rows(today: date) -> Select[int, str, str, int, date | None]:
    a = ResourceAssignment
    overdue_first = case((a.due_on < today, 0), else_=1)
    return (
        select(a.id, Member.slack_user_id, a.status, a.progress, a.due_on)
        .join(Member, Member.id == a.member_id)
        .order_by(overdue_first, a.due_on.is_(None), a.due_on, Member.slack_user_id)
    )


def notice(
    row: ResourceAssignment,
    assignee: str,
    now: datetime,
    *,
    change: str,
    by: str,
    to: str | None = None,
) -> dict[str, object] | None:
    """The one notice of this change the assignee is owed (none if they never got the DM)."""
    if row.dm_ts is None:
        return None
    return owed(
        workspace_id=row.workspace_id, key=f"notice:{row.id}:{change}:{now.isoformat()}",
        recipient=assignee, payload={"change": change, "by": by, "to": to},
        assignment_id=row.id, kind="assignment_notice",
    )  # fmt: skip

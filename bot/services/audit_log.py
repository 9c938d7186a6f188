"""Reading the audit log: `/training audit` a page at a time, newest first, and all of it as
CSV (the Export CSV button, `trainbot audit export`).

Pages are keyed on the (at, id) of the entry at their edge, not numbered: an entry written
while an admin reads never shifts what Older and Newer show.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import NotAllowed
from bot.services.members import Caller
from models import AuditEntry, Workspace
from models.enums import Role

PAGE_SIZE = 15  # a section each, inside a message's 50 blocks
CHANGES_SHOWN = 6  # per entry; the CSV has them all
CSV_HEADER = ("at", "actor", "actor_user_id", "action", "subject_kind", "subject_id",
              "subject_title", "subject_user_id", "before", "after")  # fmt: skip
# Fields whose values are Slack ids, shown as a mention in Slack (as text in the CSV).
PEOPLE, CHANNELS = ("assignee",), ("channel",)
NONE = "(none)"
SLACK_ID = re.compile(r"[UWCG][A-Z0-9]{2,31}")


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    before_kind: str = "text"  # or "person" / "channel": the value is a Slack id
    after_kind: str = "text"


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    local: str  # `at` in the viewer's timezone, as text (what Slack shows if it cannot format)
    actor: str
    actor_user_id: str | None
    action: str
    subject_kind: str
    subject_title: str
    subject_user_id: str | None
    changes: tuple[Change, ...]
    more: int  # changes not shown


@dataclass(frozen=True)
class AuditPage:
    lines: tuple[AuditLine, ...]  # newest first
    total: int
    newer: int | None  # the entry to page from towards newer ones (None: these are the newest)
    older: int | None


class AuditService:
    def __init__(self, *, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def page(
        self, *, caller: Caller, older_than: int | None = None, newer_than: int | None = None
    ) -> AuditPage:
        """A page of the caller's workspace's log; no cursor (or one not found): the newest."""
        _require_admin(caller)
        e = AuditEntry
        mine = e.workspace_id == caller.workspace_id
        cursor = older_than or newer_than
        with self._sessions.begin() as s:
            bound = s.execute(select(e.at, e.id).where(mine, e.id == cursor)).first() if (
                cursor) else None  # fmt: skip
            total = s.scalar(select(func.count()).where(mine)) or 0
            if bound is not None and newer_than:  # the page above the bound, read upwards
                found = s.scalars(select(e).where(mine, _after(bound.at, bound.id))
                                  .order_by(e.at, e.id).limit(PAGE_SIZE + 1)).all()  # fmt: skip
                rows, newer, older = found[:PAGE_SIZE][::-1], len(found) > PAGE_SIZE, True
            else:
                where = _before(bound.at, bound.id) if bound is not None else true()
                found = s.scalars(select(e).where(mine, where).order_by(e.at.desc(), e.id.desc())
                                  .limit(PAGE_SIZE + 1)).all()  # fmt: skip
                rows, newer = found[:PAGE_SIZE], bound is not None
                older = len(found) > PAGE_SIZE
        zone = ZoneInfo(caller.tz)
        return AuditPage(
            tuple(_line(row, zone) for row in rows), total,
            rows[0].id if rows and newer else None, rows[-1].id if rows and older else None,
        )  # fmt: skip

    def export_csv(self, *, caller: Caller) -> str:
        """The caller's workspace's whole log, oldest first."""
        _require_admin(caller)
        with self._sessions.begin() as s:
            return "".join(csv_lines(s, AuditEntry.workspace_id == caller.workspace_id))

    def export_team(self, *, team_id: str, since: datetime | None = None) -> str | None:
        """Every entry of a Slack team, its deletion's too (for an operator); None when the
        team is neither a workspace here nor in the log."""
        e = AuditEntry
        where = and_(e.team_id == team_id, e.at >= since if since else true())
        w = Workspace
        known = or_(exists().where(w.team_id == team_id), exists().where(e.team_id == team_id))
        with self._sessions.begin() as s:
            if not s.scalar(select(known)):
                return None
            return "".join(csv_lines(s, where))


def csv_lines(s: Session, where: ColumnElement[bool]) -> Iterator[str]:
    """The header, then a line per entry, oldest first; times in UTC, before/after as JSON."""
    e = AuditEntry
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    entries = select(e).where(where).order_by(e.at, e.id)
    for row in s.scalars(entries, execution_options={"yield_per": 1000}):  # streamed
        writer.writerow([
            row.at.strftime("%Y-%m-%dT%H:%M:%SZ"), row.actor, row.actor_user_id or "",
            row.action, row.subject_kind, row.subject_id, row.subject_title,
            row.subject_user_id or "", _json(row.before), _json(row.after),
        ])  # fmt: skip
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _require_admin(caller: Caller) -> None:
    if caller.role is not Role.ADMIN:
        raise NotAllowed(
            "Only Trainbot admins can read the audit log (Slack workspace owners and admins)."
        )


def _before(at: datetime, entry_id: int) -> ColumnElement[bool]:
    e = AuditEntry
    return or_(e.at < at, and_(e.at == at, e.id < entry_id))


def _after(at: datetime, entry_id: int) -> ColumnElement[bool]:
    e = AuditEntry
    return or_(e.at > at, and_(e.at == at, e.id > entry_id))


def _line(row: AuditEntry, zone: ZoneInfo) -> AuditLine:
    before, after = row.before or {}, row.after or {}
    fields = list(dict.fromkeys([*before, *after]))
    changes = tuple(
        Change(name, _shown(before.get(name)), _shown(after.get(name)),
               _kind(name, before.get(name)), _kind(name, after.get(name)))
        for name in fields[:CHANGES_SHOWN]
    )  # fmt: skip
    return AuditLine(
        row.id, row.at, row.at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"), row.actor,
        _person(row.actor_user_id), row.action, row.subject_kind, row.subject_title,
        _person(row.subject_user_id), changes, max(len(fields) - CHANGES_SHOWN, 0),
    )  # fmt: skip


def _person(user_id: str | None) -> str | None:
    """A Slack user id to show as a mention, or None (anything else stays out of the markup)."""
    return user_id if user_id and SLACK_ID.fullmatch(user_id) and user_id[0] in "UW" else None


def _kind(name: str, value: Any) -> str:
    """A Slack id shows as a mention; anything else (nothing, or not an id) as text."""
    if not (isinstance(value, str) and SLACK_ID.fullmatch(value)):
        return "text"
    if name in PEOPLE and value[0] in "UW":
        return "person"
    return "channel" if name in CHANNELS and value[0] in "CG" else "text"


def _shown(value: Any) -> str:
    """A value as one short line: nothing as "(none)", yes/no, lists joined."""
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _json(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)

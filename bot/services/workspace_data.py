"""Everything one workspace owns, found from the schema itself: list, export and delete.

A row belongs to a workspace when its table has `workspace_id` and it is that workspace's,
or when it references a row that belongs (a quiz answer through its attempt, a course's
sections through the course). Walking the metadata rather than naming tables means a table
added later is exported and deleted too. The shared library (no workspace) is never touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, false, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.errors import BotError
from bot.services.audit import Operator, Subject, record
from models import AuditAction as Act
from models import Base, Member, ResourceAssignment, Workspace
from models.slack_oauth import TOKEN_COLUMNS, slack_bots, slack_installations

TOKEN_TABLES = (slack_installations, slack_bots)  # keyed by team id, not by workspace row


@dataclass(frozen=True)
class WorkspaceSummary:
    team_id: str
    name: str
    members: int
    assignments: int
    installed: bool
    created_at: datetime


def ownership(workspace_id: int, team_id: str) -> dict[str, ColumnElement[bool]]:
    """For each table holding rows of this workspace, the condition that picks them."""
    owned: dict[str, ColumnElement[bool]] = {}
    for table in Base.metadata.sorted_tables:  # parents before the tables that reference them
        if table.name == Workspace.__tablename__:
            owned[table.name] = table.c.id == workspace_id
        elif "workspace_id" in table.c:
            owned[table.name] = table.c.workspace_id == workspace_id
        elif table in TOKEN_TABLES:
            owned[table.name] = table.c.team_id == team_id
        else:
            through = [
                fk.parent.in_(select(fk.column).where(owned[fk.column.table.name]))
                for fk in table.foreign_keys
                if fk.column.table.name in owned
            ]
            if through:
                owned[table.name] = or_(false(), *through)
    return owned


class WorkspaceDataService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def summaries(self) -> list[WorkspaceSummary]:
        w, m, a = Workspace, Member, ResourceAssignment
        members = select(func.count()).where(m.workspace_id == w.id).scalar_subquery()
        assignments = select(func.count()).where(a.workspace_id == w.id).scalar_subquery()
        with self._sessions.begin() as s:
            rows = s.execute(select(w.team_id, w.name, members, assignments, w.uninstalled_at,
                                    w.created_at).order_by(w.team_id)).all()  # fmt: skip
        return [WorkspaceSummary(r[0], r[1], r[2], r[3], r[4] is None, r[5]) for r in rows]

    def export(self, *, team_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row the workspace owns, by table (tokens left out: they are secrets), its
        audit log included; the export itself is recorded there, after what it read."""
        with self._sessions.begin() as s:
            workspace = _workspace(s, team_id)
            owned = ownership(workspace.id, team_id)
            tables = {t.name: t for t in Base.metadata.sorted_tables}
            found = {
                name: [_plain(row, tables[name]) for row in
                       s.execute(select(tables[name]).where(where)).mappings()]
                for name, where in owned.items()
            }  # fmt: skip
            rows = sum(len(found[name]) for name in found)
            record(s, Operator(workspace.id, team_id), Act.WORKSPACE_EXPORTED, _about(workspace),
                   at=self._clock.now(), after={"rows": rows})  # fmt: skip
            return found

    def delete(self, *, team_id: str) -> dict[str, int]:
        """Delete all of it in one transaction, tokens first; rows deleted, by table.

        Its audit entries go with it, but one is written after: the deletion's own, with no
        workspace row to point at (`workspace_id` NULL, `team_id` kept), so who deleted what
        and when outlives the data. `trainbot audit export --workspace TEAM_ID` shows it."""
        with self._sessions.begin() as s:
            workspace = _workspace(s, team_id)
            owned = ownership(workspace.id, team_id)
            tables = {t.name: t for t in Base.metadata.sorted_tables}
            order = [t.name for t in TOKEN_TABLES] + [
                t.name for t in reversed(Base.metadata.sorted_tables)
                if t.name in owned and t not in TOKEN_TABLES
            ]  # fmt: skip
            about = _about(workspace)
            deleted = {
                name: s.execute(delete(tables[name]).where(owned[name])).rowcount  # type: ignore[attr-defined]
                for name in order
            }
            gone = {"rows": sum(deleted.values())}
            record(s, Operator(None, team_id), Act.WORKSPACE_DELETED, about, at=self._clock.now(),
                   before=gone, after={"rows": 0})  # fmt: skip
            return deleted


def _workspace(s: Session, team_id: str) -> Workspace:
    found = s.scalars(select(Workspace).where(Workspace.team_id == team_id)).first()
    if found is None:
        raise BotError(f"No workspace {team_id} here: `trainbot workspace list` shows them.")
    return found


def _about(workspace: Workspace) -> Subject:
    return Subject("workspace", workspace.team_id, workspace.name or workspace.team_id)


def _plain(row: Mapping[Any, Any], table: Table) -> dict[str, Any]:
    return {
        str(key): value.isoformat() if isinstance(value, date | datetime) else value
        for key, value in row.items()
        if not (table in TOKEN_TABLES and key in TOKEN_COLUMNS)
    }

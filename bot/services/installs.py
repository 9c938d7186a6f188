"""A workspace uninstalling and reinstalling Trainbot (many workspaces).

Uninstalled (`app_uninstalled`, or its bot token revoked): its tokens are deleted at once
and it is marked uninstalled, so the outbox sender holds its rows (not tried against Slack,
not lost) and the jobs find no client for it. Its data stays. Reinstalled: what it was
owed goes out, except what no longer makes sense, which is dropped with the reason (a
reminder for a day, or a digest for a week, that passed meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import insert_for
from bot.installations import SealedInstallationStore
from bot.services.audit import Operator, Subject, record
from bot.workspace_clients import WorkspaceClients
from models import AuditAction as Act
from models import Member, OutboxMessage, Workspace
from models.outbox import OutboxStatus


@dataclass(frozen=True)
class Resumed:
    held: int  # rows that will go out now
    dropped: int  # rows no longer worth sending, recorded as skipped with why


class InstallService:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        store: SealedInstallationStore | None,
        clients: WorkspaceClients,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self.store = store  # None: one workspace on SLACK_BOT_TOKEN, nothing to install
        self._clients = clients

    def uninstalled(
        self,
        *,
        team_id: str,
        enterprise_id: str | None,
        org_wide: bool = False,
        revoked: bool = False,
    ) -> bool:
        """Delete the workspace's tokens and hold what it is owed; False if unknown here.
        `org_wide`: the install on a whole Enterprise Grid org went, and every workspace of
        the org with it. `revoked`: Slack said its bot token was revoked (tokens_revoked)."""
        if self.store is None:
            return False
        now = self._clock.now()
        # Held first, then the tokens: no sender may pick a row up in between. Locked, so of
        # the two events Slack sends for one uninstall, only the first is recorded.
        with self._sessions.begin() as s:
            gone = s.scalars(
                select(Workspace)
                .where(_served_by(team_id, enterprise_id, org_wide))
                .order_by(Workspace.id)
                .with_for_update()
            ).all()
            for workspace in gone:
                if workspace.uninstalled_at is None:  # Slack sends both events: one entry
                    act = Act.TOKENS_REVOKED if revoked else Act.APP_UNINSTALLED
                    slack = Operator(workspace.id, workspace.team_id, "Slack")
                    record(s, slack, act, _about(workspace), at=now, before={"installed": True},
                           after={"installed": False})  # fmt: skip
                workspace.uninstalled_at = workspace.uninstalled_at or now
                self._clients.forget(workspace.id)
        installed = None if org_wide else team_id
        self.store.delete_bot(enterprise_id=enterprise_id, team_id=installed)
        self.store.delete_installation(enterprise_id=enterprise_id, team_id=installed)
        return bool(gone)

    def user_tokens_revoked(
        self, *, team_id: str, enterprise_id: str | None, user_ids: list[str]
    ) -> None:
        """People who installed with a user token took it back: forget those tokens only."""
        if self.store is None:
            return
        for user_id in user_ids:
            self.store.delete_installation(enterprise_id=enterprise_id, team_id=team_id,
                                           user_id=user_id)  # fmt: skip

    def installed(
        self, *, team_id: str | None, enterprise_id: str | None, team_name: str, by: str | None
    ) -> Resumed:
        """Installed in a workspace, or (`team_id` None) on a whole Enterprise Grid org, by
        the installer `by` (a Slack id): recorded, and what was held for each workspace that
        had been uninstalled is released, dropping what is out of date."""
        now = self._clock.now()
        held, dropped = 0, 0
        with self._sessions.begin() as s:
            if team_id:  # known from the install on, so the audit log has the install in it
                s.execute(insert_for(s, Workspace).values(
                    team_id=team_id, enterprise_id=enterprise_id, name="", settings={},
                    created_at=now, updated_at=now,
                ).on_conflict_do_nothing(index_elements=["team_id"]))  # fmt: skip
            org_wide = team_id is None
            served = s.scalars(
                select(Workspace).where(_served_by(team_id or "", enterprise_id, org_wide))
            ).all()
            for workspace in served:
                installer = s.scalar(select(Member.id).where(
                    Member.workspace_id == workspace.id, Member.slack_user_id == by))  # fmt: skip
                slack = Operator(workspace.id, workspace.team_id, "Slack (OAuth install)",
                                 installer, by)  # fmt: skip
                was = {"installed": False} if workspace.uninstalled_at else None  # None: new
                record(s, slack, Act.APP_INSTALLED, _about(workspace, team_name), at=now,
                       before=was, after={"installed": True})  # fmt: skip
                if workspace.uninstalled_at is not None:
                    more_held, more_dropped = self._resume(s, workspace, now.date())
                    held, dropped = held + more_held, dropped + more_dropped
        return Resumed(held, dropped)

    def _resume(self, s: Session, workspace: Workspace, today: date) -> tuple[int, int]:
        workspace.uninstalled_at = None
        self._clients.forget(workspace.id)
        o = OutboxMessage
        pending = o.status == OutboxStatus.PENDING.value
        rows = s.scalars(select(o).where(o.workspace_id == workspace.id, pending)).all()
        dropped = 0
        for row in rows:
            why = _out_of_date(row, today)
            if why:
                row.status, row.last_error, dropped = OutboxStatus.SKIPPED.value, why, dropped + 1
        return len(rows) - dropped, dropped


def _served_by(team_id: str, enterprise_id: str | None, org_wide: bool) -> ColumnElement[bool]:
    """The workspaces an installation serves: one team's, or every team of an org's."""
    if org_wide:
        return Workspace.enterprise_id == enterprise_id
    return Workspace.team_id == team_id


def _about(workspace: Workspace, name: str = "") -> Subject:
    return Subject("workspace", workspace.team_id, name or workspace.name or workspace.team_id)


def _out_of_date(row: OutboxMessage, today: date) -> str | None:
    payload = row.payload if isinstance(row.payload, dict) else {}
    if row.kind == "reminder" and str(payload.get("day", "9999")) < today.isoformat():
        return f"a reminder for {payload['day']}, which passed while Trainbot was uninstalled"
    if row.kind == "digest" and str(payload.get("week", "9999")) < today.strftime("%G-W%V"):
        return f"the digest of {payload['week']}, which passed while Trainbot was uninstalled"
    return None

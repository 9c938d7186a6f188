"""Reading and changing a workspace's reminder policy (stored in its settings)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Workspace
from models.reminders import ReminderPolicy


def policy_of(s: Session, workspace_id: int) -> ReminderPolicy:
    settings = s.scalar(select(Workspace.settings).where(Workspace.id == workspace_id))
    return ReminderPolicy.from_settings(settings)


def installed_policies(s: Session) -> dict[ReminderPolicy, tuple[int, ...]]:
    """The distinct policies of the installed workspaces, each with the workspaces using it
    (most use the default: a handful of policies, whatever the number of workspaces)."""
    found: dict[ReminderPolicy, list[int]] = {}
    for workspace_id, settings in s.execute(
        select(Workspace.id, Workspace.settings)
        .where(Workspace.uninstalled_at.is_(None))
        .order_by(Workspace.id)
    ):
        found.setdefault(ReminderPolicy.from_settings(settings), []).append(workspace_id)
    return {policy: tuple(ids) for policy, ids in found.items()}

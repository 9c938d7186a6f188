"""Reading and changing a workspace's reminder policy (stored in its settings)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Workspace
from models.reminders import ReminderPolicy


def policy_of(s: Session, workspace_id: int) -> ReminderPolicy:
    settings = s.scalar(select(Workspace.settings).where(Workspace.id == workspace_id))
    return ReminderPolicy.from_settings(settings)

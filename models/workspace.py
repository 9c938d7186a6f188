"""A Slack workspace (the product document's Organization) and the people in it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    SQLColumnExpression,
    String,
    UniqueConstraint,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.enums import Role, sql_in


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255), default="")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # After a 429, no sender (in any replica) posts here before this moment.
    send_paused_until: Mapped[datetime | None]
    # Trainbot was uninstalled (many workspaces): its outbox rows are held until a reinstall.
    uninstalled_at: Mapped[datetime | None]
    # "Recommended for you" on Home and `trainbot recommend`: an admin may turn it off.
    recommendations: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


def still_installed(workspace_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """Rows of workspaces that have not uninstalled Trainbot. The sweeps skip the others:
    their data stays, and nothing is owed to them until they install it again."""
    gone = select(Workspace.id).where(Workspace.uninstalled_at.is_not(None))
    return workspace_id.not_in(gone)


class Member(Base):
    """A Slack user within one workspace.

    `role` is what Trainbot was told; Slack workspace owners/admins are Trainbot
    admins whatever `role` says (see `effective_role`).
    """

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id"),
        CheckConstraint(f"role IN ({sql_in(Role)})", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(255), default="")
    real_name: Mapped[str] = mapped_column(String(255), default="")
    tz: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    is_slack_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deactivated: Mapped[bool] = mapped_column(Boolean, default=False)
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False)  # single/multi-channel
    # A manager's choice: a DM when someone they assigned completes (off by default).
    notify_completions: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_fetched_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def effective_role(self) -> Role:
        return Role.ADMIN if self.is_slack_admin else Role(self.role)

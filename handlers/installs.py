"""Slack telling us Trainbot was uninstalled, or that its tokens were revoked."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.services import Services
from handlers.support import after_ack

log = logging.getLogger("trainbot.installs")


def handle_app_uninstalled_event(
    body: dict[str, Any],
    services: Services,
    is_enterprise_install: bool | None = None,
    revoked: bool = False,
) -> None:
    team_id, enterprise_id = str(body.get("team_id") or ""), body.get("enterprise_id")
    org_wide = bool(is_enterprise_install and enterprise_id)
    if services.installs.uninstalled(team_id=team_id, enterprise_id=enterprise_id,
                                     org_wide=org_wide, revoked=revoked):  # fmt: skip
        log.info(
            "uninstalled from %s: tokens deleted, its outbox held",
            enterprise_id if org_wide else team_id,
        )


def handle_tokens_revoked_event(
    event: dict[str, Any],
    body: dict[str, Any],
    services: Services,
    is_enterprise_install: bool | None = None,
) -> None:
    """A revoked bot token is an uninstall; revoked user tokens are forgotten."""
    team_id, enterprise_id = str(body.get("team_id") or ""), body.get("enterprise_id")
    tokens = event.get("tokens") or {}
    if tokens.get("bot"):
        handle_app_uninstalled_event(body, services, is_enterprise_install, revoked=True)
    if tokens.get("oauth"):
        services.installs.user_tokens_revoked(
            team_id=team_id, enterprise_id=enterprise_id, user_ids=list(tokens["oauth"])
        )


def register(app: App) -> None:
    app.event("app_uninstalled")(after_ack(handle_app_uninstalled_event))
    app.event("tokens_revoked")(after_ack(handle_tokens_revoked_event))

"""Learning paths kept enrolled: Slack says who joined a user group or a channel."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.delivery import deliver_pending
from bot.services import Services
from bot.services.keep_enrolled import Joined
from handlers.support import after_ack

log = logging.getLogger("trainbot.enrollments")


def handle_group_members_event(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, services: Services
) -> None:
    joined = services.keep_enrolled.group_changed(
        team_id=str(body["team_id"]), event=event, client=client
    )
    _send(services, client, joined)


def handle_channel_joined_event(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, services: Services
) -> None:
    joined = services.keep_enrolled.channel_joined(
        team_id=str(body["team_id"]), event=event, client=client
    )
    _send(services, client, joined)


def _send(services: Services, client: WebClient, joined: list[Joined]) -> None:
    for found in joined:
        log.info("enrolled %d on %s (joined %s)", len(found.enrolled), found.path_title,
                 found.source_label)  # fmt: skip
    if joined:
        deliver_pending(services, client)  # their first steps' DMs


def register(app: App) -> None:
    app.event("subteam_members_changed")(after_ack(handle_group_members_event))
    app.event("member_joined_channel")(after_ack(handle_channel_joined_event))

"""Sending what the outbox owes, paced, with Slack's failures sorted by kind."""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import render
from bot.services import Services
from bot.services.assignments import AssignmentCard
from bot.services.outbox import Claimed

log = logging.getLogger("trainbot.delivery")

# Errors that will not go away by retrying for this recipient (NOTES.md).
PERMANENT = {
    "user_not_found", "user_disabled", "account_inactive", "channel_not_found", "is_archived",
    "not_in_channel", "messages_tab_disabled", "restricted_action", "no_such_subteam",
    "cannot_dm_bot",
}  # fmt: skip
# chat.postMessage allows about one message per second per channel; DMs are separate
# channels, so the pace that matters is the workspace-wide one.
MIN_INTERVAL_S = 0.05


def due_timestamp(due_on: date | None) -> int | None:
    """Noon UTC on the due date: Slack's <!date> shows the same day in almost every zone."""
    if due_on is None:
        return None
    return int(datetime(due_on.year, due_on.month, due_on.day, 12, tzinfo=UTC).timestamp())


def assignment_message(card: AssignmentCard, notice: str = "") -> dict[str, Any]:
    return render("assignment_dm.json.j2", a=card, due_ts=due_timestamp(card.due_on), notice=notice)


def deliver_pending(services: Services, client: WebClient, *, limit: int = 50) -> int:
    """Send due outbox rows until none are left (or `limit` per round); returns how many sent."""
    sent = 0
    while claimed := services.outbox.claim(limit=limit):
        for row in claimed:
            sent += _deliver(services, client, row)
            time.sleep(MIN_INTERVAL_S)
    return sent


def _deliver(services: Services, client: WebClient, row: Claimed) -> int:
    if row.kind == "message":
        return _deliver_message(services, client, row)
    if row.assignment_id is None:
        services.outbox.skipped(row, why=f"unknown kind {row.kind}")
        return 0
    card = services.assignments.card(workspace_id=row.workspace_id, assignment_id=row.assignment_id)
    if card.cancelled:
        services.outbox.skipped(row, why="cancelled before it was sent")
        return 0
    why = services.members.unreachable_because(
        workspace_id=row.workspace_id, user_id=row.recipient, profiles=client
    )
    if why:
        services.assignments.cancel_unreachable(assignment_id=card.id, why=why)
        services.outbox.skipped(row, why=why)
        return 0
    message = assignment_message(card)
    try:
        response = client.chat_postMessage(
            channel=row.recipient,
            text=message["text"],
            blocks=message["blocks"],
            metadata={"event_type": "trainbot_outbox", "event_payload": {"outbox_id": row.id}},
        )
    except SlackApiError as error:
        _settle_failure(services, row, error)
        return 0
    channel, ts = str(response["channel"]), str(response["ts"])
    if services.outbox.sent(row, channel=channel, ts=ts):
        services.assignments.remember_dm(assignment_id=card.id, channel=channel, ts=ts)
    return 1


def _deliver_message(services: Services, client: WebClient, row: Claimed) -> int:
    """A rendered note: ephemeral in its channel when it has one, else (or then) a DM."""
    payload = services.outbox.payload(row)
    text = str(payload["text"])
    blocks = payload.get("blocks")
    blocks = list(blocks) if isinstance(blocks, list) else None
    channel = payload.get("channel")
    try:
        if channel:
            try:
                answer = client.chat_postEphemeral(
                    channel=str(channel), user=row.recipient, text=text, blocks=blocks
                )
                services.outbox.sent(row, channel=str(channel), ts=str(answer["message_ts"]))
                return 1
            except SlackApiError as error:
                if error.response.get("error") not in PERMANENT | {"user_not_in_channel"}:
                    raise
                # Not a channel we can whisper in (e.g. the bot is not in it): DM instead.
        answer = client.chat_postMessage(channel=row.recipient, text=text, blocks=blocks)
    except SlackApiError as error:
        _settle_failure(services, row, error)
        return 0
    services.outbox.sent(row, channel=str(answer["channel"]), ts=str(answer["ts"]))
    return 1


def _settle_failure(services: Services, row: Claimed, error: SlackApiError) -> None:
    name = str(error.response.get("error", ""))
    if name in PERMANENT:
        log.info("outbox %s to %s: %s (not retried)", row.id, row.recipient, name)
        services.outbox.failed(row, error=name)
        return
    retry_after = (
        error.response.headers.get("Retry-After") if error.response.status_code == 429 else None
    )
    after = timedelta(seconds=int(retry_after)) if retry_after else None
    log.warning("outbox %s to %s: %s (will retry)", row.id, row.recipient, name or error)
    services.outbox.retry_later(row, error=name or str(error)[:200], after=after)

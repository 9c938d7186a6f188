"""Posting an outbox row's message exactly once, whatever happened to earlier attempts."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.services import Services
from bot.services.outbox import Claimed

log = logging.getLogger("trainbot.delivery")

TAG = "trainbot_outbox"  # message metadata event_type: which outbox row a message is
CLOCK_SKEW_S = 60  # Slack's clock and ours may differ; look a little further back


def post_once(
    services: Services, client: WebClient, row: Claimed, *, text: str, blocks: Any
) -> tuple[str, str] | None:
    """chat.postMessage for this row, tagged with its id; None if another sender took it.

    Slack has no idempotency key. When an earlier sender may have posted and died before
    recording it, the conversation is searched for the tag before posting again.
    """
    if row.maybe_sent and (found := find_posted(client, row)):
        log.info("outbox %s to %s had reached Slack already (%s)", row.id, row.recipient, found[1])
        return found
    if not services.outbox.begin_send(row):
        return None
    services.pacer.wait()
    answer = client.chat_postMessage(
        channel=row.recipient,
        text=text,
        blocks=blocks,
        metadata={"event_type": TAG, "event_payload": {"outbox_id": row.id}},
    )
    return str(answer["channel"]), str(answer["ts"])


def find_posted(client: WebClient, row: Claimed) -> tuple[str, str] | None:
    """The message tagged with this row, posted since its earlier attempt began."""
    channel = row.recipient
    if not channel.startswith(("C", "G")):
        channel = str(client.conversations_open(users=row.recipient)["channel"]["id"])
    since = row.since.timestamp() if row.since else 0.0
    oldest = f"{max(0.0, since - CLOCK_SKEW_S):.6f}"
    cursor = None
    while True:
        page = client.conversations_history(
            channel=channel, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
        )
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == TAG and payload.get("outbox_id") == row.id:
                return channel, str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None

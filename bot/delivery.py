"""Sending what the outbox owes, paced, with Slack's failures sorted by kind."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.delivery_certificate import deliver_certificate
from bot.delivery_digest import deliver_digest
from bot.posting import post_once
from bot.render import render
from bot.services import Services
from bot.services.cards import AssignmentCard
from bot.services.outbox import Claimed
from bot.services.reminders import Reminder

log = logging.getLogger("trainbot.delivery")

# Errors that will not go away by retrying for this recipient (NOTES.md).
PERMANENT = {
    "user_not_found", "user_disabled", "account_inactive", "channel_not_found", "is_archived",
    "not_in_channel", "messages_tab_disabled", "restricted_action", "no_such_subteam",
    "cannot_dm_bot",
}  # fmt: skip
DEFAULT_RETRY_AFTER_S = 30
NOT_INSTALLED_RETRY = timedelta(minutes=5)


def due_timestamp(due_on: date | None) -> int | None:
    """Noon UTC on the due date: Slack's <!date> shows the same day in almost every zone."""
    if due_on is None:
        return None
    return int(datetime(due_on.year, due_on.month, due_on.day, 12, tzinfo=UTC).timestamp())


def assignment_message(card: AssignmentCard, notice: str = "") -> dict[str, Any]:
    return render("assignment_dm.json.j2", a=card, due_ts=due_timestamp(card.due_on), notice=notice)


def deliver_pending(services: Services, client: WebClient, *, limit: int = 50) -> int:
    """Send due outbox rows until none are left (or `limit` per round); returns how many sent.

    A 429 pauses the whole workspace for its Retry-After (recorded in the database, so
    every sender in every replica waits); the rest of the round for it is handed back.
    """
    # No automatic retries here: a post retried after a timeout or a 5xx may have landed
    # the first time. Failures come back to the outbox, which knows what may have landed.
    client = WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout)
    sent = 0
    while claimed := services.outbox.claim(limit=limit):
        paused: dict[int, datetime] = {}
        for row in claimed:
            if row.workspace_id in paused:
                services.outbox.release(row, at=paused[row.workspace_id])
                continue
            ws_client = services.clients.of(client, row.workspace_id)  # its own token
            if ws_client is None:  # not installed there (any more): kept, tried again later
                paused[row.workspace_id] = services.clock.now() + NOT_INSTALLED_RETRY
                services.outbox.release(row, at=paused[row.workspace_id])
                continue
            try:
                sent += _deliver(services, ws_client, row)
            except SlackApiError as error:
                until = _settle_failure(services, row, error)
                if until is not None:
                    paused[row.workspace_id] = until
            except OSError as error:  # connection refused, reset, timed out
                log.warning("outbox %s to %s: %s (will retry)", row.id, row.recipient, error)
                services.outbox.retry_later(row, error=f"connection: {error}"[:200])
    return sent


def _deliver(services: Services, client: WebClient, row: Claimed) -> int:
    if row.kind == "message":
        return _deliver_message(services, client, row)
    if row.kind == "assignment_notice" and row.assignment_id is not None:
        return _deliver_notice(services, client, row, row.assignment_id)
    if row.kind == "reminder":
        return _deliver_reminder(services, client, row)
    if row.kind == "digest":
        return deliver_digest(services, client, row)
    if row.kind == "path_notice":
        return _deliver_path_notice(services, client, row)
    if row.kind == "certificate":
        return deliver_certificate(services, client, row)
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
    landed = post_once(services, client, row, text=message["text"], blocks=message["blocks"])
    if landed is None:
        return 0
    channel, ts = landed
    if services.outbox.sent(row, channel=channel, ts=ts):
        services.assignments.remember_dm(assignment_id=card.id, channel=channel, ts=ts)
    return 1


def reminder_message(reminder: Reminder, notice: str = "") -> dict[str, Any]:
    return render("reminder_dm.json.j2", r=reminder, due_ts=due_timestamp, notice=notice)


def _deliver_reminder(services: Services, client: WebClient, row: Claimed) -> int:
    """Today's reminder: a fresh DM (so Slack notifies) listing what is still open."""
    payload = services.outbox.payload(row)
    reminder = services.reminders.reminder_for(workspace_id=row.workspace_id, payload=payload)
    still_open = reminder.still_open()
    if not still_open.cards:
        services.outbox.skipped(row, why="nothing left open to remind of")
        return 0
    why = services.members.unreachable_because(
        workspace_id=row.workspace_id, user_id=row.recipient, profiles=client
    )
    if why:
        services.outbox.skipped(row, why=why)
        return 0
    message = reminder_message(still_open)
    landed = post_once(services, client, row, text=message["text"], blocks=message["blocks"])
    if landed is None:
        return 0
    services.outbox.sent(row, channel=landed[0], ts=landed[1])
    return 1


def _deliver_notice(services: Services, client: WebClient, row: Claimed, assignment_id: int) -> int:
    """A change told once (a fresh DM, so Slack notifies), then the assignment DM redrawn."""
    change = services.outbox.payload(row)
    card = services.assignments.card(workspace_id=row.workspace_id, assignment_id=assignment_id)
    notice = render(
        "assignment_notice.json.j2", c=change, a=card, due_ts=due_timestamp(card.due_on)
    )
    landed = post_once(services, client, row, text=notice["text"], blocks=notice["blocks"])
    if landed is None:
        return 0
    services.outbox.sent(row, channel=landed[0], ts=landed[1])
    if change.get("change") != "completed":
        redraw_dm(client, card)
    return 1


def _deliver_path_notice(services: Services, client: WebClient, row: Claimed) -> int:
    """A path paused, resumed, cancelled (to its learner) or finished (to its assigner);
    the learner's current step DM is redrawn to match."""
    change = services.outbox.payload(row)
    title, _ = services.paths.notice_facts(
        workspace_id=row.workspace_id, enrollment_id=int(str(change["enrollment"]))
    )
    notice = render("path_notice.json.j2", c=change, title=title)
    landed = post_once(services, client, row, text=notice["text"], blocks=notice["blocks"])
    if landed is None:
        return 0
    services.outbox.sent(row, channel=landed[0], ts=landed[1])
    if change.get("assignment"):
        assignment_id = int(str(change["assignment"]))
        redraw_dm(client, services.assignments.card(workspace_id=row.workspace_id,
                                                     assignment_id=assignment_id))  # fmt: skip
    return 1


def redraw_dm(client: WebClient, card: AssignmentCard) -> None:
    """The assignment's DM as it is now, if it was sent (an old DM may be gone: logged)."""
    if not (card.dm_channel and card.dm_ts):
        return
    message = assignment_message(card)
    try:
        client.chat_update(channel=card.dm_channel, ts=card.dm_ts, text=message["text"],
                           blocks=message["blocks"])  # fmt: skip
    except SlackApiError as error:
        log.info("assignment %s: DM not redrawn (%s)", card.id, error.response.get("error"))


def _deliver_message(services: Services, client: WebClient, row: Claimed) -> int:
    """A rendered note: ephemeral in its channel when it has one, else (or then) a DM."""
    payload = services.outbox.payload(row)
    text = str(payload["text"])
    blocks = payload.get("blocks")
    blocks = list(blocks) if isinstance(blocks, list) else None
    channel = payload.get("channel")
    if channel:
        try:
            services.pacer.wait()
            answer = client.chat_postEphemeral(
                channel=str(channel), user=row.recipient, text=text, blocks=blocks
            )
            services.outbox.sent(row, channel=str(channel), ts=str(answer["message_ts"]))
            return 1
        except SlackApiError as error:
            if error.response.get("error") not in PERMANENT | {"user_not_in_channel"}:
                raise
            # Not a channel we can whisper in (e.g. the bot is not in it): DM instead.
    landed = post_once(services, client, row, text=text, blocks=blocks)
    if landed is None:
        return 0
    services.outbox.sent(row, channel=landed[0], ts=landed[1])
    return 1


def _settle_failure(services: Services, row: Claimed, error: SlackApiError) -> datetime | None:
    """Record a failed send; returns until when the workspace is paused after a 429."""
    name = str(error.response.get("error", ""))
    if name in PERMANENT:
        log.info("outbox %s to %s: %s (not retried)", row.id, row.recipient, name)
        services.outbox.failed(row, error=name)
        return None
    if error.response.status_code == 429:
        retry_after = str(error.response.headers.get("Retry-After") or "")
        seconds = int(retry_after) if retry_after.isdigit() else DEFAULT_RETRY_AFTER_S
        until = services.outbox.pause_workspace(workspace_id=row.workspace_id, seconds=seconds)
        log.warning("outbox %s: Slack says slow down; workspace paused %s s", row.id, seconds)
        services.outbox.release(row, at=until)
        return until
    log.warning("outbox %s to %s: %s (will retry)", row.id, row.recipient, name or error)
    services.outbox.retry_later(
        row, error=name or str(error)[:200], landed_maybe=error.response.status_code >= 500
    )
    return None

"""The assignee's buttons: Start, 25/50/75 %, Mark complete; the DM updates in place."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.delivery import assignment_message, deliver_pending
from bot.errors import BotError, NotAllowed
from bot.ids import Action
from bot.services import Services
from bot.services.assignments import Step
from bot.services.cards import AssignmentCard
from bot.services.members import Caller
from handlers.home import publish_home
from handlers.reminders import redraw_reminder
from handlers.support import after_ack, caller_of

PROGRESS_BUTTON = re.compile(rf"^{re.escape(Action.ASSIGNMENT_PROGRESS)}\.(25|50|75)$")
NOTICES = {
    Step.START: ":rocket: Started. Enjoy!",
    Step.PROGRESS: ":chart_with_upwards_trend: Progress saved.",
    Step.COMPLETE: ":tada: Marked complete. Well done!",
}


def step_of(action_id: str) -> tuple[Step, int]:
    if action_id == Action.ASSIGNMENT_START:
        return Step.START, 0
    if action_id == Action.ASSIGNMENT_COMPLETE:
        return Step.COMPLETE, 100
    match = PROGRESS_BUTTON.match(action_id)
    assert match is not None, action_id
    return Step.PROGRESS, int(match.group(1))


def handle_assignment_step_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Record the step, then show the DM as it now stands, with a short confirmation."""
    action = body["actions"][0]
    step, percent = step_of(action["action_id"])
    caller = caller_of(body, services, client)
    assignment_id = int(action["value"])
    try:
        card = services.assignments.advance(
            caller=caller, assignment_id=assignment_id, step=step, progress=percent
        )
    except NotAllowed:
        raise  # someone else's assignment: they get the refusal, nothing else changes
    except BotError:
        # Cancelled or already done: show the current state everywhere, then explain.
        current = services.assignments.card(
            workspace_id=caller.workspace_id, assignment_id=assignment_id
        )
        show_everywhere(client, services, caller, where_clicked(current, body), "")
        raise
    show_everywhere(client, services, caller, where_clicked(card, body), NOTICES[step])
    redraw_reminder(client, services, caller, body, NOTICES[step])
    if step is Step.COMPLETE:
        deliver_pending(services, client)  # the assigner's completion DM, if they asked


def where_clicked(card: AssignmentCard, body: dict[str, Any]) -> AssignmentCard:
    """The card, pointing at the DM that was clicked if Trainbot has not noted that DM yet.

    The outbox sender notes a DM's channel and ts just after Slack accepts it; a learner
    quick enough to click in between would otherwise see their click change nothing there.
    """
    container = body.get("container") or {}
    if card.dm_ts or container.get("type") != "message" or container.get("is_ephemeral"):
        return card
    blocks = (body.get("message") or {}).get("blocks") or []
    if any(block.get("block_id") == "reminder" for block in blocks):
        return card  # a reminder lists several assignments: it is redrawn as a reminder
    return replace(card, dm_channel=container.get("channel_id"), dm_ts=container.get("message_ts"))


def show_everywhere(
    client: WebClient, services: Services, caller: Caller, card: AssignmentCard, notice: str
) -> None:
    """The DM (in place) and the Home tab, whichever surface the click came from."""
    if card.dm_channel and card.dm_ts:
        message = assignment_message(card, notice)
        client.chat_update(
            channel=card.dm_channel, ts=card.dm_ts, text=message["text"], blocks=message["blocks"]
        )
    services.recommendations.refresh_for(caller=caller)  # a completion changes what is next
    publish_home(client, services, caller)


def register(app: App) -> None:
    steps = after_ack(handle_assignment_step_action)
    app.action(Action.ASSIGNMENT_START)(steps)
    app.action(PROGRESS_BUTTON)(steps)
    app.action(Action.ASSIGNMENT_COMPLETE)(steps)

"""Reminders, the learner's side (snooze; the reminder redrawn after a click) and the
admin's (`/training reminders`: the workspace's policy)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.delivery import reminder_message
from bot.errors import NotAllowed
from bot.ids import INPUT, Action, Block, Callback
from bot.render import render
from bot.services import Services
from bot.services.members import Caller
from handlers.support import after_ack, caller_of
from models.enums import Role
from models.reminders import LATEST_HOUR, PolicyError, ReminderPolicy

HOURS = [{"value": str(h), "label": f"{h:02d}:00"} for h in range(6, LATEST_HOUR)]


def handle_reminder_snooze_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """ "Snooze 1 day" / "Snooze until Monday" on one item of a reminder."""
    action = body["actions"][0]
    caller = caller_of(body, services, client)
    until = "monday" if action["action_id"] == Action.REMINDER_SNOOZE_MONDAY else "day"
    day = services.reminders.snooze(caller=caller, assignment_id=int(action["value"]), until=until)
    redraw_reminder(client, services, caller, body, f":zzz: Snoozed: next reminder {day:%a %d %b}.")


def redraw_reminder(
    client: WebClient, services: Services, caller: Caller, body: dict[str, Any], notice: str
) -> None:
    """If the click came from a reminder DM, show that reminder as things now stand."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return
    blocks = (body.get("message") or {}).get("blocks") or []
    if not any(block.get("block_id") == "reminder" for block in blocks):
        return  # an assignment's own DM: no reminder to look up
    channel, ts = str(container.get("channel_id")), str(container.get("message_ts"))
    reminder = services.reminders.reminder_at(
        workspace_id=caller.workspace_id, channel=channel, ts=ts
    )
    if reminder is None:
        return
    message = reminder_message(reminder.still_open(), notice)
    client.chat_update(channel=channel, ts=ts, text=message["text"], blocks=message["blocks"])


def open_policy_modal(
    client: WebClient, services: Services, caller: Caller, trigger_id: str
) -> None:
    if caller.role is not Role.ADMIN:
        raise NotAllowed("Only Trainbot admins can change the reminder policy.")
    policy = services.reminders.policy(workspace_id=caller.workspace_id)
    view = render("reminder_policy_modal.json.j2", p=policy, hours=HOURS)
    client.views_open(trigger_id=trigger_id, view=view)


def handle_reminder_policy_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, client: WebClient
) -> None:
    caller = caller_of(body, services, client, refresh=False)
    values = (view.get("state") or {}).get("values") or {}
    try:
        policy = policy_from(values)
        replanned = services.reminders.set_policy(caller=caller, policy=policy)
    except PolicyError as error:
        ack(response_action="errors", errors={error.field: str(error)})
        return
    text = f"Reminder policy saved. {replanned} open assignments follow it from now on."
    ack(response_action="update", view=render("notice_modal.json.j2", title="Saved", text=text))


def policy_from(values: dict[str, Any]) -> ReminderPolicy:
    def number(block: str) -> int:
        raw = str((values.get(block) or {}).get(INPUT, {}).get("value") or "").strip()
        if not raw.lstrip("-").isdigit():
            raise PolicyError(block, "Enter a whole number.")
        return int(raw)

    def ticked(block: str) -> bool:
        return bool((values.get(block) or {}).get(INPUT, {}).get("selected_options"))

    hour = (values.get(Block.HOUR) or {}).get(INPUT, {}).get("selected_option") or {}
    return ReminderPolicy(
        days_before=number(Block.DAYS_BEFORE), on_due_date=ticked(Block.ON_DUE_DATE),
        overdue_every=number(Block.OVERDUE_EVERY), overdue_times=number(Block.OVERDUE_TIMES),
        hour=int(hour.get("value", 9)), weekdays_only=ticked(Block.WEEKDAYS_ONLY),
    )  # fmt: skip


def register(app: App) -> None:
    snooze = after_ack(handle_reminder_snooze_action)
    app.action(Action.REMINDER_SNOOZE_DAY)(snooze)
    app.action(Action.REMINDER_SNOOZE_MONDAY)(snooze)
    app.view_submission(Callback.REMINDER_POLICY)(handle_reminder_policy_submission)

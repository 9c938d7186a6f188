"""Manage: a manager's view of one resource's assignments, and the changes made from it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.clock import local_today
from bot.delivery import deliver_pending, due_timestamp
from bot.errors import BotError
from bot.ids import INPUT, Action, Block, Callback
from bot.render import render
from bot.services import Services
from bot.services.managing import Managed
from bot.services.members import Caller
from handlers.home import publish_home
from handlers.support import after_ack, caller_of, later, log_refusal

CHANGES = ("due", "reassign", "cancel")


def manage_view(
    services: Services, caller: Caller, resource_id: int, only: str | None = None,
    notice: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    today = local_today(services.clock.now(), caller.tz)
    roster = services.manage.roster(caller=caller, resource_id=resource_id, today=today, only=only)
    metadata = {"resource": resource_id, "title": roster.title[:150], "open": roster.open_total}
    return render(
        "manage_modal.json.j2", r=roster, due_ts=due_timestamp, notice=notice,
        metadata=json.dumps(metadata),
    )  # fmt: skip


def handle_manage_open_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """ "Manage" on a resource in the manager's Home."""
    caller = caller_of(body, services, client)
    view = manage_view(services, caller, int(body["actions"][0]["value"]))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_manage_find_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """Someone chosen in "Find a person": the roster narrows to them (cleared: everyone)."""
    caller = caller_of(body, services, client)
    view = body["view"]
    resource_id = int(json.loads(view["private_metadata"])["resource"])
    only = body["actions"][0].get("selected_user")
    client.views_update(
        view_id=view["id"], hash=view["hash"], view=manage_view(services, caller, resource_id, only)
    )


def handle_manage_change_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """A person's overflow item, or an "everyone" button: the change's own small modal."""
    action = body["actions"][0]
    parent = body["view"]
    about = json.loads(parent["private_metadata"])
    if action["action_id"] == Action.MANAGE_ROW:
        op, assignment, who = str(action["selected_option"]["value"]).split(":")
        if op == "nudge":
            _nudge(client, services, body, about, int(assignment))
            return
    else:
        op = "due" if action["action_id"] == Action.MANAGE_DUE_ALL else "cancel"
        assignment, who = "", ""
    assert op in CHANGES, op
    metadata = {"op": op, "resource": about["resource"], "assignment": assignment or None,
                "who": who or None, "parent": parent["id"]}  # fmt: skip
    view = render(
        "manage_change_modal.json.j2", op=op, title=about["title"], who=who or None,
        count=about["open"], due=None, metadata=json.dumps(metadata),
    )  # fmt: skip
    client.views_push(trigger_id=body["trigger_id"], view=view)


def _nudge(
    client: WebClient, services: Services, body: dict[str, Any], about: dict[str, Any],
    assignment_id: int,
) -> None:  # fmt: skip
    """ "Nudge now": a reminder to that person at once; Manage says so (once a day each)."""
    caller = caller_of(body, services, client)
    resource_id = int(about["resource"])
    who, sent = services.manage.nudge(
        caller=caller, resource_id=resource_id, assignment_id=assignment_id
    )
    notice = f":bell: <@{who}> " + ("gets a reminder now." if sent else "was nudged today already.")
    view = body["view"]
    client.views_update(view_id=view["id"], hash=view["hash"],
                        view=manage_view(services, caller, resource_id, notice=notice))  # fmt: skip
    deliver_pending(services, client)


def handle_manage_change_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    services: Services,
    client: WebClient,
) -> None:
    """Validate into the modal, make the change, close; Manage and the DMs follow the ack."""
    caller = caller_of(body, services, client, refresh=False)
    change = json.loads(view["private_metadata"])
    values = (view.get("state") or {}).get("values") or {}
    try:
        done = _apply(services, caller, change, values)
    except BotError as error:
        log_refusal(error, body)
        block = Block.REASSIGN_TO if change["op"] == "reassign" else Block.DUE
        if change["op"] == "cancel":
            ack(response_action="update", view=_notice("Not changed", error.user_message))
        else:
            ack(response_action="errors", errors={block: error.user_message})
        return
    if not done.changed:
        ack(response_action="update", view=_notice("Nothing to change", _nothing(change)))
    else:
        ack()
    later(_refresh, body=body, client=client, context=context, respond=None, change=change)


def _apply(
    services: Services, caller: Caller, change: dict[str, Any], values: dict[str, Any]
) -> Managed:
    resource_id = int(change["resource"])
    assignment_id = int(change["assignment"]) if change["assignment"] else None
    if change["op"] == "cancel":
        return services.manage.cancel(
            caller=caller, resource_id=resource_id, assignment_id=assignment_id
        )
    if change["op"] == "reassign":
        to_user = str(values[Block.REASSIGN_TO][INPUT]["selected_user"])
        return services.manage.reassign(
            caller=caller, resource_id=resource_id, assignment_id=int(change["assignment"]),
            to_user_id=to_user,
        )  # fmt: skip
    raw = values[Block.DUE][INPUT].get("selected_date")
    due = date.fromisoformat(raw) if raw else None
    today = local_today(services.clock.now(), caller.tz)
    if due is not None and due < today:
        raise BotError(f"The due date is in the past (today is {today.isoformat()}).")
    return services.manage.change_due(
        caller=caller, resource_id=resource_id, due_on=due, assignment_id=assignment_id
    )


def _refresh(
    client: WebClient, services: Services, body: dict[str, Any], change: dict[str, Any]
) -> None:
    """After the ack: the Manage modal and the manager's Home as they now are, then the DMs."""
    caller = caller_of(body, services, client, refresh=False)
    if change.get("parent"):  # (a crafted request may name none)
        view = manage_view(services, caller, int(change["resource"]))
        client.views_update(view_id=change["parent"], view=view)
    publish_home(client, services, caller)
    deliver_pending(services, client)


def _notice(title: str, text: str) -> dict[str, Any]:
    return render("notice_modal.json.j2", title=title, text=text)


def _nothing(change: dict[str, Any]) -> str:
    if change["op"] == "due":
        return "That due date is already set, or nothing is open any more. Nobody was told."
    return "That assignment is no longer open (completed or already changed). Nothing changed."


def handle_completion_dms_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """A manager turns completion DMs on or off from their Home."""
    caller = caller_of(body, services, client)
    services.members.set_completion_dms(caller=caller, on=body["actions"][0]["value"] == "on")
    publish_home(client, services, caller)


def register(app: App) -> None:
    app.action(Action.MANAGE_OPEN)(after_ack(handle_manage_open_action))
    app.action(Action.MANAGE_FIND)(after_ack(handle_manage_find_action))
    for action in (Action.MANAGE_ROW, Action.MANAGE_DUE_ALL, Action.MANAGE_CANCEL_ALL):
        app.action(action)(after_ack(handle_manage_change_action))
    app.view_submission(Callback.MANAGE_CHANGE)(handle_manage_change_submission)
    app.action(Action.HOME_COMPLETION_DMS)(after_ack(handle_completion_dms_action))

"""Manage a learning path (Team progress → Manage): pause, resume or cancel enrollments."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.clock import local_today
from bot.delivery import deliver_pending
from bot.ids import Action
from bot.render import render
from bot.services import Services
from bot.services.members import Caller
from handlers.support import after_ack, caller_of
from models.enums import EnrollmentStatus

DONE = {"paused": "paused", "active": "resumed", "cancelled": "cancelled"}


def path_manage_view(
    services: Services, caller: Caller, path_id: int, notice: str | None = None
) -> dict[str, Any]:
    today = local_today(services.clock.now(), caller.tz)
    roster = services.paths.roster(caller=caller, path_id=path_id, today=today)
    return render("path_manage_modal.json.j2", r=roster, notice=notice,
                  metadata=json.dumps({"path": path_id}))  # fmt: skip


def handle_path_manage_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    caller = caller_of(body, services, client)
    view = path_manage_view(services, caller, int(body["actions"][0]["value"]))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_path_change_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """One person's menu (pause / resume / cancel), or a button for everyone."""
    action = body["actions"][0]
    chosen = str((action.get("selected_option") or {}).get("value") or action.get("value"))
    status, _, enrollment = chosen.partition(":")
    caller = caller_of(body, services, client, refresh=False)
    path_id = int(json.loads(body["view"]["private_metadata"])["path"])
    changed = services.paths.set_status(
        caller=caller, path_id=path_id, status=EnrollmentStatus(status),
        enrollment_id=int(enrollment) if enrollment else None,
    )  # fmt: skip
    who = ", ".join(f"<@{u}>" for u in changed.changed[:10])
    more = f" and {len(changed.changed) - 10} more" if len(changed.changed) > 10 else ""
    notice = (
        f":white_check_mark: {DONE[status].capitalize()} for {who}{more}; each is told once."
        if who else f":information_source: Nothing to change: {DONE[status]} already."
    )  # fmt: skip
    client.views_update(view_id=body["view"]["id"],
                        view=path_manage_view(services, caller, path_id, notice))  # fmt: skip
    deliver_pending(services, client)


def register(app: App) -> None:
    app.action(Action.PATH_MANAGE)(after_ack(handle_path_manage_action))
    change = after_ack(handle_path_change_action)
    for action in (Action.PATH_ROW, Action.PATH_PAUSE_ALL, Action.PATH_RESUME_ALL,
                   Action.PATH_CANCEL_ALL):  # fmt: skip
        app.action(action)(change)

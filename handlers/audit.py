"""`/training audit` (admins): the audit log a page at a time, Older / Newer, Export CSV."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.ids import Action
from bot.render import render
from bot.services import Services
from bot.services.members import Caller
from handlers.progress import send_file
from handlers.support import after_ack, caller_of


def audit_message(
    services: Services, caller: Caller, *, older: int | None = None, newer: int | None = None
) -> dict[str, Any]:
    page = services.audit.page(caller=caller, older_than=older, newer_than=newer)
    return {**render("audit_log.json.j2", page=page), "response_type": "ephemeral"}


def handle_audit_page_action(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """Older or Newer: the next page replaces this one, keyed on the entry at its edge."""
    caller = caller_of(body, services, client)
    action = body["actions"][0]
    edge = int(action["value"])
    older = action["action_id"] == Action.AUDIT_OLDER
    message = audit_message(services, caller, older=edge if older else None,
                            newer=None if older else edge)  # fmt: skip
    respond(**message, replace_original=True)


def handle_audit_export_action(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """The whole log as a CSV file in the admin's DM."""
    caller = caller_of(body, services, client)
    content = services.audit.export_csv(caller=caller)
    send_file(client, services, caller, content, "csv", "Audit log", stem="audit-log")
    respond(text=":page_facing_up: The audit log is in your DM with Trainbot, as CSV.",
            replace_original=False)  # fmt: skip


def register(app: App) -> None:
    app.action(Action.AUDIT_OLDER)(after_ack(handle_audit_page_action))
    app.action(Action.AUDIT_NEWER)(after_ack(handle_audit_page_action))
    app.action(Action.AUDIT_EXPORT)(after_ack(handle_audit_export_action))

"""/training: help tuned to the caller's role, and `/training add`."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.delivery import deliver_pending
from bot.errors import BotError
from bot.ids import Action, Command
from bot.render import mrkdwn, render
from bot.services import Services
from bot.services.members import Caller
from handlers.audit import audit_message
from handlers.content import open_content_modal
from handlers.digests import CHANNEL_MENTION, digest_list, open_digest_modal
from handlers.home import publish_home
from handlers.reminders import open_policy_modal
from handlers.support import after_ack, caller_of
from models.enums import Role

SUBCOMMANDS = ("help", "add", "role", "reminders", "digest", "certificate", "revoke", "audit")
ROLE_USAGE = "Usage: `/training role @person manager` (or `member`)."
CERTIFICATE_USAGE = "Usage: `/training certificate CODE`, with the code printed on it."
REVOKE_USAGE = "Usage: `/training revoke CODE reason`: the reason is shown on its page."
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def subcommand(text: str) -> str:
    words = text.split()
    return words[0].lower() if words else "help"


def handle_training_command(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    caller = caller_of(body, services, client)
    verb = subcommand(body.get("text", ""))
    if verb == "add":
        open_content_modal(client, services, caller, trigger_id=body["trigger_id"])
        return
    if verb == "digest":
        text = body.get("text", "")
        if CHANNEL_MENTION.search(text):
            open_digest_modal(client, caller, body["trigger_id"], text=text)
        else:
            respond(**digest_list(services, caller))
        return
    if verb == "reminders":
        open_policy_modal(client, services, caller, body["trigger_id"])
        return
    if verb == "audit":
        respond(**audit_message(services, caller))
        return
    if verb in ("certificate", "revoke"):
        respond(**certificate_reply(services, caller, body.get("text", "")))
        if verb == "revoke":
            deliver_pending(services, client)  # its holder is told
        return
    if verb == "role":
        user_id, role = parse_role_args(body.get("text", ""))
        changed = services.members.set_role(
            caller=caller, user_id=user_id, role=role, profiles=client
        )
        respond(text=f"<@{changed.user_id}> is now a Trainbot {changed.role.value}.")
        publish_home(client, services, changed)  # their Home offers what the role allows
        return
    note = "" if verb in SUBCOMMANDS else f"I don't know `/training {verb}`. Here is what I can do:"
    respond(**help_message(caller.can_manage, caller.role is Role.ADMIN, note))


def parse_role_args(text: str) -> tuple[str, Role]:
    """`role <@U123|amy> manager` -> ("U123", Role.MANAGER)."""
    words = text.split()
    match = MENTION.match(words[1]) if len(words) == 3 else None
    if match is None or words[2].lower() not in (Role.MANAGER, Role.MEMBER):
        raise BotError(ROLE_USAGE)
    return match.group(1), Role(words[2].lower())


def certificate_reply(services: Services, caller: Caller, text: str) -> dict[str, Any]:
    """`certificate CODE` (anyone: what its public page says) or `revoke CODE reason` (admins)."""
    verb, _, rest = text.strip().partition(" ")
    rest, revoked_now = rest.strip(), None
    if verb.lower() == "revoke":
        code, _, reason = rest.partition(" ")
        if not code or not reason.strip():
            raise BotError(REVOKE_USAGE)
        done = services.certificates.revoke(
            code=code, reason=reason, by=f"<@{caller.user_id}>", caller=caller
        )
        found, revoked_now = done.certificate, done.newly
    else:
        if not rest:
            raise BotError(CERTIFICATE_USAGE)
        checked = services.certificates.verify(code=rest)
        if checked is None:
            raise BotError(f"No certificate has the code `{mrkdwn(rest)}`. {CERTIFICATE_USAGE}")
        found = checked
    status = found.status(services.clock.now().date())
    message = render("certificate_status.json.j2", c=found, status=status, revoked_now=revoked_now)
    return {**message, "response_type": "ephemeral"}


def help_message(can_manage: bool, is_admin: bool, note: str = "") -> dict[str, Any]:
    message = render("help.json.j2", can_manage=can_manage, is_admin=is_admin, note=note)
    return {**message, "response_type": "ephemeral"}


def handle_help_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """The Help button on App Home: the same help, as a DM."""
    caller = caller_of(body, services, client)
    message = help_message(caller.can_manage, caller.role is Role.ADMIN)
    client.chat_postMessage(channel=caller.user_id, text=message["text"], blocks=message["blocks"])


def register(app: App) -> None:
    app.command(Command.TRAINING)(after_ack(handle_training_command))
    app.action(Action.HOME_HELP)(after_ack(handle_help_action))

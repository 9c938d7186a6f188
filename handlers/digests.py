"""`/training digest`: subscribe channels to weekly completion digests, list, edit, stop."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import BotError
from bot.ids import INPUT, Action, Block, Callback
from bot.render import mrkdwn, render
from bot.services import Services
from bot.services.catalog import require_manager
from bot.services.digests import Subscription
from bot.services.members import Caller
from handlers.forms import option_label
from handlers.support import after_ack, caller_of
from models import DigestScope

CHANNEL_MENTION = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ZONES = (
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
    "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw",
    "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Moscow", "Africa/Lagos",
    "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai", "Asia/Karachi",
    "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore",
    "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Manila", "Asia/Seoul", "Asia/Tokyo",
    "Australia/Perth", "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires", "America/Halifax", "America/New_York", "America/Chicago",
    "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
    "America/Mexico_City", "America/Bogota", "Pacific/Honolulu",
)  # fmt: skip


def digest_list(services: Services, caller: Caller) -> dict[str, Any]:
    require_manager(caller, "manage weekly digests")
    subs = services.digests.subscriptions(caller=caller)
    return {**render("digest_list.json.j2", subs=subs, days=DAYS), "response_type": "ephemeral"}


def open_digest_modal(
    client: WebClient, caller: Caller, trigger_id: str, *, text: str = "",
    sub: Subscription | None = None,
) -> None:  # fmt: skip
    require_manager(caller, "manage weekly digests")
    mentioned = CHANNEL_MENTION.search(text)
    tz = sub.tz if sub else caller.tz
    view = render(
        "digest_modal.json.j2",
        channel=sub.channel_id if sub else (mentioned.group(1) if mentioned else None),
        scope=sub.scope.value if sub else "workspace",
        group={"id": sub.scope_id, "label": sub.scope_label} if sub and sub.scope_id else None,
        weekday=sub.weekday if sub else 0, hour=sub.hour if sub else 9, tz=tz,
        days=[{"value": str(n), "label": day} for n, day in enumerate(DAYS)],
        hours=[{"value": str(h), "label": f"{h:02d}:00"} for h in range(24)],
        zones=[{"value": z, "label": z} for z in dict.fromkeys((tz, *ZONES))],
        metadata=json.dumps({}),
    )  # fmt: skip
    client.views_open(trigger_id=trigger_id, view=view)


def handle_digest_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, client: WebClient
) -> None:
    caller = caller_of(body, services, client, refresh=False)
    values = (view.get("state") or {}).get("values") or {}
    form, errors = _digest_form(values, client)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    sub = services.digests.subscribe(caller=caller, **form)
    text = (
        f"<#{sub.channel_id}> gets the weekly digest about {mrkdwn(sub.scope_label)} on "
        f"{DAYS[sub.weekday]}s at {sub.hour:02d}:00 ({sub.tz})."
    )
    ack(
        response_action="update", view=render("notice_modal.json.j2", title="Digest set", text=text)
    )


def _digest_form(
    values: dict[str, Any], client: WebClient
) -> tuple[dict[str, Any], dict[str, str]]:
    def chosen(block: str, action: str = INPUT) -> dict[str, Any]:
        return dict((values.get(block) or {}).get(action) or {})

    channel = str(chosen(Block.DIGEST_CHANNEL).get("selected_conversation") or "")
    scope = DigestScope((chosen(Block.DIGEST_SCOPE).get("selected_option") or {})["value"])
    group = chosen(Block.DIGEST_GROUP, Action.ASSIGN_GROUPS).get("selected_option") or {}
    errors: dict[str, str] = {}
    problem = _channel_problem(client, channel)
    if problem:
        errors[Block.DIGEST_CHANNEL] = problem
    if scope is DigestScope.USERGROUP and not group:
        errors[Block.DIGEST_GROUP] = "Choose the user group the digest is about."
    label = {
        DigestScope.WORKSPACE: "everyone",
        DigestScope.CHANNEL: "the members of the channel",
        DigestScope.USERGROUP: option_label(group, ""),
    }[scope]
    return {
        "channel_id": channel, "scope": scope,
        "scope_id": str(group.get("value") or "") if scope is DigestScope.USERGROUP else "",
        "scope_label": label,
        "weekday": int(chosen(Block.WEEKDAY)["selected_option"]["value"]),
        "hour": int(chosen(Block.HOUR)["selected_option"]["value"]),
        "tz": str(chosen(Block.TIMEZONE)["selected_option"]["value"]),
    }, errors  # fmt: skip


def _channel_problem(client: WebClient, channel: str) -> str:
    """Why Trainbot could not post its digest there ("" when it can)."""
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as error:
        if error.response.get("error") == "channel_not_found":
            return "I can't see that channel: invite @trainbot to it first."
        return f"Slack would not tell me about that channel ({error.response.get('error')})."
    if info.get("is_archived"):
        return f"#{info.get('name')} is archived."
    if not info.get("is_member"):
        return f"Invite @trainbot to #{info.get('name')} first (type `/invite @trainbot` there)."
    return ""


def handle_digest_new_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    open_digest_modal(client, caller_of(body, services, client), body["trigger_id"])


def handle_digest_edit_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    caller = caller_of(body, services, client)
    sub = services.digests.subscription(subscription_id=int(body["actions"][0]["value"]))
    if sub is None or sub.workspace_id != caller.workspace_id:
        raise BotError("That digest subscription no longer exists.")
    open_digest_modal(client, caller, body["trigger_id"], sub=sub)


def handle_digest_unsubscribe_action(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """One click (after Slack's confirm): gone, and the list redrawn without it."""
    caller = caller_of(body, services, client)
    services.digests.unsubscribe(caller=caller, subscription_id=int(body["actions"][0]["value"]))
    respond(**digest_list(services, caller), replace_original=True)


def register(app: App) -> None:
    app.view_submission(Callback.DIGEST)(handle_digest_submission)
    app.action(Action.DIGEST_NEW)(after_ack(handle_digest_new_action))
    app.action(Action.DIGEST_EDIT)(after_ack(handle_digest_edit_action))
    app.action(Action.DIGEST_UNSUBSCRIBE)(after_ack(handle_digest_unsubscribe_action))

"""Reading /assign: command text, the modal's state, and who a channel target means."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ids import INPUT, Action, Block
from bot.services.assignments import AssignForm
from bot.usergroups import UsergroupDirectory, group_problem
from models.enums import Priority

USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
GROUP_MENTION = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>")
MAX_CHANNEL_MEMBERS = 5000
NOTE_MAX = 1000


@dataclass(frozen=True)
class AssignText:
    users: list[str]
    groups: list[tuple[str, str]]  # (user group id, "@handle" as Slack wrote it)
    words: str


def parse_assign_text(text: str) -> AssignText:
    """`<@U1|amy> <!subteam^S1|@devs> python` -> (["U1"], [("S1", "@devs")], "python")."""
    users = USER_MENTION.findall(text)
    groups = [(gid, label or gid) for gid, label in GROUP_MENTION.findall(text)]
    words = re.sub(r"<[^>]*>", " ", text)  # channels come in the modal
    return AssignText(
        list(dict.fromkeys(users)), list(dict.fromkeys(groups)), " ".join(words.split())
    )


def _state(view: dict[str, Any], block: str, action_id: str = INPUT) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    return dict((values.get(block) or {}).get(action_id) or {})


def assign_form(
    view: dict[str, Any],
    *,
    today: date,
    client: WebClient,
    usergroups: UsergroupDirectory,
    bot_user_id: str | None,
) -> tuple[AssignForm | None, dict[str, str]]:
    """The modal as an AssignForm, or errors keyed by block_id (groups, channels resolved here).

    Channel members include Trainbot itself, which is left out.
    """
    errors: dict[str, str] = {}
    option = _state(view, Block.RESOURCE, Action.ASSIGN_RESOURCE).get("selected_option")
    if not option:
        errors[Block.RESOURCE] = "Choose the training to assign."
    people = list(_state(view, Block.PEOPLE).get("selected_users") or [])
    groups = list(_state(view, Block.GROUPS, Action.ASSIGN_GROUPS).get("selected_options") or [])
    in_groups, group_errors = group_members(client, usergroups, groups)
    if group_errors:
        errors[Block.GROUPS] = " ".join(group_errors)
    channels = list(_state(view, Block.CHANNELS).get("selected_conversations") or [])
    members, channel_errors = channel_members(client, channels)
    if channel_errors:
        errors[Block.CHANNELS] = " ".join(channel_errors)
    if not people and not groups and not channels:
        errors[Block.PEOPLE] = "Choose at least one person, a user group or a channel."
    members = in_groups + members
    raw_due = _state(view, Block.DUE).get("selected_date")
    due = date.fromisoformat(raw_due) if raw_due else None
    if due is not None and due < today:
        errors[Block.DUE] = f"The due date is in the past (today is {today.isoformat()})."
    priority = (_state(view, Block.PRIORITY).get("selected_option") or {}).get("value", "normal")
    note = str(_state(view, Block.NOTE).get("value") or "").strip()
    if errors or option is None:
        return None, errors
    return AssignForm(
        resource_id=int(option["value"]),
        user_ids=tuple(u for u in dict.fromkeys(people + members) if u != bot_user_id),
        due_on=due,
        priority=Priority(priority),
        note=note[:NOTE_MAX],
    ), {}


def group_members(
    client: WebClient, usergroups: UsergroupDirectory, options: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """Everyone in these user groups (as selected: {"value": id, "text": label})."""
    members: list[str] = []
    problems: list[str] = []
    for option in options:
        label = str((option.get("text") or {}).get("text") or "that user group").split(" (")[0]
        try:
            found = usergroups.members(client, group_id=str(option["value"]))
        except SlackApiError as error:
            problems.append(group_problem(label, str(error.response.get("error"))))
            continue
        if not found:
            problems.append(f"{label} has nobody in it.")
        members += found
    return members, problems


def channel_members(client: WebClient, channels: list[str]) -> tuple[list[str], list[str]]:
    """Everyone in these channels; problems are explained per channel."""
    members: list[str] = []
    problems: list[str] = []
    for channel in channels:
        cursor = None
        try:
            while len(members) < MAX_CHANNEL_MEMBERS:
                page = client.conversations_members(channel=channel, cursor=cursor, limit=1000)
                members += page.get("members") or []
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SlackApiError as error:
            name = _channel_name(client, channel)
            problems.append(_channel_problem(name, str(error.response.get("error"))))
    return members, problems


def _channel_name(client: WebClient, channel: str) -> str:
    """#name for an error message (modal errors are plain text: no <#C123> links)."""
    try:
        return "#" + str(client.conversations_info(channel=channel)["channel"]["name"])
    except (SlackApiError, KeyError, TypeError):
        return f"channel {channel}"


def _channel_problem(name: str, error: str) -> str:
    if error in ("channel_not_found", "not_in_channel"):
        return f"I can't see who is in {name}: invite @trainbot there first."
    if error == "missing_scope":
        return f"I'm not allowed to read the members of {name}."
    return f"Slack would not tell me who is in {name} ({error})."


def assign_metadata(channel_id: str | None) -> str:
    return json.dumps({"channel": channel_id})


def confirmation_channel(view: dict[str, Any]) -> str | None:
    try:
        channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    except ValueError:
        return None
    return str(channel) if channel else None


def default_due(today: date) -> str:
    return (today + timedelta(days=7)).isoformat()

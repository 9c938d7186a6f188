"""Reading /assign: command text, the modal's state, and who a channel target means."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.conversations import channel_members
from bot.ids import INPUT, Action, Block
from bot.services.assignments import AssignForm
from bot.services.keep_enrolled import KeepSource
from bot.usergroups import UsergroupDirectory, group_problem
from handlers.forms import option_label
from models.enums import Priority, RuleSource

USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
GROUP_MENTION = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>")
NOTE_MAX = 1000
MAX_START_AHEAD = 365


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
    starts_on, keep, guests = _path_fields(view, today, groups, channels, errors)
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
        starts_on=starts_on,
        keep=keep,
        include_guests=guests,
    ), {}


def _path_fields(
    view: dict[str, Any],
    today: date,
    groups: list[dict[str, Any]],
    channels: list[str],
    errors: dict[str, str],
) -> tuple[date | None, tuple[KeepSource, ...], bool]:
    """A path's start date, and the groups and channels whose newcomers enroll too."""
    raw_start = _state(view, Block.START).get("selected_date")
    starts_on = date.fromisoformat(raw_start) if raw_start else None
    if starts_on is not None and starts_on < today:
        errors[Block.START] = f"The start date is in the past (today is {today.isoformat()})."
    elif starts_on is not None and starts_on > today + timedelta(days=MAX_START_AHEAD):
        errors[Block.START] = f"Start within {MAX_START_AHEAD} days of today."
    ticked = {o.get("value") for o in _state(view, Block.KEEP).get("selected_options") or []}
    if not ticked:
        return starts_on, (), False
    if "keep" not in ticked:
        errors[Block.KEEP] = 'Tick "Also enroll people who join later" to enroll guests who join.'
    elif not groups and not channels:
        errors[Block.KEEP] = "Choose a user group or a channel above: their newcomers are enrolled."
    keep = tuple(
        KeepSource(RuleSource.USERGROUP, str(g["value"]),
                   option_label(g, str(g["value"])))
        for g in groups
    ) + tuple(KeepSource(RuleSource.CHANNEL, c, f"<#{c}>") for c in channels)  # fmt: skip
    return starts_on, keep, "guests" in ticked


def group_members(
    client: WebClient, usergroups: UsergroupDirectory, options: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """Everyone in these user groups (as selected: {"value": id, "text": label})."""
    members: list[str] = []
    problems: list[str] = []
    for option in options:
        label = option_label(option, "that user group")
        try:
            found = usergroups.members(client, group_id=str(option["value"]))
        except SlackApiError as error:
            problems.append(group_problem(label, str(error.response.get("error"))))
            continue
        if not found:
            problems.append(f"{label} has nobody in it.")
        members += found
    return members, problems


def first_group(view: dict[str, Any]) -> tuple[str, str] | None:
    """The first user group chosen in the /assign modal (id, "@handle"), if any: as typed
    into it, else as the modal was opened with it."""
    chosen = _state(view, Block.GROUPS, Action.ASSIGN_GROUPS).get("selected_options")
    if chosen is None:
        blocks = [b for b in view.get("blocks") or [] if b.get("block_id") == Block.GROUPS]
        block: dict[str, Any] = blocks[0] if blocks else {}
        chosen = (block.get("element") or {}).get("initial_options")
    if not chosen:
        return None
    return str(chosen[0]["value"]), option_label(chosen[0], "this group")


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

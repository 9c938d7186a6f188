"""Who is in a channel, as Slack says (conversations.members, paged), and why not."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.usergroups import BUSY, slack_busy

MAX_CHANNEL_MEMBERS = 5000


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
            why = str(error.response.get("error"))
            # Busy: the person submits again; no second call to name the channel.
            name = "" if slack_busy(why) else _channel_name(client, channel)
            problems.append(_channel_problem(name, why))
    return members, problems


def _channel_name(client: WebClient, channel: str) -> str:
    """#name for an error message (modal errors are plain text: no <#C123> links)."""
    try:
        return "#" + str(client.conversations_info(channel=channel)["channel"]["name"])
    except (SlackApiError, KeyError, TypeError):
        return f"channel {channel}"


def _channel_problem(name: str, error: str) -> str:
    if slack_busy(error):
        return BUSY
    if error in ("channel_not_found", "not_in_channel"):
        return f"I can't see who is in {name}: invite @trainbot there first."
    if error == "missing_scope":
        return f"I'm not allowed to read the members of {name}."
    return f"Slack would not tell me who is in {name} ({error})."

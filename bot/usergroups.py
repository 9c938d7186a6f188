"""Slack user groups for /assign: listed from a short cache, members read when submitted.

usergroups.list is a Tier 2 method (about 20 calls a minute per workspace) and the
typeahead asks on every keystroke, so the list is kept for a few minutes per process.
Members are never cached: a group is resolved when the manager submits.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("trainbot.usergroups")
LIST_TTL_S = 300.0
# The answers that mean "this workspace cannot give us user groups at all".
UNAVAILABLE = {
    "plan_upgrade_required": "User groups need a paid Slack plan.",
    "missing_scope": "Trainbot is not allowed to read user groups (scope usergroups:read).",
    "not_allowed_token_type": "Trainbot is not allowed to read user groups.",
}


@dataclass(frozen=True)
class Usergroup:
    id: str
    handle: str
    name: str
    user_count: int

    @property
    def label(self) -> str:
        return f"@{self.handle} ({self.name})" if self.name != self.handle else f"@{self.handle}"


@dataclass(frozen=True)
class UsergroupList:
    groups: tuple[Usergroup, ...]
    unavailable: str | None = None  # why there are none, when Slack refused

    def matching(self, words: str, *, limit: int) -> list[Usergroup]:
        needle = words.strip().lstrip("@").casefold()
        found = [
            g for g in self.groups if needle in g.handle.casefold() or needle in g.name.casefold()
        ]
        return found[:limit]


class UsergroupDirectory:
    def __init__(self, *, ttl_s: float = LIST_TTL_S) -> None:
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._lists: dict[str, tuple[float, UsergroupList]] = {}

    def cached(self, *, team_id: str) -> UsergroupList | None:
        """The list as last fetched, if still fresh; never calls Slack."""
        with self._lock:
            cached = self._lists.get(team_id)
        if cached and time.monotonic() - cached[0] < self._ttl_s:
            return cached[1]
        return None

    def listing(self, client: WebClient, *, team_id: str) -> UsergroupList:
        """The workspace's enabled groups by handle, or why Slack will not list them."""
        if (fresh := self.cached(team_id=team_id)) is not None:
            return fresh
        try:
            answer = client.usergroups_list(include_count=True)
        except SlackApiError as error:
            name = str(error.response.get("error"))
            if name not in UNAVAILABLE:
                # Passing trouble (429, 5xx): offer the input anyway, ask again next time.
                log.warning("usergroups.list failed: %s", name)
                return UsergroupList(())
            found = UsergroupList((), UNAVAILABLE[name])
        else:
            groups = [
                Usergroup(str(g["id"]), str(g["handle"]), str(g.get("name") or g["handle"]),
                          int(g.get("user_count") or 0))
                for g in answer.get("usergroups") or []
                if not g.get("date_delete")
            ]  # fmt: skip
            found = UsergroupList(tuple(sorted(groups, key=lambda g: g.handle.casefold())))
        with self._lock:
            self._lists[team_id] = (time.monotonic(), found)
        return found

    def everyone(self, client: WebClient) -> dict[str, list[str]]:
        """Each enabled group's @handle and its people, in one call (not cached: members
        are read fresh); empty when Slack will not list groups."""
        try:
            answer = client.usergroups_list(include_users=True)
        except SlackApiError as error:
            log.info("usergroups.list with users failed: %s", error.response.get("error"))
            return {}
        return {
            f"@{g['handle']}": [str(u) for u in g.get("users") or []]
            for g in answer.get("usergroups") or []
            if not g.get("date_delete")
        }

    def members(self, client: WebClient, *, group_id: str) -> list[str]:
        """Who is in the group now (SlackApiError when Slack will not say)."""
        answer = client.usergroups_users_list(usergroup=group_id)
        return [str(u) for u in answer.get("users") or []]


def slack_busy(error: str) -> bool:
    """A refusal that passes: a rate limit, or Slack failing on its side (a 5xx)."""
    return error == "ratelimited" or error.startswith("Received a response in a non-JSON format")


BUSY = "Slack is busy just now: please submit again in a few seconds."


def group_problem(label: str, error: str) -> str:
    if slack_busy(error):
        return BUSY
    if error == "no_such_subteam":
        return f"{label} no longer exists."
    if error in UNAVAILABLE:
        return f"I can't read who is in {label}: {UNAVAILABLE[error]}"
    return f"Slack would not tell me who is in {label} ({error})."

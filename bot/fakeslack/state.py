"""The workspace the stand-in serves: directory, conversations, views, files.

Everything here is plain data guarded by FakeSlack's single lock; the method modules
mutate it and raise ``ApiError`` with Slack's error names.
"""

from __future__ import annotations

import itertools
import secrets
import string
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.slack_limits import VIEW_TOO_LARGE, check_message, check_view

Args = dict[str, Any]
TRIGGER_TTL_S = 3.0


class ApiError(Exception):
    """A Web API failure, answered as ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, messages: Sequence[str] = ()) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)

    def response(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in self.messages]}
        return body


@dataclass(frozen=True)
class Identity:
    """Who the app is in the fake workspace."""

    team_id: str
    team_name: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    app_id: str
    bot_token: str
    bot_name: str
    enterprise_id: str | None = None  # the Enterprise Grid org the workspace belongs to
    enterprise_name: str = ""


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    members: list[str] = field(default_factory=list)
    created: int = field(default_factory=lambda: int(time.time()))
    im_user: str | None = None  # set for a DM: the person on the other side

    @property
    def is_im(self) -> bool:
        return self.im_user is not None


@dataclass
class Trigger:
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseTarget:
    """What a response_url points at, and how often it was used."""

    user_id: str | None
    channel_id: str | None
    message_ts: str | None
    is_ephemeral: bool
    issued_at: float
    posts: list[dict[str, Any]] = field(default_factory=list)


class Workspace:
    """All state of the fake workspace. Callers hold FakeSlack's lock."""

    def __init__(
        self,
        identity: Identity,
        clock: Callable[[], float],
        message_clock: Callable[[], float] = time.time,
    ) -> None:
        self.identity = identity
        self.clock = clock
        self.message_clock = message_clock  # epoch seconds that message ts are made from
        self.server_url = ""  # "http://127.0.0.1:PORT/" once the server listens
        self.messages_tab_enabled = True
        self.org_installed = False  # the app was installed on the whole Enterprise Grid org
        self.paid_plan = True  # user groups exist only on paid plans
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.stacks: dict[str, list[str]] = {}  # user -> open modal ids, bottom first
        self.homes: dict[str, str] = {}  # user -> Home tab view id
        self.triggers: dict[str, Trigger] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.file_bytes: dict[str, bytes] = {}
        self.usergroups: dict[str, dict[str, Any]] = {}
        self.response_targets: dict[str, ResponseTarget] = {}
        self.response_log: list[tuple[str, dict[str, Any]]] = []
        self.limit_violations: list[str] = []
        self._seq = itertools.count(1)
        self._last_ts_us = 0

    # ids, timestamps, hashes -------------------------------------------------

    def next_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._seq):08d}"

    def next_ts(self) -> str:
        """Message ts like Slack's "1764150000.000100", strictly increasing."""
        now_us = int(self.message_clock() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def new_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def new_trigger(self, user_id: str) -> str:
        trigger_id = f"{int(time.time())}.{next(self._seq)}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(user_id=user_id, issued_at=self.clock())
        return trigger_id

    def take_trigger(self, trigger_id: Any, *, consume: bool) -> Trigger:
        """The trigger's owner; Slack's errors for unknown, used or stale ids."""
        trigger = self.triggers.get(trigger_id) if isinstance(trigger_id, str) else None
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used or self.clock() - trigger.issued_at > TRIGGER_TTL_S:
            raise ApiError("expired_trigger_id")
        trigger.used = trigger.used or consume
        return trigger

    def knows(self, value: Any) -> bool:
        """Whether an id (person, conversation, trigger, view, file, group) is this workspace's."""
        return isinstance(value, str) and any(
            value in found
            for found in (self.users, self.channels, self.triggers, self.views, self.files,
                          self.usergroups)
        )  # fmt: skip

    # directory -----------------------------------------------------------------

    def user(self, user_id: Any) -> dict[str, Any]:
        found = self.users.get(user_id) if isinstance(user_id, str) else None
        if found is None:
            raise ApiError("user_not_found")
        return found

    def dm_channel(self, user_id: str) -> Channel:
        """The bot's DM with a person; Slack keeps one stable id per pair."""
        channel_id = "D" + user_id[1:]
        if channel_id not in self.channels:
            self.channels[channel_id] = Channel(
                id=channel_id,
                name=channel_id,
                is_private=True,
                members=[user_id, self.identity.bot_user_id],
                im_user=user_id,
            )
        return self.channels[channel_id]

    def visible_channel(self, channel_id: Any) -> Channel:
        """A channel the bot can see: private ones without the bot do not exist for it."""
        channel = self.channels.get(channel_id) if isinstance(channel_id, str) else None
        if channel is None or (channel.is_private and not self.bot_is_member(channel)):
            raise ApiError("channel_not_found")
        return channel

    def postable_channel(self, channel_arg: Any) -> Channel:
        """Resolve chat.* `channel` (C/G/D id, or a U id meaning that person's DM)."""
        if isinstance(channel_arg, str) and channel_arg[:1] in ("U", "W"):
            user = self.users.get(channel_arg)
            if user is None:
                raise ApiError("channel_not_found")
            if user.get("deleted"):
                raise ApiError("user_disabled")
            channel = self.dm_channel(channel_arg)
        else:
            channel = self.visible_channel(channel_arg)
        if channel.is_archived or (channel.im_user and self._user_deleted(channel.im_user)):
            raise ApiError("is_archived")
        if channel.is_im and not self.messages_tab_enabled:
            raise ApiError("messages_tab_disabled")
        if not self.bot_is_member(channel):
            raise ApiError("not_in_channel")
        return channel

    def bot_is_member(self, channel: Channel) -> bool:
        return self.identity.bot_user_id in channel.members

    def _user_deleted(self, user_id: str) -> bool:
        return bool(self.users.get(user_id, {}).get("deleted"))

    # messages ------------------------------------------------------------------

    def find_message(self, channel_id: Any, ts: Any) -> dict[str, Any]:
        for message in self.messages.get(channel_id, []) if isinstance(channel_id, str) else []:
            if message["ts"] == ts:
                return message
        raise ApiError("message_not_found")

    def bot_message(self, ts: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """A message as Slack stores one the bot sent."""
        message: dict[str, Any] = {
            "type": "message",
            "user": self.identity.bot_user_id,
            "bot_id": self.identity.bot_id,
            "app_id": self.identity.app_id,
            "text": args.get("text") or "",
            "ts": ts,
            "team": self.identity.team_id,
        }
        if args.get("blocks") is not None:
            message["blocks"] = with_generated_ids(args["blocks"])
        for key in ("attachments", "metadata", "thread_ts", "files"):
            if args.get(key) is not None:
                message[key] = args[key]
        return message

    # payload validation ----------------------------------------------------------

    def record_violations(self, source: str, problems: Sequence[str]) -> None:
        self.limit_violations += [f"{source}: {problem}" for problem in problems]

    def reject_bad_message(self, method: str, payload: Mapping[str, Any]) -> None:
        problems = check_message(payload, method=method)
        if problems:
            self.record_violations(method, problems)
            raise ApiError("invalid_blocks", problems)

    def reject_bad_view(self, method: str, view: Any) -> None:
        problems = check_view(view) if isinstance(view, Mapping) else ["view is required"]
        if problems:
            self.record_violations(method, problems)
            too_large = any(p.startswith(VIEW_TOO_LARGE) for p in problems)
            raise ApiError(VIEW_TOO_LARGE if too_large else "invalid_arguments", problems)


Handler = Callable[[Workspace, str, Args], dict[str, Any]]
"""A Web API method: (workspace, method name, decoded args) -> the answer without "ok"."""


def with_generated_ids(blocks: Any) -> Any:
    """Blocks as Slack stores them: it fills in a block_id (and action_id) where missing."""
    if not isinstance(blocks, list):
        return blocks
    stored: list[Any] = []
    for block in blocks:
        if isinstance(block, dict):
            block = {**block, "block_id": block.get("block_id") or _random_id()}
            for key in ("accessory", "element"):
                if isinstance(block.get(key), dict):
                    block[key] = _with_action_id(block[key])
            if block.get("type") == "actions" and isinstance(block.get("elements"), list):
                block["elements"] = [_with_action_id(e) for e in block["elements"]]
        stored.append(block)
    return stored


def _with_action_id(element: Any) -> Any:
    if isinstance(element, dict) and "action_id" not in element:
        return {**element, "action_id": _random_id()}
    return element


def _random_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(5))

"""Seeding and inspecting the fake workspace from tests; every access takes the one lock."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.fakeslack import methods_views
from bot.fakeslack.objects import apply_user_changes, file_object, user_object, usergroup_object
from bot.fakeslack.response_urls import responses
from bot.fakeslack.state import Channel, Identity, ResponseTarget, Workspace
from bot.fakeslack.surface import view_texts


class WorkspaceFacade:
    """The directory a test sets up, and the state it reads back afterwards."""

    def __init__(
        self,
        identity: Identity,
        clock: Callable[[], float],
        message_clock: Callable[[], float] = time.time,
        *,
        changed: threading.Condition | None = None,
    ) -> None:
        # Notified whenever the app reaches the fake (API call, response_url post). Every
        # workspace one stand-in serves shares it, and so its lock.
        self._changed = changed or threading.Condition(threading.RLock())
        self._lock = self._changed
        self._ws = Workspace(identity, clock, message_clock)
        self.add_user(identity.bot_user_id, identity.bot_name, real_name="Trainbot", is_bot=True)

    @property
    def identity(self) -> Identity:
        return self._ws.identity

    @property
    def org_installed(self) -> bool:
        """Whether the app is installed on this workspace's whole Enterprise Grid org: Slack
        then says `is_enterprise_install` in what it sends the app."""
        return self._ws.org_installed

    @property
    def limit_violations(self) -> list[str]:
        """Live list of "<method>: <violation>" for every payload over Slack's limits."""
        return self._ws.limit_violations

    @property
    def messages_tab_enabled(self) -> bool:
        return self._ws.messages_tab_enabled

    @messages_tab_enabled.setter
    def messages_tab_enabled(self, enabled: bool) -> None:
        """False makes posts to a DM answer messages_tab_disabled, as an unset manifest does."""
        with self._lock:
            self._ws.messages_tab_enabled = enabled

    @property
    def paid_plan(self) -> bool:
        return self._ws.paid_plan

    @paid_plan.setter
    def paid_plan(self, paid: bool) -> None:
        """False makes usergroups.* answer plan_upgrade_required, as on Slack's free plan."""
        with self._lock:
            self._ws.paid_plan = paid

    # seeding ---------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        tz: str = "UTC",
        is_admin: bool = False,
        is_owner: bool = False,
        is_primary_owner: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
    ) -> dict[str, Any]:
        flags = {
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": is_primary_owner,
            "is_bot": is_bot,
            "deleted": deleted,
            "is_restricted": is_restricted,
            "is_ultra_restricted": is_ultra_restricted,
        }
        user = user_object(self.identity, user_id, name, real_name=real_name, tz=tz, flags=flags)
        with self._lock:
            self._ws.users[user_id] = user
            return copy.deepcopy(user)

    def update_user(self, user_id: str, **changes: Any) -> dict[str, Any]:
        """Change fields (deleted, tz, is_admin, real_name, display_name, ...)."""
        with self._lock:
            user = self._ws.user(user_id)
            apply_user_changes(user, changes)
            return copy.deepcopy(user)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Iterable[str] = (),
        is_private: bool = False,
        is_archived: bool = False,
        bot_is_member: bool = True,
    ) -> None:
        member_list = list(dict.fromkeys(members))
        if bot_is_member and self.identity.bot_user_id not in member_list:
            member_list.append(self.identity.bot_user_id)
        channel = Channel(channel_id, name, is_private, is_archived, member_list)
        with self._lock:
            self._ws.channels[channel_id] = channel

    def add_usergroup(
        self, group_id: str, handle: str, *, name: str | None = None, members: Iterable[str] = ()
    ) -> dict[str, Any]:
        handle = handle.lstrip("@")
        group = usergroup_object(self.identity, group_id, handle, name or handle, list(members))
        with self._lock:
            self._ws.usergroups[group_id] = group
            return copy.deepcopy(group)

    def set_usergroup_members(self, group_id: str, members: Iterable[str]) -> dict[str, Any]:
        """Change who is in a user group; returns the subteam_members_changed event Slack
        would send for it (a test may deliver it, late, or never). The counts are strings,
        as Slack sometimes sends them."""
        wanted = list(dict.fromkeys(members))
        with self._lock:
            group = self._ws.usergroups[group_id]
            before, previous = list(group["users"]), int(group["date_update"])
            group["users"], group["user_count"] = wanted, len(wanted)
            group["date_update"] = max(previous + 1, int(time.time()))
            added = [u for u in wanted if u not in before]
            removed = [u for u in before if u not in wanted]
            return {
                "type": "subteam_members_changed",
                "subteam_id": group_id,
                "team_id": self.identity.team_id,
                "date_previous_update": previous,
                "date_update": group["date_update"],
                "added_users": added,
                "added_users_count": str(len(added)),
                "removed_users": removed,
                "removed_users_count": str(len(removed)),
            }

    def join_channel(self, channel_id: str, user_id: str) -> dict[str, Any]:
        """Someone joins a channel; returns the member_joined_channel event Slack would send
        (to an app that is in the channel)."""
        with self._lock:
            channel = self._ws.channels[channel_id]
            if user_id not in channel.members:
                channel.members.append(user_id)
            return {
                "type": "member_joined_channel",
                "user": user_id,
                "channel": channel_id,
                "channel_type": "G" if channel.is_private else "C",
                "team": self.identity.team_id,
            }

    def disable_usergroup(self, group_id: str) -> None:
        """As an admin disabling the group in Slack does: listed only with include_disabled."""
        with self._lock:
            self._ws.usergroups[group_id]["date_delete"] = int(time.time())

    def add_message(
        self, channel_id: str, text: str, *, user: str, blocks: list[Any] | None = None
    ) -> str:
        """A message a person wrote (the bot cannot update or delete it); returns its ts."""
        with self._lock:
            ts = self._ws.next_ts()
            message: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts}
            if blocks is not None:
                message["blocks"] = blocks
            self._ws.messages.setdefault(channel_id, []).append(message)
            return ts

    def restore_bot_message(self, channel_id: str, ts: str, payload: Mapping[str, Any]) -> None:
        """A message the bot posted at `ts` before this stand-in started (a sandbox restart
        rebuilds the DMs its database still points at), kept in ts order."""
        with self._lock:
            message = self._ws.bot_message(ts, payload)
            kept = self._ws.messages.setdefault(channel_id, [])
            kept[:] = [m for m in kept if m["ts"] != ts] + [message]
            kept.sort(key=lambda m: float(m["ts"]))

    def new_trigger_id(self, user_id: str) -> str:
        """A trigger_id as an interaction by `user_id` carries: 3 s to live, single use."""
        with self._lock:
            return self._ws.new_trigger(user_id)

    def response_url(
        self,
        key: str,
        *,
        user: str | None = None,
        channel: str | None = None,
        message_ts: str | None = None,
        is_ephemeral: bool = False,
    ) -> str:
        """A response_url on this server; the context says what replace/post apply to."""
        with self._lock:
            if key not in self._ws.response_targets:
                target = ResponseTarget(user, channel, message_ts, is_ephemeral, self._ws.clock())
                self._ws.response_targets[key] = target
            return f"{self._ws.server_url}response/{key}"

    # reading state ------------------------------------------------------------

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """Messages in a conversation, oldest first (ephemeral ones are separate)."""
        with self._lock:
            return copy.deepcopy(self._ws.messages.get(channel_id, []))

    def dm_channel(self, user_id: str) -> str:
        with self._lock:
            return self._ws.dm_channel(user_id).id

    def user(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._ws.users.get(user_id))

    def channel_name(self, channel_id: str) -> str:
        """The name Slack puts in interaction payloads ("directmessage" for a DM)."""
        with self._lock:
            channel = self._ws.channels.get(channel_id)
        if channel_id.startswith("D") or (channel is not None and channel.is_im):
            return "directmessage"
        return channel.name if channel is not None else channel_id.lower()

    def view(self, view_id: str) -> dict[str, Any]:
        with self._lock:
            found = self._ws.views.get(view_id)
            if found is None:
                raise AssertionError(f"no view {view_id!r}; known: {sorted(self._ws.views)}")
            return copy.deepcopy(found)

    def open_views(self, user_id: str) -> list[dict[str, Any]]:
        """The person's open modal stack, bottom first."""
        with self._lock:
            stack = self._ws.stacks.get(user_id, [])
            return [copy.deepcopy(self._ws.views[view_id]) for view_id in stack]

    def home(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            home_id = self._ws.homes.get(user_id)
            return copy.deepcopy(self._ws.views[home_id]) if home_id else None

    def ephemerals(self, user_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            found = [m for m in self._ws.ephemerals if user_id in (None, m["recipient"])]
            return copy.deepcopy(found)

    def find_message(self, channel_id: str, ts: str) -> tuple[dict[str, Any], bool] | None:
        """(message, is_ephemeral) for a message or ephemeral message, else None."""
        with self._lock:
            for message in self._ws.messages.get(channel_id, []):
                if message["ts"] == ts:
                    return copy.deepcopy(message), False
            for message in self._ws.ephemerals:
                if message["ts"] == ts and message["channel"] == channel_id:
                    return copy.deepcopy(message), True
        return None

    def add_user_file(self, user_id: str, name: str, content: bytes) -> dict[str, Any]:
        """A file a person uploaded through a modal's file_input: its file object, as
        view_submission's state carries it."""
        with self._lock:
            ws = self._ws
            file_id = ws.next_id("F")
            found = file_object(
                ws.identity, ws.server_url, file_id, name, name, len(content), user=user_id
            )
            ws.files[file_id], ws.file_bytes[file_id] = found, content
            return copy.deepcopy(found)

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        """Completed uploads by id: the file object plus its bytes under "content"."""
        with self._lock:
            return {
                file_id: {**copy.deepcopy(meta), "content": self._ws.file_bytes.get(file_id, b"")}
                for file_id, meta in self._ws.files.items()
                if not meta.get("pending")
            }

    def responses(self, key: str) -> list[dict[str, Any]]:
        """JSON bodies POSTed to response_url(key), in order (rejected ones included)."""
        with self._lock:
            return responses(self._ws, key)

    def response_texts(self) -> list[str]:
        """Text of every response_url post, in order, for quick assertions."""
        with self._lock:
            log = copy.deepcopy(self._ws.response_log)
        return [payload.get("text") or view_texts(payload) for _, payload in log]

    def response_payloads(self) -> list[dict[str, Any]]:
        """Every payload POSTed to a response_url, in order."""
        with self._lock:
            return [payload for _, payload in copy.deepcopy(self._ws.response_log)]

    def wait_for_response_text(self, needle: str, timeout: float = 5.0) -> str:
        """The first response_url text containing `needle`, waiting up to `timeout` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                texts = self.response_texts()
                found = next((text for text in texts if needle in text), None)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no response_url text with {needle!r}; got {texts}")
                self._changed.wait(remaining)

    # what Slack does on its own side (used by SlackClient) -------------------------

    def record_violations(self, source: str, problems: Iterable[str]) -> None:
        with self._lock:
            self._ws.record_violations(source, list(problems))

    def close_view(self, view_id: str) -> list[str]:
        with self._lock:
            return methods_views.close_view(self._ws, view_id)

    def clear_views(self, user_id: str) -> list[str]:
        with self._lock:
            return methods_views.clear_views(self._ws, user_id)

    def update_view(self, view_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(methods_views.replace_view(self._ws, view_id, view))

    def push_view(self, user_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
        """Raises ApiError("push_limit_reached") when three views are already open."""
        with self._lock:
            return copy.deepcopy(methods_views.push_view(self._ws, user_id, view))

"""SlackClient: plays Slack's side towards the app under test.

It sends what Slack's servers send (slash commands, events, block actions, view
submissions, suggestions, shortcuts), signed, in the full shapes of
/work/shared/slack/payloads, with trigger_ids and response_urls issued by the FakeSlack
it works with, and applies the app's answers to the fake's modal stacks as Slack would.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterator, Mapping
from typing import Any

from bot.fakeslack.facade import WorkspaceFacade
from bot.fakeslack.modals import ModalDriver, Target
from bot.fakeslack.sender import AppResponse
from bot.fakeslack.surface import (
    Located,
    find_action_ids,
    find_element,
    input_block_ids,
    view_texts,
)


def mention(user_id: str, name: str | None = None) -> str:
    """A user mention as Slack escapes it in command text: <@U123|amy>."""
    return f"<@{user_id}|{name}>" if name else f"<@{user_id}>"


def channel_ref(channel_id: str, name: str) -> str:
    return f"<#{channel_id}|{name}>"


def subteam_ref(group_id: str, handle: str) -> str:
    return f"<!subteam^{group_id}|@{handle.lstrip('@')}>"


class SlackClient(ModalDriver):
    """Signed requests into an HTTP Bolt app at `app_url`, as Slack would send them."""

    view_texts = staticmethod(view_texts)
    find_action_ids = staticmethod(find_action_ids)
    input_block_ids = staticmethod(input_block_ids)

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        fake: WorkspaceFacade,
        *,
        verification_token: str = "legacy-verification-token",
        timeout: float = 10.0,
    ) -> None:
        super().__init__(app_url, signing_secret, fake, verification_token, timeout)

    @property
    def fake(self) -> WorkspaceFacade:
        """The stand-in's workspace this client speaks for: it issues the trigger_ids and
        response_urls (a FakeSlack, or a workspace added beside its first)."""
        return self._fake

    def mention(self, user_id: str) -> str:
        """<@U123|name> with the name from the fake's directory."""
        user = self._fake.user(user_id)
        return mention(user_id, user["name"] if user else None)

    # slash commands, events, shortcuts ----------------------------------------------------

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str,
        channel: str = "C0GENERAL1",
        channel_name: str | None = None,
    ) -> AppResponse:
        """A slash command; `text` goes as given (escape mentions with mention() & co)."""
        ident = self._fake.identity
        fields = {
            "token": self._token,
            "team_id": ident.team_id,
            "team_domain": ident.team_domain,
            "enterprise_id": ident.enterprise_id or "",
            "enterprise_name": ident.enterprise_name,
            "channel_id": channel,
            "channel_name": channel_name or self._fake.channel_name(channel),
            "user_id": user,
            "user_name": self._user_ref(user)["name"],
            "command": command,
            "text": text,
            "api_app_id": ident.app_id,
            "is_enterprise_install": "true" if self._fake.org_installed else "false",
            "response_url": self._response_url("commands", user=user, channel=channel),
            "trigger_id": self._fake.new_trigger_id(user),
        }
        return self.post_form(fields)

    def event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> AppResponse:
        """An Events API delivery; a retry repeats the event_id with X-Slack-Retry-* headers."""
        ident = self._fake.identity
        inner = {**event, "event_ts": event.get("event_ts") or f"{time.time():.6f}"}
        context = json.dumps({"et": inner.get("type")}).encode()
        envelope = {
            "token": self._token,
            "team_id": ident.team_id,
            **({"enterprise_id": ident.enterprise_id} if ident.enterprise_id else {}),
            "api_app_id": ident.app_id,
            "event": inner,
            "type": "event_callback",
            # Random, so two clients never collide with an app that dedupes on event_id.
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": ident.enterprise_id,
                    # An org-wide install is authorized for the org, not the workspace.
                    "team_id": None if self._fake.org_installed else ident.team_id,
                    "user_id": ident.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": self._fake.org_installed,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + base64.urlsafe_b64encode(context).decode(),
        }
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.post_json(envelope, headers)

    def url_verification(self, challenge: str = "challenge-token") -> AppResponse:
        data = {"token": self._token, "challenge": challenge, "type": "url_verification"}
        return self.post_json(data, {})

    def app_home_opened(self, user: str, *, tab: str = "home") -> AppResponse:
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": self._fake.dm_channel(user),
            "tab": tab,
        }
        home = self._fake.home(user)
        if home is not None and tab == "home":
            event["view"] = home
        return self.event(event)

    def shortcut(self, callback_id: str, *, user: str) -> AppResponse:
        """A global shortcut from the lightning menu."""
        payload = self._envelope("shortcut", user)
        payload.update(
            {
                "action_ts": f"{time.time():.6f}",
                "callback_id": callback_id,
                "trigger_id": self._fake.new_trigger_id(user),
            }
        )
        return self.post_payload(payload)

    # block actions ------------------------------------------------------------------------

    def block_action(
        self,
        *,
        user: str,
        action_id: str,
        value: Any = None,
        block_id: str | None = None,
        view_id: str | None = None,
        message: tuple[str, str] | None = None,
        selected_option: Mapping[str, Any] | None = None,
        selected_date: str | None = None,
    ) -> AppResponse:
        """block_actions for the element `action_id` in a view or a (channel, ts) message."""
        if (view_id is None) == (message is None):
            raise AssertionError("block_action needs exactly one of view_id or message")
        if view_id is not None:
            target = self._view_target(view_id)
        else:
            assert message is not None
            target = self._message_target(*message)
        is_button = value is not None and selected_option is None and selected_date is None
        found = find_element(
            target.surface, action_id, block_id=block_id, value=value if is_button else None
        )
        if found is None:
            raise AssertionError(
                f"no element {action_id!r} there; action_ids: {find_action_ids(target.surface)}"
            )
        chosen = _chosen(found, value, selected_option, selected_date)
        return self.send_action(user, target, found, chosen)

    def click(
        self,
        *,
        user: str,
        action_id: str,
        value: str | None = None,
        view_id: str | None = None,
        channel: str | None = None,
        ts: str | None = None,
    ) -> AppResponse:
        """Click a button found in the view, the message, or (by default) what `user` sees."""
        seen: list[str] = []
        for target in self._click_targets(user, view_id, channel, ts):
            found = find_element(target.surface, action_id, value=value)
            if found is not None and found.element.get("type") == "button":
                return self.send_action(user, target, found, None)
            seen += find_action_ids(target.surface)
        wanted = f"{action_id!r}" + (f" with value {value!r}" if value is not None else "")
        raise AssertionError(f"no button {wanted}; available action_ids: {sorted(set(seen))}")

    def replay_action(
        self, *, user: str, message: Mapping[str, Any], action_id: str, value: str | None = None
    ) -> AppResponse:
        """block_actions for a button of `message` (one from another workspace, or sent to
        another person), as if `user` clicked it in their DM with the app: what a forged or
        replayed request looks like, signed as if it came through Slack."""
        for block in message.get("blocks") or []:
            for element in [block.get("accessory"), *(block.get("elements") or [])]:
                if (
                    isinstance(element, dict)
                    and element.get("action_id") == action_id
                    and (value is None or element.get("value") == value)
                ):
                    found = Located(block, element)
                    dm = self._fake.dm_channel(user)
                    target = Target(surface=message, channel=dm, ts=str(message.get("ts")))
                    return self.send_action(user, target, found, None)
        raise AssertionError(f"no button {action_id!r} in that message")

    def select(self, *, user: str, view_id: str, action_id: str, value: Any) -> AppResponse | None:
        """Choose `value` in a select/radio/overflow/... of a view.

        Inside an input block without dispatch_action, Slack sends nothing: the choice
        only shows up in the view's state later, so this returns None.
        """
        target = self._view_target(view_id)
        found = find_element(target.surface, action_id)
        if found is None:
            raise AssertionError(
                f"no element {action_id!r}; action_ids: {find_action_ids(target.surface)}"
            )
        if found.block.get("type") == "input" and not found.block.get("dispatch_action"):
            self.remember(view_id, found, value)
            return None
        return self.send_action(user, target, found, value)

    # helpers ------------------------------------------------------------------------------

    def _click_targets(
        self, user: str, view_id: str | None, channel: str | None, ts: str | None
    ) -> Iterator[Target]:
        if view_id is not None:
            yield self._view_target(view_id)
            return
        if channel is not None and ts is not None:
            yield self._message_target(channel, ts)
            return
        if channel is None:
            stack = self._fake.open_views(user)
            if stack:
                yield Target(surface=stack[-1], view_id=stack[-1]["id"])
            home = self._fake.home(user)
            if home is not None:
                yield Target(surface=home, view_id=home["id"])
        channel_id = channel or self._fake.dm_channel(user)
        for message in reversed(self._fake.messages(channel_id)):
            yield Target(surface=message, channel=channel_id, ts=message["ts"])
        for message in reversed(self._fake.ephemerals(user)):
            if channel is None or message["channel"] == channel:
                yield Target(message, channel=message["channel"], ts=message["ts"], ephemeral=True)


def _chosen(
    found: Located,
    value: Any,
    selected_option: Mapping[str, Any] | None,
    selected_date: str | None,
) -> Any:
    """The simple value to report from block_action()'s explicit selected_* arguments."""
    if selected_date is not None:
        return selected_date
    if selected_option is None:
        return value
    option_value = selected_option.get("value")
    if "external" in str(found.element.get("type")):
        return option_value, selected_option.get("text", {}).get("text", option_value)
    return option_value

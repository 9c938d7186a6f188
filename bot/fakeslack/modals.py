"""Interactions on views and messages, and what Slack does with the app's answers.

A person fills a modal bit by bit: choices in input blocks are kept as a draft per view
and reported in `view.state` of every later payload from that view, as Slack does.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.fakeslack.facade import WorkspaceFacade
from bot.fakeslack.payloads import Draft, action_object, build_state
from bot.fakeslack.sender import AppResponse, SignedSender
from bot.fakeslack.state import ApiError
from bot.fakeslack.surface import Located, elements
from bot.slack_limits import check_options, check_view_submission_ack

_SUGGESTING = frozenset({"external_select", "multi_external_select"})


@dataclass(frozen=True)
class Target:
    """Where an interaction happens: a view, or a message (channel, ts)."""

    surface: Mapping[str, Any]
    view_id: str | None = None
    channel: str | None = None
    ts: str | None = None
    ephemeral: bool = False


class ModalDriver(SignedSender):
    """block_actions, view_submission, view_closed and block_suggestion."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        fake: WorkspaceFacade,
        verification_token: str,
        timeout: float,
    ) -> None:
        super().__init__(app_url, signing_secret, fake, timeout)
        self._fake: WorkspaceFacade = fake
        self._token = verification_token
        self._drafts: dict[str, Draft] = {}
        self.last_response_key: str | None = None

    # views --------------------------------------------------------------------------------

    def submit_view(
        self, *, user: str, view_id: str | None = None, values: Mapping[str, Any] | None = None
    ) -> AppResponse:
        """view_submission of the person's top modal (or `view_id`) with `values` by block_id.

        The app's answer is applied to the fake's stack: no response_action closes the
        view, update replaces it in place, push adds one, clear closes all, errors keeps it.
        """
        view = self._open_modal(user, view_id)
        inputs = {found.block_id: found for found in elements(view) if _is_input(found)}
        for block_id, value in (values or {}).items():
            if block_id not in inputs:
                raise AssertionError(f"no input block {block_id!r}; inputs: {sorted(inputs)}")
            self.remember(view["id"], inputs[block_id], value)
        payload = self._envelope("view_submission", user)
        payload.update(
            {
                "trigger_id": self._fake.new_trigger_id(user),
                "view": self._with_state(view),
                "response_urls": [],
            }
        )
        response = self.post_payload(payload)
        self._apply_submission_ack(user, view, response)
        return response

    def submit_crafted(
        self, *, user: str, view: Mapping[str, Any], values: Mapping[str, Mapping[str, Any]]
    ) -> AppResponse:
        """A view_submission carrying `view` and state `values` as given, unchecked: what a
        forged or replayed request would look like (signed, as if it came through Slack).
        The fake's modal stack is left alone."""
        payload = self._envelope("view_submission", user)
        current = copy.deepcopy(dict(view))
        current["state"] = {"values": copy.deepcopy(dict(values))}
        payload.update({"trigger_id": self._fake.new_trigger_id(user), "view": current,
                        "response_urls": []})  # fmt: skip
        return self.post_payload(payload)

    def close_view(
        self, *, user: str, view_id: str | None = None, notify: bool = False
    ) -> AppResponse | None:
        """The person closes the top modal (or `view_id`).

        view_closed is sent only when the view has notify_on_close, as Slack does; with
        notify=True the test insists on it and fails when the view does not ask for it.
        """
        view = self._open_modal(user, view_id)
        if notify and not view["notify_on_close"]:
            raise AssertionError(f"view {view['id']} has no notify_on_close: Slack sends nothing")
        response = None
        if view["notify_on_close"]:
            payload = self._envelope("view_closed", user)
            payload.update({"view": self._with_state(view), "is_cleared": view["clear_on_close"]})
            response = self.post_payload(payload)
        if view["clear_on_close"]:
            closed = self._fake.clear_views(user)
        else:
            closed = self._fake.close_view(view["id"])
        for closed_id in closed:
            self._drafts.pop(closed_id, None)
        return response

    def suggest(
        self,
        *,
        user: str,
        view_id: str,
        action_id: str,
        value: str,
        block_id: str | None = None,
    ) -> AppResponse:
        """block_suggestion: the person typed `value` into an external select."""
        view = self._fake.view(view_id)
        found = next(
            (
                e
                for e in elements(view)
                if e.action_id == action_id
                and block_id in (None, e.block_id)
                and e.element.get("type") in _SUGGESTING
            ),
            None,
        )
        if found is None:
            raise AssertionError(f"no external select {action_id!r} in view {view_id}")
        payload = self._envelope("block_suggestion", user)
        payload.update(
            {
                "container": {"type": "view", "view_id": view_id},
                "action_id": action_id,
                "block_id": found.block_id,
                "value": value,
                "view": self._with_state(view),
            }
        )
        response = self.post_payload(payload)
        if response.status == 200:
            answer = response.json if isinstance(response.json, dict) else None
            problems = check_options(answer) if answer is not None else ["answer is not JSON"]
            self._fake.record_violations("block_suggestion", problems)
        return response

    # actions ------------------------------------------------------------------------------

    def send_action(self, user: str, target: Target, found: Located, value: Any) -> AppResponse:
        """block_actions for `found`, from a view (with its state) or from a message."""
        touched = value is not None
        action = action_object(found, value, touched=touched)
        payload = self._envelope("block_actions", user)
        payload["trigger_id"] = self._fake.new_trigger_id(user)
        if target.view_id is not None:
            if _is_input(found) and not found.block.get("dispatch_action"):
                raise AssertionError(
                    "Slack sends no block_actions from an input block "
                    "without dispatch_action; use select() or submit_view()"
                )
            if touched:
                self.remember(target.view_id, found, value)
            view = self._with_state(self._fake.view(target.view_id))
            payload.update({"container": {"type": "view", "view_id": target.view_id}})
            payload.update({"view": view, "actions": [action]})
            return self.post_payload(payload)
        channel, ts = str(target.channel), str(target.ts)
        payload.update(
            {
                "container": {
                    "type": "message",
                    "message_ts": ts,
                    "channel_id": channel,
                    "is_ephemeral": target.ephemeral,
                },
                "channel": {"id": channel, "name": self._fake.channel_name(channel)},
                "message": copy.deepcopy(dict(target.surface)),
                "state": {"values": {}},
                "response_url": self._response_url(
                    "actions", user=user, channel=channel, ts=ts, ephemeral=target.ephemeral
                ),
                "actions": [action],
            }
        )
        return self.post_payload(payload)

    def remember(self, view_id: str, found: Located, value: Any) -> None:
        """Record what the person chose, for the view's state in later payloads."""
        if found.element.get("type") != "overflow":  # overflow menus keep no state
            self._drafts.setdefault(view_id, {})[(found.block_id, found.action_id)] = value

    # plumbing -------------------------------------------------------------------------------

    def _apply_submission_ack(
        self, user: str, view: Mapping[str, Any], response: AppResponse
    ) -> None:
        if response.status != 200:
            return  # Slack shows the person an error and leaves the modal as it was
        answer = response.json if response.body.strip() else {}
        if not isinstance(answer, dict):
            self._fake.record_violations("view_submission", ["answer is not a JSON object"])
            return
        problems = check_view_submission_ack(answer, view=view)
        if problems:
            self._fake.record_violations("view_submission", problems)
            return
        action, view_id = answer.get("response_action"), str(view["id"])
        closed: list[str] = []
        if action is None:
            closed = self._fake.close_view(view_id)
        elif action == "clear":
            closed = self._fake.clear_views(user)
        elif action == "update":
            self._fake.update_view(view_id, answer["view"])
        elif action == "push":
            try:
                self._fake.push_view(user, answer["view"])
            except ApiError as exc:
                self._fake.record_violations("view_submission", [exc.error])
        for closed_id in closed:
            self._drafts.pop(closed_id, None)

    def _open_modal(self, user: str, view_id: str | None) -> dict[str, Any]:
        stack = self._fake.open_views(user)
        if not stack:
            raise AssertionError(f"{user} has no open modal")
        if view_id is None:
            return stack[-1]
        for view in stack:
            if view["id"] == view_id:
                return view
        raise AssertionError(f"view {view_id} is not open for {user}: {[v['id'] for v in stack]}")

    def _with_state(self, view: Mapping[str, Any]) -> dict[str, Any]:
        current = copy.deepcopy(dict(view))
        current["state"] = build_state(view, self._drafts.get(str(view["id"]), {}))
        return current

    def _view_target(self, view_id: str) -> Target:
        return Target(surface=self._fake.view(view_id), view_id=view_id)

    def _message_target(self, channel: str, ts: str) -> Target:
        found = self._fake.find_message(channel, ts)
        if found is None:
            raise AssertionError(f"no message {ts} in {channel}")
        message, ephemeral = found
        return Target(surface=message, channel=channel, ts=ts, ephemeral=ephemeral)

    def _envelope(self, kind: str, user: str) -> dict[str, Any]:
        ident = self._fake.identity
        return {
            "type": kind,
            "user": self._user_ref(user),
            "api_app_id": ident.app_id,
            "token": self._token,
            "team": {
                "id": ident.team_id,
                "domain": ident.team_domain,
                **({"enterprise_id": ident.enterprise_id} if ident.enterprise_id else {}),
            },
            "enterprise": (
                {"id": ident.enterprise_id, "name": ident.enterprise_name}
                if ident.enterprise_id
                else None
            ),
            "is_enterprise_install": self._fake.org_installed,
        }

    def _user_ref(self, user_id: str) -> dict[str, str]:
        found = self._fake.user(user_id)
        name = found["name"] if found else user_id.lower()
        return {
            "id": user_id,
            "username": name,
            "name": name,
            "team_id": self._fake.identity.team_id,
        }

    def _response_url(
        self,
        kind: str,
        *,
        user: str,
        channel: str,
        ts: str | None = None,
        ephemeral: bool = False,
    ) -> str:
        key = f"{kind}-{secrets.token_hex(6)}"  # unique even across SlackClients
        self.last_response_key = key
        return self._fake.response_url(
            key, user=user, channel=channel, message_ts=ts, is_ephemeral=ephemeral
        )


def _is_input(found: Located) -> bool:
    return found.block.get("type") == "input"

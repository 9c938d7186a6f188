"""The JSON API of PROTOCOL.md: read the workspace, act in it as any demo person.

Every acting endpoint plays Slack's side with SlackClient (signed requests, real
payload shapes), waits until the app has finished what followed its ack, and answers.
One lock serialises the page's requests around SlackClient, whose drafts are not shared.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.certificate_page import answer as certificate_answer
from bot.fakeslack import AppResponse
from bot.fakeslack.modals import Target
from bot.fakeslack.surface import find_element
from bot.sandbox import roster, state
from bot.sandbox.calls import CallLog
from bot.sandbox.clock import TravelError, parse_moment
from bot.sandbox.state import ApiProblem
from bot.sandbox.values import apply_draft, escape_command_text, simple_value

if TYPE_CHECKING:
    from bot.sandbox.runtime import Sandbox

Json = dict[str, Any]
MAX_UPLOAD_BYTES = 2 << 20  # a file_input upload; it comes as base64 in a JSON body


class SandboxApi:
    def __init__(self, sandbox: Sandbox) -> None:
        self._sb = sandbox
        self._errors: dict[str, tuple[str, dict[str, str]]] = {}  # view id -> (hash, errors)
        self._bumps = 0
        self._calls: CallLog | None = None

    # reading ------------------------------------------------------------------------------

    def state(self, query: Mapping[str, str]) -> Json:
        fake = self._sb.workspace
        user = state.require_person(fake, query.get("user") or roster.MANAGER.id)
        conversation = state.conversation_of(fake, user, query.get("conversation"))
        modals = state.modals(fake, user, self._errors)
        return {
            "ok": True,
            "version": self.version(),
            "team": {"id": roster.TEAM_ID, "name": roster.TEAM_NAME},
            "bot": {"user_id": roster.BOT_USER_ID, "name": roster.BOT_DISPLAY_NAME},
            "now": self._sb.clock.now().isoformat(),
            "tz": roster.MANAGER.tz,
            "user": user,
            "people": state.people(fake),
            "usergroups": state.usergroups(),
            "channels": state.channels(user),
            "dm": {"id": fake.dm_channel(user)},
            "commands": state.commands(),
            "shortcuts": state.shortcuts(),
            "conversation": {
                **conversation,
                "messages": state.messages(fake, user, conversation["id"]),
            },
            "home": fake.home(user),
            "modals": modals,
        }

    def version(self) -> int:
        fake = self._sb.workspace
        return len(fake.calls) + len(fake.response_payloads()) + self._bumps

    def calls(self, query: Mapping[str, str]) -> Json:
        if self._calls is None:
            self._calls = CallLog(self._sb.workspace)
        return self._calls.since(query.get("since"))

    def file(self, file_id: str) -> tuple[bytes, str, str]:
        """(content, mimetype, name) of a file the app uploaded."""
        found = self._sb.workspace.files.get(file_id)
        if found is None:
            raise ApiProblem(404, f"no file {file_id!r}")
        mimetype = str(found.get("mimetype") or "application/octet-stream")
        return bytes(found["content"]), mimetype, str(found.get("name") or file_id)

    def certificate(self, code: str) -> tuple[int, str, bytes]:
        """The public verification page `trainbot serve` answers at /certificates/<CODE>."""
        status, html = certificate_answer(self._sb.services, code)
        return status, "text/html; charset=utf-8", html.encode()

    # acting -------------------------------------------------------------------------------

    def command(self, body: Json) -> Json:
        user = self._person(body)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip().startswith("/"):
            raise ApiProblem(400, '"text" must be a slash command, e.g. "/assign onboarding"')
        command, _, rest = text.strip().partition(" ")
        if command not in {c["command"] for c in state.commands()}:
            raise ApiProblem(400, f"{command} is not a command of this app")
        where = state.conversation_of(self._sb.workspace, user, body.get("conversation"))
        with self._sb.lock:
            answer = self._sb.slack.command(
                command, escape_command_text(rest.strip()), user=user, channel=where["id"]
            )
            return self._acted(answer)

    def home(self, body: Json) -> Json:
        user = self._person(body)
        with self._sb.lock:
            return self._acted(self._sb.slack.app_home_opened(user))

    def shortcut(self, body: Json) -> Json:
        user = self._person(body)
        callback_id = body.get("callback_id")
        if callback_id not in {s["callback_id"] for s in state.shortcuts()}:
            raise ApiProblem(400, f"{callback_id!r} is not a shortcut of this app")
        with self._sb.lock:
            return self._acted(self._sb.slack.shortcut(str(callback_id), user=user))

    def action(self, body: Json) -> Json:
        user = self._person(body)
        action_id = _text(body, "action_id")
        block_id = _optional(body, "block_id")
        value = body.get("value")
        container = body.get("container")
        if not isinstance(container, Mapping) or container.get("type") not in ("view", "message"):
            raise ApiProblem(400, '"container" must be {"type": "view"|"message", ...}')
        with self._sb.lock:
            if container["type"] == "view":
                view = self._own_view(user, container.get("view_id"))
                apply_draft(self._sb.slack, view, body.get("draft"))
                target = Target(surface=self._sb.workspace.view(view["id"]), view_id=view["id"])
            else:
                target = self._message(user, container)
            button_value = value if isinstance(value, str) else None
            found = find_element(target.surface, action_id, block_id=block_id, value=button_value)
            if found is None:
                raise ApiProblem(404, f"no element {action_id!r} (block {block_id!r}) there")
            chosen = simple_value(found.element, value)
            block = found.block
            if target.view_id and block.get("type") == "input" and not block.get("dispatch_action"):
                self._sb.slack.remember(target.view_id, found, chosen)  # Slack sends nothing
                self._bumps += 1
                return {"ok": True, "status": None, "ms": None, "response": None, "sent": False}
            return {
                **self._acted(self._sb.slack.send_action(user, target, found, chosen)),
                "sent": True,
            }

    def suggest(self, body: Json) -> Json:
        user = self._person(body)
        action_id = _text(body, "action_id")
        query = body.get("query") if isinstance(body.get("query"), str) else ""
        block_id = _optional(body, "block_id")
        with self._sb.lock:
            view = self._own_view(user, body.get("view_id"))
            apply_draft(self._sb.slack, view, body.get("draft"))
            answer = self._sb.slack.suggest(
                user=user, view_id=view["id"], action_id=action_id, value=str(query),
                block_id=block_id,
            )  # fmt: skip
        found = answer.json if isinstance(answer.json, dict) else {}
        return {
            "ok": True,
            "status": answer.status,
            "ms": round(answer.elapsed_ms, 1),
            "options": found.get("options") or [],
            "option_groups": found.get("option_groups") or [],
        }

    def submit(self, body: Json) -> Json:
        user = self._person(body)
        with self._sb.lock:
            view = self._open_modal(user, body.get("view_id"))
            apply_draft(self._sb.slack, view, body.get("draft"))
            answer = self._sb.slack.submit_view(user=user, view_id=view["id"])
            reply = answer.json if isinstance(answer.json, dict) else {}
            errors = reply.get("errors") if reply.get("response_action") == "errors" else None
            self._errors.pop(view["id"], None)
            if isinstance(errors, dict) and any(v["id"] == view["id"] for v in self._stack(user)):
                current = self._sb.workspace.view(view["id"])
                self._errors[view["id"]] = (str(current.get("hash")), errors)
            return {**self._acted(answer), "errors": errors or None}

    def close(self, body: Json) -> Json:
        user = self._person(body)
        with self._sb.lock:
            view = self._open_modal(user, body.get("view_id"))
            answer = self._sb.slack.close_view(user=user, view_id=view["id"])
            self._errors.pop(view["id"], None)
            if answer is None:
                self._bumps += 1
                return {"ok": True, "status": None, "ms": None, "response": None}
            return self._acted(answer)

    def travel(self, body: Json) -> Json:
        with self._sb.lock:
            try:
                moment = parse_moment(body.get("to"), roster.MANAGER.tz)
                done = self._sb.travel(moment)
            except TravelError as error:
                raise ApiProblem(400, str(error)) from None
            self._sb.settle()
            self._bumps += 1
        return {
            "ok": True,
            "now": done.now.isoformat(),
            "sent": {
                "reminder": done.reminders,
                "digest": done.digests,
                "enrollment": done.enrollments,
            },
            "messages": done.messages,
        }

    def upload(self, body: Json) -> Json:
        """A file chosen in a modal's file_input, kept as Slack keeps a person's upload."""
        user = self._person(body)
        name, encoded = body.get("name"), body.get("content_base64")
        if not isinstance(name, str) or not name.strip() or not isinstance(encoded, str):
            raise ApiProblem(400, '"name" and "content_base64" are required')
        try:
            content = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise ApiProblem(400, '"content_base64" is not base64') from None
        if len(content) > MAX_UPLOAD_BYTES:
            raise ApiProblem(413, f"the sandbox takes files up to {MAX_UPLOAD_BYTES >> 20} MB")
        found = self._sb.workspace.add_user_file(user, name.strip()[:255], content)
        return {"ok": True, "file": found}

    # helpers ------------------------------------------------------------------------------

    def _acted(self, answer: AppResponse) -> Json:
        settled = self._sb.settle()
        self._bumps += 1
        response = answer.json if answer.json is not None else (answer.body or None)
        result: Json = {"ok": True, "status": answer.status, "ms": round(answer.elapsed_ms, 1)}
        result["response"] = response
        if not settled:
            result["warning"] = "the app was still working after 15 s; re-read /api/state later"
        return result

    def _person(self, body: Json) -> str:
        return state.require_person(self._sb.workspace, body.get("user"))

    def _stack(self, user: str) -> list[dict[str, Any]]:
        return self._sb.workspace.open_views(user)

    def _open_modal(self, user: str, view_id: object) -> dict[str, Any]:
        for view in self._stack(user):
            if view["id"] == view_id:
                return view
        raise ApiProblem(404, f"view {view_id!r} is not an open modal of {user}")

    def _own_view(self, user: str, view_id: object) -> dict[str, Any]:
        """One of the person's open modals, or their Home."""
        home = self._sb.workspace.home(user)
        if home is not None and home["id"] == view_id:
            return home
        return self._open_modal(user, view_id)

    def _message(self, user: str, container: Mapping[str, Any]) -> Target:
        channel, ts = container.get("channel"), container.get("ts")
        if not isinstance(channel, str) or not isinstance(ts, str):
            raise ApiProblem(400, 'a message container needs "channel" and "ts"')
        state.conversation_of(self._sb.workspace, user, channel)  # one the person can read
        found = self._sb.workspace.find_message(channel, ts)
        if found is None or (found[1] and found[0].get("recipient") != user):
            raise ApiProblem(404, f"no message {ts} in {channel}")
        message, ephemeral = found
        return Target(surface=message, channel=channel, ts=ts, ephemeral=ephemeral)


def _optional(body: Json, key: str) -> str | None:
    """A string field the page may leave out, null or empty."""
    value = body.get(key)
    return value if isinstance(value, str) and value else None


def _text(body: Json, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ApiProblem(400, f'"{key}" is required')
    return value

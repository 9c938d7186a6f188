"""What the page shows, read from the stand-in: people, conversations, Home and modals."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

import bot
from bot.fakeslack import FakeSlack
from bot.ids import Command
from bot.sandbox import roster

MANIFEST = Path(bot.__file__).resolve().parent.parent / "app_manifest.yml"


class ApiProblem(Exception):
    """A bad request from the page: answered {"ok": false, "error": message} with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@functools.cache
def manifest() -> dict[str, Any]:
    """The app's manifest (slash commands, shortcuts), as a Slack workspace would know it."""
    try:
        loaded = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        loaded = None
    return loaded if isinstance(loaded, dict) else {}


def commands() -> list[dict[str, str]]:
    declared = (manifest().get("features") or {}).get("slash_commands") or []
    if not declared:  # an installed package without the manifest beside it
        declared = [{"command": str(c)} for c in Command]
    return [
        {
            "command": str(c.get("command")),
            "usage_hint": str(c.get("usage_hint") or ""),
            "description": str(c.get("description") or ""),
        }
        for c in declared
    ]


def shortcuts() -> list[dict[str, str]]:
    declared = (manifest().get("features") or {}).get("shortcuts") or []
    return [
        {
            "callback_id": str(s.get("callback_id")),
            "name": str(s.get("name") or ""),
            "description": str(s.get("description") or ""),
            "type": str(s.get("type") or "global"),
        }
        for s in declared
    ]


def require_person(fake: FakeSlack, user: object) -> str:
    """A demo person's id (not the bot); anything else is a 400."""
    if not isinstance(user, str) or not user:
        raise ApiProblem(400, '"user" is required (a demo person\'s id, e.g. U0MAYA0001)')
    found = fake.user(user)
    if found is None or found.get("is_bot") or found.get("deleted"):
        raise ApiProblem(400, f"unknown user {user!r}")
    return user


def conversation_of(fake: FakeSlack, user: str, conversation: object) -> dict[str, Any]:
    """{"id", "name", "kind"} of a conversation the person can read (default: DM with the bot)."""
    dm = fake.dm_channel(user)
    if conversation in (None, "", dm):
        return {"id": dm, "name": roster.BOT_DISPLAY_NAME, "kind": "im"}
    if not isinstance(conversation, str):
        raise ApiProblem(400, '"conversation" must be a channel or DM id')
    room = roster.room(conversation)
    if room is not None:
        return {"id": room.id, "name": room.name, "kind": "channel"}
    if conversation.startswith("D"):
        raise ApiProblem(403, f"{conversation} is not {user}'s conversation with the bot")
    raise ApiProblem(404, f"no conversation {conversation!r}")


def people(fake: FakeSlack) -> list[dict[str, Any]]:
    found = []
    for p in roster.PEOPLE:
        user = fake.user(p.id) or {}
        found.append(
            {
                "id": p.id,
                "name": user.get("name", p.name),
                "real_name": user.get("real_name", p.real_name),
                "title": p.title,
                "is_admin": bool(user.get("is_admin")),
                "tz": user.get("tz", p.tz),
                "image": None,
            }
        )
    return found


def usergroups() -> list[dict[str, Any]]:
    return [
        {"id": g.id, "handle": g.handle, "name": g.name, "members": list(g.members)}
        for g in roster.GROUPS
    ]


def channels(user: str) -> list[dict[str, Any]]:
    """Every channel of the demo workspace; is_member says whether the person is in it."""
    return [
        {"id": r.id, "name": r.name, "is_private": r.is_private, "is_member": user in r.members}
        for r in roster.ROOMS
    ]


def messages(fake: FakeSlack, user: str, channel: str) -> list[dict[str, Any]]:
    """The conversation, oldest first, with this person's ephemeral messages merged in."""
    shown = [_with_author(fake, m) for m in fake.messages(channel)]
    for message in fake.ephemerals(user):
        if message.get("channel") == channel:
            shown.append({**_with_author(fake, message), "ephemeral": True})
    return sorted(shown, key=lambda m: float(m.get("ts") or 0))


def modals(
    fake: FakeSlack, user: str, errors: Mapping[str, tuple[str, dict[str, str]]]
) -> list[dict[str, Any]]:
    """The open modal stack, bottom first; a view keeps its errors until it changes."""
    stack = fake.open_views(user)
    for view in stack:
        kept = errors.get(str(view["id"]))
        if kept is not None and kept[0] == view.get("hash"):
            view["errors"] = dict(kept[1])
    return stack


def _with_author(fake: FakeSlack, message: dict[str, Any]) -> dict[str, Any]:
    if message.get("bot_id"):
        author = {"name": roster.BOT_DISPLAY_NAME, "is_bot": True}
    else:
        user = fake.user(str(message.get("user") or "")) or {}
        author = {"name": user.get("real_name") or message.get("user") or "?", "is_bot": False}
    return {**message, "author": author}

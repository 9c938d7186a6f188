"""Turning what the page sends into what SlackClient takes, and command text as Slack escapes it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.fakeslack import SlackClient
from bot.fakeslack.surface import find_element
from bot.sandbox import roster
from bot.sandbox.state import ApiProblem

_EXTERNAL = frozenset({"external_select", "multi_external_select"})
# @handle or #channel typed in a command, not already inside Slack's <...> escapes.
_REFERENCE = re.compile(r"(?<![<\w@#|^])([@#])([a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)", re.IGNORECASE)


def simple_value(element: Mapping[str, Any], value: Any) -> Any:
    """VALUE (PROTOCOL.md) -> SlackClient's value: option objects become (value, text)."""
    kind = element.get("type")
    if kind == "button":
        return None  # a button reports its own value; the page's only finds the button
    if kind not in _EXTERNAL or value is None:
        return value
    if kind == "external_select":
        return _external(value)
    if not isinstance(value, list):
        raise ApiProblem(400, "a multi_external_select takes a list of option objects")
    return [_external(option) for option in value]


def _external(option: Any) -> Any:
    if isinstance(option, str):
        return option
    if not isinstance(option, Mapping) or not isinstance(option.get("value"), str):
        raise ApiProblem(
            400, 'an external_select takes an option object {"text": ..., "value": ...}'
        )
    text = option.get("text")
    label = text.get("text") if isinstance(text, Mapping) else text
    return str(option["value"]), str(label if label is not None else option["value"])


def apply_draft(slack: SlackClient, view: Mapping[str, Any], draft: Any) -> None:
    """Remember the person's edits ({block_id: {action_id: VALUE}}) for the view's state."""
    if draft is None:
        return
    if not isinstance(draft, Mapping):
        raise ApiProblem(400, '"draft" must be an object {"<block_id>": {"<action_id>": VALUE}}')
    for block_id, actions in draft.items():
        if not isinstance(actions, Mapping):
            raise ApiProblem(400, f"draft[{block_id!r}] must be an object of action_id: VALUE")
        for action_id, value in actions.items():
            found = find_element(view, str(action_id), block_id=str(block_id))
            if found is None:
                raise ApiProblem(
                    400, f"no element {action_id!r} in block {block_id!r} of view {view['id']}"
                )
            if found.element.get("type") == "file_input":
                value = _uploaded(slack, value)
            slack.remember(str(view["id"]), found, simple_value(found.element, value))


def _uploaded(slack: SlackClient, value: Any) -> list[dict[str, Any]]:
    """A file_input's VALUE (ids from /api/upload) as the file objects Slack puts in state."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiProblem(400, "a file_input takes a list of file ids from /api/upload")
    files = slack.fake.files
    missing = [v for v in value if v not in files]
    if missing:
        raise ApiProblem(400, f"no uploaded file {missing[0]!r}")
    return [{k: v for k, v in files[v].items() if k != "content"} for v in value]


def escape_command_text(text: str) -> str:
    """@person, @user-group and #channel as Slack sends them for should_escape commands."""

    def replace(match: re.Match[str]) -> str:
        sigil, name = match.group(1), match.group(2)
        if sigil == "#":
            room = next((r for r in roster.ROOMS if r.name == name.lower()), None)
            return f"<#{room.id}|{room.name}>" if room else match.group(0)
        person = next((p for p in roster.PEOPLE if p.name == name.lower()), None)
        if person is not None:
            return f"<@{person.id}|{person.name}>"
        group = next((g for g in roster.GROUPS if g.handle == name.lower()), None)
        return f"<!subteam^{group.id}|@{group.handle}>" if group else match.group(0)

    return _REFERENCE.sub(replace, text)

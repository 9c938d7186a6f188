"""Pieces of interaction payloads in Slack's shapes: view state and action objects.

Shapes follow /work/shared/slack/payloads/state_values_by_element.json: every input
block has an entry, empty ones included (value null, [] for multis, selected_option null).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any

from bot.fakeslack.surface import Located
from bot.slack_limits import elements_of

Draft = dict[tuple[str, str], Any]  # (block_id, action_id) -> the simple value a person chose

STATE_FIELD: dict[str, str] = {
    "plain_text_input": "value",
    "url_text_input": "value",
    "email_text_input": "value",
    "number_input": "value",
    "rich_text_input": "rich_text_value",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "overflow": "selected_option",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "checkboxes": "selected_options",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "file_input": "files",
}
_LIST_FIELDS = frozenset(
    {"selected_options", "selected_users", "selected_conversations", "selected_channels", "files"}
)
_EXTERNAL = frozenset({"external_select", "multi_external_select"})


def build_state(view: Mapping[str, Any], draft: Draft) -> dict[str, Any]:
    """state for a view payload: every input block, plus other elements a person touched."""
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks") or []:
        block_id = str(block.get("block_id") or "")
        for element in elements_of(block):
            action_id = str(element.get("action_id") or "")
            key = (block_id, action_id)
            is_input = block.get("type") == "input"
            if element.get("type") not in STATE_FIELD or not (is_input or key in draft):
                continue
            entry = state_entry(element, draft.get(key), touched=key in draft)
            values.setdefault(block_id, {})[action_id] = entry
    return {"values": values}


def state_entry(element: Mapping[str, Any], value: Any, *, touched: bool) -> dict[str, Any]:
    """{"type": ..., <field>: ...} for one element; untouched ones hold their initial value."""
    kind = str(element.get("type"))
    field = STATE_FIELD.get(kind)
    if field is None:
        raise AssertionError(f"a {kind} element holds no input state")
    current = _convert(element, field, value) if touched else _initial(element, field)
    return {"type": kind, field: current}


def action_object(found: Located, value: Any, *, touched: bool) -> dict[str, Any]:
    """One entry of block_actions `actions`, built from the element the person used."""
    element = found.element
    kind = str(element.get("type"))
    action: dict[str, Any] = {"type": kind, "action_id": found.action_id}
    action["block_id"] = found.block_id
    if kind == "button":
        for key in ("text", "value", "style", "url"):
            if key in element:
                action[key] = copy.deepcopy(element[key])
    elif kind in STATE_FIELD:
        entry = state_entry(element, value, touched=touched)
        action.update({k: v for k, v in entry.items() if k != "type"})
        if "placeholder" in element:
            action["placeholder"] = copy.deepcopy(element["placeholder"])
    action["action_ts"] = f"{time.time():.6f}"
    return action


def option_by_value(element: Mapping[str, Any], value: Any) -> dict[str, Any]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    for option in options:
        if option.get("value") == value:
            return _as_selected(option)
    known = [option.get("value") for option in options]
    raise AssertionError(f"no option {value!r} in {element.get('action_id')!r}; options: {known}")


def external_option(value: Any) -> dict[str, Any]:
    """An external_select choice from `(value, text)` or a bare value (its own text)."""
    option_value, text = value if isinstance(value, tuple) else (value, value)
    return {"text": {"type": "plain_text", "text": str(text), "emoji": True}, "value": option_value}


def _convert(element: Mapping[str, Any], field: str, value: Any) -> Any:
    kind = element.get("type")
    if value is None:
        return [] if field in _LIST_FIELDS else None
    if field == "selected_option":
        return external_option(value) if kind in _EXTERNAL else option_by_value(element, value)
    if field in _LIST_FIELDS and not isinstance(value, list | tuple):
        raise AssertionError(f"{kind} takes a list of values, got {value!r}")
    if field == "selected_options":
        pick = external_option if kind in _EXTERNAL else lambda v: option_by_value(element, v)
        return [pick(v) for v in value]
    if field in _LIST_FIELDS:
        return copy.deepcopy(list(value))
    if field == "selected_date_time":
        return int(value)
    return value if isinstance(value, dict) else str(value)


def _initial(element: Mapping[str, Any], field: str) -> Any:
    if field == "files":
        return []
    key = "initial_value" if field in ("value", "rich_text_value") else field
    initial = element.get(key.replace("selected_", "initial_"))
    if field == "selected_option":
        return _as_selected(initial) if isinstance(initial, Mapping) else None
    if field == "selected_options":
        return [_as_selected(option) for option in initial or []]
    if initial is None and field in _LIST_FIELDS:
        return []
    return copy.deepcopy(initial)


def _as_selected(option: Mapping[str, Any]) -> dict[str, Any]:
    """An option as Slack reports it selected: plain_text gains "emoji": true."""
    selected = copy.deepcopy(dict(option))
    text = selected.get("text")
    if isinstance(text, dict) and text.get("type") == "plain_text":
        text.setdefault("emoji", True)
    return selected

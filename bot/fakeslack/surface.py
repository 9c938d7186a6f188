"""Reading what the app showed: visible text, action ids, input blocks of a view or message."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.slack_limits import elements_of

# Keys whose contents a person never sees.
_HIDDEN_KEYS = frozenset({"private_metadata", "state", "value", "action_id", "block_id", "url"})
_TEXT_TYPES = frozenset({"plain_text", "mrkdwn", "text"})


@dataclass(frozen=True)
class Located:
    """An interactive element and the block holding it."""

    block: Mapping[str, Any]
    element: Mapping[str, Any]

    @property
    def block_id(self) -> str:
        return str(self.block.get("block_id") or "")

    @property
    def action_id(self) -> str:
        return str(self.element.get("action_id") or "")


def view_texts(surface: Mapping[str, Any]) -> str:
    """All visible text of a view or message (title, blocks, buttons, options), one per line."""
    blocks = surface.get("blocks")
    parts: list[str] = []
    for key in ("title", "close", "submit"):
        parts += _texts(surface.get(key))
    if blocks:
        parts += _texts(blocks)
    elif isinstance(surface.get("text"), str):
        parts.append(surface["text"])  # without blocks, the fallback text is what shows
    return "\n".join(p for p in parts if p)


def _texts(node: Any) -> list[str]:
    if isinstance(node, list):
        return [text for item in node for text in _texts(item)]
    if not isinstance(node, Mapping):
        return []
    if node.get("type") in _TEXT_TYPES and isinstance(node.get("text"), str):
        return [node["text"]]
    return [
        text for key, value in node.items() if key not in _HIDDEN_KEYS for text in _texts(value)
    ]


def elements(surface: Mapping[str, Any]) -> Iterator[Located]:
    """Every element with an action_id, in block order."""
    for block in surface.get("blocks") or []:
        if isinstance(block, Mapping):
            for element in elements_of(block):
                if element.get("action_id"):
                    yield Located(block, element)


def find_action_ids(surface: Mapping[str, Any]) -> list[str]:
    return [found.action_id for found in elements(surface)]


def input_block_ids(view: Mapping[str, Any]) -> list[str]:
    blocks = view.get("blocks") or []
    return [str(b.get("block_id")) for b in blocks if b.get("type") == "input"]


def find_element(
    surface: Mapping[str, Any],
    action_id: str,
    *,
    block_id: str | None = None,
    value: str | None = None,
) -> Located | None:
    """The element with that action_id (and block_id / button value when given)."""
    for found in elements(surface):
        if found.action_id != action_id:
            continue
        if block_id is not None and found.block_id != block_id:
            continue
        is_button = found.element.get("type") == "button"
        if value is not None and is_button and found.element.get("value") != value:
            continue
        return found
    return None

"""Check Block Kit payloads against Slack's published limits.

Each public function returns human-readable violations (empty list = acceptable). The
blocks are walked as plain dicts as well as parsed with ``slack_sdk.models``, because the
SDK misses several limits (unknown block types, the 50-block message limit, duplicate
action_ids, the view size) and ``WebClient`` sends plain dicts unchecked.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator, Mapping
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
UPDATE_TEXT_MAX = 4000
ID_MAX = 255
SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
BUTTON_URL_MAX = 3000
SELECT_OPTIONS_MAX = 100
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
ACTIONS_ELEMENTS_MAX = 25
CONTEXT_ELEMENTS_MAX = 10
OVERFLOW_OPTIONS_MAX = 5
MODAL_TEXT_MAX = 24
PRIVATE_METADATA_MAX = 3000
VIEW_MAX_BYTES = 250_000
SUGGESTION_OPTIONS_MAX = 100
VIEW_TOO_LARGE = "view_too_large"

# The SDK's model constructors raise more than SlackObjectFormationError on malformed
# dicts (e.g. a number where a text object belongs); each of those is a bad payload.
_MODEL_ERRORS = (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError)
_SUBMISSION_ACTIONS = ("errors", "update", "push", "clear")


def check_message(payload: Mapping[str, Any], *, method: str = "chat.postMessage") -> list[str]:
    """Violations in a message payload (chat.postMessage/postEphemeral/update, response_url)."""
    problems: list[str] = []
    blocks = payload.get("blocks")
    if blocks is not None:
        problems += check_blocks(blocks, max_blocks=MESSAGE_MAX_BLOCKS)
        if isinstance(blocks, list) and blocks and not _non_empty(payload.get("text")):
            problems.append("text is required when sending blocks (notification fallback)")
    text = payload.get("text")
    if method == "chat.update" and isinstance(text, str) and len(text) > UPDATE_TEXT_MAX:
        problems.append(f"text is {len(text)} chars, chat.update allows {UPDATE_TEXT_MAX}")
    return problems


def check_view(view: Mapping[str, Any]) -> list[str]:
    """Violations in a modal or Home tab view (views.open/update/push/publish)."""
    if not isinstance(view, Mapping):
        return ["view must be a JSON object"]
    problems: list[str] = []
    view_type = view.get("type")
    if view_type not in ("modal", "home"):
        problems.append(f"view type must be 'modal' or 'home', not {view_type!r}")
    blocks = view.get("blocks")
    if blocks is None:
        problems.append("view blocks are required")
    else:
        problems += check_blocks(blocks, max_blocks=VIEW_MAX_BLOCKS)
    if view_type == "modal":
        problems += _modal_problems(view)
    problems += _max_len(view.get("private_metadata"), PRIVATE_METADATA_MAX, "private_metadata")
    problems += _max_len(view.get("callback_id"), ID_MAX, "callback_id")
    problems += _max_len(view.get("external_id"), ID_MAX, "external_id")
    size = len(json.dumps(view, separators=(",", ":")).encode("utf-8"))
    if size > VIEW_MAX_BYTES:
        problems.append(f"{VIEW_TOO_LARGE}: view JSON is {size} bytes, limit {VIEW_MAX_BYTES}")
    problems += _sdk_view_problems(view)
    return list(dict.fromkeys(problems))


def check_options(response: Mapping[str, Any]) -> list[str]:
    """Violations in an answer to block_suggestion ({options} or {option_groups})."""
    if not isinstance(response, Mapping):
        return ["answer must be a JSON object"]
    if ("options" in response) == ("option_groups" in response):
        return ["answer needs exactly one of 'options' or 'option_groups'"]
    if "options" in response:
        return _option_list_problems(response["options"], "options")
    groups = response["option_groups"]
    if not isinstance(groups, list):
        return ["option_groups must be an array"]
    problems: list[str] = []
    options: list[Any] = []
    for index, group in enumerate(groups):
        where = f"option_groups[{index}]"
        if not isinstance(group, Mapping) or not isinstance(group.get("options"), list):
            problems.append(f"{where} needs an options array")
            continue
        problems += _max_len(_text(group.get("label")), OPTION_TEXT_MAX, f"{where}.label")
        options += group["options"]
    return problems + _option_list_problems(options, "options in option_groups")


def check_view_submission_ack(
    body: Mapping[str, Any], *, view: Mapping[str, Any] | None = None
) -> list[str]:
    """Violations in what an app acks to view_submission; ``view`` is the submitted one."""
    if not isinstance(body, Mapping):
        return ["view_submission answer must be a JSON object (or empty)"]
    action = body.get("response_action")
    if action is None:
        extra = sorted(body)
        return [f"keys {extra} are ignored without response_action"] if extra else []
    if action not in _SUBMISSION_ACTIONS:
        return [f"unknown response_action {action!r}"]
    if action == "errors":
        return _errors_problems(body.get("errors"), view)
    if action in ("update", "push"):
        new_view = body.get("view")
        if not isinstance(new_view, Mapping):
            return [f"response_action {action} needs a view"]
        problems = check_view(new_view)
        if new_view.get("type") != "modal":
            problems.append(f"response_action {action} needs a modal view")
        return problems
    return []


def check_blocks(blocks: Any, *, max_blocks: int) -> list[str]:
    """Violations in a blocks array: count, each block, unique block_ids."""
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks, at most {max_blocks}")
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        if not isinstance(block, Mapping):
            problems.append(f"block {index}: must be a JSON object")
            continue
        where = _where(index, block)
        problems += [f"{where}: {problem}" for problem in _block_problems(block)]
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen:
                problems.append(f"{where}: duplicate block_id {block_id!r}")
            seen.add(block_id)
    return problems


def elements_of(block: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Interactive or context elements a block holds, wherever the block type keeps them."""
    for key in ("accessory", "element"):
        element = block.get(key)
        if isinstance(element, Mapping):
            yield element
    elements = block.get("elements")
    if block.get("type") in ("actions", "context", "context_actions") and isinstance(
        elements, list
    ):
        yield from (e for e in elements if isinstance(e, Mapping))


def _block_problems(block: Mapping[str, Any]) -> list[str]:
    problems = _sdk_block_problems(block)
    problems += _max_len(block.get("block_id"), ID_MAX, "block_id")
    block_type = block.get("type")
    if block_type == "section":
        problems += _section_problems(block)
    elif block_type == "header":
        problems += _max_len(_text(block.get("text")), HEADER_TEXT_MAX, "header text")
    elif block_type in ("actions", "context"):
        limit = ACTIONS_ELEMENTS_MAX if block_type == "actions" else CONTEXT_ELEMENTS_MAX
        count = len(block.get("elements") or [])
        if count > limit:
            problems.append(f"{count} elements in {block_type}, at most {limit}")
    action_ids: set[str] = set()
    for element in elements_of(block):
        problems += _element_problems(element)
        action_id = element.get("action_id")
        if isinstance(action_id, str):
            if action_id in action_ids:
                problems.append(f"duplicate action_id {action_id!r} in the block")
            action_ids.add(action_id)
    return problems


def _sdk_block_problems(block: Mapping[str, Any]) -> list[str]:
    # The same blocks come back again and again (filters, headers, a page seen twice);
    # slack_sdk's parse-and-validate is the slow part of every check.
    return list(_sdk_block_problems_of(json.dumps(block, sort_keys=True)))


@functools.lru_cache(maxsize=4096)
def _sdk_block_problems_of(block_json: str) -> tuple[str, ...]:
    block = json.loads(block_json)
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return (f"unknown block type {block.get('type')!r}",)
        # to_dict() runs validate_json() on the block and on every nested object.
        parsed.to_dict()
    except _MODEL_ERRORS as exc:
        return (f"slack_sdk: {exc}",)
    return ()


def _sdk_view_problems(view: Mapping[str, Any]) -> list[str]:
    try:
        View(**copy.deepcopy(dict(view))).validate_json()
    except _MODEL_ERRORS as exc:
        return [f"slack_sdk: {exc}"]
    return []


def _section_problems(block: Mapping[str, Any]) -> list[str]:
    problems = _max_len(_text(block.get("text")), SECTION_TEXT_MAX, "section text")
    fields = block.get("fields")
    if isinstance(fields, list):
        if len(fields) > SECTION_FIELDS_MAX:
            problems.append(f"{len(fields)} section fields, at most {SECTION_FIELDS_MAX}")
        for index, field in enumerate(fields):
            problems += _max_len(_text(field), SECTION_FIELD_TEXT_MAX, f"field {index} text")
    return problems


def _element_problems(element: Mapping[str, Any]) -> list[str]:
    kind = element.get("type")
    problems = _max_len(element.get("action_id"), ID_MAX, f"{kind} action_id")
    if kind == "button":
        problems += _max_len(_text(element.get("text")), BUTTON_TEXT_MAX, "button text")
        problems += _max_len(element.get("value"), BUTTON_VALUE_MAX, "button value")
        problems += _max_len(element.get("url"), BUTTON_URL_MAX, "button url")
    options = list(_options_of(element))
    if kind in ("static_select", "multi_static_select") and len(options) > SELECT_OPTIONS_MAX:
        problems.append(f"{kind} has {len(options)} options, at most {SELECT_OPTIONS_MAX}")
    if kind == "overflow" and len(options) > OVERFLOW_OPTIONS_MAX:
        problems.append(f"overflow has {len(options)} options, at most {OVERFLOW_OPTIONS_MAX}")
    for index, option in enumerate(options):
        problems += _option_problems(option, f"{kind} option {index}")
    return problems


def _options_of(element: Mapping[str, Any]) -> Iterator[Any]:
    yield from element.get("options") or []
    for group in element.get("option_groups") or []:
        if isinstance(group, Mapping):
            yield from group.get("options") or []


def _option_problems(option: Any, where: str) -> list[str]:
    if not isinstance(option, Mapping):
        return [f"{where}: must be a JSON object"]
    text, value = _text(option.get("text")), option.get("value")
    if text is None or value is None:
        return [f"{where}: needs text and value"]
    problems = _max_len(text, OPTION_TEXT_MAX, f"{where} text")
    return problems + _max_len(value, OPTION_VALUE_MAX, f"{where} value")


def _option_list_problems(options: Any, what: str) -> list[str]:
    if not isinstance(options, list):
        return [f"{what} must be an array"]
    problems = []
    if len(options) > SUGGESTION_OPTIONS_MAX:
        problems.append(f"{len(options)} {what}, at most {SUGGESTION_OPTIONS_MAX}")
    for index, option in enumerate(options):
        problems += _option_problems(option, f"option {index}")
    return problems


def _modal_problems(view: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    if _text(view.get("title")) is None:
        problems.append("a modal needs a title")
    for key in ("title", "submit", "close"):
        problems += _max_len(_text(view.get(key)), MODAL_TEXT_MAX, f"modal {key} text")
    blocks = view.get("blocks")
    has_inputs = isinstance(blocks, list) and any(
        isinstance(b, Mapping) and b.get("type") == "input" for b in blocks
    )
    if has_inputs and view.get("submit") is None:
        problems.append("a modal with input blocks needs a submit button")
    return problems


def _errors_problems(errors: Any, view: Mapping[str, Any] | None) -> list[str]:
    if not isinstance(errors, Mapping) or not errors:
        return ["response_action errors needs a non-empty errors object"]
    problems = [
        f"error for {key!r} must be a non-empty string"
        for key, message in errors.items()
        if not _non_empty(message)
    ]
    if view is not None:
        # Slack only shows errors next to input blocks; other keys fail the submission.
        inputs = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
        problems += [
            f"errors key {key!r} is not an input block_id" for key in errors if key not in inputs
        ]
    return problems


def _text(obj: Any) -> str | None:
    """The string inside a text object (or a bare string, as Slack's fields allow)."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, Mapping) and isinstance(obj.get("text"), str):
        return str(obj["text"])
    return None


def _max_len(value: Any, limit: int, what: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"{what} is {len(value)} chars, at most {limit}"]
    return []


def _non_empty(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _where(index: int, block: Mapping[str, Any]) -> str:
    block_id = block.get("block_id")
    return f"block {index} (block_id={block_id!r})" if block_id else f"block {index}"

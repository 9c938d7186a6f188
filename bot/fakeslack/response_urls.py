"""response_url: what the app POSTs back for a slash command or a message action."""

from __future__ import annotations

import copy
import json
from typing import Any

from bot.fakeslack.params import truthy
from bot.fakeslack.state import ResponseTarget, Workspace, with_generated_ids
from bot.slack_limits import check_message

MAX_POSTS = 5
LIFETIME_S = 30 * 60


def post_response(ws: Workspace, key: str, body: bytes) -> tuple[int, str]:
    """Handle one POST to a response_url; returns (HTTP status, plain-text body) as Slack."""
    target = ws.response_targets.get(key)
    if target is None:
        return 404, "no_such_url"
    if len(target.posts) >= MAX_POSTS:
        return 404, "used_url"
    if ws.clock() - target.issued_at > LIFETIME_S:
        return 404, "expired_url"
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return 400, "invalid_payload"
    if not isinstance(payload, dict):
        return 400, "invalid_payload"
    target.posts.append(payload)
    ws.response_log.append((key, payload))
    problems = check_message(payload, method="response_url")
    if problems:
        ws.record_violations(f"response_url {key}", problems)
        return 400, "invalid_blocks"
    _apply(ws, target, payload)
    return 200, "ok"


def _apply(ws: Workspace, target: ResponseTarget, payload: dict[str, Any]) -> None:
    original = _original(ws, target)
    if truthy(payload.get("delete_original")):
        if original is not None:
            _remove(ws, target, original)
        return
    if truthy(payload.get("replace_original")) and original is not None:
        original["text"] = payload.get("text") or ""
        if "blocks" in payload:
            original["blocks"] = with_generated_ids(payload["blocks"])
        return
    if target.channel_id is None:
        return
    message = ws.bot_message(ws.next_ts(), payload)
    if payload.get("response_type") == "in_channel":
        ws.messages.setdefault(target.channel_id, []).append(message)
    elif target.user_id is not None:
        message.update({"channel": target.channel_id, "recipient": target.user_id})
        ws.ephemerals.append(message)


def _original(ws: Workspace, target: ResponseTarget) -> dict[str, Any] | None:
    if target.message_ts is None:
        return None
    pool = ws.ephemerals if target.is_ephemeral else ws.messages.get(target.channel_id or "", [])
    return next((m for m in pool if m["ts"] == target.message_ts), None)


def _remove(ws: Workspace, target: ResponseTarget, message: dict[str, Any]) -> None:
    if target.is_ephemeral:
        ws.ephemerals.remove(message)
    else:
        ws.messages[target.channel_id or ""].remove(message)


def responses(ws: Workspace, key: str) -> list[dict[str, Any]]:
    target = ws.response_targets.get(key)
    return copy.deepcopy(target.posts) if target else []

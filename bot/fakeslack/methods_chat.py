"""chat.* methods and conversations.history."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from bot.fakeslack.params import page, truthy, ts_value
from bot.fakeslack.state import ApiError, Args, Handler, Workspace, with_generated_ids

UPDATE_TEXT_MAX = 4000


def chat_post_message(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    ws.reject_bad_message(method, args)
    channel = ws.postable_channel(args.get("channel"))
    _require_content(args)
    _require_known_files(ws, args)
    message = ws.bot_message(ws.next_ts(), args)
    ws.messages.setdefault(channel.id, []).append(message)
    return {"channel": channel.id, "ts": message["ts"], "message": copy.deepcopy(message)}


def chat_post_ephemeral(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    ws.reject_bad_message(method, args)
    user_id = ws.user(args.get("user"))["id"]
    channel = ws.postable_channel(args.get("channel"))
    if user_id not in channel.members:
        raise ApiError("user_not_in_channel")
    _require_content(args)
    message = ws.bot_message(ws.next_ts(), args)
    message.update({"channel": channel.id, "recipient": user_id})
    ws.ephemerals.append(message)
    return {"message_ts": message["ts"]}


def chat_update(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    text = args.get("text")
    if isinstance(text, str) and len(text) > UPDATE_TEXT_MAX:
        ws.record_violations(method, [f"text is {len(text)} chars, at most {UPDATE_TEXT_MAX}"])
        raise ApiError("msg_too_long")
    ws.reject_bad_message(method, args)
    channel = ws.visible_channel(args.get("channel"))
    message = ws.find_message(channel.id, args.get("ts"))
    if message.get("bot_id") != ws.identity.bot_id:
        raise ApiError("cant_update_message")
    # Slack keeps blocks/attachments/metadata that chat.update does not mention.
    if "text" in args:
        message["text"] = args["text"] or ""
    if "blocks" in args:
        message["blocks"] = with_generated_ids(args["blocks"])
    for key in ("attachments", "metadata"):
        if key in args:
            message[key] = args[key]
    message["edited"] = {"user": ws.identity.bot_user_id, "ts": ws.next_ts()}
    return {
        "channel": channel.id,
        "ts": message["ts"],
        "text": message["text"],
        "message": copy.deepcopy(message),
    }


def chat_delete(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    channel = ws.visible_channel(args.get("channel"))
    message = ws.find_message(channel.id, args.get("ts"))
    if message.get("bot_id") != ws.identity.bot_id:
        raise ApiError("cant_delete_message")
    ws.messages[channel.id].remove(message)
    return {"channel": channel.id, "ts": message["ts"]}


def chat_get_permalink(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    channel = ws.visible_channel(args.get("channel"))
    message = ws.find_message(channel.id, args.get("message_ts"))
    path = "p" + message["ts"].replace(".", "")
    domain = ws.identity.team_domain
    permalink = f"https://{domain}.slack.com/archives/{channel.id}/{path}"
    return {"channel": channel.id, "permalink": permalink}


def conversations_history(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    channel = ws.visible_channel(args.get("channel"))
    if not channel.is_im and not ws.bot_is_member(channel):
        raise ApiError("not_in_channel")
    inclusive = truthy(args.get("inclusive"))
    oldest = ts_value(args.get("oldest") or "0")
    latest = ts_value(args["latest"]) if args.get("latest") else None
    selected = [
        m
        for m in reversed(ws.messages.get(channel.id, []))
        if _within(ts_value(m["ts"]), oldest, latest, inclusive)
    ]
    messages, next_cursor = page(selected, args)
    messages = copy.deepcopy(messages)
    if not truthy(args.get("include_all_metadata")):
        for message in messages:
            message.pop("metadata", None)
    return {
        "messages": messages,
        "has_more": bool(next_cursor),
        "pin_count": 0,
        "response_metadata": {"next_cursor": next_cursor},
    }


def _within(ts: Decimal, oldest: Decimal, latest: Decimal | None, inclusive: bool) -> bool:
    if inclusive:
        return ts >= oldest and (latest is None or ts <= latest)
    return ts > oldest and (latest is None or ts < latest)


def _require_known_files(ws: Workspace, args: Args) -> None:
    """An image block may show an uploaded file by id; Slack refuses an unknown one."""
    for block in args.get("blocks") or []:
        file_id = ((block or {}).get("slack_file") or {}).get("id") if block else None
        if block.get("type") == "image" and file_id and file_id not in ws.files:
            raise ApiError("invalid_blocks", [f"unknown slack_file {file_id}"])


def _require_content(args: Args) -> None:
    if not any(args.get(key) for key in ("text", "blocks", "attachments", "files")):
        raise ApiError("no_text")


METHODS: dict[str, Handler] = {
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
    "conversations.history": conversations_history,
}

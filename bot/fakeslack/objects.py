"""Slack-shaped objects (users, conversations, views, files) built from the fake's state."""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.fakeslack.state import Channel, Identity, with_generated_ids

HOME_DEFAULT_TITLE = {"type": "plain_text", "text": "View Title"}  # what Slack reports


def user_object(
    identity: Identity,
    user_id: str,
    name: str,
    *,
    real_name: str | None,
    tz: str,
    flags: Mapping[str, bool],
) -> dict[str, Any]:
    """A full users.info `user`, shaped like payloads/web_api_responses.json."""
    user: dict[str, Any] = {
        "id": user_id,
        "team_id": identity.team_id,
        "name": name,
        "deleted": False,
        "real_name": real_name or name,
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": False,
        "is_app_user": False,
        "updated": int(time.time()),
        "profile": {
            "real_name": real_name or name,
            "display_name": name,
            "image_72": f"https://avatars.example/{name}.png",
        },
    }
    user.update({key: bool(value) for key, value in flags.items()})
    user.update(tz_fields(tz))
    if user["is_bot"]:
        user["profile"]["bot_id"] = identity.bot_id
    return user


def tz_fields(tz: str) -> dict[str, Any]:
    """tz, tz_label, tz_offset as Slack reports them (offset = today's offset only)."""
    try:
        now = datetime.now(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):  # newer than this host's tz database
        return {"tz": tz, "tz_label": tz, "tz_offset": 0}
    offset = now.utcoffset()
    return {
        "tz": tz,
        "tz_label": now.tzname() or tz,
        "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
    }


def apply_user_changes(user: dict[str, Any], changes: Mapping[str, Any]) -> None:
    """Apply update_user(**changes), keeping profile and tz fields consistent."""
    for key, value in changes.items():
        if key == "tz":
            user.update(tz_fields(str(value)))
        elif key in ("display_name", "image_72"):
            user["profile"][key] = value
        elif key == "real_name":
            user["real_name"] = value
            user["profile"]["real_name"] = value
        else:
            user[key] = value
    user["updated"] = int(time.time())


def channel_object(channel: Channel, bot_user_id: str, deleted_user: bool) -> dict[str, Any]:
    """conversations.info `channel`."""
    if channel.im_user is not None:
        return {
            "id": channel.id,
            "created": channel.created,
            "is_im": True,
            "is_org_shared": False,
            "user": channel.im_user,
            "is_user_deleted": deleted_user,
            "priority": 0,
        }
    return {
        "id": channel.id,
        "name": channel.name,
        "is_channel": not channel.is_private,
        "is_group": channel.is_private,
        "is_im": False,
        "is_mpim": False,
        "is_private": channel.is_private,
        "is_archived": channel.is_archived,
        "is_general": channel.name == "general",
        "is_member": bot_user_id in channel.members,
        "created": channel.created,
        "name_normalized": channel.name,
        "num_members": len(channel.members),
    }


def usergroup_object(
    identity: Identity, group_id: str, handle: str, name: str, members: list[str]
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "id": group_id,
        "team_id": identity.team_id,
        "is_usergroup": True,
        "is_subteam": True,
        "name": name,
        "description": "",
        "handle": handle,
        "is_external": False,
        "date_create": now,
        "date_update": now,
        "date_delete": 0,
        "auto_type": None,
        "created_by": identity.bot_user_id,
        "updated_by": identity.bot_user_id,
        "deleted_by": None,
        "prefs": {"channels": [], "groups": []},
        "users": list(members),
        "user_count": len(members),
    }


def view_object(
    identity: Identity,
    spec: Mapping[str, Any],
    *,
    view_id: str,
    view_hash: str,
    root_view_id: str,
    previous_view_id: str | None,
) -> dict[str, Any]:
    """A view as Slack stores and returns it (views.* answers, interaction payloads)."""
    is_home = spec.get("type") == "home"
    return {
        "id": view_id,
        "team_id": identity.team_id,
        "type": spec.get("type"),
        "blocks": with_generated_ids(list(spec.get("blocks") or [])),
        "private_metadata": spec.get("private_metadata") or "",
        "callback_id": spec.get("callback_id") or "",
        "state": {"values": {}},
        "hash": view_hash,
        "title": spec.get("title") or (HOME_DEFAULT_TITLE if is_home else None),
        "clear_on_close": bool(spec.get("clear_on_close", False)),
        "notify_on_close": bool(spec.get("notify_on_close", False)),
        "close": spec.get("close"),
        "submit": spec.get("submit"),
        "previous_view_id": previous_view_id,
        "root_view_id": root_view_id,
        "app_id": identity.app_id,
        "external_id": spec.get("external_id") or "",
        "app_installed_team_id": identity.team_id,
        "bot_id": identity.bot_id,
    }


def file_object(
    identity: Identity, server_url: str, file_id: str, name: str, title: str, size: int,
    user: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A file object as Slack returns it; `user`: who uploaded it (default: the bot)."""
    user = user or identity.bot_user_id
    now = int(time.time())
    filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
    return {
        "id": file_id,
        "created": now,
        "timestamp": now,
        "name": name,
        "title": title,
        "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
        "filetype": filetype,
        "user": user,
        "size": size,
        "mode": "hosted",
        "is_external": False,
        "url_private": f"{server_url}files/{file_id}/{name}",
        "url_private_download": f"{server_url}files/{file_id}/{name}?download=1",
        "permalink": f"https://{identity.team_domain}.slack.com/files/{user}/{file_id}/{name}",
        "channels": [],
    }

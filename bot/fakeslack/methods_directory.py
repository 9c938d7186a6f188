"""auth, team, users, conversations (open/info/members) and usergroups methods."""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.fakeslack.objects import channel_object
from bot.fakeslack.params import page, truthy
from bot.fakeslack.state import ApiError, Args, Handler, Workspace


def auth_test(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    ident = ws.identity
    return {
        "url": f"https://{ident.team_domain}.slack.com/",
        "team": ident.team_name,
        "user": ident.bot_name,
        "team_id": ident.team_id,
        "user_id": ident.bot_user_id,
        "bot_id": ident.bot_id,
        **({"enterprise_id": ident.enterprise_id} if ident.enterprise_id else {}),
        "is_enterprise_install": ws.org_installed,
    }


def team_info(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    ident = ws.identity
    team = {
        "id": ident.team_id,
        "name": ident.team_name,
        "domain": ident.team_domain,
        "email_domain": "",
        "icon": {"image_default": True},
    }
    return {"team": team}


def users_info(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    return {"user": copy.deepcopy(ws.user(args.get("user")))}


def users_list(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    members, next_cursor = page(list(ws.users.values()), args)
    return {
        "members": copy.deepcopy(members),
        "cache_ts": int(time.time()),
        "response_metadata": {"next_cursor": next_cursor},
    }


def conversations_open(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    if args.get("channel"):
        channel = ws.visible_channel(args["channel"])
        return {"channel": {"id": channel.id}}
    users = [u for u in str(args.get("users") or "").split(",") if u]
    if not users:
        raise ApiError("users_list_not_supplied")
    if len(users) > 1:
        raise ApiError("invalid_arguments", ["the stand-in opens 1:1 DMs only"])
    user = ws.user(users[0])
    if user.get("deleted"):
        raise ApiError("user_disabled")
    return {"channel": {"id": ws.dm_channel(users[0]).id}}


def conversations_info(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    channel = ws.visible_channel(args.get("channel"))
    deleted = bool(channel.im_user and ws.users.get(channel.im_user, {}).get("deleted"))
    return {"channel": channel_object(channel, ws.identity.bot_user_id, deleted)}


def conversations_members(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    channel = ws.visible_channel(args.get("channel"))
    members, next_cursor = page(channel.members, args)
    return {"members": members, "response_metadata": {"next_cursor": next_cursor}}


def usergroups_list(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    _require_paid_plan(ws)
    groups = copy.deepcopy(list(ws.usergroups.values()))
    if not truthy(args.get("include_disabled")):
        groups = [g for g in groups if not g["date_delete"]]
    for group in groups:
        if not truthy(args.get("include_users")):
            group.pop("users", None)
        if not truthy(args.get("include_count")):
            group.pop("user_count", None)
    return {"usergroups": groups}


def usergroups_users_list(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    _require_paid_plan(ws)
    group = ws.usergroups.get(str(args.get("usergroup") or ""))
    if group is None or (group["date_delete"] and not truthy(args.get("include_disabled"))):
        raise ApiError("no_such_subteam")
    return {"users": list(group["users"])}


def _require_paid_plan(ws: Workspace) -> None:
    if not ws.paid_plan:
        raise ApiError("plan_upgrade_required")


METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "team.info": team_info,
    "users.info": users_info,
    "users.list": users_list,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.members": conversations_members,
    "usergroups.list": usergroups_list,
    "usergroups.users.list": usergroups_users_list,
}

"""views.* methods, and the modal-stack operations Slack applies on its own side."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from bot.fakeslack.objects import view_object
from bot.fakeslack.state import ApiError, Args, Handler, Workspace

MAX_STACK = 3


def views_open(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
    ws.take_trigger(trigger_id, consume=False)
    view = _checked_view(ws, method, args, "modal")
    owner = ws.take_trigger(trigger_id, consume=True).user_id
    _reject_duplicate_external_id(ws, view)
    view_id = ws.next_id("V")
    stored = _store(ws, view, view_id=view_id, root_view_id=view_id, previous_view_id=None)
    ws.stacks[owner] = [view_id]
    return {"view": copy.deepcopy(stored)}


def views_push(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
    owner = ws.take_trigger(trigger_id, consume=False).user_id
    view = _checked_view(ws, method, args, "modal")
    if not ws.stacks.get(owner):
        raise ApiError("invalid_trigger_id", ["no modal is open to push onto"])
    if len(ws.stacks[owner]) >= MAX_STACK:
        raise ApiError("push_limit_reached")
    ws.take_trigger(trigger_id, consume=True)
    _reject_duplicate_external_id(ws, view)
    return {"view": copy.deepcopy(push_view(ws, owner, view))}


def views_update(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    current = _find_view(ws, args.get("view_id"), args.get("external_id"))
    view = _checked_view(ws, method, args, str(current["type"]))
    expected = args.get("hash")
    if expected and expected != current["hash"]:
        raise ApiError("hash_conflict")
    return {"view": copy.deepcopy(replace_view(ws, current["id"], view))}


def views_publish(ws: Workspace, method: str, args: Args) -> dict[str, Any]:
    user_id = ws.user(args.get("user_id"))["id"]
    view = _checked_view(ws, method, args, "home")
    home_id = ws.homes.get(user_id)
    expected = args.get("hash")
    if home_id is not None and expected and expected != ws.views[home_id]["hash"]:
        raise ApiError("hash_conflict")
    if home_id is None:
        home_id = ws.next_id("V")
        ws.homes[user_id] = home_id
    stored = _store(ws, view, view_id=home_id, root_view_id=home_id, previous_view_id=None)
    return {"view": copy.deepcopy(stored)}


def push_view(ws: Workspace, user_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
    """Add a view on top of the person's modal stack (views.push or response_action push)."""
    stack = ws.stacks.setdefault(user_id, [])
    if len(stack) >= MAX_STACK:
        raise ApiError("push_limit_reached")
    view_id = ws.next_id("V")
    root = stack[0] if stack else view_id
    previous = stack[-1] if stack else None
    stored = _store(ws, view, view_id=view_id, root_view_id=root, previous_view_id=previous)
    stack.append(view_id)
    return stored


def replace_view(ws: Workspace, view_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
    """New content in place: same id and position, a new hash, input state reset."""
    current = ws.views[view_id]
    spec = dict(view)
    spec.setdefault("external_id", current["external_id"])
    return _store(
        ws,
        spec,
        view_id=view_id,
        root_view_id=current["root_view_id"],
        previous_view_id=current["previous_view_id"],
    )


def close_view(ws: Workspace, view_id: str) -> list[str]:
    """Close one modal (and anything stacked above it); returns the closed ids."""
    for stack in ws.stacks.values():
        if view_id in stack:
            closed = stack[stack.index(view_id) :]
            del stack[stack.index(view_id) :]
            return closed
    return []


def clear_views(ws: Workspace, user_id: str) -> list[str]:
    """Close the person's whole modal stack (response_action clear, clear_on_close)."""
    return ws.stacks.pop(user_id, [])


def _checked_view(ws: Workspace, method: str, args: Args, expected_type: str) -> Mapping[str, Any]:
    view = args.get("view")
    ws.reject_bad_view(method, view)
    assert isinstance(view, Mapping)  # reject_bad_view raised otherwise
    if view.get("type") != expected_type:
        message = f"{method} needs a {expected_type} view, got {view.get('type')!r}"
        ws.record_violations(method, [message])
        raise ApiError("invalid_arguments", [message])
    return view


def _find_view(ws: Workspace, view_id: Any, external_id: Any) -> dict[str, Any]:
    if view_id:
        found = ws.views.get(str(view_id))
    else:
        matches = [v for v in ws.views.values() if external_id and v["external_id"] == external_id]
        found = matches[-1] if matches else None
    if found is None:
        raise ApiError("not_found")
    return found


def _reject_duplicate_external_id(ws: Workspace, view: Mapping[str, Any]) -> None:
    external_id = view.get("external_id")
    open_ids = {view_id for stack in ws.stacks.values() for view_id in stack}
    if external_id and any(ws.views[v]["external_id"] == external_id for v in open_ids):
        raise ApiError("duplicate_external_id")


def _store(
    ws: Workspace,
    view: Mapping[str, Any],
    *,
    view_id: str,
    root_view_id: str,
    previous_view_id: str | None,
) -> dict[str, Any]:
    stored = view_object(
        ws.identity,
        copy.deepcopy(view),
        view_id=view_id,
        view_hash=ws.new_hash(),
        root_view_id=root_view_id,
        previous_view_id=previous_view_id,
    )
    ws.views[view_id] = stored
    return stored


METHODS: dict[str, Handler] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}

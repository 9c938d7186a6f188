"""What the course and path builders share: opening one, the typeaheads, and Save's ending."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.render import mrkdwn, render
from bot.services import Services
from bot.services import builder_ops as ops
from bot.services.builders import DraftView, Saved
from bot.services.library import LibraryQuery
from bot.services.members import Caller
from handlers.builder_forms import BuilderMeta
from handlers.library import show_library
from handlers.support import caller_of, later
from models.enums import ResourceType

SUGGESTIONS = 100
Draw = Callable[[DraftView, BuilderMeta], dict[str, Any]]


def open_builder(
    body: dict[str, Any],
    client: WebClient,
    services: Services,
    kind: ResourceType,
    resource_id: int | None,
    draw: Draw,
) -> None:
    """A fresh draft in a builder: in place of the modal clicked in (Add content, Edit),
    else a new modal (Home's Manage content, which is drawn again after saving)."""
    caller = caller_of(body, services, client)
    d = services.builders.start(caller=caller, kind=kind, resource_id=resource_id)
    container = body.get("view") or {}
    meta = BuilderMeta(d.id, from_home=container.get("type") == "home")
    if container.get("type") == "modal":
        client.views_update(view_id=container["id"], view=draw(d, meta))
    else:
        client.views_open(trigger_id=body["trigger_id"], view=draw(d, meta))


def change_and_redraw(
    body: dict[str, Any],
    client: WebClient,
    services: Services,
    edit: Callable[[ops.Draft], object],
    draw: Draw,
) -> None:
    """One click's change to the draft, then the view it came from drawn again."""
    caller = caller_of(body, services, client, refresh=False)
    view, meta = body["view"], BuilderMeta.of(body["view"])
    d = services.builders.change(caller=caller, draft_id=meta.draft_id, edit=edit)
    client.views_update(view_id=view["id"], view=draw(d, meta))


def picked(body: dict[str, Any]) -> int:
    return int(body["actions"][0]["selected_option"]["value"])


def _suggest(ack: Ack, body: dict[str, Any], services: Services, client: WebClient,
             exclude: tuple[str, ...]) -> None:  # fmt: skip
    caller = caller_of(body, services, client, refresh=False)
    found = services.catalog.suggest(
        caller=caller, words=str(body.get("value", "")), limit=SUGGESTIONS, exclude_types=exclude
    )
    ack(options=[
        {"text": {"type": "plain_text", "text": _short(title)}, "value": str(rid)}
        for rid, title, _ in found
    ])  # fmt: skip


def handle_item_suggestion(
    ack: Ack, body: dict[str, Any], services: Services, client: WebClient
) -> None:
    """A course's items: anything but a course or a path (courses do not nest)."""
    _suggest(ack, body, services, client, (ResourceType.COURSE, ResourceType.PATH))


def handle_step_suggestion(
    ack: Ack, body: dict[str, Any], services: Services, client: WebClient
) -> None:
    """A path's steps: resources and courses, not paths."""
    _suggest(ack, body, services, client, (ResourceType.PATH,))


def finish(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    caller: Caller,
    saved: Saved,
    meta: BuilderMeta,
) -> None:
    """Saved: back to Home's Manage content with a notice, or a notice in the modal."""
    assert saved.resource is not None
    kind = "learning path" if saved.resource.type == ResourceType.PATH else "course"
    text = (f"The {kind} *{mrkdwn(saved.resource.title)}* is saved in your workspace's library "
            f"({saved.resource.status_label}).")  # fmt: skip
    if saved.applied:
        text += f" {saved.applied} people on it now have its new steps."
    if meta.from_home:
        ack()
        later(
            show_library, body=body, client=client, context=context, respond=None,
            caller=caller, view={"type": "home"}, query=LibraryQuery(own=True, status=None),
            notice=f":white_check_mark: {text}",
        )  # fmt: skip
        return
    ack(response_action="update", view=render("notice_modal.json.j2", title="Saved", text=text))


def _short(title: str) -> str:
    return title if len(title) <= 75 else title[:74] + "…"

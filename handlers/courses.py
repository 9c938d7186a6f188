"""A learner's course: Done / Undo per item, and "Open course" (every item, in pages)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.delivery import deliver_pending
from bot.errors import BotError
from bot.ids import Action, Callback
from bot.render import render
from bot.services import Services
from bot.services.cards import AssignmentCard
from bot.services.members import Caller
from handlers.assignments import show_everywhere, where_clicked
from handlers.support import after_ack, caller_of

PAGE_ITEMS = 60  # with up to 30 section headings and 6 other blocks: inside a modal's 100


def course_view(card: AssignmentCard, page: int) -> dict[str, Any]:
    total = len(card.course.outline.items) if card.course else 0
    pages = max(1, -(-total // PAGE_ITEMS))
    page = min(max(1, page), pages)
    return render(
        "course_modal.json.j2", a=card, page=page, pages=pages,
        first=(page - 1) * PAGE_ITEMS + 1, last=min(page * PAGE_ITEMS, total),
        metadata=json.dumps({"assignment": card.id, "page": page}),
    )  # fmt: skip


def handle_course_open_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    caller = caller_of(body, services, client)
    card = services.courses.view(caller=caller, assignment_id=int(body["actions"][0]["value"]))
    view = course_view(card, 1)
    if (body.get("view") or {}).get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_course_page_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    caller = caller_of(body, services, client, refresh=False)
    meta = json.loads(body["view"]["private_metadata"])
    card = services.courses.view(caller=caller, assignment_id=int(meta["assignment"]))
    page = int(body["actions"][0]["value"])
    client.views_update(view_id=body["view"]["id"], view=course_view(card, page))


def handle_course_item_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """Check or uncheck an item: the DM, the course modal (if open) and Home follow."""
    action = body["actions"][0]
    assignment_id, resource_id = (int(part) for part in str(action["value"]).split(":"))
    caller = caller_of(body, services, client)
    done = action["action_id"] == Action.COURSE_ITEM_DONE
    try:
        card = services.courses.mark(
            caller=caller, assignment_id=assignment_id, resource_id=resource_id, done=done
        )
    except BotError:  # completed, cancelled meanwhile: every surface shows how it is now
        current = services.courses.view(caller=caller, assignment_id=assignment_id)
        _redraw(client, services, caller, body, current)
        raise
    completed = card.status == "completed"
    notice = ":tada: Course complete. Well done!" if completed else ":white_check_mark: Saved."
    _redraw(client, services, caller, body, card, notice)
    if completed:
        deliver_pending(services, client)  # the next step of a path, the assigner's DM


def _redraw(
    client: WebClient,
    services: Services,
    caller: Caller,
    body: dict[str, Any],
    card: AssignmentCard,
    notice: str = "",
) -> None:
    card = where_clicked(card, body)
    view = body.get("view") or {}
    if view.get("callback_id") == Callback.COURSE_OUTLINE:
        page = int(json.loads(view.get("private_metadata") or "{}").get("page", 1))
        client.views_update(view_id=view["id"], view=course_view(card, page))
    show_everywhere(client, services, caller, card, notice)


def register(app: App) -> None:
    app.action(Action.COURSE_OPEN)(after_ack(handle_course_open_action))
    app.action(Action.COURSE_PAGE)(after_ack(handle_course_page_action))
    item = after_ack(handle_course_item_action)
    app.action(Action.COURSE_ITEM_DONE)(item)
    app.action(Action.COURSE_ITEM_UNDO)(item)

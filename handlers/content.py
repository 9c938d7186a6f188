"""Add and edit content: the content modal, opened from /library, App Home or /training add."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.errors import BotError
from bot.ids import Action, Block, Callback
from bot.render import mrkdwn, render
from bot.services import Services
from bot.services.catalog import require_curator
from bot.services.members import Caller
from handlers.builders import open_builder
from handlers.course_builder import course_view
from handlers.forms import ContentMeta, content_form, query_from_metadata
from handlers.library import refresh_library, show_library
from handlers.path_builder import path_view
from handlers.quiz_editor import editor_view
from handlers.quiz_forms import QuizMeta
from handlers.support import after_ack, caller_of, later, log_refusal
from models.enums import ResourceType


def open_content_modal(
    client: WebClient,
    services: Services,
    caller: Caller,
    *,
    trigger_id: str,
    resource_id: int | None = None,
    parent: dict[str, Any] | None = None,
) -> None:
    """Open the form (pushed over the library modal when there is one; over Home, the tab
    it came from is drawn again after saving)."""
    require_curator(caller)
    resource = services.catalog.get(caller=caller, resource_id=resource_id) if resource_id else None
    meta = ContentMeta(
        resource_id=resource_id,
        has_file=bool(resource and resource.file_id),
        parent_view_id=parent["id"] if parent and parent.get("type") == "modal" else None,
        parent_query=query_from_metadata(parent.get("private_metadata", "")) if parent else None,
        from_home=bool(parent and parent.get("type") == "home"),
    )
    view = render("content_modal.json.j2", resource=resource, metadata=meta.dumps())
    if meta.parent_view_id:
        client.views_push(trigger_id=trigger_id, view=view)
    else:
        client.views_open(trigger_id=trigger_id, view=view)


def library_parent(body: dict[str, Any]) -> dict[str, Any] | None:
    """The library the click came from: its modal, or a Home tab listing it."""
    container = body.get("view") or {}
    if container.get("callback_id") == Callback.LIBRARY or container.get("type") == "home":
        return container
    return None


def handle_content_add_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    caller = caller_of(body, services, client)
    open_content_modal(
        client, services, caller, trigger_id=body["trigger_id"], parent=library_parent(body)
    )


def handle_content_edit_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """Edit: a path or a course with sections opens its builder, anything else this form."""
    caller = caller_of(body, services, client)
    resource_id = int(body["actions"][0]["value"])
    structure = services.catalog.structure_of(caller=caller, resource_id=resource_id)
    if structure is ResourceType.PATH:
        open_builder(body, client, services, structure, resource_id, path_view)
        return
    if structure is ResourceType.COURSE:
        open_builder(body, client, services, structure, resource_id, course_view)
        return
    open_content_modal(
        client,
        services,
        caller,
        trigger_id=body["trigger_id"],
        resource_id=int(body["actions"][0]["value"]),
        parent=library_parent(body),
    )


def handle_content_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    services: Services,
    client: WebClient,
) -> None:
    """Validate into the modal; save; close back to the library or confirm in place."""
    fields, errors = content_form(view)
    if fields is None:
        ack(response_action="errors", errors=errors)
        return
    meta = ContentMeta.loads(view.get("private_metadata", ""))
    caller = caller_of(body, services, client, refresh=False)
    try:
        if meta.resource_id:
            saved = services.catalog.update(
                caller=caller, resource_id=meta.resource_id, fields=fields
            )
        else:
            saved = services.catalog.create(caller=caller, fields=fields)
    except BotError as error:
        log_refusal(error, body)
        ack(response_action="errors", errors={Block.TITLE: error.user_message})
        return
    if fields.type is ResourceType.QUIZ and not meta.resource_id:  # its questions, next
        d = services.quiz_editor.start(caller=caller, resource_id=saved.id)
        ack(response_action="update", view=editor_view(d, QuizMeta(d.id, meta.from_home)))
        return
    if meta.parent_view_id and meta.parent_query:
        ack()  # back to the library, shown again with the change in it
        later(
            refresh_library, body=body, client=client, context=context, respond=None,
            caller=caller, view_id=meta.parent_view_id, query=meta.parent_query,
        )  # fmt: skip
        return
    text = f"*{mrkdwn(saved.title)}* is saved in your workspace's library ({saved.status_label})."
    if meta.from_home and meta.parent_query:
        ack()  # back to the Home tab, drawn with the change and this notice
        later(
            show_library, body=body, client=client, context=context, respond=None,
            caller=caller, view={"type": "home"}, query=meta.parent_query,
            notice=f":white_check_mark: {text}",
        )  # fmt: skip
        return
    ack(response_action="update", view=render("notice_modal.json.j2", title="Saved", text=text))


def register(app: App) -> None:
    app.action(Action.CONTENT_ADD)(after_ack(handle_content_add_action))
    app.action(Action.CONTENT_EDIT)(after_ack(handle_content_edit_action))
    app.view_submission(Callback.CONTENT)(handle_content_submission)

"""Add and edit content: the content modal, opened from /library, App Home or /training add."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.errors import BotError, NotAllowed
from bot.ids import Action, Block, Callback
from bot.render import render
from bot.services import Services
from bot.services.members import Caller
from handlers.forms import content_errors_for_modal, content_values
from handlers.library import refresh_library
from handlers.support import ack_only, caller_of, lazy
from models.rules import ContentFields, validate_content


def open_content_modal(
    client: WebClient,
    services: Services,
    caller: Caller,
    *,
    trigger_id: str,
    resource_id: int | None = None,
    parent: dict[str, Any] | None = None,
) -> None:
    """Open the form (pushed over the library modal when there is one)."""
    if not caller.can_manage:
        raise NotAllowed(
            "Only managers and admins can add or edit content. "
            "Ask a Trainbot admin if you need access."
        )
    resource = services.catalog.get(caller=caller, resource_id=resource_id) if resource_id else None
    metadata = json.dumps(
        {
            "id": resource_id,
            "file": bool(resource and resource.file_id),
            # The library modal underneath, to show it again with the change in it.
            "parent": parent and parent["id"],
            "parent_query": parent and parent.get("private_metadata", ""),
        }
    )
    view = render("content_modal.json.j2", resource=resource, metadata=metadata)
    if parent:
        client.views_push(trigger_id=trigger_id, view=view)
    else:
        client.views_open(trigger_id=trigger_id, view=view)


def handle_content_add_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    container = body.get("view") or {}
    parent = container if container.get("callback_id") == Callback.LIBRARY else None
    caller = caller_of(body, services, client)
    open_content_modal(client, services, caller, trigger_id=body["trigger_id"], parent=parent)


def handle_content_edit_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    caller = caller_of(body, services, client)
    open_content_modal(
        client,
        services,
        caller,
        trigger_id=body["trigger_id"],
        resource_id=int(body["actions"][0]["value"]),
        parent=body["view"],
    )


def handle_content_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, client: WebClient
) -> None:
    """Validate into the modal; save; close back to the library or confirm in place."""
    meta = json.loads(view.get("private_metadata") or "{}")
    fields, errors = content_form(view)
    if fields is None:
        ack(response_action="errors", errors=errors)
        return
    caller = caller_of(body, services, client)
    try:
        if meta.get("id"):
            saved = services.catalog.update(
                caller=caller, resource_id=int(meta["id"]), fields=fields
            )
        else:
            saved = services.catalog.create(caller=caller, fields=fields)
    except BotError as error:
        ack(response_action="errors", errors={Block.TITLE: error.user_message})
        return
    if meta.get("parent"):
        ack()  # back to the library, which the lazy listener refreshes
        return
    text = (
        f"*{saved.title}* is saved in your workspace's library ({saved.status.replace('_', ' ')})."
    )
    ack(response_action="update", view=render("notice_modal.json.j2", title="Saved", text=text))


def handle_content_saved(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """After a valid save from the library, show the library again with the change in it."""
    meta = json.loads(body["view"].get("private_metadata") or "{}")
    fields, _ = content_form(body["view"])
    if not meta.get("parent") or fields is None:
        return
    caller = caller_of(body, services, client)
    parent = {"id": meta["parent"], "private_metadata": meta.get("parent_query") or ""}
    refresh_library(client, services, caller, parent)


def content_form(view: dict[str, Any]) -> tuple[ContentFields | None, dict[str, str]]:
    """The modal's values as validated fields, or errors keyed by the modal's block_ids."""
    meta = json.loads(view.get("private_metadata") or "{}")
    raw, files = content_values(view)
    fields, errors = validate_content(raw, has_file=bool(files) or bool(meta.get("file")))
    modal_errors = content_errors_for_modal(errors)
    if files and raw.get("url"):
        modal_errors[Block.URL] = "Use either a link or an uploaded file, not both."
    if fields is None or modal_errors:
        return None, modal_errors
    if files:
        fields = replace(fields, url=files[0].get("permalink"), file_id=files[0]["id"])
    return fields, {}


def register(app: App) -> None:
    app.action(Action.CONTENT_ADD)(ack=ack_only, lazy=[lazy(handle_content_add_action)])
    app.action(Action.CONTENT_EDIT)(ack=ack_only, lazy=[lazy(handle_content_edit_action)])
    app.view_submission(Callback.CONTENT)(
        ack=handle_content_submission, lazy=[lazy(handle_content_saved)]
    )

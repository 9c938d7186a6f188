"""New path / Edit path: fields, role, overall due date, and steps with their days."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.ids import Action, Block, Callback
from bot.render import render
from bot.services import Services
from bot.services import builder_ops as ops
from bot.services.builders import DraftView
from handlers.builder_forms import BuilderMeta, block_of, builder_fields, path_extras
from handlers.builders import (
    change_and_redraw,
    finish,
    handle_step_suggestion,
    open_builder,
    picked,
)
from handlers.support import after_ack, caller_of
from models.enums import ResourceType


def path_view(d: DraftView, meta: BuilderMeta) -> dict[str, Any]:
    return render("path_builder.json.j2", d=d, metadata=meta.dumps())


def handle_path_new_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    open_builder(body, client, services, ResourceType.PATH, None, path_view)


def handle_builder_step_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """A step's menu: Move up / down, Remove (the days typed so far are kept)."""
    op, key = str(body["actions"][0]["selected_option"]["value"]).split(":", 1)
    _, _, days, _ = path_extras(body["view"], {})
    change_and_redraw(body, client, services, lambda d: ops.step_op(d, op, key, days), path_view)


def handle_builder_pick_step_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """A resource or course chosen in "Add a step": it becomes the last step."""
    caller = caller_of(body, services, client, refresh=False)
    resource_id = picked(body)
    title = services.builders.title_of(caller=caller, resource_id=resource_id)
    _, _, days, _ = path_extras(body["view"], {})

    def add(data: ops.Draft) -> None:
        ops.keep_days(data, days)
        ops.add_step(data, resource_id, title)

    change_and_redraw(body, client, services, add, path_view)


def handle_path_builder_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext,
    services: Services, client: WebClient,
) -> None:  # fmt: skip
    """Save path: fields, days and steps checked; errors under their inputs."""
    fields, errors = builder_fields(view, ResourceType.PATH)
    role, due_days, step_days, apply = path_extras(view, errors)
    if fields is None or errors:
        ack(response_action="errors", errors=errors)
        return
    caller = caller_of(body, services, client, refresh=False)
    meta = BuilderMeta.of(view)
    saved = services.builders.save_path(
        caller=caller, draft_id=meta.draft_id, fields=fields, role=role, due_days=due_days,
        step_days=step_days, apply=apply,
    )  # fmt: skip
    if saved.problems:
        ack(response_action="errors", errors={block_of(view, Block.PICK): " ".join(saved.problems)})
        return
    finish(ack, body, client, context, caller, saved, meta)


def register(app: App) -> None:
    app.action(Action.PATH_NEW)(after_ack(handle_path_new_action))
    app.action(Action.BUILDER_STEP)(after_ack(handle_builder_step_action))
    app.action(Action.BUILDER_PICK_STEP)(after_ack(handle_builder_pick_step_action))
    app.options(Action.BUILDER_PICK_STEP)(handle_step_suggestion)
    app.view_submission(Callback.PATH_BUILDER)(handle_path_builder_submission)

"""New course / Edit course: fields and sections, each section's items in a pushed view."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.ids import Action, Block, Callback
from bot.render import render
from bot.services import Services
from bot.services import builder_ops as ops
from bot.services.builders import DraftView
from bot.services.members import Caller
from handlers.builder_forms import (
    BuilderMeta,
    block_of,
    builder_fields,
    link_values,
    new_section_title,
    section_title,
)
from handlers.builders import (
    change_and_redraw,
    finish,
    handle_item_suggestion,
    open_builder,
    picked,
)
from handlers.support import after_ack, caller_of, later
from models.enums import ResourceType
from models.rules import validate_content


def course_view(d: DraftView, meta: BuilderMeta) -> dict[str, Any]:
    return render("course_builder.json.j2", d=d, metadata=meta.dumps())


def section_view(d: DraftView, meta: BuilderMeta) -> dict[str, Any]:
    sections = d.data["sections"]
    number, sec = next((n, s) for n, s in enumerate(sections, 1) if s["key"] == meta.section)
    return render("course_section.json.j2", d=d, sec=sec, number=number, metadata=meta.dumps())


def handle_course_new_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """New course (Manage content, Add content), or "Give it sections" on an existing one."""
    value = body["actions"][0].get("value")
    open_builder(body, client, services, ResourceType.COURSE, int(value) if value else None,
                 course_view)  # fmt: skip


def handle_builder_section_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """A section's menu: Edit items (pushed on top), Move up / down, Remove."""
    op, key = str(body["actions"][0]["selected_option"]["value"]).split(":", 1)
    caller = caller_of(body, services, client, refresh=False)
    view, meta = body["view"], BuilderMeta.of(body["view"])
    if op == "edit":
        d = services.builders.view(caller=caller, draft_id=meta.draft_id)
        section = BuilderMeta(meta.draft_id, meta.from_home, section=key, parent=view["id"])
        client.views_push(trigger_id=body["trigger_id"], view=section_view(d, section))
        return
    change_and_redraw(body, client, services, partial(ops.section_op, op=op, key=key),
                      course_view)  # fmt: skip


def handle_builder_add_section_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Add section (its button, or Enter in its field): the section, then its items."""
    add = partial(ops.add_section, title=new_section_title(body["view"]))
    change_and_redraw(body, client, services, add, course_view)


def handle_builder_item_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """An item's menu in a section: Move up / down, Make optional / required, Remove."""
    op, key, resource = str(body["actions"][0]["selected_option"]["value"]).split(":")
    edit = partial(ops.item_op, op=op, key=key, resource_id=int(resource))
    change_and_redraw(body, client, services, edit, section_view)


def handle_builder_pick_item_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """A resource chosen in "Add from the library": it joins the section at once."""
    caller = caller_of(body, services, client, refresh=False)
    resource_id = picked(body)
    title = services.builders.title_of(caller=caller, resource_id=resource_id)
    key = BuilderMeta.of(body["view"]).section or ""
    add = partial(ops.add_item, key=key, resource_id=resource_id, title=title)
    change_and_redraw(body, client, services, add, section_view)


def handle_builder_add_link_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Add link: a new resource in the workspace's library, added to this section."""
    caller = caller_of(body, services, client, refresh=False)
    view, meta = body["view"], BuilderMeta.of(body["view"])
    fields, errors = validate_content(link_values(view))
    if fields is None:
        d = services.builders.view(caller=caller, draft_id=meta.draft_id,
                                   notice="New link: " + " ".join(errors.values()))  # fmt: skip
    else:
        d = services.builders.add_link(caller=caller, draft_id=meta.draft_id,
                                       section_key=meta.section or "", fields=fields)  # fmt: skip
    client.views_update(view_id=view["id"], view=section_view(d, meta))


def handle_course_section_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext,
    services: Services, client: WebClient,
) -> None:  # fmt: skip
    """Done: the section's title is kept, and the builder underneath shows the section."""
    title, meta = section_title(view), BuilderMeta.of(view)
    if not title:
        ack(response_action="errors", errors={Block.SECTION_TITLE: "A section needs a title."})
        return
    ack()
    caller = caller_of(body, services, client, refresh=False)
    rename = partial(ops.rename_section, key=meta.section or "", title=title)
    d = services.builders.change(caller=caller, draft_id=meta.draft_id, edit=rename)
    later(_redraw_builder, body=body, client=client, context=context, respond=None, d=d, meta=meta)


def handle_course_section_closed(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Back: the builder underneath shows the items added meanwhile."""
    meta = BuilderMeta.of(body["view"])
    caller = caller_of(body, services, client, refresh=False)
    _redraw_builder(client, services.builders.view(caller=caller, draft_id=meta.draft_id), meta)


def _redraw_builder(client: WebClient, d: DraftView, meta: BuilderMeta) -> None:
    parent = BuilderMeta(meta.draft_id, meta.from_home)
    client.views_update(view_id=meta.parent, view=course_view(d, parent))


def handle_course_builder_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext,
    services: Services, client: WebClient,
) -> None:  # fmt: skip
    """Save course: every field and the whole structure checked; errors under their inputs."""
    fields, errors = builder_fields(view, ResourceType.COURSE)
    if fields is None:
        ack(response_action="errors", errors=errors)
        return
    caller: Caller = caller_of(body, services, client, refresh=False)
    saved = services.builders.save_course(
        caller=caller, draft_id=BuilderMeta.of(view).draft_id, fields=fields
    )
    if saved.problems:
        ack(
            response_action="errors",
            errors={block_of(view, Block.NEW_SECTION): " ".join(saved.problems)},
        )
        return
    finish(ack, body, client, context, caller, saved, BuilderMeta.of(view))


def register(app: App) -> None:
    app.action(Action.COURSE_NEW)(after_ack(handle_course_new_action))
    app.action(Action.BUILDER_SECTION)(after_ack(handle_builder_section_action))
    app.action(Action.BUILDER_ADD_SECTION)(after_ack(handle_builder_add_section_action))
    app.action(Action.BUILDER_ITEM)(after_ack(handle_builder_item_action))
    app.action(Action.BUILDER_PICK_ITEM)(after_ack(handle_builder_pick_item_action))
    app.action(Action.BUILDER_ADD_LINK)(after_ack(handle_builder_add_link_action))
    app.options(Action.BUILDER_PICK_ITEM)(handle_item_suggestion)
    app.view_submission(Callback.COURSE_BUILDER)(handle_course_builder_submission)
    app.view_submission(Callback.COURSE_SECTION)(handle_course_section_submission)
    app.view_closed(Callback.COURSE_SECTION)(after_ack(handle_course_section_closed))

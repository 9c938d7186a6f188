"""/assign: the modal, its typeahead, and the submission that creates assignments."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import local_today
from bot.delivery import deliver_pending, due_timestamp
from bot.errors import BotError
from bot.ids import Action, Block, Callback, Command
from bot.render import render
from bot.services import Services
from bot.services.assignments import AssignResult
from bot.services.catalog import require_manager
from bot.services.library import ResourceCard
from bot.services.members import Caller
from bot.services.team_suggestions import TeamSuggestion
from handlers.assign_forms import (
    assign_form,
    assign_metadata,
    confirmation_channel,
    default_due,
    first_group,
    parse_assign_text,
)
from handlers.home import home_state
from handlers.support import after_ack, caller_of, in_ack, later, log_refusal
from models.enums import ResourceType

SUGGESTIONS = 100  # Slack shows at most 100 options
log = logging.getLogger("trainbot.assign")


def open_assign_modal(
    client: WebClient,
    services: Services,
    caller: Caller,
    *,
    trigger_id: str,
    channel_id: str | None = None,
    text: str = "",
    resource_id: int | None = None,
    push: bool = False,
) -> None:
    require_manager(caller, "assign training")
    asked = parse_assign_text(text)
    resource = (
        services.catalog.get(caller=caller, resource_id=resource_id)
        if resource_id
        else (services.catalog.find_one(caller=caller, words=asked.words) if asked.words else None)
    )

    def draw(groups_unavailable: str | None) -> dict[str, Any]:
        return assign_view(
            services, caller, resource, users=asked.users, groups=asked.groups,
            groups_unavailable=groups_unavailable, metadata=assign_metadata(channel_id),
        )  # fmt: skip

    # The trigger_id lives 3 s: open first, ask Slack about user groups only after.
    known = services.usergroups.cached(team_id=caller.team_id)
    view = draw(known.unavailable if known else None)
    opened = (
        client.views_push(trigger_id=trigger_id, view=view)
        if push
        else client.views_open(trigger_id=trigger_id, view=view)
    )
    if known is None:
        unavailable = services.usergroups.listing(client, team_id=caller.team_id).unavailable
        if unavailable:
            _update_quietly(client, opened["view"], draw(unavailable))


def assign_view(
    services: Services,
    caller: Caller,
    resource: ResourceCard | None,
    *,
    users: Sequence[str] = (),
    groups: Sequence[tuple[str, str]] = (),
    groups_unavailable: str | None,
    metadata: str,
) -> dict[str, Any]:
    """The /assign modal; a path asks for a start date and whether to keep groups enrolled."""
    today = local_today(services.clock.now(), caller.tz)
    path = None
    if resource is not None and resource.type == ResourceType.PATH:
        path = services.paths.outline(caller=caller, path_id=resource.id)
    return render(
        "assign_modal.json.j2", resource=resource, users=list(users),
        groups=[{"id": gid, "label": label} for gid, label in groups],
        groups_unavailable=groups_unavailable, due=default_due(today), today=today.isoformat(),
        path=path, metadata=metadata,
    )  # fmt: skip


def handle_assign_resource_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """A training was chosen: redraw the modal for it (a path's start date, or a due date);
    what was typed elsewhere stays, as Slack keeps inputs whose ids do not change."""
    caller = caller_of(body, services, client, refresh=False)
    option = body["actions"][0].get("selected_option") or {}
    resource = (
        services.catalog.get(caller=caller, resource_id=int(option["value"]))
        if option.get("value") else None
    )  # fmt: skip
    shown = body["view"]
    known = services.usergroups.cached(team_id=caller.team_id)
    view = assign_view(
        services, caller, resource, groups_unavailable=known.unavailable if known else None,
        metadata=shown.get("private_metadata") or assign_metadata(None),
    )  # fmt: skip
    _update_quietly(client, shown, view)


def _update_quietly(client: WebClient, shown: dict[str, Any], view: dict[str, Any]) -> None:
    """Redraw a modal unless the person has changed it meanwhile (Slack's hash says so)."""
    try:
        client.views_update(view_id=shown["id"], hash=shown["hash"], view=view)
    except SlackApiError as error:
        log.info("assign modal not redrawn: %s", error.response.get("error"))


def handle_assign_command(body: dict[str, Any], client: WebClient, services: Services) -> None:
    caller = caller_of(body, services, client)
    open_assign_modal(
        client, services, caller, trigger_id=body["trigger_id"],
        channel_id=body.get("channel_id"), text=body.get("text", ""),
    )  # fmt: skip


def handle_assign_shortcut(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """The global shortcut "Assign training" (lightning menu): the same modal."""
    caller = caller_of(body, services, client)
    open_assign_modal(client, services, caller, trigger_id=body["trigger_id"])


def handle_home_assign_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """ "Assign training" on a manager's Home: the same modal."""
    caller = caller_of(body, services, client)
    open_assign_modal(client, services, caller, trigger_id=body["trigger_id"])


def handle_library_assign_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """ "Assign" on a library result: the assign modal, on top, with that resource chosen."""
    caller = caller_of(body, services, client)
    open_assign_modal(
        client, services, caller, trigger_id=body["trigger_id"],
        resource_id=int(body["actions"][0]["value"]),
        push=(body.get("view") or {}).get("type") == "modal",  # from Home's Browse: a new one
    )  # fmt: skip


def handle_team_suggestion_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """ "Assign" on a Team tab suggestion: the modal with that training and that group."""
    caller = caller_of(body, services, client)
    state = home_state(body.get("view"))
    group = f"<!subteam^{state.group}|{state.group_label or state.group}>" if state.group else ""
    open_assign_modal(
        client, services, caller, trigger_id=body["trigger_id"], text=group,
        resource_id=int(body["actions"][0]["value"]),
    )  # fmt: skip


def handle_resource_suggestion(
    ack: Ack, body: dict[str, Any], services: Services, client: WebClient
) -> None:
    """Typeahead over the caller's library, answered inside the ack; with nothing typed yet
    and a user group chosen, what is suggested for that group comes first."""
    caller = caller_of(body, services, client, refresh=False)
    typed = str(body.get("value", ""))
    found = services.catalog.suggest(caller=caller, words=typed, limit=SUGGESTIONS)
    library = [_option(title, kind, rid) for rid, title, kind in found]
    group = None if typed.strip() else first_group(body.get("view") or {})
    suggested = suggested_for(in_ack(client), services, caller, group) if group else ()
    if not suggested or group is None:
        ack(options=library)
        return
    ack(option_groups=[
        {"label": {"type": "plain_text", "text": _short(f"Suggested for {group[1]}")},
         "options": [_option(s.title, s.type, s.resource_id) for s in suggested]},
        {"label": {"type": "plain_text", "text": "Library"}, "options": library[:SUGGESTIONS]},
    ])  # fmt: skip


def suggested_for(
    client: WebClient, services: Services, caller: Caller, group: tuple[str, str]
) -> tuple[TeamSuggestion, ...]:
    try:
        people = services.usergroups.members(client, group_id=group[0])
    except SlackApiError:  # Slack will not say who is in it: no suggestions, the library
        return ()
    return services.team_suggestions.for_group(caller=caller, people=people, label=group[1])


def _option(title: str, kind: str, rid: int) -> dict[str, Any]:
    return {
        "text": {"type": "plain_text", "text": _short(_labelled(title, kind))},
        "value": str(rid),
    }


def handle_group_suggestion(
    ack: Ack, body: dict[str, Any], services: Services, client: WebClient
) -> None:
    """Typeahead over the workspace's user groups (a cached list: usergroups.list is Tier 2)."""
    groups = services.usergroups.listing(in_ack(client), team_id=str(body["team"]["id"]))
    found = groups.matching(str(body.get("value", "")), limit=SUGGESTIONS)
    ack(options=[
        {"text": {"type": "plain_text", "text": _short(g.label)}, "value": g.id} for g in found
    ])  # fmt: skip


def handle_assign_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    services: Services,
    client: WebClient,
) -> None:
    """Validate into the modal; write every assignment in one go; the DMs follow the ack."""
    caller = caller_of(body, services, client, refresh=False)
    today = local_today(services.clock.now(), caller.tz)
    form, errors = assign_form(
        view, today=today, client=in_ack(client), usergroups=services.usergroups,
        bot_user_id=context.bot_user_id,
    )  # fmt: skip
    if form is None:
        ack(response_action="errors", errors=errors)
        return
    try:
        result = services.assignments.assign(by=caller, form=form)
    except BotError as error:
        log_refusal(error, body)
        ack(response_action="errors", errors={Block.RESOURCE: error.user_message})
        return
    ack()
    later(confirm_and_send, body=body, client=client, context=context, respond=None,
          caller=caller, result=result)  # fmt: skip


def confirm_and_send(
    services: Services,
    client: WebClient,
    view: dict[str, Any],
    caller: Caller,
    result: AssignResult,
) -> None:
    """After the ack: learn who is a bot or deactivated, tell the manager, then send the DMs."""
    services.members.profile_strangers(
        workspace_id=caller.workspace_id, user_ids=result.created, profiles=client
    )
    dropped = services.assignments.drop_unreachable(assignment_ids=result.assignment_ids)
    services.outbox.enqueue(
        workspace_id=caller.workspace_id,
        key=f"assign-confirm:{view['id']}",  # a double submit confirms once
        recipient=caller.user_id,
        payload={
            **render("assign_confirm.json.j2", r=result.without(dropped), due_ts=due_timestamp),
            "channel": confirmation_channel(view),
        },
    )
    deliver_pending(services, client)


def _labelled(title: str, kind: str) -> str:
    """Paths say so in the typeahead ("Path: New support agent"): they enroll, not assign."""
    return f"Path: {title}" if kind == ResourceType.PATH else title


def _short(title: str) -> str:
    return title if len(title) <= 75 else title[:74] + "…"


def register(app: App) -> None:
    app.command(Command.ASSIGN)(after_ack(handle_assign_command))
    app.shortcut(Callback.ASSIGN_SHORTCUT)(after_ack(handle_assign_shortcut))
    app.options(Action.ASSIGN_RESOURCE)(handle_resource_suggestion)
    app.action(Action.ASSIGN_RESOURCE)(after_ack(handle_assign_resource_action))
    app.options(Action.ASSIGN_GROUPS)(handle_group_suggestion)
    app.view_submission(Callback.ASSIGN)(handle_assign_submission)
    app.action(Action.LIBRARY_ASSIGN)(after_ack(handle_library_assign_action))
    app.action(Action.HOME_ASSIGN)(after_ack(handle_home_assign_action))
    app.action(Action.TEAM_SUGGESTION_ASSIGN)(after_ack(handle_team_suggestion_action))

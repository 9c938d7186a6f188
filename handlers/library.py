"""/library: browse, search and filter the training library in a modal."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import BotError
from bot.ids import Action, Callback, Command
from bot.render import mrkdwn, render
from bot.services import Services
from bot.services.library import LibraryQuery
from bot.services.members import Caller
from handlers.forms import parse_library_text, query_after_action, query_to_metadata, search_text
from handlers.support import ack_only, after_ack, caller_of
from models.enums import ResourceStatus

log = logging.getLogger(__name__)

REFRESHING_ACTIONS = (
    Action.LIBRARY_SEARCH,
    Action.LIBRARY_FILTER_TYPE,
    Action.LIBRARY_FILTER_DOMAIN,
    Action.LIBRARY_FILTER_ACCESS,
    Action.LIBRARY_FILTER_LEVEL,
    Action.LIBRARY_FILTER_STATUS,
    Action.LIBRARY_CLEAR,
    Action.LIBRARY_FOR_ME,
    Action.LIBRARY_PREVIOUS,
    Action.LIBRARY_NEXT,
)


def library_view(
    services: Services, caller: Caller, query: LibraryQuery, notice: str = "", *,
    home: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """The library modal (or App Home's Browse tab); `notice` (mrkdwn) tells what happened."""
    if not caller.can_manage:  # e.g. demoted while looking at drafts
        query = replace(query, status=ResourceStatus.PUBLISHED, own=False)
    if query.for_me and not query.own:
        page = services.recommendations.browse(caller=caller, query=query)
    else:
        page = services.catalog.search(caller=caller, query=query)
    metadata = query_to_metadata(page.query)
    if not home:
        return render(
            "library_modal.json.j2",
            page=page, can_manage=caller.can_manage, metadata=metadata, notice=notice,
        )  # fmt: skip
    tab = "content" if query.own else "browse"  # the same query, and which Home tab this is
    return render(
        f"home_{tab}.json.j2",
        page=page, can_manage=caller.can_manage, notice=notice,
        counts=services.catalog.own_status_counts(caller=caller) if query.own else {},
        metadata=json.dumps({"tab": tab, **json.loads(metadata)}, separators=(",", ":")),
    )  # fmt: skip


def show_library(
    client: WebClient, services: Services, caller: Caller, view: dict[str, Any],
    query: LibraryQuery, notice: str = "",
) -> None:  # fmt: skip
    """Draw the library again where it is: a modal in place, or the Home tab."""
    if view.get("type") == "home":
        client.views_publish(
            user_id=caller.user_id, hash=view.get("hash"),
            view=library_view(services, caller, query, notice, home=True),
        )  # fmt: skip
    else:
        client.views_update(
            view_id=view["id"], hash=view.get("hash"),
            view=library_view(services, caller, query, notice),
        )  # fmt: skip


def ack_library_command(ack: Ack, body: dict[str, Any]) -> bool:
    """Bad filters get the usage at once; good ones open the modal after the ack."""
    try:
        parse_library_text(body.get("text", ""))
    except BotError as error:
        ack(text=error.user_message)
        return False
    ack()
    return True


def handle_library_command(body: dict[str, Any], client: WebClient, services: Services) -> None:
    query = parse_library_text(body.get("text", ""))
    caller = caller_of(body, services, client)
    client.views_open(trigger_id=body["trigger_id"], view=library_view(services, caller, query))


def handle_library_refresh_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """A filter, page or search change re-renders the modal in place."""
    view = body["view"]
    query = query_after_action(view, body["actions"][0])
    caller = caller_of(body, services, client)
    try:
        show_library(client, services, caller, view, query)
    except SlackApiError as error:
        if error.response.get("error") != "hash_conflict":
            raise
        # A quicker click already changed the modal; the newest choice wins, silently.
        log.info("library view %s changed meanwhile; update skipped", view["id"])


def handle_library_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, client: WebClient
) -> None:
    """The modal's "Search" button: answer with the new results in the same modal."""
    action = {"action_id": Action.LIBRARY_SEARCH, "value": search_text(view)}
    caller = caller_of(body, services, client, refresh=False)
    ack(
        response_action="update",
        view=library_view(services, caller, query_after_action(view, action)),
    )


def handle_library_remove_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Remove one of the workspace's own resources (archived if anyone was assigned it)."""
    caller = caller_of(body, services, client)
    removed = services.catalog.remove(caller=caller, resource_id=int(body["actions"][0]["value"]))
    title = f"*{mrkdwn(removed.title)}*"
    notice = (
        f":file_cabinet: {title} is archived: people were assigned it, so their history stays."
        if removed.archived
        else f":wastebasket: {title} is removed from the library."
    )
    view = {**body["view"], "hash": None}  # our own change: draw it whatever happened since
    show_library(client, services, caller, view, query_after_action(view, {}), notice)


def handle_library_restore_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    caller = caller_of(body, services, client)
    restored = services.catalog.set_status(
        caller=caller,
        resource_id=int(body["actions"][0]["value"]),
        status=ResourceStatus.PUBLISHED,
    )
    notice = f":white_check_mark: *{mrkdwn(restored.title)}* is published again."
    view = {**body["view"], "hash": None}
    show_library(client, services, caller, view, query_after_action(view, {}), notice)


def refresh_library(
    client: WebClient,
    services: Services,
    caller: Caller,
    view_id: str,
    query: LibraryQuery,
    notice: str = "",
) -> None:
    """Re-render a library modal after a change to what it lists."""
    client.views_update(view_id=view_id, view=library_view(services, caller, query, notice))


def register(app: App) -> None:
    app.command(Command.LIBRARY)(after_ack(handle_library_command, first=ack_library_command))
    for action_id in REFRESHING_ACTIONS:
        app.action(action_id)(after_ack(handle_library_refresh_action))
    app.view_submission(Callback.LIBRARY)(handle_library_submission)
    app.action(Action.LIBRARY_REMOVE)(after_ack(handle_library_remove_action))
    app.action(Action.LIBRARY_RESTORE)(after_ack(handle_library_restore_action))
    app.action(Action.LIBRARY_OPEN)(ack_only)

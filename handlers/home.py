"""App Home and the events that keep what we know about people current."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.clock import local_today
from bot.delivery import due_timestamp
from bot.ids import Action
from bot.render import render
from bot.services import Services
from bot.services.library import LibraryQuery
from bot.services.members import Caller
from handlers.library import library_view
from handlers.support import after_ack, caller_of


def handle_home_opened_event(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, services: Services
) -> None:
    if event.get("tab") != "home":
        return
    publish_home(client, services, caller_of(body, services, client))


def publish_home(client: WebClient, services: Services, person: Caller) -> None:
    """Draw this person's Home tab as it is now (on opening it, and after changes)."""
    today = local_today(services.clock.now(), person.tz)
    home = render(
        "home.json.j2",
        name=person.name,
        role=person.role.value,
        can_manage=person.can_manage,
        library_total=services.catalog.count_published(caller=person),
        d=services.dashboard.for_person(caller=person, today=today),
        today=today,
        due_ts=due_timestamp,
    )
    client.views_publish(user_id=person.user_id, view=home)


def handle_user_change_event(
    event: dict[str, Any], body: dict[str, Any], services: Services
) -> None:
    """Slack tells us about renames, timezone moves and deactivations."""
    services.members.apply_profile(team_id=str(body["team_id"]), user=event["user"])


def handle_home_browse_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    caller = caller_of(body, services, client)
    client.views_open(
        trigger_id=body["trigger_id"], view=library_view(services, caller, LibraryQuery())
    )


def register(app: App) -> None:
    app.event("app_home_opened")(after_ack(handle_home_opened_event))
    app.event("user_change")(after_ack(handle_user_change_event))
    app.action(Action.HOME_BROWSE)(after_ack(handle_home_browse_action))

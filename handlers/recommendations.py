"""Recommended for you on Home: "Not for me" hides one for good (titles are links)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.ids import Action
from bot.services import Services
from handlers.home import publish_home
from handlers.support import after_ack, caller_of


def handle_recommendation_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """ "Not for me": remember it, then draw Home again without it."""
    caller = caller_of(body, services, client)
    services.recommendations.dismiss(caller=caller, resource_id=int(body["actions"][0]["value"]))
    services.recommendations.refresh_for(caller=caller)
    publish_home(client, services, caller)


def register(app: App) -> None:
    app.action(Action.RECOMMENDATION_DISMISS)(after_ack(handle_recommendation_action))

"""Building the Bolt app: one middleware for dependencies, one error handler."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.db import database_unavailable
from bot.installations import SealedInstallationStore, cached_authorize
from bot.oauth import oauth_flow
from bot.services import Services
from bot.settings import Settings
from handlers.support import report_error, tell
from handlers.unavailable import TRY_AGAIN, answer_unavailable

log = logging.getLogger("trainbot.requests")


def build_app(services: Services, *, token_verification: bool = True) -> App:
    """The Bolt app shared by `serve` (HTTP and Socket Mode) and the tests.

    `process_before_response=True` makes Bolt answer Slack as soon as the listener
    returns instead of polling a worker thread every 10 ms; anything slow runs on
    `services.background` after the ack (handlers.support.after_ack).
    """
    settings, store = services.settings, services.installs.store
    client = make_client(settings)
    app = App(
        client=client,
        signing_secret=settings.signing_secret,
        process_before_response=True,
        token_verification_enabled=token_verification and not settings.many_workspaces,
        listener_executor=services.background,
        # Many workspaces: each request's token comes from its workspace's installation,
        # refreshed through `client` (SLACK_API_URL) when it is about to expire.
        oauth_flow=oauth_flow(services) if settings.many_workspaces else None,
        installation_store=store,
        # Bolt takes an Authorize instance as is; its hint names only plain functions.
        authorize=_authorize(settings, store, client),  # type: ignore[arg-type]
    )
    app.middleware(provide_services(services))
    app.error(handle_error)

    from handlers import register

    register(app)
    return app


def _authorize(
    settings: Settings, store: SealedInstallationStore | None, client: WebClient
) -> InstallationStoreAuthorize | None:
    """Many workspaces: Bolt's own authorize, with its answers kept (bot/installations.py)."""
    if store is None or not settings.client_id or not settings.client_secret:
        return None  # one bot token: Bolt checks it once at start
    return cached_authorize(store, client_id=settings.client_id,
                            client_secret=settings.client_secret, client=client)  # fmt: skip


def make_client(settings: Settings) -> WebClient:
    """The Web API client; Bolt copies its base_url and retry handlers into every request."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        # One quick retry for a rate limit, a 5xx or a dropped connection. Acks do not
        # call Slack, so these sleeps only ever delay work that runs after the ack.
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=1),
            ServerErrorRetryHandler(max_retry_count=1),
            ConnectionErrorRetryHandler(max_retry_count=1),
        ],
    )


def provide_services(services: Services) -> Callable[..., BoltResponse | None]:
    """The one middleware: dependencies into the context, event dedupe, one log line."""

    def middleware(body: dict[str, Any], context: Any, next: Any) -> BoltResponse | None:
        started = time.perf_counter()
        context["services"] = services
        event_id = body.get("event_id")
        is_event = body.get("type") == "event_callback" and bool(event_id)
        if is_event and not services.events.first_delivery(event_id=str(event_id)):
            log.info("duplicate event %s ignored", event_id)
            return BoltResponse(status=200, body="")
        response: BoltResponse | None = next()
        log.info(
            "interaction=%s user=%s status=%s ack_ms=%.1f",
            _kind(body),
            context.get("user_id"),
            response.status if response is not None else "-",
            (time.perf_counter() - started) * 1000,
        )
        return response

    return middleware


def handle_error(
    error: Exception,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
    context: BoltContext,
) -> BoltResponse | None:
    """Errors raised before the ack (work after it reports its own: handlers.support).

    The database down is no bug: the ack itself says to try again (handlers.unavailable).
    """
    if database_unavailable(error):
        response, told = answer_unavailable(body)
        services: Services | None = context.get("services")
        if not told and services is not None:  # a click: a note in place or a DM, after the ack
            services.background.submit(tell, TRY_AGAIN, body=body, client=client, respond=respond)
        return response
    report_error(error, body=body, client=client, respond=respond)
    return None


def _kind(body: dict[str, Any]) -> str:
    """A short name for the log: /library, event:app_home_opened, block_actions:library.next."""
    if "command" in body:
        return str(body["command"])
    if body.get("type") == "event_callback":
        return f"event:{(body.get('event') or {}).get('type')}"
    detail = [a.get("action_id") for a in body.get("actions") or []] or [
        (body.get("view") or {}).get("callback_id")
    ]
    return f"{body.get('type', 'unknown')}:{','.join(str(d) for d in detail if d)}"

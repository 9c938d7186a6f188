"""Glue every handler shares: running work after the ack, and telling people what failed."""

from __future__ import annotations

import inspect
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError

from bot.db import database_unavailable
from bot.errors import BotError, NotAllowed, NotFound
from bot.response_gate import opens_later, wait_for
from bot.services import Services
from bot.services.members import Caller
from handlers.unavailable import SLACK_BUSY, TRY_AGAIN

log = logging.getLogger("trainbot.errors")
effect_log = logging.getLogger("trainbot.requests")


def after_ack(
    func: Callable[..., None], *, first: Callable[[Ack, dict[str, Any]], bool] | None = None
) -> Callable[..., None]:
    """A listener that acks at once and runs `func` on the background executor.

    `first`, when given, may answer the request itself (a usage message, say) and
    return False to stop there. This is our own "lazy listener": Bolt's re-parses and
    deep-copies the whole request before it acks, which costs a click ~2-4 ms.
    """

    def listener(
        ack: Ack,
        body: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond | None,
    ) -> None:
        if first is None:
            ack()
        elif not first(ack, body):
            return
        later(func, body=body, client=client, context=context, respond=respond)

    listener.__name__ = func.__name__
    listener.__qualname__ = func.__qualname__
    return listener


def later(
    func: Callable[..., object],
    *,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond | None,
    **extra: Any,
) -> None:
    """Run `func` after the ack; its parameters are filled by name, as Bolt does."""
    available = {
        **context,
        "body": body,
        "client": client,
        "respond": respond,
        "event": body.get("event"),
        "view": body.get("view"),
        **extra,
    }
    services: Services = context["services"]
    services.background.submit(_run, func, available, opens_later())


def _run(
    func: Callable[..., object], available: dict[str, Any], gate: threading.Event | None = None
) -> None:
    """Run one piece of after-ack work; every failure reaches the user and the log.

    A BotError becomes an ephemeral reply; anything else is logged with its
    traceback and the user is given a reference to quote.
    """
    wait_for(gate)  # the ack is on its way to Slack first
    started = time.perf_counter()
    outcome = "ok"
    try:
        params = inspect.signature(func).parameters
        func(
            **{n: available[n] for n, p in params.items() if n in available or p.default is p.empty}
        )
    except Exception as error:  # every failure is reported, none is swallowed
        outcome = "refused" if isinstance(error, BotError) else "error"
        report_error(
            error, body=available["body"], client=available["client"], respond=available["respond"]
        )
    finally:
        effect_log.info(
            "effect=%s user=%s outcome=%s ms=%.1f",
            func.__name__,
            available.get("user_id"),
            outcome,
            (time.perf_counter() - started) * 1000,
        )


def ack_only(ack: Ack) -> None:
    """For requests whose whole effect comes after the ack (or that need none: link buttons)."""
    ack()


ACK_CALL_TIMEOUT_S = 2  # a call to Slack inside an ack: Slack gives the whole ack 3 s


def in_ack(client: WebClient) -> WebClient:
    """The request's client for calls to Slack made before the ack: no retry (the app's
    client sleeps out a 429's Retry-After, which can be a minute) and a short timeout.
    A refusal is then told at once (in the modal), and the person tries again."""
    return WebClient(token=client.token, base_url=client.base_url,
                     timeout=ACK_CALL_TIMEOUT_S, retry_handlers=[])  # fmt: skip


def caller_of(
    body: dict[str, Any], services: Services, client: WebClient, *, refresh: bool = True
) -> Caller:
    """The Member behind this request (created and profiled on first contact)."""
    user = body.get("user") or {}
    user_id = body.get("user_id") or user.get("id") or (body.get("event") or {}).get("user")
    team_id = body.get("team_id") or (body.get("team") or {}).get("id") or user.get("team_id")
    # Enterprise Grid: kept with the workspace, whose token may be its org's (org-wide install)
    enterprise_id = body.get("enterprise_id") or (body.get("enterprise") or {}).get("id")
    return services.members.resolve(
        team_id=str(team_id), user_id=str(user_id), profiles=client, refresh=refresh,
        enterprise_id=str(enterprise_id) if enterprise_id else None,
    )  # fmt: skip


def report_error(
    error: Exception, *, body: dict[str, Any], client: WebClient, respond: Respond | None
) -> None:
    if isinstance(error, BotError):
        log_refusal(error, body)
        text = error.user_message
    elif isinstance(error, SlackApiError) and _slack_busy(error):  # Slack's passing trouble
        log.warning("Slack refused (%s): HTTP %s %s", _who_and_what(body),
                    error.response.status_code, error.response.get("error"))  # fmt: skip
        text = SLACK_BUSY
    elif database_unavailable(error):  # not a bug: no traceback, no reference to quote
        log.warning(
            "database unavailable after the ack (%s): %s",
            _who_and_what(body),
            type(error.orig if isinstance(error, DBAPIError) else error).__name__,
        )
        text = TRY_AGAIN
    else:
        reference = uuid.uuid4().hex[:8]
        log.error("unexpected error (ref %s)", reference, exc_info=error)
        text = (
            "Sorry, something went wrong on our side. "
            f"Please try again; if it keeps happening, quote reference `{reference}`."
        )
    tell(text, body=body, client=client, respond=respond)


def _slack_busy(error: SlackApiError) -> bool:
    """A 429 or 5xx that outlasted the client's one retry: nothing wrong on our side."""
    status = getattr(error.response, "status_code", 200)
    return status == 429 or status >= 500


def log_refusal(error: BotError, body: dict[str, Any]) -> None:
    """One line for a refused request, with who sent it: something not found or not allowed
    may be a forged or replayed id (another workspace's, another person's)."""
    level = logging.WARNING if isinstance(error, NotFound | NotAllowed) else logging.INFO
    log.log(level, "refused %s: %s", _who_and_what(body), error.user_message)


def _who_and_what(body: dict[str, Any]) -> str:
    """team=T.. user=U.. and what they sent: the command, or each action's id and value."""
    user = body.get("user") or {}
    team = body.get("team_id") or (body.get("team") or {}).get("id") or user.get("team_id")
    user_id = body.get("user_id") or user.get("id") or (body.get("event") or {}).get("user")
    sent = [f"{a.get('action_id')}={_value(a)}" for a in body.get("actions") or []]
    if body.get("command"):
        sent.append(str(body["command"]))
    if body.get("view"):
        sent.append(f"view={body['view'].get('callback_id')}")
    return f"team={team} user={user_id} {' '.join(sent)}".rstrip()


def _value(action: dict[str, Any]) -> Any:
    return action.get("value") or (action.get("selected_option") or {}).get("value")


def tell(text: str, *, body: dict[str, Any], client: WebClient, respond: Respond | None) -> None:
    """An ephemeral note to whoever acted: in place when Slack gave a response_url, else a DM."""
    user_id = body.get("user_id") or (body.get("user") or {}).get("id")
    try:
        if respond is not None and body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif user_id:
            client.chat_postMessage(channel=str(user_id), text=text)
    except SlackApiError:
        log.warning("could not deliver a note to %s", user_id, exc_info=True)

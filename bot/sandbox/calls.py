"""/api/calls: every Web API call the app made, with the Slack limits its payload breaks."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.fakeslack import ApiCall, FakeSlack
from bot.sandbox.state import ApiProblem
from bot.slack_limits import check_message, check_view

MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)
VIEW_METHODS = frozenset({"views.open", "views.push", "views.update", "views.publish"})


def problems_of(call: ApiCall) -> list[str]:
    """What Slack would refuse or cut in this call's payload (bot.slack_limits)."""
    if call.method in MESSAGE_METHODS:
        return check_message(call.args, method=call.method)
    if call.method in VIEW_METHODS:
        view = call.args.get("view")
        return check_view(view) if isinstance(view, Mapping) else ["view is required"]
    return []


class CallLog:
    """Numbered calls (seq from 1), their problems worked out once each."""

    def __init__(self, fake: FakeSlack) -> None:
        self._fake = fake
        self._lock = threading.Lock()
        self._problems: list[list[str]] = []

    def since(self, raw: str | None) -> dict[str, Any]:
        try:
            since = max(1, int(raw or "1"))
        except ValueError:
            raise ApiProblem(400, f"since must be a whole number, not {raw!r}") from None
        calls = self._fake.calls
        with self._lock:
            for call in calls[len(self._problems) :]:
                self._problems.append(problems_of(call))
            problems = list(self._problems)
        listed = [
            _entry(seq, call, problems[seq - 1])
            for seq, call in enumerate(calls, start=1)
            if seq >= since
        ]
        return {
            "ok": True,
            "calls": listed,
            "next": len(calls) + 1,
            # Everything the stand-in refused or flagged, acks and response_urls included.
            "violations": list(self._fake.limit_violations),
        }


def _entry(seq: int, call: ApiCall, problems: list[str]) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": datetime.fromtimestamp(call.at, UTC).isoformat(),
        "method": call.method,
        "args": call.args,
        "ok": bool(call.response.get("ok")),
        "error": call.response.get("error"),
        "http_status": call.http_status,
        "problems": problems,
    }

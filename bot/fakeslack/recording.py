"""What the app asked the Web API, and the failures a test wants it to meet."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApiCall:
    """One Web API request as the stand-in saw and answered it."""

    method: str
    args: dict[str, Any]  # decoded: form/JSON/query merged, JSON-valued fields parsed
    token: str | None
    http_status: int
    response: dict[str, Any]
    at: float  # time.time() when answered
    team_id: str | None = None  # the workspace that answered (None: refused before that)


@dataclass(frozen=True)
class Reply:
    """An HTTP answer the server writes out."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(
        cls, data: dict[str, Any], status: int = 200, headers: tuple[tuple[str, str], ...] = ()
    ) -> Reply:
        return cls(status, json.dumps(data).encode("utf-8"), headers=headers)

    @classmethod
    def text(cls, text: str, status: int = 200) -> Reply:
        return cls(status, text.encode("utf-8"), content_type="text/plain; charset=utf-8")


class CallLog:
    """Recorded calls; waiting uses a Condition on FakeSlack's single lock."""

    def __init__(self, changed: threading.Condition) -> None:
        self._calls: list[ApiCall] = []
        self._changed = changed

    def add(self, call: ApiCall) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def all(self) -> list[ApiCall]:
        with self._changed:
            return list(self._calls)

    def clear(self) -> None:
        with self._changed:
            self._calls.clear()

    def wait_for(
        self, method: str, predicate: Callable[[ApiCall], bool] | None, timeout: float
    ) -> ApiCall:
        """The first recorded call to `method` matching `predicate`, waiting if need be."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for call in self._calls:
                    if call.method == method and (predicate is None or predicate(call)):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self._calls]
                    raise AssertionError(
                        f"no matching {method} call within {timeout}s; calls seen: {seen}"
                    )
                self._changed.wait(remaining)


@dataclass
class Failure:
    error: str | None
    status: int
    retry_after: int | None
    remaining: int
    team_id: str | None = None  # only for calls about this workspace (None: any)

    def reply(self) -> tuple[Reply, dict[str, Any]]:
        """The HTTP answer, and the dict recorded as the call's response."""
        if self.status == 429:
            body = {"ok": False, "error": "ratelimited"}
            retry = str(self.retry_after if self.retry_after is not None else 1)
            return Reply.json(body, status=429, headers=(("Retry-After", retry),)), body
        if self.status >= 500:
            text = self.error or "internal_error"
            return Reply.text(text, self.status), {"ok": False, "error": text}
        body = {"ok": False, "error": self.error or "internal_error"}
        return Reply.json(body, status=self.status), body


class FailurePlan:
    """Per-method queues of injected failures, each used for `times` calls."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Failure]] = {}

    def add(self, method: str, failure: Failure) -> None:
        self._queues.setdefault(method, deque()).append(failure)

    def take(self, method: str, team_id: str | None = None) -> Failure | None:
        """The next failure planned for `method` that applies to a call about `team_id`."""
        queue = self._queues.get(method) or deque()
        failure = next((f for f in queue if f.team_id in (None, team_id)), None)
        if failure is None:
            return None
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.remove(failure)
        return failure

    def clear(self) -> None:
        self._queues.clear()

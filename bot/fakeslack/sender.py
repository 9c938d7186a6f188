"""Signed HTTP requests to the app, the way Slack's servers send them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.fakeslack.facade import WorkspaceFacade

ACK_LIMIT_MS = 3000.0  # Slack shows the person an error when the ack takes longer


@dataclass(frozen=True)
class AppResponse:
    """What the app answered: HTTP status, raw body, body as JSON when it is JSON."""

    status: int
    body: str
    json: Any | None
    elapsed_ms: float


def sign(signing_secret: str, timestamp: str, body: bytes) -> str:
    """X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:{ts}:{raw body}"))."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


class SignedSender:
    """Posts signed bodies to the app's request URL and times the ack."""

    def __init__(
        self, app_url: str, signing_secret: str, fake: WorkspaceFacade, timeout: float
    ) -> None:
        self.app_url = app_url
        self._secret = signing_secret
        self._fake = fake
        self._timeout = timeout
        # Never route localhost traffic through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def send_raw(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AppResponse:
        """POST `body` as-is; override timestamp/signature to test the app's verification."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        if signature is None:
            signature = sign(self._secret, ts, body)
        request_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        request = urllib.request.Request(
            self.app_url, data=body, headers=request_headers, method="POST"
        )
        started = time.perf_counter()
        status, raw = self._exchange(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms > ACK_LIMIT_MS:
            self._fake.record_violations(
                "ack", [f"the app took {elapsed_ms:.0f} ms to answer (Slack waits 3000 ms)"]
            )
        text = raw.decode("utf-8", errors="replace")
        return AppResponse(status, text, _json_or_none(text), elapsed_ms)

    def _exchange(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:
            try:
                return error.code, error.read()
            finally:
                error.close()

    def post_form(self, fields: Mapping[str, str]) -> AppResponse:
        return self.send_raw(urlencode(fields).encode("utf-8"), "application/x-www-form-urlencoded")

    def post_payload(self, payload: Mapping[str, Any]) -> AppResponse:
        """Interactions arrive as a form with one field, payload=<JSON>."""
        return self.post_form({"payload": json.dumps(payload)})

    def post_json(self, data: Mapping[str, Any], headers: Mapping[str, str]) -> AppResponse:
        body = json.dumps(data).encode("utf-8")
        return self.send_raw(body, "application/json", headers=headers)


def _json_or_none(text: str) -> Any | None:
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        return None

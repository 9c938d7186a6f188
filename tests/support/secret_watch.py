"""No token, signing secret or key in anything the app writes down or sends: every log line
of the whole suite (the app's own at every level, libraries' warnings and errors, caught
before any redaction) and every payload the app sent the Slack stand-in."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable

from bot.fakeslack.recording import ApiCall

# Slack's token shapes (bot, user, refresh, app-level, rotated "xoxe.xoxb-") and a Fernet key.
SHAPES = re.compile(r"\b(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]+|\b[A-Za-z0-9_-]{43}=")
# Where a call rightly carries a credential: to Slack itself, in the fields meant for it.
CREDENTIAL_ARGS = frozenset({"token", "client_secret", "refresh_token", "code"})


class SecretWatch(logging.Handler):
    """Keeps each record that shows a secret (a known value, or a token's or key's shape)."""

    def __init__(self, known: Iterable[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.known = [k for k in known if k]
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        if self.leaks(text):
            self.found.append(f"{record.name}: {text[:300]}")

    def leaks(self, text: str) -> bool:
        return bool(SHAPES.search(text)) or any(k in text for k in self.known)


def leaked_in_calls(calls: Iterable[ApiCall], watch: SecretWatch) -> list[str]:
    """Calls whose payload (not their credential fields) carries a secret."""
    shown = [
        (call.method, json.dumps({k: v for k, v in call.args.items() if k not in CREDENTIAL_ARGS}))
        for call in calls
    ]
    return [f"{method}: {text[:300]}" for method, text in shown if watch.leaks(text)]


def leaked_in_texts(texts: Iterable[object], watch: SecretWatch) -> list[str]:
    return [str(t)[:300] for t in texts if watch.leaks(json.dumps(t, default=str))]

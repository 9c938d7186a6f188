"""No token, signing secret or key in a log line: every handler of the root logger drops
them from what it writes (a library's DEBUG line may carry an OAuth response or a secret)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.settings import Settings

SLACK_TOKEN = re.compile(r"\b(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]+")
REDACTED = "(redacted)"


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is removed whole.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.clean(logging.Formatter().formatException(record.exc_info))
        return True

    def clean(self, text: str) -> str:
        text = SLACK_TOKEN.sub(REDACTED, text)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def redact_logs(settings: Settings) -> None:
    """Put the filter on every handler of the root logger (call after logging is set up)."""
    secrets = [settings.bot_token, settings.app_token, settings.signing_secret,
               settings.client_secret, *settings.encryption_keys]  # fmt: skip
    redaction = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redaction)

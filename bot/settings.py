"""The one place configuration is read: environment variables, then a `.env` file."""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

DEFAULT_API_URL = "https://slack.com/api/"
# Slack lets an app post about one message per second per channel and "several hundred
# per minute" to a workspace; DMs are separate channels, so the workspace pace is ours.
DEFAULT_SEND_PER_MINUTE = 240
# A sender's claim on the messages it is sending; one that dies holds them this long.
DEFAULT_OUTBOX_LEASE_S = 120
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A missing or malformed setting; the message names the variable and the fix."""


class MissingSetting(SettingsError):
    """A setting `serve` needs was not given at all (no Slack app set up yet, perhaps)."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    api_url: str
    database_url: str
    port: int
    default_tz: str
    log_level: str
    send_per_minute: int = DEFAULT_SEND_PER_MINUTE
    # The deployment's public base address (certificates' verification links), if any.
    public_url: str | None = None
    # Keys that seal workspace tokens at rest: the first seals, every one opens.
    encryption_keys: tuple[str, ...] = ()
    # The app's OAuth credentials: with both and no bot token, Trainbot is installed per
    # workspace through Slack's OAuth flow (many workspaces) instead of using one token.
    client_id: str | None = None
    client_secret: str | None = None
    outbox_lease_s: int = DEFAULT_OUTBOX_LEASE_S

    @classmethod
    def load(
        cls, environ: Mapping[str, str] | None = None, *, env_file: Path | None = None
    ) -> Settings:
        """Read settings; real environment variables win over the `.env` file."""
        values = _merged(os.environ if environ is None else environ, env_file)
        return cls(
            bot_token=_token(values, "SLACK_BOT_TOKEN", "xoxb-"),
            signing_secret=values.get("SLACK_SIGNING_SECRET") or None,
            app_token=_token(values, "SLACK_APP_TOKEN", "xapp-"),
            api_url=_api_url(values.get("SLACK_API_URL") or DEFAULT_API_URL),
            database_url=_database_url(values.get("DATABASE_URL")),
            port=_port(values.get("PORT") or "3000"),
            default_tz=_timezone(values.get("TRAINBOT_DEFAULT_TZ") or "UTC"),
            log_level=_log_level(values.get("LOG_LEVEL") or "INFO"),
            send_per_minute=_send_per_minute(
                values.get("TRAINBOT_SEND_PER_MINUTE") or str(DEFAULT_SEND_PER_MINUTE)
            ),
            public_url=_public_url(values.get("TRAINBOT_PUBLIC_URL") or None),
            encryption_keys=_encryption_keys(values.get("TRAINBOT_ENCRYPTION_KEY") or ""),
            client_id=values.get("SLACK_CLIENT_ID") or None,
            client_secret=values.get("SLACK_CLIENT_SECRET") or None,
            outbox_lease_s=_lease(values.get("TRAINBOT_OUTBOX_LEASE_S") or ""),
        )

    @property
    def many_workspaces(self) -> bool:
        """Installed per workspace through OAuth (SLACK_CLIENT_ID and _SECRET, no bot token)."""
        return bool(self.client_id and self.client_secret and not self.bot_token)

    def require_oauth(self) -> None:
        """What installing through OAuth needs besides the client id and secret."""
        _require(
            self.signing_secret, "SLACK_SIGNING_SECRET", "the Signing Secret from Basic Information"
        )
        if not self.encryption_keys:
            raise MissingSetting(
                "TRAINBOT_ENCRYPTION_KEY is not set: installing in many workspaces keeps their "
                "tokens sealed with it; make one with `trainbot secrets new-key`"
            )
        _require(
            self.public_url, "TRAINBOT_PUBLIC_URL",
            "the address Slack redirects to after an install (https://trainbot.example.com)",
        )  # fmt: skip

    def require_http(self) -> None:
        """What `serve` needs in HTTP mode."""
        if self.many_workspaces:  # installed per workspace: no bot token of its own
            self.require_oauth()
            return
        _require(
            self.bot_token, "SLACK_BOT_TOKEN", "the bot token (xoxb-...) from OAuth & Permissions"
        )
        _require(
            self.signing_secret, "SLACK_SIGNING_SECRET", "the Signing Secret from Basic Information"
        )

    def require_socket_mode(self) -> None:
        if self.many_workspaces:
            raise SettingsError(
                "Socket Mode serves one workspace: set SLACK_BOT_TOKEN, or serve many workspaces "
                "over HTTP (without --socket-mode), where Slack can reach /slack/oauth_redirect"
            )
        _require(
            self.bot_token, "SLACK_BOT_TOKEN", "the bot token (xoxb-...) from OAuth & Permissions"
        )
        _require(
            self.app_token,
            "SLACK_APP_TOKEN",
            "an app-level token (xapp-...) with connections:write, from Basic Information",
        )

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


def _merged(environ: Mapping[str, str], env_file: Path | None) -> dict[str, str]:
    path = env_file if env_file is not None else Path.cwd() / ".env"
    from_file = (
        {k: v for k, v in dotenv_values(path).items() if v is not None} if path.is_file() else {}
    )
    return {**from_file, **{k: v for k, v in environ.items() if v != ""}}


def _require(value: str | None, name: str, what: str) -> None:
    if not value:
        raise MissingSetting(f"{name} is not set: put {what} in the environment or in .env")


def _token(values: Mapping[str, str], name: str, prefix: str) -> str | None:
    token = values.get(name) or None
    if token is not None and not token.startswith(prefix):
        raise SettingsError(f"{name} looks wrong: it should start with '{prefix}'")
    return token


def _api_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(
            f"SLACK_API_URL is not an http(s) URL: use e.g. {DEFAULT_API_URL} (got {url!r})"
        )
    return url if url.endswith("/") else url + "/"


def _public_url(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(
            "TRAINBOT_PUBLIC_URL must be the deployment's public base address, like "
            f"https://trainbot.example.com (got {url!r})"
        )
    return url.rstrip("/")


def _encryption_keys(value: str) -> tuple[str, ...]:
    keys = tuple(key.strip() for key in value.split(",") if key.strip())
    for number, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raw = b""
        if len(raw) != 32:
            raise SettingsError(
                f"TRAINBOT_ENCRYPTION_KEY: key {number} is not 32 random bytes in URL-safe "
                "base64: make one with `trainbot secrets new-key`"
            )
    return keys


def _database_url(url: str | None) -> str:
    if not url:
        return f"sqlite:///{Path.cwd() / 'trainbot.sqlite3'}"
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if scheme == "sqlite":
        return url
    raise SettingsError(
        "DATABASE_URL must be sqlite:///path/to/file.db or postgresql://user@host/dbname "
        f"(got scheme {scheme or 'none'!r})"
    )


def _port(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"PORT must be a TCP port number between 1 and 65535 (got {raw!r})")
    return int(raw)


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"TRAINBOT_DEFAULT_TZ must be an IANA timezone such as Europe/Berlin (got {name!r})"
        ) from None
    return name


def _send_per_minute(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) <= 100_000:
        raise SettingsError(
            "TRAINBOT_SEND_PER_MINUTE must be a whole number of messages per minute, "
            f"e.g. {DEFAULT_SEND_PER_MINUTE} (got {raw!r})"
        )
    return int(raw)


def _lease(raw: str) -> int:
    if not raw:
        return DEFAULT_OUTBOX_LEASE_S
    if not raw.isdigit() or not 10 <= int(raw) <= 3600:
        raise SettingsError(
            "TRAINBOT_OUTBOX_LEASE_S must be a whole number of seconds from 10 to 3600, "
            f"e.g. {DEFAULT_OUTBOX_LEASE_S} (got {raw!r})"
        )
    return int(raw)


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)} (got {raw!r})")
    return level

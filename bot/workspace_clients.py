"""The Web API client that each workspace's background work uses (the outbox sender, the
jobs): with one bot token (SLACK_BOT_TOKEN) the same client for every row; installed
through OAuth (many workspaces), a client with that workspace's own token, looked up in
its installation and kept for a minute so a round of sending asks the database once."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.installations import SealedInstallationStore
from models import Workspace

TOKEN_TTL_S = 60.0
ROTATE_MINUTES_BEFORE_EXPIRY = 120  # as Bolt does for requests
log = logging.getLogger("trainbot.tokens")


class WorkspaceClients:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        store: SealedInstallationStore | None,
        rotator: TokenRotator | None = None,
    ) -> None:
        self._sessions = sessions
        self._store = store  # None: one workspace, one token
        self._rotator = rotator  # expiring tokens (token rotation) are refreshed before use
        self._cache: dict[int, tuple[tuple[str, str] | None, float]] = {}
        self._lock = threading.Lock()

    def of(self, base: WebClient, workspace_id: int) -> WebClient | None:
        """`base` itself with one token; else a client like it with the workspace's token,
        or None when the workspace has no installation (not installed, or uninstalled)."""
        if self._store is None:
            return base
        found = self._token(workspace_id)
        if found is None:
            return None
        token, team_id = found
        # team_id goes with every call: an org-wide (Enterprise Grid) token acts on many
        # workspaces and needs it to know which; a workspace's own token ignores it.
        return WebClient(token=token, base_url=base.base_url, timeout=base.timeout,
                         retry_handlers=base.retry_handlers, team_id=team_id)  # fmt: skip

    def forget(self, workspace_id: int) -> None:
        with self._lock:
            self._cache.pop(workspace_id, None)

    def forget_all(self) -> None:
        with self._lock:
            self._cache.clear()

    def _token(self, workspace_id: int) -> tuple[str, str] | None:
        """(bot token, team id) of the workspace's installation, or of its org's."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(workspace_id)
        if cached is not None and now - cached[1] < TOKEN_TTL_S:
            return cached[0]
        with self._sessions.begin() as s:
            found = s.execute(select(Workspace.team_id, Workspace.enterprise_id)
                              .where(Workspace.id == workspace_id)).first()  # fmt: skip
        bot = self._bot(found.team_id, found.enterprise_id) if found is not None else None
        token = (bot.bot_token, found.team_id) if bot and bot.bot_token and found else None
        with self._lock:
            self._cache[workspace_id] = (token, now)
        return token

    def _bot(self, team_id: str, enterprise_id: str | None) -> Bot | None:
        """The workspace's own installation, else its Enterprise Grid org's (org-wide)."""
        assert self._store is not None
        bot = self._store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and enterprise_id:
            bot = self._store.find_bot(enterprise_id=enterprise_id, team_id=None,
                                       is_enterprise_install=True)  # fmt: skip
        return self._fresh(bot) if bot is not None else None

    def _fresh(self, bot: Bot) -> Bot:
        """The bot with a token good for a while: refreshed (and kept) if it expires soon."""
        if self._rotator is None or self._store is None:
            return bot
        try:
            refreshed = self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE_EXPIRY
            )
        except SlackTokenRotationError as error:  # another process may have refreshed it
            log.warning("refreshing the token of %s failed: %s", bot.team_id, error.api_error)
            again = self._store.find_bot(
                enterprise_id=bot.enterprise_id,
                team_id=bot.team_id,
                is_enterprise_install=bot.is_enterprise_install,
            )
            return again or bot
        if refreshed is None:
            return bot
        self._store.save_bot(refreshed)
        return refreshed

"""The Web API client that each workspace's background work uses (the outbox sender, the
jobs): with one bot token (SLACK_BOT_TOKEN) the same client for every row; installed
through OAuth (many workspaces), a client with that workspace's own token, looked up in
its installation and kept for a minute so a round of sending asks the database once."""

from __future__ import annotations

import threading
import time

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.installations import SealedInstallationStore
from models import Workspace

TOKEN_TTL_S = 60.0


class WorkspaceClients:
    def __init__(
        self, *, sessions: sessionmaker[Session], store: SealedInstallationStore | None
    ) -> None:
        self._sessions = sessions
        self._store = store  # None: one workspace, one token
        self._cache: dict[int, tuple[str | None, float]] = {}
        self._lock = threading.Lock()

    def of(self, base: WebClient, workspace_id: int) -> WebClient | None:
        """`base` itself with one token; else a client like it with the workspace's token,
        or None when the workspace has no installation (not installed, or uninstalled)."""
        if self._store is None:
            return base
        token = self._token(workspace_id)
        if token is None:
            return None
        return WebClient(token=token, base_url=base.base_url, timeout=base.timeout,
                         retry_handlers=base.retry_handlers)  # fmt: skip

    def forget(self, workspace_id: int) -> None:
        with self._lock:
            self._cache.pop(workspace_id, None)

    def forget_all(self) -> None:
        with self._lock:
            self._cache.clear()

    def _token(self, workspace_id: int) -> str | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(workspace_id)
        if cached is not None and now - cached[1] < TOKEN_TTL_S:
            return cached[0]
        assert self._store is not None
        with self._sessions.begin() as s:
            found = s.execute(select(Workspace.team_id, Workspace.enterprise_id)
                              .where(Workspace.id == workspace_id)).first()  # fmt: skip
        bot = (
            self._store.find_bot(enterprise_id=found.enterprise_id, team_id=found.team_id)
            if found is not None else None
        )  # fmt: skip
        token = bot.bot_token if bot is not None else None
        with self._lock:
            self._cache[workspace_id] = (token, now)
        return token

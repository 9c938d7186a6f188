"""Where each workspace's installation (and so its tokens) is kept: slack_sdk's SQLAlchemy
installation store, on our own tables (migrations/ creates them), with every token sealed.

Tokens are sealed on the way in and opened on the way out, so the rest of the app (Bolt's
authorize, the outbox sender, the jobs) sees plain tokens while a dump of the database
shows none. `rotate` reseals them all with the first key.

Bolt authorizes every request from the installation store: it looks up the workspace's
installation (and, unless told the app has only bot tokens, the clicking person's own),
then asks Slack's auth.test who the token is. Both answers are kept for a while here (see
`_Recent` and `cached_authorize`), so a request from a workspace seen lately costs no query
and no call to Slack before its ack.
"""

from __future__ import annotations

import copy
import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.context import BoltContext
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, select, update

from bot.token_keys import Keyring
from models.slack_oauth import TOKEN_COLUMNS, slack_bots, slack_installations

# How long a lookup is used without asking the database again. What this process writes (an
# install, an uninstall, a refreshed token) is seen at once: every write forgets what it
# touched. What another replica writes is seen within this time, which bounds the harm:
# Slack sends no requests for a workspace that uninstalled, and answers invalid_auth /
# token_revoked to a revoked token anyway; a token another replica refreshed still works
# until it expires (refreshes start two hours before); and a request the kept lookup does
# not authorize (its refresh token spent by that replica) is looked up again (_KeptAuthorize).
CACHE_TTL_S = 60.0
# auth.test's answer for a token never changes. What stops a token's use is the store no
# longer returning it (above); this only bounds how long answers for replaced tokens stay.
AUTH_TEST_TTL_S = 3600.0
_GRACE_S = 60.0  # see _AuthTestAnswers

_Entity = TypeVar("_Entity", Installation, Bot)
_Found = TypeVar("_Found", Installation | None, Bot | None)
_Key = tuple[str, str | None, str | None, bool, str | None]  # what, enterprise, team, org, user


class _Recent:
    """Lookups of the installation tables by their arguments, each kept for `ttl_s`."""

    def __init__(self, ttl_s: float, clock: Callable[[], float]) -> None:
        self._ttl_s, self._clock = ttl_s, clock
        self._found: dict[_Key, tuple[Any, float]] = {}
        self._lock = threading.Lock()
        self._generation = 0  # moved on by every write
        self._swept = clock()

    def get(self, key: _Key, load: Callable[[], _Found]) -> _Found:
        now = self._clock()
        with self._lock:
            hit = self._found.get(key)
            generation = self._generation
        if hit is not None and now - hit[1] < self._ttl_s:
            found: _Found = hit[0]
        else:  # not known (None, "not installed", is kept too: the clicker's own lookup)
            found = load()
            with self._lock:
                # A write while we read may have made `found` stale: keep it only if none did.
                if generation == self._generation:
                    self._found[key] = (found, now)
                self._sweep(now)
        # A copy each time: Bolt's authorize clears the user token on what it is given.
        return copy.copy(found)

    def forget(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Drop what was looked up for this org or team (everything, given neither)."""

        def about(key: _Key) -> bool:
            if enterprise_id is None and team_id is None:
                return True
            return (enterprise_id is not None and key[1] == enterprise_id) or (
                team_id is not None and key[2] == team_id
            )

        with self._lock:
            self._generation += 1
            self._found = {key: value for key, value in self._found.items() if not about(key)}

    def _sweep(self, now: float) -> None:
        if now - self._swept >= self._ttl_s:
            self._swept = now
            self._found = {k: v for k, v in self._found.items() if now - v[1] < self._ttl_s}


class SealedInstallationStore(SQLAlchemyInstallationStore):
    def __init__(
        self,
        *,
        client_id: str,
        engine: Engine,
        keyring: Keyring,
        ttl_s: float = CACHE_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.metadata = slack_installations.metadata  # ours: Alembic creates the tables
        self.installations, self.bots = slack_installations, slack_bots
        self._keys = keyring
        self._recent = _Recent(ttl_s, clock)

    def create_tables(self) -> None:
        raise RuntimeError("the installation tables are created by `trainbot db upgrade`")

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:  # fmt: skip
        load = functools.partial(super().find_bot, enterprise_id=enterprise_id, team_id=team_id,
                                 is_enterprise_install=is_enterprise_install)  # fmt: skip
        key = ("bot", enterprise_id, team_id, bool(is_enterprise_install), None)
        return self._recent.get(key, load)

    def find_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:  # fmt: skip
        load = functools.partial(super().find_installation, enterprise_id=enterprise_id,
                                 team_id=team_id, user_id=user_id,
                                 is_enterprise_install=is_enterprise_install)  # fmt: skip
        key = ("installation", enterprise_id, team_id, bool(is_enterprise_install), user_id)
        return self._recent.get(key, load)

    def forget(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Look this org or team up in the database next time (its rows changed elsewhere)."""
        self._recent.forget(enterprise_id, team_id)

    # Every write forgets what it touched once it is done, so the next lookup reads it.

    def save(self, installation: Installation) -> None:
        try:
            super().save(self._sealed(installation))
        finally:
            self.forget(enterprise_id=installation.enterprise_id, team_id=installation.team_id)

    def save_bot(self, bot: Bot) -> None:
        # `save` hands over its (already sealed) installation's bot: seal only what is not.
        try:
            super().save_bot(self._sealed(bot))
        finally:
            self.forget(enterprise_id=bot.enterprise_id, team_id=bot.team_id)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        try:
            super().delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        finally:
            self.forget(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        try:
            super().delete_installation(enterprise_id=enterprise_id, team_id=team_id,
                                        user_id=user_id)  # fmt: skip
        finally:
            self.forget(enterprise_id=enterprise_id, team_id=team_id)

    def build_installation_entity(self, row: Mapping[str, Any]) -> Installation:  # type: ignore[override]
        return super().build_installation_entity(self._opened(row))

    def build_bot_entity(self, row: Mapping[str, Any]) -> Bot:  # type: ignore[override]
        return super().build_bot_entity(self._opened(row))

    def _sealed(self, entity: _Entity) -> _Entity:
        sealed = copy.copy(entity)
        for name in TOKEN_COLUMNS:
            value = getattr(sealed, name, None)
            if value is not None and not self._keys.is_sealed(value):
                setattr(sealed, name, self._keys.seal(value))
        return sealed

    def _opened(self, row: Mapping[str, Any]) -> dict[str, Any]:
        opened = dict(row)
        for name in TOKEN_COLUMNS:
            if name in opened:
                opened[name] = self._keys.open(opened[name])
        return opened


class _AuthTestAnswers(dict[str, AuthorizeResult]):
    """Bolt's auth.test answers by token (its `cache_enabled`), each counted for `ttl_s`.

    Bolt's own dict keeps every answer forever, so each token a refresh replaced would stay.
    Bolt asks `token in cache`, then reads `cache[token]`: an answer stops counting after
    ttl_s but is dropped only _GRACE_S later, so no sweep takes it between the two.
    """

    def __init__(self, ttl_s: float, clock: Callable[[], float]) -> None:
        super().__init__()
        self._ttl_s, self._clock = ttl_s, clock
        self._at: dict[str, float] = {}
        self._lock = threading.Lock()

    def __contains__(self, token: object) -> bool:
        at = self._at.get(token) if isinstance(token, str) else None
        return at is not None and self._clock() - at < self._ttl_s and super().__contains__(token)

    def __setitem__(self, token: str, answer: AuthorizeResult) -> None:
        if answer.user_token is not None:
            return  # keyed by the bot token, it would hand one person's token to everyone
        now = self._clock()
        with self._lock:
            for old in [t for t, at in self._at.items() if now - at >= self._ttl_s + _GRACE_S]:
                del self._at[old]
                self.pop(old, None)
            self._at[token] = now
            super().__setitem__(token, answer)


class _KeptAuthorize(InstallationStoreAuthorize):
    """Bolt's authorize on lookups kept for a minute: a request they do not authorize is
    tried once more from the database. Another replica may have refreshed the token in the
    meantime, and Slack revokes the refresh token kept here once it is used; or reinstalled."""

    def __init__(self, *, store: SealedInstallationStore, **kwargs: Any) -> None:
        super().__init__(installation_store=store, **kwargs)
        self._store = store

    def __call__(
        self, *, context: BoltContext, enterprise_id: str | None, team_id: str | None,
        user_id: str | None, actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None, actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:  # fmt: skip
        ask = functools.partial(
            super().__call__, context=context, enterprise_id=enterprise_id, team_id=team_id,
            user_id=user_id, actor_enterprise_id=actor_enterprise_id,
            actor_team_id=actor_team_id, actor_user_id=actor_user_id,
        )  # fmt: skip
        found = ask()
        if found is None:
            self._store.forget(enterprise_id=enterprise_id, team_id=team_id)
            found = ask()
        return found


def cached_authorize(
    store: SealedInstallationStore, *, client_id: str, client_secret: str, client: WebClient,
    clock: Callable[[], float] = time.monotonic,
) -> InstallationStoreAuthorize:  # fmt: skip
    """Bolt's authorize for installed workspaces (token refresh through `client`, as Bolt
    builds it), keeping auth.test's answer per token instead of asking on every request.

    Bot only: Trainbot asks for no user scopes (bot/oauth.py), so the installation Bolt would
    otherwise also look up for the person who clicked never holds a token of theirs. The
    workspace's bot is all there is to find: one lookup per workspace, whoever clicks.
    """
    authorize = _KeptAuthorize(
        logger=logging.getLogger("slack_bolt.App"), store=store, client_id=client_id,
        client_secret=client_secret, client=client, cache_enabled=True, bot_only=True,
    )  # fmt: skip
    authorize.authorize_result_cache = _AuthTestAnswers(AUTH_TEST_TTL_S, clock)
    return authorize


def rotate(engine: Engine, keyring: Keyring) -> int:
    """Reseal every stored token with the first key, in one transaction; how many.

    What a store has cached needs no forgetting: it holds tokens opened, which stay the same.
    """
    resealed = 0
    with engine.begin() as conn:
        for table in (slack_installations, slack_bots):
            columns = [c for c in TOKEN_COLUMNS if c in table.c]
            for row in conn.execute(select(table.c.id, *(table.c[c] for c in columns))).mappings():
                values = {c: keyring.reseal(row[c]) for c in columns if row[c] is not None}
                if values:
                    conn.execute(update(table).where(table.c.id == row["id"]).values(**values))
                    resealed += len(values)
    return resealed

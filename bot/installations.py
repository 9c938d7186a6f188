"""Where each workspace's installation (and so its tokens) is kept: slack_sdk's SQLAlchemy
installation store, on our own tables (migrations/ creates them), with every token sealed.

Tokens are sealed on the way in and opened on the way out, so the rest of the app (Bolt's
authorize, the outbox sender, the jobs) sees plain tokens while a dump of the database
shows none. `rotate` reseals them all with the first key.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, select, update

from bot.token_keys import Keyring
from models.slack_oauth import TOKEN_COLUMNS, slack_bots, slack_installations

_Entity = TypeVar("_Entity", Installation, Bot)


class SealedInstallationStore(SQLAlchemyInstallationStore):
    def __init__(self, *, client_id: str, engine: Engine, keyring: Keyring) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.metadata = slack_installations.metadata  # ours: Alembic creates the tables
        self.installations, self.bots = slack_installations, slack_bots
        self._keys = keyring

    def create_tables(self) -> None:
        raise RuntimeError("the installation tables are created by `trainbot db upgrade`")

    def save(self, installation: Installation) -> None:
        super().save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        # `save` hands over its (already sealed) installation's bot: seal only what is not.
        super().save_bot(self._sealed(bot))

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


def rotate(engine: Engine, keyring: Keyring) -> int:
    """Reseal every stored token with the first key, in one transaction; how many."""
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

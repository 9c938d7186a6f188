"""Slack tokens at rest: sealed with Fernet under the keys of TRAINBOT_ENCRYPTION_KEY.

Fernet is authenticated encryption (AES-128-CBC with HMAC-SHA256) from `cryptography`.
The first key seals; every key opens, so a new key can be put first while tokens sealed
with the old one are still read, until `trainbot secrets rotate` reseals them all.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.settings import SettingsError


class WrongKey(SettingsError):
    """A sealed token that none of the keys opens: the keys are not the ones it was sealed with."""


def new_key() -> str:
    """32 random bytes in URL-safe base64, as TRAINBOT_ENCRYPTION_KEY takes them."""
    return Fernet.generate_key().decode()


class Keyring:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SettingsError(
                "TRAINBOT_ENCRYPTION_KEY is not set: make a key with `trainbot secrets new-key`"
            )
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def seal(self, token: str | None) -> str | None:
        if token is None:
            return None
        return self._fernet.encrypt(token.encode()).decode()

    def open(self, sealed: str | None) -> str | None:
        if sealed is None:
            return None
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise WrongKey(
                "TRAINBOT_ENCRYPTION_KEY does not open the tokens in the database: give the key "
                "they were sealed with (a new key goes first, the old one after a comma)"
            ) from None

    def is_sealed(self, value: str | None) -> bool:
        """Whether one of our keys opens this (a Slack token never opens)."""
        if value is None:
            return False
        try:
            self._fernet.decrypt(value.encode())
        except InvalidToken:
            return False
        return True

    def reseal(self, sealed: str | None) -> str | None:
        """The same token sealed with the first key (it must open with one of them)."""
        return self.seal(self.open(sealed))

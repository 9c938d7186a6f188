"""What the user did wrong (or cannot do) versus what went wrong on our side."""

from __future__ import annotations


class BotError(Exception):
    """An error whose message is meant for the person who caused it."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class NotAllowed(BotError):
    """The caller's role does not allow this."""


class NotFound(BotError):
    """The thing asked for does not exist or is not visible to the caller."""

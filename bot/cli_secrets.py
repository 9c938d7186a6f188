"""`trainbot secrets new-key` and `trainbot secrets rotate`: the keys that seal tokens."""

from __future__ import annotations

import argparse

from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    secrets = commands.add_parser("secrets", help="the keys that seal workspace tokens at rest")
    actions = secrets.add_subparsers(dest="secrets_command", required=True, metavar="ACTION")
    actions.add_parser("new-key", help="print a new key for TRAINBOT_ENCRYPTION_KEY")
    actions.add_parser("rotate", help="reseal every stored token with the first key")


def run_secrets(settings: Settings, args: argparse.Namespace) -> int:
    from bot.token_keys import Keyring, new_key

    if args.secrets_command == "new-key":
        print(new_key())
        return 0
    from bot import db
    from bot.installations import rotate

    keyring = Keyring(settings.encryption_keys)
    engine = db.make_engine(settings.database_url)
    try:
        db.upgrade(engine)
        count = rotate(engine, keyring)
    finally:
        engine.dispose()
    print(f"{count} token(s) resealed with the first key of TRAINBOT_ENCRYPTION_KEY; "
          "the other keys can be removed now")  # fmt: skip
    return 0

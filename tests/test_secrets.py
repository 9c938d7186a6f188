"""Workspace tokens at rest: sealed in the database, opened for the app, resealed by
`trainbot secrets rotate`; a wrong or malformed key gets one clear line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, select

from bot.installations import SealedInstallationStore
from bot.settings import SettingsError
from bot.token_keys import Keyring, WrongKey
from models import slack_bots, slack_installations

ROOT = Path(__file__).resolve().parents[1]
BOT_TOKEN = "xoxb-1111-2222-secretbottoken"
USER_TOKEN = "xoxp-1111-2222-secretusertoken"
REFRESH = "xoxe-1-secretrefreshtoken"


def install(engine: Engine, keys: list[str], team_id: str = "T0FIRST01") -> SealedInstallationStore:
    store = SealedInstallationStore(client_id="111.222", engine=engine, keyring=Keyring(keys))
    store.save(Installation(
        app_id="A0TRAINBOT", team_id=team_id, team_name="Acme", user_id="U0ADMIN001",
        bot_token=BOT_TOKEN, bot_id="B0BOT", bot_user_id="U0BOT", bot_scopes="chat:write",
        bot_refresh_token=REFRESH, user_token=USER_TOKEN, user_scopes="users:read",
        installed_at=datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
    ))  # fmt: skip
    return store


def raw_rows(engine: Engine) -> str:
    """Every stored value of both tables, as text: what a dump of the database shows."""
    with engine.connect() as conn:
        rows = [*conn.execute(select(slack_installations)), *conn.execute(select(slack_bots))]
    return " ".join(str(value) for row in rows for value in row)


def cli(database_url: str, keys: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "secrets", *args],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url,
             "TRAINBOT_ENCRYPTION_KEY": keys},
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_tokens_are_sealed_in_the_database_and_opened_for_the_app(engine: Engine) -> None:
    key = Fernet.generate_key().decode()
    store = install(engine, [key])
    dump = raw_rows(engine)
    assert "A0TRAINBOT" in dump and "T0FIRST01" in dump  # the rows are there ...
    for secret in ("secretbottoken", "secretusertoken", "secretrefreshtoken", "xox"):
        assert secret not in dump  # ... but no token, nor any part of one

    bot = store.find_bot(enterprise_id=None, team_id="T0FIRST01")
    assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == (BOT_TOKEN, REFRESH)
    found = store.find_installation(enterprise_id=None, team_id="T0FIRST01")
    assert found is not None and (found.bot_token, found.user_token) == (BOT_TOKEN, USER_TOKEN)
    assert store.find_bot(enterprise_id=None, team_id="T0OTHER01") is None


def test_rotate_reseals_every_token_with_the_first_key(engine: Engine, database_url: str) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    install(engine, [old])
    install(engine, [old], team_id="T0SECOND1")
    before = raw_rows(engine)

    rotated = cli(database_url, f"{new},{old}", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.startswith("10 token(s) resealed")  # 3 per installation, 2 per bot
    assert raw_rows(engine) != before
    only_new = SealedInstallationStore(client_id="111.222", engine=engine, keyring=Keyring([new]))
    for team in ("T0FIRST01", "T0SECOND1"):
        found = only_new.find_installation(enterprise_id=None, team_id=team)
        assert found is not None and found.bot_token == BOT_TOKEN and found.user_token == USER_TOKEN

    with pytest.raises(WrongKey):  # the old key alone no longer opens them
        SealedInstallationStore(client_id="111.222", engine=engine,
                                keyring=Keyring([old])).find_bot(enterprise_id=None,
                                                                 team_id="T0FIRST01")  # fmt: skip


def test_a_wrong_key_is_one_clear_line_and_changes_nothing(
    engine: Engine, database_url: str
) -> None:
    install(engine, [Fernet.generate_key().decode()])
    before = raw_rows(engine)
    wrong = cli(database_url, Fernet.generate_key().decode(), "rotate")
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr.strip().splitlines() == [
        "trainbot: TRAINBOT_ENCRYPTION_KEY does not open the tokens in the database: give the "
        "key they were sealed with (a new key goes first, the old one after a comma)"
    ]
    assert raw_rows(engine) == before  # nothing resealed: one transaction

    malformed = cli(database_url, "not-a-key", "rotate")
    assert malformed.returncode == 2 and "Traceback" not in malformed.stderr
    assert "TRAINBOT_ENCRYPTION_KEY: key 1 is not 32 random bytes" in malformed.stderr


def test_new_key_prints_a_fresh_key_that_seals_and_opens(database_url: str) -> None:
    first, second = (cli(database_url, "", "new-key") for _ in range(2))
    assert first.returncode == second.returncode == 0
    key, other = first.stdout.strip(), second.stdout.strip()
    assert key != other and len(key) == 44
    keyring = Keyring([key])
    sealed = keyring.seal(BOT_TOKEN)
    assert sealed != BOT_TOKEN and keyring.open(sealed) == BOT_TOKEN


def test_no_key_at_all_says_how_to_make_one() -> None:
    with pytest.raises(SettingsError, match="trainbot secrets new-key"):
        Keyring([])

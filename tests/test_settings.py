"""Configuration: defaults, .env, and one clear line (exit 2) for a bad setting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import DEFAULT_API_URL, Settings, SettingsError


def load(env: dict[str, str], tmp_path: Path) -> Settings:
    return Settings.load(env, env_file=tmp_path / "missing.env")


def test_defaults_use_sqlite_in_the_working_directory_and_slack_itself(tmp_path: Path) -> None:
    settings = load({}, tmp_path)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("trainbot.sqlite3")
    assert settings.api_url == DEFAULT_API_URL
    assert (settings.port, settings.default_tz, settings.log_level) == (3000, "UTC", "INFO")
    assert settings.outbox_lease_s == 120
    assert load({"TRAINBOT_OUTBOX_LEASE_S": "30"}, tmp_path).outbox_lease_s == 30


def test_postgres_urls_use_psycopg_3(tmp_path: Path) -> None:
    settings = load({"DATABASE_URL": "postgresql://bot@db.internal/trainbot"}, tmp_path)
    assert settings.database_url == "postgresql+psycopg://bot@db.internal/trainbot"


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nPORT=4000\nLOG_LEVEL=debug\n")
    settings = Settings.load({"PORT": "5000"}, env_file=env_file)
    assert settings.bot_token == "xoxb-from-file"
    assert settings.port == 5000
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "value", "named_fix"),
    [
        ("PORT", "eighty", "between 1 and 65535"),
        ("DATABASE_URL", "mysql://x/y", "sqlite:///"),
        ("TRAINBOT_DEFAULT_TZ", "Mars/Olympus", "IANA timezone"),
        ("SLACK_API_URL", "slack.com/api", "http(s) URL"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token", "xapp-"),
        ("LOG_LEVEL", "loud", "DEBUG, INFO"),
        ("TRAINBOT_OUTBOX_LEASE_S", "5", "from 10 to 3600"),
    ],
)
def test_malformed_setting_names_the_variable_and_the_fix(
    name: str, value: str, named_fix: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError) as raised:
        load({name: value}, tmp_path)
    assert str(raised.value).startswith(name)
    assert named_fix in str(raised.value)


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_without_tokens_stops_with_one_line_and_status_2(tmp_path: Path) -> None:
    result = run_cli("serve", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "trainbot: SLACK_BOT_TOKEN is not set: put the bot token (xoxb-...) from "
        "OAuth & Permissions in the environment or in .env "
        "(no Slack app yet? `trainbot sandbox` runs it in a browser)"
    ]
    assert "Traceback" not in result.stderr + result.stdout


def test_socket_mode_asks_for_the_app_token(tmp_path: Path) -> None:
    result = run_cli("serve", "--socket-mode", env={"SLACK_BOT_TOKEN": "xoxb-1"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_setting_stops_any_command(tmp_path: Path) -> None:
    result = run_cli("db", "current", env={"PORT": "99999"}, cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "trainbot: PORT must be a TCP port number between 1 and 65535 (got '99999')"
    )

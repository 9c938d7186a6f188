"""app_manifest.yml is valid for Slack and matches what the app listens to."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.fakeslack import SlackClient
from bot.ids import Command
from bot.oauth import REDIRECT_PATH
from tests.conftest import AMY, TEAM_ID, RunningApp

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest-schema" / "manifest.schema.1.0.0.json"


def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "app_manifest.yml").read_text())


def test_manifest_is_valid_against_slacks_schema() -> None:
    if not SCHEMA.is_file():
        message = f"Slack's manifest schema is not beside this clone ({SCHEMA}); cannot validate."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    jsonschema.validate(manifest(), json.loads(SCHEMA.read_text()))


def test_manifest_settings_a_newcomer_relies_on() -> None:
    m = manifest()
    assert m["settings"]["socket_mode_enabled"] is False
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["features"]["app_home"]["messages_tab_enabled"] is True
    assert sorted(m["oauth_config"]["scopes"]["bot"]) == [
        "channels:history",
        "channels:read",
        "chat:write",
        "commands",
        "files:read",
        "files:write",
        "groups:history",
        "groups:read",
        "im:history",
        "im:write",
        "team:read",
        "usergroups:read",
        "users:read",
    ]
    assert all(c["should_escape"] for c in m["features"]["slash_commands"])
    # Installs through OAuth come back to the path bot/oauth.py serves.
    assert m["oauth_config"]["redirect_urls"] == [f"https://trainbot.example.com{REDIRECT_PATH}"]


def test_declared_commands_are_exactly_the_ones_the_app_handles() -> None:
    declared = {c["command"] for c in manifest()["features"]["slash_commands"]}
    assert declared == {str(c) for c in Command}


@pytest.mark.parametrize(
    "command", [c["command"] for c in manifest()["features"]["slash_commands"]]
)
def test_every_declared_command_has_a_listener(
    slack: SlackClient, app_server: RunningApp, command: str
) -> None:
    assert slack.command(command, "help", user=AMY).status == 200


def test_an_undeclared_command_finds_no_listener(
    slack: SlackClient, app_server: RunningApp
) -> None:
    # Bolt answers 404 when nothing listens: the check above can fail.
    assert slack.command("/not-ours", "", user=AMY).status == 404


@pytest.mark.parametrize("event_type", manifest()["settings"]["event_subscriptions"]["bot_events"])
def test_every_subscribed_event_has_a_listener(
    slack: SlackClient, app_server: RunningApp, event_type: str
) -> None:
    events = {
        "app_home_opened": {"type": "app_home_opened", "user": AMY, "tab": "messages"},
        "user_change": {"type": "user_change", "user": slack.fake.user(AMY)},
        "subteam_members_changed": {
            "type": "subteam_members_changed",
            "subteam_id": "S0NOBODY01",
            "team_id": TEAM_ID,
            "date_previous_update": 1764150000,
            "date_update": 1764150300,
            "added_users": [AMY],
            "added_users_count": "1",
            "removed_users": [],
            "removed_users_count": "0",
        },
        "member_joined_channel": {
            "type": "member_joined_channel",
            "user": AMY,
            "channel": "C0GENERAL1",
            "channel_type": "C",
            "team": TEAM_ID,
        },
        # With one bot token (these tests) there is no installation to delete: acked only.
        "app_uninstalled": {"type": "app_uninstalled"},
        "tokens_revoked": {"type": "tokens_revoked", "tokens": {"oauth": [AMY], "bot": []}},
    }
    assert slack.event({**events[event_type], "event_ts": "1764150300.000200"}).status == 200

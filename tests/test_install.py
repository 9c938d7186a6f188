"""Installing Trainbot in a workspace through Slack's OAuth flow, over real HTTP: the
"Add to Slack" page, the stand-in's consent page and oauth.v2.access, the redirect back;
a reused, foreign or cancelled install answered with a page that says what happened; the
installation kept with its tokens sealed, and used to serve that workspace."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.app import make_client
from bot.delivery import deliver_pending
from bot.fakeslack import FakeSlack, SlackClient
from bot.installations import SealedInstallationStore
from bot.services.outbox import enqueue_message
from bot.settings import MissingSetting, Settings, SettingsError
from bot.token_keys import Keyring
from models import OutboxMessage, Workspace, slack_bots, slack_installations
from tests.conftest import ADMIN, BOT_TOKEN, SIGNING_SECRET, TEAM_ID
from tests.support.installs import (
    KEY,
    Installer,
    add_to_slack_link,
    browser,
    oauth_settings,
    visit,
)
from tests.support.waiting import eventually
from tests.test_serve import serve, serve_once


def test_an_install_keeps_the_workspace_sealed_and_serves_it(
    installer_app: str, fake_slack: FakeSlack, engine: Engine
) -> None:
    person = browser()
    link = add_to_slack_link(person, installer_app)
    assert "scope=commands,chat:write," in link and "state=" in link  # the manifest's scopes
    assert link.endswith(f"redirect_uri={installer_app}/slack/oauth_redirect")

    status, landed, page = visit(person, link)  # Slack's consent page: Allow
    assert (status, landed.split("?")[0]) == (200, f"{installer_app}/slack/oauth_redirect")
    assert 'data-status="installed"' in page and "Trainbot is installed in Acme" in page
    (exchange,) = fake_slack.calls_to("oauth.v2.access")
    assert exchange.token is None and exchange.response["ok"] is True

    with engine.connect() as conn:
        rows = [*conn.execute(select(slack_installations)), *conn.execute(select(slack_bots))]
    assert len(rows) == 2 and BOT_TOKEN not in " ".join(str(v) for r in rows for v in r)
    store = SealedInstallationStore(client_id=fake_slack.oauth.client_id, engine=engine,
                                    keyring=Keyring([KEY]))  # fmt: skip
    bot = store.find_bot(enterprise_id=None, team_id=TEAM_ID)
    assert bot is not None and bot.bot_token == BOT_TOKEN

    # The workspace is served with its own installation's token.
    slack = SlackClient(f"{installer_app}/slack/events", SIGNING_SECRET, fake_slack)
    slack.command("/training", "help", user="U0AMY00001")
    reply = fake_slack.wait_for_response_text("/library")
    assert "Trainbot" in str(reply)

    # The same redirect again (a reload, or someone replaying it): refused, nothing new.
    status, _, again = visit(person, landed)
    assert status == 401 and "expired or was already used" in again
    assert len(fake_slack.calls_to("oauth.v2.access")) == 1


def test_the_outbox_sends_with_each_workspace_s_own_token_and_keeps_what_it_cannot(
    installer: Installer, fake_slack: FakeSlack, engine: Engine
) -> None:
    person = browser()
    visit(person, add_to_slack_link(person, installer.url))
    slack = SlackClient(f"{installer.url}/slack/events", SIGNING_SECRET, fake_slack)
    slack.command("/training", "help", user="U0AMY00001")  # the workspace is known from now
    fake_slack.wait_for_response_text("/library")
    services = installer.services
    with engine.connect() as conn:
        workspace_id = conn.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
    assert workspace_id is not None
    tokenless = make_client(services.settings)  # what the scheduler starts from: no token
    assert tokenless.token is None

    services.outbox.enqueue(workspace_id=workspace_id, key="hello", recipient="U0AMY00001",
                            payload={"text": "Welcome to Trainbot"})  # fmt: skip
    assert deliver_pending(services, tokenless) == 1
    (posted,) = [c for c in fake_slack.calls_to("chat.postMessage")
                 if c.args.get("text") == "Welcome to Trainbot"]  # fmt: skip
    assert posted.token == BOT_TOKEN  # the installation's

    # Uninstalled: its tokens are deleted at once and what it is owed is held, not lost.
    assert slack.event({"type": "app_uninstalled"}).status == 200
    eventually(lambda: not rows_of(engine), what="the installation's rows deleted")  # last
    services.outbox.enqueue(workspace_id=workspace_id, key="later", recipient="U0AMY00001",
                            payload={"text": "Held for later"})  # fmt: skip
    with services.sessions.begin() as s:  # and a reminder for a day that will have passed
        enqueue_message(s, workspace_id=workspace_id, key="old-reminder", kind="reminder",
                        recipient="U0AMY00001", payload={"assignments": [], "day": "2020-01-06"},
                        now=services.clock.now())  # fmt: skip
    assert deliver_pending(services, tokenless) == 0
    assert [c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("text") ==
            "Held for later"] == []  # fmt: skip
    assert outbox_row(engine, "later") == ("pending", 0, None)

    # Installed again: the held message goes out; the stale reminder is dropped, with why.
    person = browser()
    status, _, page = visit(person, add_to_slack_link(person, installer.url))
    assert status == 200 and "Trainbot is installed" in page
    assert deliver_pending(services, tokenless) == 1
    assert outbox_row(engine, "later")[0] == "sent"
    assert outbox_row(engine, "old-reminder") == (
        "skipped",
        0,
        "a reminder for 2020-01-06, which passed while Trainbot was uninstalled",
    )


def test_installs_and_uninstalls_are_in_the_audit_log_and_outlive_the_uninstall(
    installer: Installer, fake_slack: FakeSlack, engine: Engine
) -> None:
    person = browser()
    visit(person, add_to_slack_link(person, installer.url))
    slack = SlackClient(f"{installer.url}/slack/events", SIGNING_SECRET, fake_slack)
    # Slack tells of an uninstall twice (its bot token revoked, then the app uninstalled).
    for event in ({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT00001"]}},
                  {"type": "app_uninstalled"}):  # fmt: skip
        assert slack.event(event).status == 200
        installer.settle()
    assert not rows_of(engine)
    status, _, page = visit(person, add_to_slack_link(person, installer.url))  # installed again
    assert status == 200 and "Trainbot is installed" in page

    slack.command("/training", "audit", user=ADMIN)
    installer.settle()
    (shown,) = [m for m in fake_slack.ephemerals(ADMIN) if m["text"].startswith("Audit log")]
    entries = [b["text"]["text"] for b in shown["blocks"] if b["type"] == "section"]
    assert [e.split("*")[1] for e in entries] == [
        "Trainbot installed", "Tokens revoked", "Trainbot installed"]  # fmt: skip
    again, revoked, first = entries
    assert f"<@{ADMIN}>  ·  " in again and "`installed` no → yes" in again  # the installer
    assert "\nSlack  ·  " in revoked and "`installed` yes → no" in revoked
    assert "*Trainbot installed*  ·  Acme" in first and "`installed` (none) → yes" in first


def rows_of(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return [*conn.execute(select(slack_installations)), *conn.execute(select(slack_bots))]


def outbox_row(engine: Engine, key: str) -> tuple[str, int, str | None]:
    o = OutboxMessage
    with engine.connect() as conn:
        row = conn.execute(select(o.status, o.attempts, o.last_error).where(o.key == key)).one()
    return row.status, row.attempts, row.last_error


def test_expiring_tokens_are_refreshed_for_requests_and_for_the_outbox(
    installer: Installer, fake_slack: FakeSlack, engine: Engine
) -> None:
    fake_slack.oauth.rotating = True  # the app opted in to token rotation
    fake_slack.oauth.expires_in = 3600  # an hour: inside the two hours before expiry
    person = browser()
    visit(person, add_to_slack_link(person, installer.url))
    # Reads the table every time (ttl_s=0), as another replica does once its minute is up.
    store = SealedInstallationStore(client_id=fake_slack.oauth.client_id, engine=engine,
                                    keyring=Keyring([KEY]), ttl_s=0)  # fmt: skip

    def current() -> str:
        bot = store.find_bot(enterprise_id=None, team_id=TEAM_ID)
        assert bot is not None and bot.bot_token is not None
        return bot.bot_token

    installed = current()
    assert installed.startswith("xoxe.xoxb-1-")
    slack = SlackClient(f"{installer.url}/slack/events", SIGNING_SECRET, fake_slack)
    slack.command("/training", "help", user="U0AMY00001")  # Bolt refreshes it first
    fake_slack.wait_for_response_text("/library")
    refreshed = [c for c in fake_slack.calls_to("oauth.v2.access")
                 if c.args.get("grant_type") == "refresh_token"]  # fmt: skip
    assert len(refreshed) == 1 and current() != installed
    assert fake_slack.oauth.issued(current()) is not None

    with engine.connect() as conn:
        workspace_id = conn.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
    assert workspace_id is not None
    services = installer.services
    services.outbox.enqueue(workspace_id=workspace_id, key="hello", recipient="U0AMY00001",
                            payload={"text": "Welcome to Trainbot"})  # fmt: skip
    assert deliver_pending(services, make_client(services.settings)) == 1
    (posted,) = [c for c in fake_slack.calls_to("chat.postMessage")
                 if c.args.get("text") == "Welcome to Trainbot"]  # fmt: skip
    assert posted.token == current() and posted.response["ok"]  # refreshed again, and kept
    assert "xoxe" not in " ".join(str(v) for row in rows_of(engine) for v in row)


def test_a_state_from_another_browser_and_a_cancelled_install_say_so(
    installer_app: str, fake_slack: FakeSlack, engine: Engine
) -> None:
    link = add_to_slack_link(browser(), installer_app)
    stranger = browser()  # has no cookie for that state
    status, _, page = visit(stranger, link)
    assert status == 400 and "started in another browser" in page
    assert "Start the install again" in page and fake_slack.calls_to("oauth.v2.access") == []

    person = browser()
    fake_slack.oauth.deny_next = True  # Cancel on Slack's consent page
    status, _, page = visit(person, add_to_slack_link(person, installer_app))
    assert status == 200 and 'data-status="failed"' in page
    assert "The install was cancelled in Slack" in page
    with engine.connect() as conn:
        assert conn.execute(select(slack_installations)).all() == []


def test_many_workspaces_needs_a_key_and_a_public_url(fake_slack: FakeSlack) -> None:
    settings = oauth_settings("sqlite:///unused.db", fake_slack, "https://trainbot.example.com")
    assert settings.many_workspaces
    settings.require_oauth()
    keyless = Settings.load({
        "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": "x",
    }, env_file=Path(os.devnull))  # fmt: skip
    with pytest.raises(MissingSetting, match="TRAINBOT_ENCRYPTION_KEY is not set"):
        keyless.require_oauth()


def test_socket_mode_refuses_many_workspaces_in_one_line(fake_slack: FakeSlack) -> None:
    settings = oauth_settings("sqlite:///unused.db", fake_slack, "https://trainbot.example.com")
    settings.require_http()  # HTTP serves them
    with pytest.raises(SettingsError, match="Socket Mode serves one workspace"):
        settings.require_socket_mode()


def test_trainbot_serve_installs_and_serves_many_workspaces(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    oauth = {
        "SLACK_BOT_TOKEN": "", "SLACK_CLIENT_ID": fake_slack.oauth.client_id,
        "SLACK_CLIENT_SECRET": fake_slack.oauth.client_secret, "TRAINBOT_ENCRYPTION_KEY": KEY,
        "TRAINBOT_PUBLIC_URL": "{url}", "LOG_LEVEL": "DEBUG",  # libraries log requests then
    }  # fmt: skip
    database = f"sqlite:///{tmp_path / 'many.db'}"
    with serve(fake_slack, database, tmp_path, env=oauth) as (url, process):
        person = browser()
        status, _, page = visit(person, add_to_slack_link(person, url))
        assert status == 200 and "Trainbot is installed in Acme" in page
        slack = SlackClient(f"{url}/slack/events", SIGNING_SECRET, fake_slack)
        slack.command("/training", "help", user="U0AMY00001")
        assert "/library" in str(fake_slack.wait_for_response_text("/library"))
        os.killpg(process.pid, signal.SIGTERM)
        logged = process.communicate(timeout=30)[0]
    # Its whole log, DEBUG included, holds none of the secrets it handled.
    assert "oauth.v2.access" in logged and "(redacted)" in logged  # slack_sdk's DEBUG lines
    for secret in (BOT_TOKEN, SIGNING_SECRET, fake_slack.oauth.client_secret, KEY):
        assert secret not in logged, secret

    keyless = serve_once(
        tmp_path, SLACK_BOT_TOKEN="", SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s",
        TRAINBOT_PUBLIC_URL="https://t.example.com",
    )  # fmt: skip
    assert keyless.returncode == 2 and "Traceback" not in keyless.stderr
    assert keyless.stderr.startswith("trainbot: TRAINBOT_ENCRYPTION_KEY is not set")

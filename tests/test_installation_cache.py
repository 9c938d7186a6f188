"""Bolt authorizes every request from its workspace's installation: the lookups (and
auth.test's answer) are kept, so a workspace seen lately costs no query before the ack;
an uninstall, a reinstall or a refreshed token in this process is seen at once, one
written by another replica within the minute the lookups are kept."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, event

from bot.fakeslack import FakeSlack, SlackClient
from bot.installations import CACHE_TTL_S, SealedInstallationStore
from bot.token_keys import Keyring
from tests.conftest import AMY, BOB, BOT_TOKEN, SIGNING_SECRET, TEAM_ID
from tests.support.installs import KEY, Installer, add_to_slack_link, browser, visit
from tests.support.waiting import eventually
from tests.test_install import rows_of

TABLES = ("slack_installations", "slack_bots")
UNINSTALLED = "your installation with this app is no longer available"


@contextmanager
def installation_queries(engine: Engine) -> Iterator[list[str]]:
    """Statements on the installation tables while inside, from any thread."""
    seen: list[str] = []
    lock = threading.Lock()

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if any(table in statement for table in TABLES):
            with lock:
                seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def install(store: SealedInstallationStore, token: str) -> None:
    store.save(Installation(app_id="A0TRAINBOT", team_id=TEAM_ID, user_id="U0ADMIN001",
                            bot_token=token, bot_id="B1", user_token="xoxp-installer",
                            installed_at=datetime(2026, 12, 6, tzinfo=UTC)))  # fmt: skip


def test_lookups_are_kept_until_this_process_writes_or_the_minute_is_up(engine: Engine) -> None:
    clock = Clock()
    keyring = Keyring([KEY])
    store = SealedInstallationStore(client_id="1.2", engine=engine, keyring=keyring, clock=clock)
    install(store, "xoxb-first")
    with installation_queries(engine) as queries:
        for _ in range(3):  # what Bolt asks on each request: the workspace's, the clicker's own
            found = store.find_installation(enterprise_id=None, team_id=TEAM_ID)
            assert found is not None and found.bot_token == "xoxb-first"
            assert found.user_token == "xoxp-installer"
            assert store.find_installation(enterprise_id=None, team_id=TEAM_ID, user_id=AMY) is None
            found.user_token = None  # as Bolt does for others' requests: what is kept stays
        assert len(queries) == 2

        queries.clear()  # a refreshed token, saved here: the next lookup reads it
        bot = store.find_bot(enterprise_id=None, team_id=TEAM_ID)
        assert bot is not None and bot.bot_token == "xoxb-first"
        store.save_bot(Bot(app_id="A0TRAINBOT", team_id=TEAM_ID, bot_token="xoxb-second",
                           bot_id="B1", bot_user_id="U0BOT00001",
                           installed_at=datetime(2026, 12, 6, tzinfo=UTC)))  # fmt: skip
        bot = store.find_bot(enterprise_id=None, team_id=TEAM_ID)
        assert bot is not None and bot.bot_token == "xoxb-second"

        # Another replica reinstalls: seen here once the minute is up, not before.
        elsewhere = SealedInstallationStore(client_id="1.2", engine=engine, keyring=keyring)
        elsewhere.save_bot(Bot(app_id="A0TRAINBOT", team_id=TEAM_ID, bot_token="xoxb-third",
                               bot_id="B1", bot_user_id="U0BOT00001",
                               installed_at=datetime(2026, 12, 7, tzinfo=UTC)))  # fmt: skip
        clock.now += CACHE_TTL_S - 1
        assert store.find_bot(enterprise_id=None, team_id=TEAM_ID).bot_token == "xoxb-second"  # type: ignore[union-attr]
        clock.now += 1
        assert store.find_bot(enterprise_id=None, team_id=TEAM_ID).bot_token == "xoxb-third"  # type: ignore[union-attr]

        # Uninstalled here: gone at once.
        store.delete_bot(enterprise_id=None, team_id=TEAM_ID)
        store.delete_installation(enterprise_id=None, team_id=TEAM_ID)
        assert store.find_bot(enterprise_id=None, team_id=TEAM_ID) is None
        assert store.find_installation(enterprise_id=None, team_id=TEAM_ID) is None


def test_requests_from_an_installed_workspace_do_not_look_it_up_again_until_it_uninstalls(
    installer: Installer, fake_slack: FakeSlack, engine: Engine
) -> None:
    person = browser()
    status, _, _ = visit(person, add_to_slack_link(person, installer.url))
    assert status == 200
    slack = SlackClient(f"{installer.url}/slack/events", SIGNING_SECRET, fake_slack)
    slack.command("/library", user=AMY)  # the first looks the installation up, once
    assert fake_slack.wait_for_call("views.open").token == BOT_TOKEN
    asked = len(fake_slack.calls_to("auth.test"))  # by the install, then by that request

    with installation_queries(engine) as queries:
        for person in (AMY, BOB, AMY):  # whoever clicks: the workspace's bot is what is found
            slack.command("/library", user=person)
        eventually(lambda: len(fake_slack.calls_to("views.open")) == 4, what="four modals")
    assert queries == []  # not one lookup, and auth.test was not asked again
    assert len(fake_slack.calls_to("auth.test")) == asked
    assert {c.token for c in fake_slack.calls_to("views.open")} == {BOT_TOKEN}

    assert slack.event({"type": "app_uninstalled"}).status == 200
    eventually(lambda: not rows_of(engine), what="the installation's rows deleted")
    slack.command("/library", user=AMY)  # no longer authorized: Bolt says to reinstall
    fake_slack.wait_for_response_text(UNINSTALLED)
    assert len(fake_slack.calls_to("views.open")) == 4


def test_after_a_refresh_requests_use_the_new_token_at_once(
    installer: Installer, fake_slack: FakeSlack, engine: Engine
) -> None:
    fake_slack.oauth.rotating = True
    fake_slack.oauth.expires_in = 3600  # within the two hours before expiry: refreshed first
    person = browser()
    visit(person, add_to_slack_link(person, installer.url))
    (installed,) = [c.response["access_token"] for c in fake_slack.calls_to("oauth.v2.access")]
    fake_slack.oauth.expires_in = 43_200  # what the refresh hands out lasts

    slack = SlackClient(f"{installer.url}/slack/events", SIGNING_SECRET, fake_slack)
    slack.command("/library", user=AMY)  # Bolt refreshes the token, then serves with it
    refreshed = fake_slack.wait_for_call("views.open").token
    assert refreshed != installed and fake_slack.oauth.issued(str(refreshed)) is not None
    with installation_queries(engine) as queries:
        slack.command("/library", user=AMY)  # the refresh was written here: read again, once
        slack.command("/library", user=AMY)  # then kept
        eventually(lambda: len(fake_slack.calls_to("views.open")) == 3, what="three modals")
    assert len(queries) == 1  # the bot's token, looked up once
    assert [c.token for c in fake_slack.calls_to("views.open")] == [refreshed] * 3
    grants = [c.args.get("grant_type") for c in fake_slack.calls_to("oauth.v2.access")]
    assert grants == [None, "refresh_token"]  # the install, then one refresh


def test_a_token_another_replica_refreshed_is_read_again_instead_of_refreshing_twice(
    installer: Installer, fake_slack: FakeSlack, engine: Engine
) -> None:
    fake_slack.oauth.rotating = True
    fake_slack.oauth.expires_in = 3600  # due for a refresh
    person = browser()
    visit(person, add_to_slack_link(person, installer.url))
    ours = installer.services.installs.store
    assert ours is not None
    kept = ours.find_bot(enterprise_id=None, team_id=TEAM_ID)  # what a request would keep
    assert kept is not None and kept.bot_refresh_token is not None

    # Another replica refreshes first: Slack revokes the refresh token kept here.
    fake_slack.oauth.expires_in = 43_200
    elsewhere = SealedInstallationStore(client_id=fake_slack.oauth.client_id, engine=engine,
                                        keyring=Keyring([KEY]))  # fmt: skip
    rotator = TokenRotator(client_id=fake_slack.oauth.client_id,
                           client_secret=fake_slack.oauth.client_secret,
                           client=WebClient(base_url=fake_slack.base_url))  # fmt: skip
    theirs = elsewhere.find_installation(enterprise_id=None, team_id=TEAM_ID)
    refreshed = rotator.perform_token_rotation(installation=theirs, minutes_before_expiration=120)  # type: ignore[arg-type]
    assert refreshed is not None
    elsewhere.save(refreshed)

    slack = SlackClient(f"{installer.url}/slack/events", SIGNING_SECRET, fake_slack)
    slack.command("/library", user=AMY)  # its kept refresh fails; read again, it is served
    assert fake_slack.wait_for_call("views.open").token == refreshed.bot_token
    grants = [c.args.get("grant_type") for c in fake_slack.calls_to("oauth.v2.access")]
    assert grants == [None, "refresh_token", "refresh_token"]  # theirs, then ours refused

"""Fixtures: every database test runs on SQLite and PostgreSQL; Slack is played over HTTP."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot import db
from bot.app import build_app
from bot.clock import FixedClock
from bot.fakeslack import FakeSlack, SlackClient
from bot.services import Services, build_services
from bot.settings import Settings
from bot.settling import SettlingExecutor
from bot.web import make_wsgi_app
from tests.support.database import empty_all_tables
from tests.support.executor import settle
from tests.support.installs import KEY, SIGNING_SECRET, Installer, serving_installer
from tests.support.postgres import PostgresUnavailable, provide_postgres
from tests.support.secret_watch import SecretWatch, leaked_in_calls, leaked_in_texts
from tests.support.wsgi import serve_wsgi

BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0TRAIN001"
ADMIN, MANAGER, AMY, BOB = "U0ADMIN001", "U0MGR00001", "U0AMY00001", "U0BOB00001"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def secret_watch() -> Iterator[SecretWatch]:
    """Watches every log line of the session: the app's own at every level (its loggers
    set to DEBUG here), the libraries' from WARNING up; nothing redacted first."""
    watch = SecretWatch([SIGNING_SECRET, KEY, FakeSlack().oauth.client_secret])
    root = logging.getLogger()
    root.addHandler(watch)
    ours = [logging.getLogger(name) for name in ("trainbot", "bot", "handlers", "models")]
    levels = [logger.level for logger in ours]
    for logger in ours:
        logger.setLevel(logging.DEBUG)
    yield watch
    root.removeHandler(watch)
    for logger, level in zip(ours, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture(autouse=True)
def no_secret_logged(secret_watch: SecretWatch) -> Iterator[None]:
    """Fails the test during which a log line showed a token, the signing secret or a key."""
    before = len(secret_watch.found)
    yield
    leaked = secret_watch.found[before:]
    assert not leaked, f"secrets in log lines: {leaked}"


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """A PostgreSQL database for the session; in CI its absence fails the run."""
    with ExitStack() as stack:
        try:
            url: str | None = stack.enter_context(
                provide_postgres(os.environ, tmp_path_factory.mktemp("pg"))
            )
        except PostgresUnavailable as error:
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                pytest.fail(f"PostgreSQL is required in CI and none could be had: {error}")
            logging.getLogger("tests").warning("no PostgreSQL: %s", error)
            url = None
        yield url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_url: str | None,
) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'trainbot.db'}"
    if postgres_url is None:
        pytest.skip("PostgreSQL unavailable (set TEST_DATABASE_URL or install PostgreSQL)")
    return postgres_url


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """The session's migrated database, emptied after the test."""
    yield migrated_engine
    empty_all_tables(migrated_engine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(team_id=TEAM_ID, bot_token=BOT_TOKEN) as fake:
        fake.add_user(ADMIN, "ada", real_name="Ada Admin", tz="Europe/London", is_admin=True)
        fake.add_user(MANAGER, "maria", real_name="Maria Manager", tz="America/New_York")
        fake.add_user(AMY, "amy", real_name="Amy Learner", tz="Europe/Berlin")
        fake.add_user(BOB, "bob", real_name="Bob Learner", tz="Asia/Tokyo")
        fake.add_channel("C0GENERAL1", "general", members=[ADMIN, MANAGER, AMY, BOB])
        yield fake
        # Every payload the app sent during the test passed Slack's limits.
        assert fake.limit_violations == []
        # ... and carried no token, signing secret or key (messages, views, files, replies).
        watch = SecretWatch([SIGNING_SECRET, KEY, fake.oauth.client_secret])
        assert leaked_in_calls(fake.all_calls, watch) == []
        assert leaked_in_texts(fake.response_payloads(), watch) == []


def make_settings(database_url: str, fake: FakeSlack) -> Settings:
    return Settings.load(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.base_url,
            "DATABASE_URL": database_url,
            # Slack's pace is tested on its own (test_delivery); elsewhere it only slows tests.
            "TRAINBOT_SEND_PER_MINUTE": "60000",
        },
        env_file=Path(os.devnull),
    )


@dataclass(frozen=True)
class RunningApp:
    url: str
    services: Services
    executor: SettlingExecutor

    def settle(self) -> None:
        """Wait until everything the app does after its acks has finished."""
        settle(self.executor)


@pytest.fixture
def app_server(
    database_url: str, engine: Engine, fake_slack: FakeSlack, clock: FixedClock
) -> Iterator[RunningApp]:
    """The same WSGI app `trainbot serve` runs, on a real loopback HTTP server."""
    executor = SettlingExecutor(thread_name_prefix="lazy")
    settings = make_settings(database_url, fake_slack)
    services = build_services(settings, clock=clock, engine=engine, background=executor)
    wsgi = make_wsgi_app(build_app(services), services)
    with serve_wsgi(wsgi) as url:
        yield RunningApp(url=url, services=services, executor=executor)
        # Nothing may still be writing when the tables are emptied for the next test.
        settle(executor)
    executor.shutdown(wait=True)


@pytest.fixture
def installer(
    engine: Engine, database_url: str, fake_slack: FakeSlack, clock: FixedClock
) -> Iterator[Installer]:
    """`trainbot serve`'s app in many-workspace mode (OAuth installs), on loopback HTTP."""
    with serving_installer(engine, database_url, fake_slack, clock) as served:
        yield served


@pytest.fixture
def installer_app(installer: Installer) -> str:
    return installer.url


@pytest.fixture
def slack(app_server: RunningApp, fake_slack: FakeSlack) -> SlackClient:
    """Plays Slack towards the app: signed requests, with the stand-in's trigger ids."""
    return SlackClient(f"{app_server.url}/slack/events", SIGNING_SECRET, fake_slack)


@pytest.fixture
def manager(slack: SlackClient) -> str:
    """Maria, made a manager by the workspace admin through /training role."""
    slack.command("/training", f"role <@{MANAGER}|maria> manager", user=ADMIN)
    slack.fake.wait_for_response_text(f"<@{MANAGER}> is now a Trainbot manager")
    return MANAGER

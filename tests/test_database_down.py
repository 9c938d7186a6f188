"""The database down (restarting, cut off): every request is answered at once with a plain
"try again", in the shape its surface shows, and no traceback is logged or shown.

The same app is served twice on the same Slack stand-in: once on the test database (to
open the modal and get a DM), once on a database that cannot be reached (a closed port;
for SQLite, a file that cannot be opened), as a replica sees it while PostgreSQL restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import db
from bot.app import build_app
from bot.clock import FixedClock
from bot.fakeslack import FakeSlack, SlackClient
from bot.ids import Action, Block
from bot.services import build_services
from bot.settling import SettlingExecutor
from bot.web import make_wsgi_app
from handlers.unavailable import TRY_AGAIN
from tests.conftest import AMY, SIGNING_SECRET, RunningApp, make_settings
from tests.support.executor import settle
from tests.support.seed import load_starter
from tests.support.waiting import eventually
from tests.support.wsgi import serve_wsgi
from tests.test_assign_flow import dm_of, git_option, open_assign
from tests.test_serve import free_port


@pytest.fixture
def down(
    database_url: str, fake_slack: FakeSlack, clock: FixedClock, tmp_path: Path
) -> Iterator[SlackClient]:
    """Slack's side towards the app on a database that cannot be reached."""
    if database_url.startswith("sqlite"):
        unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'trainbot.db'}"
    else:
        unreachable = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/trainbot"
    executor = SettlingExecutor(thread_name_prefix="lazy-down")
    services = build_services(
        make_settings(unreachable, fake_slack), clock=clock, background=executor
    )
    with serve_wsgi(make_wsgi_app(build_app(services), services)) as url:
        yield SlackClient(f"{url}/slack/events", SIGNING_SECRET, fake_slack)
        settle(executor)
    executor.shutdown(wait=True)


def test_every_surface_says_try_again_while_the_database_is_down(
    slack: SlackClient,
    app_server: RunningApp,
    manager: str,
    down: SlackClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    load_starter(app_server)
    view = open_assign(slack, manager, f"<@{AMY}|amy>")
    git = git_option(slack, manager, view)
    first = slack.submit_view(
        user=manager, view_id=view["id"], values={Block.RESOURCE: git, Block.PEOPLE: [AMY]}
    )
    assert first.status == 200 and first.json is None
    dm = dm_of(slack, AMY)
    app_server.settle()
    view = open_assign(slack, manager, f"<@{AMY}|amy>")
    caplog.set_level(logging.INFO)

    # a slash command: acked, then told in place
    assert down.command("/library", "", user=AMY).status == 200
    down.fake.wait_for_response_text(TRY_AGAIN)
    # the typeahead: no options (Slack shows "no results"; the next keystroke asks again)
    typed = down.suggest(user=manager, view_id=view["id"], action_id=Action.ASSIGN_RESOURCE,
                         value="pro git")  # fmt: skip
    assert (typed.status, typed.json) == (200, {"options": []})
    # the modal submitted: it stays open, saying so on its first input
    values = {Block.RESOURCE: git, Block.PEOPLE: [AMY]}
    submitted = down.submit_view(user=manager, view_id=view["id"], values=values)
    assert submitted.status == 200 and submitted.json is not None
    assert submitted.json["response_action"] == "errors"
    assert list(submitted.json["errors"].values()) == [TRY_AGAIN]
    # Mark complete: acked, then told in place
    before = len(down.fake.response_texts())
    clicked = down.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE,
                         channel=down.fake.dm_channel(AMY), ts=dm["ts"])  # fmt: skip
    assert clicked.status == 200
    eventually(lambda: TRY_AGAIN in down.fake.response_texts()[before:], what="try again note")
    # an event: refused for now, so Slack delivers it again later
    home = down.app_home_opened(AMY)
    assert (home.status, home.body) == (503, TRY_AGAIN)

    logged = [r for r in caplog.records if r.name.startswith("trainbot")]
    assert not [r for r in logged if r.exc_info or "unexpected error" in r.getMessage()]
    assert any("database unavailable" in r.getMessage() for r in logged)

    # the database back (the same modal, on the app that reaches it): it goes through
    again = slack.submit_view(user=manager, view_id=view["id"], values=values)
    assert again.status == 200 and again.json is None  # (Amy has it already: told so after)


def test_a_locked_sqlite_file_is_busy_but_a_bad_statement_is_a_bug(tmp_path: Path) -> None:
    """sqlite3 raises OperationalError for both: only the busy one may pass for "try again";
    a bug keeps its traceback and the reference the person quotes."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    db.upgrade(engine)
    with engine.connect() as holder:
        holder.exec_driver_sql("BEGIN EXCLUSIVE")
        hasty = sa.create_engine(f"sqlite:///{tmp_path / 'busy.db'}", connect_args={"timeout": 0})
        with pytest.raises(sa.exc.OperationalError) as locked, hasty.connect() as other:
            other.exec_driver_sql("BEGIN IMMEDIATE")  # a writer, waiting 0 s
        hasty.dispose()
        holder.exec_driver_sql("ROLLBACK")
    assert db.database_unavailable(locked.value)
    with pytest.raises(sa.exc.OperationalError) as bad, engine.connect() as c:
        c.exec_driver_sql("SELECT no_such_column FROM members")
    assert not db.database_unavailable(bad.value)
    engine.dispose()

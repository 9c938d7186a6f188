"""Running reminders: the admin's policy modal, `trainbot jobs`, and three schedulers at once."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from bot import db
from bot.fakeslack import FakeSlack, SlackClient, view_texts
from bot.ids import Block
from models import OutboxMessage, ResourceAssignment
from models.reminders import ReminderPolicy
from tests.conftest import ADMIN, AMY, BOT_TOKEN, TEAM_ID, RunningApp
from tests.support.database import empty_all_tables
from tests.support.library import next_call, top_view
from tests.test_reminders import World, make_world

ROOT = Path(__file__).resolve().parents[1]


def test_an_admin_sets_the_policy_in_a_modal_that_explains_mistakes(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    slack.command("/training", "reminders", user=AMY)
    slack.fake.wait_for_response_text("Only Trainbot admins can change the reminder policy.")
    before = len(slack.fake.calls_to("views.open"))
    slack.command("/training", "reminders", user=ADMIN)
    next_call(slack, "views.open", before)
    modal = top_view(slack, ADMIN)
    response = slack.submit_view(user=ADMIN, view_id=modal["id"], values={Block.OVERDUE_EVERY: "0"})
    assert response.json == {
        "response_action": "errors",
        "errors": {Block.OVERDUE_EVERY: "Overdue nudges must be 1 to 30 days apart."},
    }
    response = slack.submit_view(
        user=ADMIN, view_id=modal["id"],
        values={Block.OVERDUE_EVERY: "5", Block.HOUR: "8", Block.WEEKDAYS_ONLY: []},
    )  # fmt: skip
    assert response.json is not None and "Reminder policy saved" in view_texts(
        response.json["view"]
    )
    workspace_id = app_server.services.members.ensure_workspace(team_id=TEAM_ID)
    assert app_server.services.reminders.policy(workspace_id=workspace_id) == ReminderPolicy(
        overdue_every=5, hour=8, weekdays_only=False
    )


def trainbot(*args: str, database_url: str, fake: FakeSlack) -> subprocess.Popen[str]:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_API_URL": fake.base_url, "TRAINBOT_SEND_PER_MINUTE": "60000"}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args], env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def learners(world: World, count: int) -> list[str]:
    people = [f"U2{n:08d}" for n in range(count)]
    for n, user in enumerate(people):
        world.fake.add_user(user, f"learner{n}", tz=("Europe/Berlin", "America/New_York")[n % 2])
    world.assign("r1", *people, due=date(2026, 12, 1))
    world.assign("r2", *people[::3], due=date(2026, 12, 1))
    return people


def test_jobs_dry_run_says_who_would_be_reminded_and_sends_nothing(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    people = learners(make_world(database_url, engine, fake_slack), 4)
    fake_slack.reset_calls()
    dry = trainbot("jobs", "run", "reminders", "--dry-run", "--as-of", "2026-11-30T14:30",
                   database_url=database_url, fake=fake_slack)  # fmt: skip
    out, err = dry.communicate(timeout=60)
    assert dry.returncode == 0, err
    assert sorted(out.splitlines()) == sorted(
        f"would remind {user} (2026-11-30): {2 if n % 3 == 0 else 1} assignment(s)"
        for n, user in enumerate(people)
    )
    assert fake_slack.calls_to("chat.postMessage") == []
    with engine.connect() as conn:
        assert conn.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "reminder")) is None
        assert set(conn.scalars(select(ResourceAssignment.last_reminded_on))) == {None}

    status = trainbot("jobs", "status", database_url=database_url, fake=fake_slack)
    out, _ = status.communicate(timeout=60)
    assert "reminders: 6 open assignment(s) with one planned, the next on 2026-11-30" in out
    assert "outbox: 0 pending, 6 sent, 0 failed, 0 skipped" in out


def test_three_schedulers_at_once_send_each_reminder_once(
    postgres_url: str | None, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """PostgreSQL (SQLite runs one process): FOR UPDATE SKIP LOCKED, leases, unique keys."""
    assert postgres_url is not None, "PostgreSQL is needed for three processes at once"
    database_url = postgres_url
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    try:
        people = learners(make_world(database_url, engine, fake_slack), 150)
        fake_slack.reset_calls()
        runs = [trainbot("jobs", "run", "reminders", "--as-of", "2026-11-30T14:30",
                         database_url=database_url, fake=fake_slack) for _ in range(3)]  # fmt: skip
        outputs = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0, 0, 0], outputs
        posts = [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")]
        assert sorted(posts) == sorted(people)  # one reminder each, whoever sent it
        owed = sum(int(out.splitlines()[-1].split()[0]) for out, _ in outputs)
        assert owed == 150  # planned once between them
    finally:
        empty_all_tables(engine)
        engine.dispose()

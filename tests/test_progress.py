"""/progress reports and their CSV export, against the database, for each scope and role."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bot.clock import FixedClock
from bot.fakeslack import SlackClient, subteam_ref, view_texts
from bot.ids import Action
from bot.services.progress_export import CSV_HEADER
from models import Domain, Member, ResourceAssignment, ResourceDomain, TrainingResource
from tests.conftest import AMY, BOB, RunningApp
from tests.support.seed import load_starter
from tests.support.waiting import eventually
from tests.test_assign_flow import GIT, assign_git

ROOT = Path(__file__).resolve().parents[1]


def report(slack: SlackClient, user: str, text: str = "") -> dict[str, Any]:
    """The report Slack shows after typing `/progress text`."""
    before = len(slack.fake.response_payloads())
    slack.command("/progress", text, user=user)
    return eventually(
        lambda: next((p for p in slack.fake.response_payloads()[before:]
                      if str(p.get("text", "")).startswith("Progress: ")), None),
        what=f"the /progress {text} report",
    )  # fmt: skip


def team(slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock) -> None:
    """Pro Git for Amy (done) and Bob (started, then a day late)."""
    load_starter(app_server)
    assign_git(slack, manager, AMY, BOB, due="2026-11-30")
    app_server.settle()
    clock.advance(timedelta(days=2))
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE)  # two days after assigning
    slack.click(user=BOB, action_id=Action.ASSIGNMENT_START)
    app_server.settle()
    clock.advance(timedelta(days=3))  # Tuesday 1 December: Bob's is a day late


def test_a_training_report_lists_people_as_the_database_has_them(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock
) -> None:
    team(slack, app_server, manager, clock)
    text = view_texts(report(slack, manager, "pro git"))
    assert f"*Progress: {GIT}" in text
    assert "*50%* of 2 completed" in text
    assert "*Open*\n1" in text and "*In progress*\n1" in text and "*Overdue*\n1" in text
    assert f"100%  <@{AMY}>  ·  1/1" in text
    assert f"0%  <@{BOB}>  ·  0/1 · :rotating_light: 1 overdue" in text
    assert f"<@{BOB}>  ·  {GIT}" in text and "1 day late" in text


def test_person_group_and_channel_reports(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock
) -> None:
    team(slack, app_server, manager, clock)
    bob = view_texts(report(slack, manager, f"<@{BOB}|bob>"))
    assert f"*Progress: <@{BOB}>*" in bob and "*By training*" in bob and GIT in bob
    slack.fake.add_usergroup("S0DEVS0001", "devs", members=[AMY])
    devs = view_texts(report(slack, manager, subteam_ref("S0DEVS0001", "devs")))
    assert "*Progress: @devs*" in devs and "*100%* of 1 completed" in devs
    general = view_texts(report(slack, manager, "<#C0GENERAL1|general>"))
    assert "*Progress: #general*" in general and "*By person*" in general


def test_members_see_their_own_progress_only(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock
) -> None:
    team(slack, app_server, manager, clock)
    mine = view_texts(report(slack, AMY))
    assert "*Progress: your training*" in mine and "*100%* of 1 completed" in mine
    slack.command("/progress", f"<@{BOB}|bob>", user=AMY)
    slack.fake.wait_for_response_text("Only managers and admins can see other people's progress")


def db_rows(engine: Engine) -> list[list[str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Member.slack_user_id, TrainingResource.title, ResourceAssignment.status,
                   ResourceAssignment.progress, ResourceAssignment.priority,
                   ResourceAssignment.assigned_at, ResourceAssignment.due_on,
                   ResourceAssignment.completed_at)
            .join(Member, Member.id == ResourceAssignment.member_id)
            .join(TrainingResource, TrainingResource.id == ResourceAssignment.resource_id)
            .order_by(Member.slack_user_id)
        ).all()  # fmt: skip
    day = lambda v: "" if v is None else (v.date() if hasattr(v, "date") else v).isoformat()  # noqa: E731
    # (None of these is a path's step: the last two columns, path and step, are empty.)
    return [
        [u, t, st, str(p), pr, day(a), day(d), day(c), "", ""] for u, t, st, p, pr, a, d, c in rows
    ]


def test_export_csv_reaches_the_dm_and_matches_the_database_row_by_row(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock, engine: Engine,
    database_url: str,
) -> None:  # fmt: skip
    team(slack, app_server, manager, clock)
    report(slack, manager, "pro git")
    slack.click(user=manager, action_id=Action.PROGRESS_EXPORT)
    slack.fake.wait_for_response_text("The CSV is in your DM")
    (upload,) = slack.fake.calls_to("files.completeUploadExternal")
    assert upload.args["channel_id"] == slack.fake.dm_channel(manager)
    (exported,) = [f for f in slack.fake.files.values() if f["name"].endswith(".csv")]
    rows = list(csv.reader(io.StringIO(exported["content"].decode())))
    assert rows[0] == list(CSV_HEADER)
    assert rows[1:] == db_rows(engine)

    cli = subprocess.run(
        [sys.executable, "-m", "bot", "report", "export", "--workspace", "T0TRAIN001"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url}, cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert list(csv.reader(io.StringIO(cli.stdout))) == rows


def test_analytics_and_the_chart(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock, engine: Engine
) -> None:
    team(slack, app_server, manager, clock)
    text = view_texts(report(slack, manager, "pro git"))
    assert "Median time to complete: 2.0 days" in text
    assert "Overdue: 100% of open" in text
    with engine.connect() as conn:
        domains = conn.scalars(
            select(Domain.name)
            .join(ResourceDomain, ResourceDomain.domain_id == Domain.id)
            .join(TrainingResource, TrainingResource.id == ResourceDomain.resource_id)
            .where(TrainingResource.title.startswith(GIT))
        ).all()
    for name in domains:
        assert f"{name} 50% (1/2)" in text
    slack.click(user=manager, action_id=Action.PROGRESS_CHART)
    slack.fake.wait_for_response_text("The chart is in your DM")
    (chart,) = [f for f in slack.fake.files.values() if f["name"].endswith(".png")]
    assert chart["content"].startswith(b"\x89PNG\r\n\x1a\n") and len(chart["content"]) > 5_000
    upload = slack.fake.calls_to("files.completeUploadExternal")[-1]
    assert upload.args["channel_id"] == slack.fake.dm_channel(manager)

"""Keep enrolled: newcomers to a user group or channel are enrolled on the path, once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func, select

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Block
from models import Member, PathEnrollment
from tests.conftest import AMY, BOB, BOT_TOKEN, RunningApp
from tests.support.courses import assign, dm, import_sample

PATH = "Path: New support agent"
CAROL, DAN, GUEST, ROBOT = "U0CAROL001", "U0DAN00001", "U0GUEST001", "U0ROBOT001"
ROOT = Path(__file__).resolve().parent.parent


def enrolled(engine: Engine) -> dict[str, int]:
    """Slack user id -> how many enrollments they have."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Member.slack_user_id, func.count())
            .join(PathEnrollment, PathEnrollment.member_id == Member.id)
            .group_by(Member.slack_user_id)
        ).all()
    return {user: n for user, n in rows}


def keep_group_enrolled(slack: SlackClient, app: RunningApp, manager: str) -> None:
    import_sample(app)
    for user, name, extra in ((CAROL, "carol", {}), (DAN, "dan", {}),
                              (GUEST, "guest", {"is_restricted": True}),
                              (ROBOT, "robot", {"is_bot": True})):  # fmt: skip
        slack.fake.add_user(user, name, **extra)
    slack.fake.add_usergroup("S0SUPPORT1", "support-team", members=[AMY])
    answer = assign(slack, manager, PATH, [], **{Block.GROUPS: [("S0SUPPORT1", "@support-team")],
                                                  Block.KEEP: ["keep"]})  # fmt: skip
    assert not answer.get("errors"), answer
    app.settle()


def test_people_added_to_a_kept_group_are_enrolled_and_guests_and_bots_are_not(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    keep_group_enrolled(slack, app_server, manager)
    confirmation = view_texts(slack.fake.calls_to("chat.postEphemeral")[-1].args)
    assert "People who join @support-team later are enrolled too." in confirmation
    event = slack.fake.set_usergroup_members("S0SUPPORT1", [AMY, CAROL, GUEST, ROBOT])
    assert slack.event(event).status == 200
    app_server.settle()
    assert enrolled(engine) == {AMY: 1, CAROL: 1}
    assert "Step 1 of 3 of *New support agent*" in view_texts(dm(slack, CAROL, 0))
    # Leaving cancels nothing; Slack's retry of the same event enrolls nobody twice.
    slack.event(slack.fake.set_usergroup_members("S0SUPPORT1", [CAROL]))
    slack.event(event, retry_num=1)
    app_server.settle()
    assert enrolled(engine) == {AMY: 1, CAROL: 1}


def test_a_missed_group_event_is_noticed_from_slack_s_dates(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    keep_group_enrolled(slack, app_server, manager)
    slack.event(slack.fake.set_usergroup_members("S0SUPPORT1", [AMY, BOB]))
    app_server.settle()
    slack.fake.set_usergroup_members("S0SUPPORT1", [AMY, BOB, CAROL])  # this event never came
    later = slack.fake.set_usergroup_members("S0SUPPORT1", [AMY, BOB, CAROL, DAN])
    slack.event(later)
    app_server.settle()
    assert enrolled(engine) == {AMY: 1, BOB: 1, CAROL: 1, DAN: 1}


def test_someone_joining_a_kept_channel_is_enrolled(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_sample(app_server)
    slack.fake.add_user(CAROL, "carol")
    slack.fake.add_channel("C0SUPPORT1", "support", members=[AMY])
    assign(slack, manager, PATH, [], **{Block.CHANNELS: ["C0SUPPORT1"], Block.KEEP: ["keep"]})
    app_server.settle()
    slack.event(slack.fake.join_channel("C0SUPPORT1", CAROL))
    app_server.settle()
    assert enrolled(engine) == {AMY: 1, CAROL: 1}


def test_the_daily_reconciliation_finds_who_no_event_announced_and_enrolls_them_once(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine, database_url: str
) -> None:
    keep_group_enrolled(slack, app_server, manager)
    late = slack.fake.set_usergroup_members("S0SUPPORT1", [AMY, CAROL])  # no event for now
    env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": BOT_TOKEN, "DATABASE_URL": database_url,
           "SLACK_API_URL": slack.fake.base_url, "TRAINBOT_SEND_PER_MINUTE": "60000"}  # fmt: skip
    command = [sys.executable, "-m", "bot", "jobs", "run", "enrollments"]
    dry = subprocess.run([*command, "--dry-run"], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert f"would enroll 1 on New support agent (@support-team): {CAROL}" in dry.stdout
    assert enrolled(engine) == {AMY: 1}
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 enrolled, 1 message(s) sent" in done.stdout
    assert "Step 1 of 3" in view_texts(dm(slack, CAROL, 0))
    slack.event(late)  # the event arrives after all
    app_server.settle()
    again = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                           timeout=120)  # fmt: skip
    assert "0 enrolled" in again.stdout
    assert enrolled(engine) == {AMY: 1, CAROL: 1}
    assert len(slack.fake.messages(slack.fake.dm_channel(CAROL))) == 1

"""The planner reads only the people at their reminder time: by their zone's local time and
local date, the workspace's own hour, and the default timezone for anyone whose zone is
missing or unknown here, on both databases.

"Reads nothing" is seen in the statements a sweep sends: the planner asks for a page of
rows only for people its first query found due, so a sweep with no page query read no row.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date

import pytest
from sqlalchemy import Engine, update

from bot.clock import FixedClock
from bot.delivery import deliver_pending
from bot.fakeslack import FakeSlack
from bot.services import build_services
from bot.services.reminders import PlannedReminder
from models import Member
from models.reminders import ReminderPolicy
from tests.conftest import ADMIN, AMY, BOB, TEAM_ID, make_settings
from tests.test_reminders import World, at, make_world
from tests.test_sweep_statements import statements

LOU = "U0LOU00001"  # in Los Angeles


@pytest.fixture
def world(database_url: str, engine: Engine, fake_slack: FakeSlack) -> World:
    fake_slack.add_user(LOU, "lou", real_name="Lou Learner", tz="America/Los_Angeles")
    return make_world(database_url, engine, fake_slack)


def sweep_counted(world: World, engine: Engine, moment: str) -> tuple[list[str], int]:
    """Who a sweep at `moment` owed a reminder, and how many pages of due rows it read."""
    world.clock.set(at(moment))
    with statements(engine) as seen:
        planned: list[PlannedReminder] = world.services.reminders.plan()
    deliver_pending(world.services, world.client)
    pages = sum("members.slack_user_id" in statement for statement in seen)
    return [p.user_id for p in planned], pages


def owed(world: World, moment: str) -> list[str]:
    return [p.user_id for p in world.sweep(moment)]


def set_tz(engine: Engine, user: str, tz: str | None) -> None:
    """A timezone Slack's stand-in would not hand out (none, or a name unknown here)."""
    with engine.begin() as conn:
        conn.execute(update(Member).where(Member.slack_user_id == user).values(tz=tz))


def test_tokyo_and_los_angeles_at_their_own_nine_and_at_no_other_minute(
    world: World, engine: Engine
) -> None:
    world.assign("r1", BOB, LOU, due=date(2026, 12, 2))  # Wed: reminded Mon 30 Nov, locally
    assert owed(world, "2026-11-29T23:59") == []  # 08:59 Monday in Tokyo
    assert owed(world, "2026-11-30T00:00") == [BOB]  # 09:00 in Tokyo; Sunday in Los Angeles
    # A minute later Lou's row is due on a Monday that has not begun in Los Angeles: the
    # old rule (due by tomorrow in UTC) read it; now nobody's row is read.
    assert sweep_counted(world, engine, "2026-11-30T00:01") == ([], 0)
    assert owed(world, "2026-11-30T16:59") == []  # 08:59 in Los Angeles
    assert owed(world, "2026-11-30T17:00") == [LOU]
    assert sweep_counted(world, engine, "2026-11-30T17:01") == ([], 0)
    assert sweep_counted(world, engine, "2026-11-30T18:00") == ([], 0)
    assert len(world.reminders(BOB)) == 1 and len(world.reminders(LOU)) == 1


def test_a_day_that_has_come_in_tokyo_but_not_yet_in_los_angeles(
    world: World, engine: Engine
) -> None:
    world.assign("r1", BOB, LOU, due=date(2026, 12, 3))  # Thu: reminded Tue 1 Dec, locally
    # 00:30 UTC: 09:30 Tuesday in Tokyo, 16:30 Monday in Los Angeles; both at reminder
    # time, and Tuesday is today for one and tomorrow for the other.
    assert sweep_counted(world, engine, "2026-12-01T00:30") == ([BOB], 1)
    assert sweep_counted(world, engine, "2026-12-01T00:31") == ([], 0)  # Lou's: not read
    assert owed(world, "2026-12-01T16:59") == []  # 08:59 Tuesday in Los Angeles
    assert owed(world, "2026-12-01T17:00") == [LOU]
    assert len(world.reminders(BOB)) == 1 and len(world.reminders(LOU)) == 1


def test_the_workspace_hour_decides_who_is_read(world: World, engine: Engine) -> None:
    admin = world.services.members.resolve(team_id=TEAM_ID, user_id=ADMIN, profiles=world.client)
    world.services.reminders.set_policy(caller=admin, policy=ReminderPolicy(hour=14))
    world.assign("r1", AMY, due=date(2026, 12, 2))
    assert sweep_counted(world, engine, "2026-11-30T08:05") == ([], 0)  # 09:05 in Berlin
    assert owed(world, "2026-11-30T12:59") == []
    assert owed(world, "2026-11-30T13:00") == [AMY]  # 14:00 in Berlin


def test_someone_with_no_timezone_is_reminded_by_the_default_one(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    settings = dataclasses.replace(make_settings(database_url, fake_slack),
                                   default_tz="America/Sao_Paulo")  # fmt: skip
    clock = FixedClock(at("2026-11-26T10:00"))
    world = World(build_services(settings, clock=clock, engine=engine), fake_slack, clock)
    world.assign("r1", AMY, BOB, due=date(2026, 12, 2))
    set_tz(engine, AMY, None)
    assert owed(world, "2026-11-30T00:05") == [BOB]  # Tokyo's own 09:05
    assert owed(world, "2026-11-30T08:05") == []  # 09:05 in Berlin, where Amy no longer is
    assert owed(world, "2026-11-30T11:59") == []  # 08:59 in São Paulo
    assert owed(world, "2026-11-30T12:00") == [AMY]
    assert len(world.reminders(AMY)) == 1


def test_a_timezone_unknown_here_falls_back_to_the_default_and_is_logged_once(
    world: World, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # Once per process and name: a name of its own for each database's run.
    name = f"Mars/Olympus_Mons_{engine.dialect.name}"
    world.assign("r1", AMY, BOB, due=date(2026, 12, 2))  # reminded Mon 30 Nov and Wed 2 Dec
    set_tz(engine, AMY, name)
    with caplog.at_level(logging.WARNING):
        assert owed(world, "2026-11-30T00:05") == [BOB]  # the others' sweeps go on
        assert owed(world, "2026-11-30T08:05") == []  # 09:05 in Berlin, 08:05 by default (UTC)
        assert owed(world, "2026-11-30T09:00") == [AMY]
        # The due date, 11:00 by default (UTC); 20:00 in Tokyo, too late for Bob's.
        assert owed(world, "2026-12-02T11:00") == [AMY]
    assert len(world.reminders(AMY)) == 2
    warned = [r for r in caplog.records if name in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelno == logging.WARNING

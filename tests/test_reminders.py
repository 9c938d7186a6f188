"""Due-date reminders with a controllable clock: the learner's hour, one DM a day, DST,
snooze, re-planning and catch-up, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select

from bot.clock import FixedClock
from bot.delivery import deliver_pending
from bot.fakeslack import FakeSlack, SlackClient, view_texts
from bot.ids import Action
from bot.services import Services, build_services
from bot.services.assignments import AssignForm, Step
from bot.services.catalog_files import parse_catalog
from bot.services.members import Caller
from models import OutboxMessage, ResourceAssignment, TrainingResource
from models.enums import Priority, Role
from tests.conftest import ADMIN, AMY, BOB, MANAGER, TEAM_ID, RunningApp, make_settings

CATALOG = """external_id,title,type,url
r1,Git basics,course,https://git.example
r2,Security 101,video,https://sec.example
r3,Writing well,article,https://write.example
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class World:
    """A workspace with a manager, the stand-in for Slack, and a clock to move."""

    def __init__(self, services: Services, fake: FakeSlack, clock: FixedClock) -> None:
        self.services, self.fake, self.clock = services, fake, clock
        self.client = WebClient(token="xoxb-test-token", base_url=fake.base_url)
        admin = services.members.resolve(team_id=TEAM_ID, user_id=ADMIN, profiles=self.client)
        self.manager: Caller = services.members.set_role(
            caller=admin, user_id=MANAGER, role=Role.MANAGER, profiles=self.client
        )
        services.catalog.import_rows(rows=parse_catalog("c.csv", CATALOG), workspace_id=None)
        with services.sessions.begin() as s:
            self.resources = dict(
                s.execute(select(TrainingResource.external_id, TrainingResource.id)).all()
            )

    def assign(self, ref: str, *people: str, due: date, priority: str = "normal") -> None:
        form = AssignForm(self.resources[ref], people, due, Priority(priority))
        self.services.assignments.assign(by=self.manager, form=form)
        deliver_pending(self.services, self.client)  # the assignment DMs (and profiles)

    def sweep(self, moment: str) -> list[Any]:
        self.clock.set(at(moment))
        planned = self.services.reminders.plan()
        deliver_pending(self.services, self.client)
        return planned

    def reminders(self, user: str) -> list[dict[str, Any]]:
        messages = self.fake.messages(self.fake.dm_channel(user))
        return [m for m in messages if m["text"].startswith("Reminder:")]


def make_world(database_url: str, engine: Engine, fake: FakeSlack) -> World:
    clock = FixedClock(at("2026-11-26T10:00"))  # a Thursday
    settings = make_settings(database_url, fake)
    return World(build_services(settings, clock=clock, engine=engine), fake, clock)


@pytest.fixture
def world(database_url: str, engine: Engine, fake_slack: FakeSlack) -> World:
    return make_world(database_url, engine, fake_slack)


def test_one_reminder_a_day_at_nine_local_listing_everything_due_most_pressing_first(
    world: World,
) -> None:
    world.assign("r1", AMY, due=date(2026, 12, 1))  # Tuesday: reminded Mon 30 (Sun moves)
    world.assign("r2", AMY, due=date(2026, 12, 3), priority="urgent")  # reminded Tue 1
    assert world.sweep("2026-11-29T10:00") == []  # Sunday in Berlin: weekends are quiet
    assert world.sweep("2026-11-30T07:30") == []  # Monday 08:30 in Berlin: not yet
    assert len(world.sweep("2026-11-30T08:05")) == 1  # 09:05 in Berlin
    assert world.sweep("2026-11-30T15:00") == []  # once a day
    (monday,) = world.reminders(AMY)
    assert "Git basics" in view_texts(monday) and "Security 101" not in view_texts(monday)
    assert "due tomorrow" in view_texts(monday)

    world.sweep("2026-12-01T08:05")
    tuesday = world.reminders(AMY)[-1]
    text = view_texts(tuesday)
    assert tuesday["text"] == "Reminder: 2 assignments to finish"
    assert text.index("Security 101") < text.index("Git basics")  # urgent first
    assert "*due today*" in text and "due in 2 days" in text
    assert len(world.reminders(AMY)) == 2


def test_the_local_hour_follows_daylight_saving_time(world: World) -> None:
    world.assign("r1", MANAGER, due=date(2027, 3, 17))  # New York; DST starts Sun 14 March
    assert world.sweep("2027-03-15T12:30") == []  # 08:30 EDT (it would be 07:30 EST)
    assert len(world.sweep("2027-03-15T13:01")) == 1  # 09:01 EDT: a fixed -5h would say 08:01
    assert len(world.reminders(MANAGER)) == 1


def test_tokyo_gets_its_reminder_on_its_own_day(world: World) -> None:
    world.assign("r1", BOB, due=date(2026, 12, 2))  # Wed; reminded Mon 30 Nov, Tokyo time
    assert len(world.sweep("2026-11-30T00:05")) == 1  # 09:05 Monday in Tokyo, Sunday in UTC


def test_completing_stops_reminders_and_a_new_due_date_replans_them(world: World) -> None:
    world.assign("r1", AMY, due=date(2026, 12, 2))
    world.assign("r2", AMY, due=date(2026, 12, 2))
    amy = world.services.members.resolve(team_id=TEAM_ID, user_id=AMY, profiles=world.client)
    with world.services.sessions.begin() as s:
        first, second = s.scalars(select(ResourceAssignment.id).order_by("id")).all()
    world.clock.set(at("2026-11-27T09:00"))
    world.services.assignments.advance(caller=amy, assignment_id=first, step=Step.COMPLETE)
    world.services.manage.change_due(
        caller=world.manager, resource_id=world.resources["r2"], due_on=date(2026, 12, 10)
    )
    assert world.sweep("2026-11-30T08:05") == []  # Monday: Git done, Security moved
    planned = world.sweep("2026-12-08T08:05")  # two days before the new date
    assert [p.assignment_ids for p in planned] == [(second,)]


def test_a_reminder_missed_while_down_comes_once_at_the_next_hour_not_at_night(
    world: World,
) -> None:
    world.assign("r1", AMY, due=date(2026, 12, 1))  # reminders owed Mon 30 and Tue 1
    # Down all Monday and Tuesday; back at 23:30 Tuesday in Berlin: too late to disturb.
    assert world.sweep("2026-12-01T22:30") == []
    planned = world.sweep("2026-12-02T08:05")  # Wednesday 09:05
    assert len(planned) == 1
    assert "1 day overdue" in view_texts(world.reminders(AMY)[0])
    assert world.sweep("2026-12-02T09:05") == []
    assert len(world.reminders(AMY)) == 1  # the two missed ones, folded into one


def test_snooze_from_the_reminder_itself(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock
) -> None:
    world = World.__new__(World)  # the running app's own services, clock and stand-in
    world.services, world.fake, world.clock = app_server.services, slack.fake, clock
    world.client = WebClient(token="xoxb-test-token", base_url=slack.fake.base_url)
    from tests.support.seed import load_starter
    from tests.test_assign_flow import assign_git

    load_starter(app_server)
    assign_git(slack, manager, AMY, due="2026-12-02")
    app_server.settle()
    world.sweep("2026-11-30T08:05")
    (reminder,) = world.reminders(AMY)
    slack.click(user=AMY, action_id=Action.REMINDER_SNOOZE_DAY,
                channel=slack.fake.dm_channel(AMY), ts=reminder["ts"])  # fmt: skip
    app_server.settle()
    redrawn = world.reminders(AMY)[0]
    assert "Snoozed: next reminder Tue 01 Dec" in view_texts(redrawn)
    assert world.sweep("2026-12-01T08:05") != []  # Tuesday: back as promised
    # Mark complete from the reminder: the reminder, the DM and Home all follow.
    latest = world.reminders(AMY)[-1]
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE,
                channel=slack.fake.dm_channel(AMY), ts=latest["ts"])  # fmt: skip
    app_server.settle()
    done = world.reminders(AMY)[-1]
    assert done["text"] == "Reminder: all done"
    assert "Marked complete" in view_texts(done)
    assert world.sweep("2026-12-02T08:05") == []


def test_slack_failing_some_calls_leaves_every_other_reminder_sent_once(world: World) -> None:
    people = [f"U3{n:08d}" for n in range(6)]
    for n, user in enumerate(people):
        world.fake.add_user(user, f"learner{n}", tz="Europe/Berlin")
    world.assign("r1", *people, due=date(2026, 12, 2))
    world.fake.fail("chat.postMessage", error="user_disabled")  # the first one: for good
    world.fake.fail("chat.postMessage", status=500)  # the next: passing trouble
    world.fake.fail("chat.postMessage", status=429, retry_after=30)  # then: slow down
    assert len(world.sweep("2026-11-30T08:05")) == 6
    for minutes in (1, 5, 15, 60):  # the scheduler keeps delivering as backoffs run out
        world.clock.set(at("2026-11-30T08:05") + timedelta(minutes=minutes))
        deliver_pending(world.services, world.client)
    counts = [len(world.reminders(user)) for user in people]
    assert sorted(counts) == [0, 1, 1, 1, 1, 1]
    with world.services.sessions.begin() as s:
        rows = s.execute(
            select(OutboxMessage.status, OutboxMessage.last_error).where(
                OutboxMessage.kind == "reminder"
            )
        ).all()
    assert sorted(status for status, _ in rows) == ["failed"] + ["sent"] * 5
    assert ("failed", "user_disabled") in [tuple(r) for r in rows]


def test_someone_deactivated_in_slack_gets_no_more_reminders(world: World) -> None:
    world.assign("r1", AMY, BOB, due=date(2026, 12, 2))
    world.fake.update_user(BOB, deleted=True)
    world.services.members.apply_profile(team_id=TEAM_ID, user=world.fake.user(BOB) or {})
    planned = world.sweep("2026-11-30T08:05")  # Amy's 09:05; Bob's is 17:05 in Tokyo
    assert [p.user_id for p in planned] == [AMY]
    world.sweep("2026-11-30T00:05")
    assert world.reminders(BOB) == []

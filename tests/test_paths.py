"""Learning paths end to end: enrolled through /assign, steps opening one by one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, func, select

from bot.clock import FixedClock
from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block
from models import AssignmentEvent, EnrollmentStep, PathEnrollment, ResourceAssignment
from tests.conftest import AMY, BOB, BOT_TOKEN, TEAM_ID, RunningApp
from tests.support.courses import assign, dm, import_sample, item_button
from tests.support.library import next_call

PATH = "Path: New support agent"
COURSE_ITEMS = ("Welcome to support", "Tickets in 10 minutes", "Macros and saved replies")


def mark_complete(slack: SlackClient, user: str, message: dict[str, Any]) -> None:
    before = len(slack.fake.calls_to("chat.update"))
    slack.click(user=user, action_id=Action.ASSIGNMENT_COMPLETE,
                channel=slack.fake.dm_channel(user), ts=message["ts"])  # fmt: skip
    next_call(slack, "chat.update", before)


def on_step_two(slack: SlackClient, app: RunningApp, manager: str) -> None:
    """Amy enrolled on the sample path, step 1 done: the course (step 2) is hers now."""
    import_sample(app)
    assign(slack, manager, PATH, [AMY])
    app.settle()
    mark_complete(slack, AMY, dm(slack, AMY, 0))
    app.settle()


def check_items(slack: SlackClient, user: str, index: int, titles: tuple[str, ...]) -> None:
    for title in titles:
        message = dm(slack, user, index)
        button = item_button(message, title)
        before = len(slack.fake.calls_to("chat.update"))
        slack.click(user=user, action_id=button["action_id"], value=button["value"],
                    channel=slack.fake.dm_channel(user), ts=message["ts"])  # fmt: skip
        next_call(slack, "chat.update", before)


def completion_dms(enabled_for: str, app: RunningApp, slack: SlackClient) -> None:
    caller = app.services.members.resolve(
        team_id=TEAM_ID, user_id=enabled_for, profiles=WebClient(base_url=slack.fake.base_url)
    )
    app.services.members.set_completion_dms(caller=caller, on=True)


def test_a_path_opens_its_steps_in_order_with_due_dates_from_their_offsets(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock
) -> None:
    import_sample(app_server)
    completion_dms(manager, app_server, slack)
    answer = assign(slack, manager, PATH, [AMY])
    assert not answer.get("errors")
    app_server.settle()
    confirmation = view_texts(slack.fake.calls_to("chat.postEphemeral")[-1].args)
    assert "Enrolled 1 person on the learning path *New support agent*" in confirmation
    first = view_texts(dm(slack, AMY, 0))
    assert "Welcome to support" in first
    assert "Step 1 of 3 of *New support agent*" in first
    assert "next: Onboarding essentials :lock:" in first
    assert "|2026-11-28>" in first  # due 2 days after it opened (Amy's today: 26 Nov)

    slack.app_home_opened(AMY)
    app_server.settle()
    home = view_texts(slack.fake.home(AMY) or {})
    assert "*New support agent*  ·  step 1 of 3" in home
    assert ":lock: Onboarding essentials _(opens when you finish Welcome to support)_" in home

    clock.advance(timedelta(days=1))
    mark_complete(slack, AMY, dm(slack, AMY, 0))
    app_server.settle()
    done_first = view_texts(dm(slack, AMY, 0))
    assert "next: Onboarding essentials" in done_first and ":lock:" not in done_first
    second = view_texts(dm(slack, AMY, 1))
    assert "Step 2 of 3 of *New support agent*" in second
    assert "|2026-12-04>" in second  # 7 days after it opened, on the 27th
    check_items(slack, AMY, 1, COURSE_ITEMS)
    app_server.settle()
    third = view_texts(dm(slack, AMY, 2))
    assert "Escalation playbook" in third and "Step 3 of 3" in third and "the last step" in third
    mark_complete(slack, AMY, dm(slack, AMY, 2))
    app_server.settle()

    dms = slack.fake.messages(slack.fake.dm_channel(AMY))
    assert len([m for m in dms if not m.get("files")]) == 3  # one DM per step
    slack.app_home_opened(AMY)
    app_server.settle()
    assert "*New support agent*  ·  :trophy: finished" in view_texts(slack.fake.home(AMY) or {})
    told = [view_texts(c.args) for c in slack.fake.calls_to("chat.postMessage")
            if c.args["channel"] == manager]  # fmt: skip
    assert any("finished the learning path *New support agent*" in t for t in told)


def test_a_step_completed_before_is_counted_without_being_asked_again(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_sample(app_server)
    assign(slack, manager, "Welcome to support", [AMY])
    app_server.settle()
    mark_complete(slack, AMY, dm(slack, AMY, 0))
    assign(slack, manager, PATH, [AMY, BOB])
    app_server.settle()
    amy = view_texts(dm(slack, AMY, 1))
    assert "Onboarding essentials" in amy and "Step 2 of 3" in amy
    assert "Step 1 of 3" in view_texts(dm(slack, BOB, 0))  # Bob starts at the beginning
    slack.app_home_opened(AMY)
    app_server.settle()
    assert ":white_check_mark: Welcome to support _(done before)_" in view_texts(
        slack.fake.home(AMY) or {}
    )
    with engine.connect() as conn:
        states = conn.execute(
            select(EnrollmentStep.position, EnrollmentStep.state)
            .join(PathEnrollment, PathEnrollment.id == EnrollmentStep.enrollment_id)
            .where(PathEnrollment.member_id == _member(engine, AMY))
            .order_by(EnrollmentStep.position)
        ).all()
    assert [state for _, state in states] == ["done", "open", "locked"]


def test_two_racing_clicks_on_a_course_s_last_item_open_the_next_step_once(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import threading

    on_step_two(slack, app_server, manager)
    check_items(slack, AMY, 1, COURSE_ITEMS[:2])
    app_server.settle()
    message = dm(slack, AMY, 1)
    button = item_button(message, COURSE_ITEMS[2])
    barrier = threading.Barrier(2)

    def click() -> None:
        barrier.wait()
        slack.click(user=AMY, action_id=button["action_id"], value=button["value"],
                    channel=slack.fake.dm_channel(AMY), ts=message["ts"])  # fmt: skip

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    app_server.settle()
    dms = slack.fake.messages(slack.fake.dm_channel(AMY))
    assert len([m for m in dms if not m.get("files")]) == 3  # step 3's DM, once
    with engine.connect() as conn:
        completions = conn.scalar(
            select(func.count()).select_from(AssignmentEvent)
            .where(AssignmentEvent.kind == "completed")
        )  # fmt: skip
        assignments = conn.scalar(select(func.count()).select_from(ResourceAssignment))
    assert (completions, assignments) == (2, 3)  # steps 1 and 2 done, step 3 open


def test_a_path_starting_later_opens_step_one_on_its_day(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock
) -> None:
    import_sample(app_server)
    answer = assign(slack, manager, PATH, [AMY], **{Block.START: "2026-11-30"})
    assert not answer.get("errors")
    app_server.settle()
    confirmation = view_texts(slack.fake.calls_to("chat.postEphemeral")[-1].args)
    assert "Step 1 opens on" in confirmation
    assert slack.fake.messages(slack.fake.dm_channel(AMY)) == []
    assert app_server.services.paths.open_due_starts() == 0  # not yet
    clock.set(clock.now() + timedelta(days=4))  # 30 Nov, 10:00 UTC
    assert app_server.services.paths.open_due_starts() == 1
    from bot.delivery import deliver_pending

    deliver_pending(app_server.services, WebClient(token=BOT_TOKEN, base_url=slack.fake.base_url))
    assert "Step 1 of 3" in view_texts(dm(slack, AMY, 0))


def test_start_dates_and_keep_enrolled_are_checked_in_the_modal(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    import_sample(app_server)
    answer = assign(slack, manager, PATH, [AMY], **{Block.START: "2026-11-01",
                                                     Block.KEEP: ["keep"]})  # fmt: skip
    errors = answer["errors"]
    assert errors[Block.START] == "The start date is in the past (today is 2026-11-26)."
    assert errors[Block.KEEP].startswith("Choose a user group or a channel above")
    assert slack.fake.calls_to("chat.postMessage") == []


def _member(engine: Engine, user_id: str) -> int:
    from models import Member

    with engine.connect() as conn:
        found = conn.scalar(select(Member.id).where(Member.slack_user_id == user_id))
    assert found is not None
    return int(found)


def test_a_reminder_for_a_course_step_offers_open_course_and_names_the_path(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock
) -> None:
    on_step_two(slack, app_server, manager)  # the course, due 2026-12-03
    from datetime import UTC, datetime

    from bot.delivery import deliver_pending

    clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))  # 09:00 in Berlin, two days before
    assert app_server.services.reminders.plan()
    deliver_pending(app_server.services, WebClient(token=BOT_TOKEN, base_url=slack.fake.base_url))
    reminder = dm(slack, AMY, 2)
    text = view_texts(reminder)
    assert "Onboarding essentials" in text and "step 2 of 3 of New support agent" in text
    buttons = [e["action_id"] for b in reminder["blocks"] if b["type"] == "actions"
               for e in b["elements"]]  # fmt: skip
    assert Action.COURSE_OPEN in buttons and Action.ASSIGNMENT_COMPLETE not in buttons

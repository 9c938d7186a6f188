"""/progress's Full report: every row a page at a time in a modal, with breakdowns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select, update

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action
from bot.vocab import TYPE_LABELS
from models import Member, ResourceAssignment, TrainingResource
from models.enums import ResourceType
from tests.conftest import AMY, RunningApp
from tests.support.library import top_view
from tests.support.seed import load_starter
from tests.test_assign_flow import GIT, assign_git
from tests.test_progress import report

PEOPLE = [f"U0PEOPLE{n:02d}" for n in range(45)]
DEVS = PEOPLE[:10]


def full_report(slack: SlackClient, app_server: RunningApp, user: str) -> dict[str, Any]:
    """Click "Full report" under the last report; the modal as drawn once ready."""
    slack.click(user=user, action_id=Action.PROGRESS_FULL)
    app_server.settle()
    (opened,) = slack.fake.calls_to("views.open")[-1:]
    assert "Working out the figures" in view_texts(opened.args["view"])  # shown at once
    return top_view(slack, user)


def test_a_long_report_pages_through_everyone_with_breakdowns(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    load_starter(app_server)
    for n, user in enumerate(PEOPLE):
        slack.fake.add_user(user, f"person{n:02d}")
    slack.fake.add_usergroup("S0DEVS0001", "devs", members=DEVS)
    assign_git(slack, manager, *PEOPLE)
    app_server.settle()
    for user in DEVS[:3]:
        slack.click(user=user, action_id=Action.ASSIGNMENT_COMPLETE)
    app_server.settle()

    short = view_texts(report(slack, manager, "pro git"))
    assert short.count("  ·  0/1") + short.count("  ·  1/1") == 20
    assert "…and 25 more: *Full report* has them all" in short

    modal = full_report(slack, app_server, manager)
    text = view_texts(modal)
    assert modal["title"]["text"] == "Progress report"
    assert "*7%* of 45 completed" in text
    assert text.count("  ·  0/1") + text.count("  ·  1/1") == 40
    assert "1–40 of 45 people, most overdue first" in text
    with engine.connect() as conn:
        kind = conn.scalar(
            select(TrainingResource.type).where(TrainingResource.title.startswith(GIT))
        )
    assert f"*By type*\n{TYPE_LABELS[ResourceType(kind)]} 7% (3/45)" in text
    assert "*By user group*\n@devs 30% (3/10)" in text
    assert f"*Most completed*\n{GIT} (2nd Edition) 7% (3/45)" in text

    slack.click(user=manager, action_id=Action.PROGRESS_PAGE, value="2", view_id=modal["id"])
    app_server.settle()
    second = view_texts(top_view(slack, manager))
    assert "41–45 of 45 people" in second
    assert second.count("  ·  0/1") + second.count("  ·  1/1") == 5
    shown = {
        line.split("<@")[1].split(">")[0]
        for line in (text + second).splitlines()
        if "%  <@" in line
    }
    assert shown == set(PEOPLE)  # every person once, over the two pages

    # A page past the end (ten cancelled since it was offered) shows the last one instead.
    slack.click(user=manager, action_id=Action.PROGRESS_PAGE, value="1", view_id=modal["id"])
    app_server.settle()
    with engine.begin() as conn:
        gone = select(Member.id).where(Member.slack_user_id.in_(PEOPLE[-10:]))
        conn.execute(
            update(ResourceAssignment)
            .where(ResourceAssignment.member_id.in_(gone))
            .values(cancelled_at=func.now(), closed_reason="cancelled")
        )
    slack.click(user=manager, action_id=Action.PROGRESS_PAGE, value="2", view_id=modal["id"])
    app_server.settle()
    assert "1–35 of 35 people" in view_texts(top_view(slack, manager))


def amy_sees_her_report(slack: SlackClient, app_server: RunningApp, manager: str) -> None:
    """Amy has Pro Git from the manager and has run /progress about herself."""
    load_starter(app_server)
    assign_git(slack, manager, AMY)
    app_server.settle()
    report(slack, AMY)


def test_a_member_opens_their_own_full_report(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    amy_sees_her_report(slack, app_server, manager)
    text = view_texts(full_report(slack, app_server, AMY))
    assert "*Progress: your training*" in text and "*0%* of 1 completed" in text
    assert "By user group" not in text  # about herself: no groups asked of Slack
    assert not [c for c in slack.fake.calls_to("usergroups.list") if "include_users" in c.args]


def test_a_failed_update_leaves_the_modal_saying_so_not_working_forever(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    amy_sees_her_report(slack, app_server, manager)
    slack.fake.fail("views.update", error="internal_error")  # the report's own update
    text = view_texts(full_report(slack, app_server, AMY))
    assert "could not be shown. Close this and try *Full report* again." in text
    assert "Working out" not in text

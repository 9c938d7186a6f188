"""App Home's Team progress tab: the same figures as /progress and the database, filters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from bot.clock import FixedClock
from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action
from models import ResourceAssignment, TrainingResource
from tests.conftest import AMY, BOB, RunningApp
from tests.support.seed import load_starter
from tests.test_assign_flow import GIT, assign_git
from tests.test_progress import report


def home(slack: SlackClient, app_server: RunningApp, user: str) -> dict[str, Any]:
    app_server.settle()
    view = slack.fake.home(user)
    assert view is not None
    return view


def test_team_progress_agrees_with_progress_and_the_database(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock, engine: Engine
) -> None:
    load_starter(app_server)
    assign_git(slack, manager, AMY, BOB, due="2026-11-30")
    app_server.settle()
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE)
    app_server.settle()
    clock.advance(timedelta(days=5))

    slack.app_home_opened(manager)
    slack.click(
        user=manager, action_id=Action.HOME_TAB_TEAM, view_id=home(slack, app_server, manager)["id"]
    )
    team = view_texts(home(slack, app_server, manager))
    with engine.connect() as conn:
        total, done = conn.execute(
            select(func.count(), func.count(ResourceAssignment.completed_at))
        ).one()
    assert (total, done) == (2, 1)
    assert "*50%* of 2 assignments completed." in team
    assert "*Overdue*\n1" in team
    assert f"100%  <@{AMY}>  ·  1/1" in team and f"0%  <@{BOB}>  ·  0/1" in team
    assert f"*{GIT} (2nd Edition)*\n50% completed  ·  1/2 · :rotating_light: 1 overdue" in team
    assert "*50%* of 2 completed" in view_texts(report(slack, manager, "pro git"))

    # Opening Home again keeps the tab; a type filter narrows it ("any" clears it).
    slack.app_home_opened(manager)
    assert "Team progress" in view_texts(home(slack, app_server, manager))
    with engine.connect() as conn:
        git_type = conn.scalar(select(TrainingResource.type).where(TrainingResource.title == GIT))
    other = "video" if git_type != "video" else "article"
    view_id = home(slack, app_server, manager)["id"]
    slack.select(user=manager, view_id=view_id, action_id=Action.TEAM_FILTER_TYPE, value=other)
    assert "Nothing assigned yet with these filters." in view_texts(
        home(slack, app_server, manager)
    )
    view_id = home(slack, app_server, manager)["id"]
    slack.select(user=manager, view_id=view_id, action_id=Action.TEAM_FILTER_TYPE, value="any")
    assert "*50%* of 2 assignments completed." in view_texts(home(slack, app_server, manager))

    # A user group narrows it to its members; "Clear filters" shows everyone again.
    slack.fake.add_usergroup("S0DEVS0001", "devs", members=[BOB])
    view_id = home(slack, app_server, manager)["id"]
    slack.select(user=manager, view_id=view_id, action_id=Action.ASSIGN_GROUPS,
                 value=("S0DEVS0001", "@devs"))  # fmt: skip
    narrowed = view_texts(home(slack, app_server, manager))
    assert "*0%* of 1 assignment completed." in narrowed and f"<@{AMY}>" not in narrowed
    slack.click(user=manager, action_id=Action.TEAM_FILTER_CLEAR,
                view_id=home(slack, app_server, manager)["id"])  # fmt: skip
    assert "*50%* of 2 assignments completed." in view_texts(home(slack, app_server, manager))


def test_members_have_no_team_tab(slack: SlackClient, app_server: RunningApp) -> None:
    slack.app_home_opened(AMY)
    view = home(slack, app_server, AMY)
    assert "Team progress" not in view_texts(view)

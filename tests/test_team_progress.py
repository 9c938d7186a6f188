"""App Home's Team progress tab: the same figures as /progress and the database, filters."""

from __future__ import annotations

import random
import statistics
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, func, insert, select

from bot.clock import FixedClock
from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action
from bot.services.progress import Scope
from models import AssignmentEvent, Member, ResourceAssignment, TrainingResource
from tests.conftest import AMY, BOB, TEAM_ID, RunningApp
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


def test_a_generated_team_agrees_with_the_database_row_by_row(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock, engine: Engine
) -> None:
    """30 people, 1-4 trainings each, in every state, assigned by this manager."""
    load_starter(app_server)
    slack.app_home_opened(manager)
    app_server.settle()
    people = [f"U0GEN{n:05d}" for n in range(30)]
    expected, expected_then, median = generate_team(engine, manager, people, now=clock.now())
    assert sum(d for _, d, _, _ in expected.values()) % 2 == 0  # the median of two middle ones
    assert expected_then[0] < sum(d for _, d, _, _ in expected.values())  # some done this week

    slack.click(user=manager, action_id=Action.HOME_TAB_TEAM,
                view_id=home(slack, app_server, manager)["id"])  # fmt: skip
    team = view_texts(home(slack, app_server, manager))
    total = sum(t for t, _, _, _ in expected.values())
    done = sum(d for _, d, _, _ in expected.values())
    overdue = sum(o for _, _, o, _ in expected.values())
    started = sum(s for _, _, _, s in expected.values())
    change = round(100 * done / total) - round(100 * expected_then[0] / expected_then[1])
    arrow = "▲ " if change > 0 else ("▼ " if change < 0 else "± ")
    assert (
        f"*{round(100 * done / total)}%* of {total} assignments completed "
        f"({arrow}{abs(change)} pts in a week)"
    ) in team
    assert f"*Open*\n{total - done}" in team and f"*Completed*\n{done}" in team
    assert f"*Overdue*\n{overdue}" in team and f"*In progress*\n{started}" in team
    # The chart reads the event history itself: its last week moves by the same points.
    profiles = WebClient(base_url=slack.fake.base_url)
    caller = app_server.services.members.resolve(
        team_id=TEAM_ID, user_id=manager, profiles=profiles, refresh=False
    )
    _, series = app_server.services.progress.trend(caller=caller, scope=Scope(title="team"))
    weekly = series["All"]
    assert weekly[-2] is not None and weekly[-1] is not None
    assert weekly[-1] - weekly[-2] == change
    shown = [line for line in team.splitlines() if "%  <@U0GEN" in line]
    assert len(shown) == 20  # the first 20 of them
    for line in shown:
        user = line.split("<@")[1].split(">")[0]
        t, d, o, _ = expected[user]
        assert f"{round(100 * d / t)}%  <@{user}>  ·  {d}/{t}" in line
        assert (f":rotating_light: {o} overdue" in line) == (o > 0)
    assert f"…and {len(expected) - 20} more" in team
    late_people = {user for user, (_, _, o, _) in expected.items() if o}
    assert 0 < len(late_people) <= 20  # so all of them come first
    assert late_people <= {line.split("<@")[1].split(">")[0] for line in shown}

    slack.fake.add_channel("C0GENTEAM1", "gen-team", members=people)
    text = view_texts(report(slack, manager, "<#C0GENTEAM1|gen-team>"))
    assert f"*{round(100 * done / total)}%* of {total} completed" in text
    assert f"*Overdue*\n{overdue}" in text
    assert f"Median time to complete: {median:.1f} days" in text


def generate_team(
    engine: Engine, manager: str, people: list[str], *, now: datetime
) -> tuple[dict[str, tuple[int, int, int, int]], tuple[int, int], float]:
    """Rows and their events written as the app would leave them; returns per person
    (total, completed, overdue, in progress) and (completed, open or completed) a week
    ago, and the median days to complete, counted here in Python, apart from the app's
    SQL. Some completions and cancellations fall within the last week, so the week-ago
    figures differ from today's."""
    rng = random.Random(20261203)
    today, week_ago = now.date(), now - timedelta(days=7)
    counts: dict[str, tuple[int, int, int, int]] = {}
    then_done = then_total = 0
    durations: list[float] = []  # days from assigned to completed
    with engine.begin() as conn:
        ws, by = conn.execute(
            select(Member.workspace_id, Member.id).where(Member.slack_user_id == manager)
        ).one()
        resources = conn.scalars(
            select(TrainingResource.id).order_by(TrainingResource.id).limit(8)
        ).all()
        for user in people:
            member = conn.execute(insert(Member).values(
                workspace_id=ws, slack_user_id=user, display_name=user.lower(), real_name=user,
                tz="UTC", created_at=now, updated_at=now,
            )).inserted_primary_key[0]  # fmt: skip
            total = done = late = started = 0
            for resource in rng.sample(resources, rng.randint(1, 4)):
                state = rng.choice(["assigned", "in_progress", "completed", "overdue", "cancelled"])
                assigned_at = now - timedelta(days=rng.randint(10, 40), hours=1)
                closed_at = assigned_at + timedelta(days=rng.randint(1, 9))
                due = today + timedelta(
                    days=-rng.randint(3, 9) if state == "overdue" else rng.randint(3, 9)
                )
                completed_at = closed_at if state == "completed" else None
                # Cancelled within the last week: still open a week ago, as the history says.
                cancelled_at = (
                    now - timedelta(days=rng.randint(1, 6)) if state == "cancelled" else None
                )
                assignment = conn.execute(insert(ResourceAssignment).values(
                    workspace_id=ws, resource_id=resource, member_id=member, assigned_by_id=by,
                    status={"overdue": "in_progress", "cancelled": "assigned"}.get(state, state),
                    closed_reason="cancelled" if state == "cancelled" else None,
                    progress=100 if state == "completed" else 0, priority="normal", note="",
                    due_on=due, assigned_at=assigned_at, updated_at=closed_at,
                    completed_at=completed_at, cancelled_at=cancelled_at,
                )).inserted_primary_key[0]  # fmt: skip
                events = [("assigned", assigned_at), ("completed", completed_at),
                          ("cancelled", cancelled_at)]  # fmt: skip
                conn.execute(insert(AssignmentEvent), [
                    {"workspace_id": ws, "assignment_id": assignment, "actor_id": by,
                     "kind": kind, "status": kind, "progress": 100 if kind == "completed" else 0,
                     "data": {}, "occurred_at": at}
                    for kind, at in events if at is not None
                ])  # fmt: skip
                then_total += cancelled_at is None or cancelled_at > week_ago
                then_done += completed_at is not None and completed_at <= week_ago
                if completed_at is not None:
                    durations.append((completed_at - assigned_at) / timedelta(days=1))
                if state == "cancelled":
                    continue
                total += 1
                done += state == "completed"
                late += state == "overdue"
                started += state in ("in_progress", "overdue")
            if total:
                counts[user] = (total, done, late, started)
    return counts, (then_done, then_total), statistics.median(durations)

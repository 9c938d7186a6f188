"""The SQL statements of a course item's Done click and of a path step that opens the next
do not grow with the data (see test_statement_counts for why this is asserted, not time)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from bot.fakeslack import FakeSlack, SlackClient, view_texts
from bot.services.catalog_files import parse_catalog
from models import EnrollmentStep, Member, PathEnrollment, TrainingResource, Workspace
from tests.conftest import AMY, BOB, TEAM_ID, RunningApp
from tests.support.courses import assign, import_sample, item_button
from tests.support.library import next_call
from tests.support.seed import T0
from tests.test_paths import PATH, mark_complete
from tests.test_statement_counts import Statements, grow

CAROL, DAN = "U0CAROL001", "U0DAN00001"
BIG = "Twenty by fifteen"


def big_course(app: RunningApp) -> None:
    """A course of 20 sections of 15 items, all new links (imported as a file would be)."""
    course = {
        "external_id": "big-course", "title": BIG, "type": "course",
        "sections": [{"title": f"Part {s}", "items": [
            {"external_id": f"big-{s}-{i}", "title": f"Part {s} item {i}", "type": "article",
             "url": f"https://example.com/big/{s}/{i}"} for i in range(1, 16)]}
            for s in range(1, 21)],
    }  # fmt: skip
    result = app.services.catalog.import_rows(
        rows=parse_catalog("big.json", json.dumps([course])), workspace_id=None
    )
    assert result.created == 301 and not result.rejected


def click_done(slack: SlackClient, user: str, title: str) -> Callable[[], None]:
    def on_the_dm() -> None:
        message = next(m for m in slack.fake.messages(slack.fake.dm_channel(user))
                       if BIG in str(m.get("text")))  # fmt: skip
        button = item_button(_outline(slack, user, message), title)
        before = len(slack.fake.calls_to("views.update"))
        slack.click(user=user, action_id=button["action_id"], value=button["value"],
                    view_id=slack.fake.open_views(user)[-1]["id"])  # fmt: skip
        next_call(slack, "views.update", before)

    return on_the_dm


def _outline(slack: SlackClient, user: str, message: dict[str, Any]) -> dict[str, Any]:
    """The "Open course" modal (a 20 x 15 course does not fit in a message)."""
    views = slack.fake.open_views(user)
    if views and views[-1]["title"]["text"] == "Course":
        return views[-1]
    before = len(slack.fake.calls_to("views.open"))
    slack.click(user=user, action_id="course.open", channel=slack.fake.dm_channel(user),
                ts=message["ts"])  # fmt: skip
    next_call(slack, "views.open", before)
    return slack.fake.open_views(user)[-1]


def step_completion(slack: SlackClient, user: str) -> Callable[[], None]:
    def on_the_dm() -> None:
        before = len(slack.fake.calls_to("chat.postMessage"))
        step_one = next(m for m in slack.fake.messages(slack.fake.dm_channel(user))
                        if "Step 1 of 3" in view_texts(m))  # fmt: skip
        mark_complete(slack, user, step_one)
        next_call(slack, "chat.postMessage", before)  # the next step's DM

    return on_the_dm


def more_paths(engine: Engine) -> None:
    """A thousand other enrollments on the path, each with its three steps."""
    with engine.begin() as conn:
        ws = conn.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
        path = conn.scalar(select(TrainingResource.id).where(
            TrainingResource.external_id == "cp-support-path"))  # fmt: skip
        steps = list(conn.execute(select(EnrollmentStep.resource_id, EnrollmentStep.due_days)
                                  .limit(3)).all())  # fmt: skip
        people = list(conn.scalars(select(Member.id).where(Member.slack_user_id.like("U0BULK%"))))
        enrolled = conn.execute(insert(PathEnrollment).returning(PathEnrollment.id), [
            {"workspace_id": ws, "path_id": path, "member_id": m, "status": "active",
             "priority": "normal", "note": "", "starts_on": T0.date(), "enrolled_at": T0,
             "updated_at": T0} for m in people])  # fmt: skip
        plan = [(n + 1, r, d) for n, (r, d) in enumerate(steps)]
        conn.execute(insert(EnrollmentStep), [
            {"enrollment_id": e, "position": n, "resource_id": r, "due_days": d,
             "state": "locked"} for e in enrolled.scalars() for n, r, d in plan])  # fmt: skip


@pytest.fixture
def statements(engine: Engine) -> Any:
    with Statements(engine) as log:
        yield log


def test_a_done_click_and_a_step_that_opens_the_next_do_not_grow_with_the_data(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine,
    fake_slack: FakeSlack, statements: Statements,
) -> None:  # fmt: skip
    fake_slack.add_user(CAROL, "carol")
    fake_slack.add_user(DAN, "dan")
    import_sample(app_server)
    big_course(app_server)
    people = [AMY, BOB, CAROL, DAN]
    assign(slack, manager, BIG, people)
    assign(slack, manager, PATH, people)
    app_server.settle()
    # First contact (profiles, members) is not what this is about: one of each, unmeasured.
    click_done(slack, AMY, "Part 1 item 1")()
    app_server.settle()
    step_completion(slack, AMY)()
    app_server.settle()
    small = {"done": statements.during(app_server, click_done(slack, BOB, "Part 2 item 1")),
             "step": statements.during(app_server, step_completion(slack, BOB))}  # fmt: skip
    grow(engine)
    more_paths(engine)
    large = {"done": statements.during(app_server, click_done(slack, CAROL, "Part 2 item 1")),
             "step": statements.during(app_server, step_completion(slack, CAROL))}  # fmt: skip
    for kind in small:
        before, after = Counter(small[kind]), Counter(large[kind])
        assert len(small[kind]) == len(large[kind]), (
            f"{kind}: {len(small[kind])} -> {len(large[kind])} statements\n"
            f"more: {sorted((after - before).items())}\nfewer: {sorted((before - after).items())}"
        )
        assert small[kind]

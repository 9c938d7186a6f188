"""Paths and courses in reports: the same figures on every surface, checked against a
generated team whose figures are counted here, apart from the app's SQL."""

from __future__ import annotations

import csv
import io
import random
import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.clock import FixedClock
from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action
from bot.render import render
from bot.services.assignments import AssignForm, Step
from bot.services.members import Caller
from bot.services.progress import Scope
from models.enums import EnrollmentStatus, Priority
from tests.conftest import ADMIN, AMY, BOT_TOKEN, NOW, TEAM_ID, RunningApp
from tests.support.courses import import_sample, resource_id
from tests.support.library import next_call, top_view
from tests.test_progress import report

TEAM = [f"U2{n:08d}" for n in range(24)]
COURSE_ITEMS = ("cp-welcome", "cp-tickets", "cp-macros")


@dataclass
class Expected:
    enrolled: int
    on_step: dict[int, int]
    finished: int
    overdue: int
    median: float | None


def person(app: RunningApp, slack: SlackClient, user: str) -> Caller:
    return app.services.members.resolve(
        team_id=TEAM_ID,
        user_id=user,
        profiles=WebClient(token=BOT_TOKEN, base_url=slack.fake.base_url),
    )


def generated_team(
    slack: SlackClient, app: RunningApp, engine: Engine, clock: FixedClock
) -> Expected:
    """24 people on the sample path at random places; the figures, counted independently."""
    import_sample(app)
    for user in TEAM:
        slack.fake.add_user(user, user.lower())
    admin = person(app, slack, ADMIN)
    path = resource_id(engine, "cp-support-path")
    app.services.assignments.assign(by=admin, form=AssignForm(path, tuple(TEAM), None,
                                                              Priority.NORMAL))  # fmt: skip
    services, rng = app.services, random.Random(12)
    targets = {user: rng.randint(0, 3) for user in TEAM}
    days_to_finish: list[float] = []
    for n, user in enumerate(TEAM):
        learner = person(app, slack, user)
        for step in range(targets[user]):
            clock.set(NOW + timedelta(hours=5 * n + 3 * step + 1))
            card = _open_step(services, learner)
            if step == 1:  # the course: its three required items
                for item in (resource_id(engine, x) for x in COURSE_ITEMS):
                    services.courses.mark(caller=learner, assignment_id=card, resource_id=item,
                                          done=True)  # fmt: skip
            else:
                services.assignments.advance(caller=learner, assignment_id=card,
                                             step=Step.COMPLETE)  # fmt: skip
        if targets[user] == 3:
            days_to_finish.append((clock.now() - NOW).total_seconds() / 86400)
    clock.set(NOW + timedelta(days=3))  # step 1 (due in 2 days) is late; later steps are not
    cancelled = next(u for u in TEAM if targets[u] == 0)
    paused = [u for u in TEAM if targets[u] == 1][:2]
    for user, status in [(cancelled, EnrollmentStatus.CANCELLED)] + [
        (u, EnrollmentStatus.PAUSED) for u in paused
    ]:
        enrollment = services.paths.for_person(caller=person(app, slack, user))[0].enrollment_id
        services.paths.set_status(caller=admin, path_id=path, status=status,
                                  enrollment_id=enrollment)  # fmt: skip
    kept = [u for u in TEAM if u != cancelled]
    return Expected(
        enrolled=len(kept),
        on_step={k + 1: n for k in range(3) if (n := sum(targets[u] == k for u in kept))},
        finished=sum(targets[u] == 3 for u in kept),
        overdue=sum(targets[u] == 0 for u in kept),
        median=round(statistics.median(days_to_finish), 1) if days_to_finish else None,
    )


def _open_step(services: Any, learner: Caller) -> int:
    (progress,) = services.paths.for_person(caller=learner)
    assert progress.current is not None and progress.current.assignment_id is not None
    return int(progress.current.assignment_id)


def line(e: Expected) -> str:
    """The path's line as every surface writes it."""
    steps = ", ".join(f"step {k}: {n}" for k, n in sorted(e.on_step.items()))
    text = f"*New support agent*: {e.enrolled} enrolled  ·  {steps}  ·  finished {e.finished}"
    if e.overdue:
        text += f"  ·  :rotating_light: {e.overdue} overdue"
    if e.median is not None:
        text += f"  ·  median {e.median:.1f} days to finish"
    return text


def test_every_surface_shows_the_same_path_figures_as_counted_apart(
    slack: SlackClient, app_server: RunningApp, engine: Engine, clock: FixedClock
) -> None:
    expected = generated_team(slack, app_server, engine, clock)
    services, admin = app_server.services, person(app_server, slack, ADMIN)
    today = clock.now().date()
    (figures,) = services.progress.report(caller=admin, scope=Scope("everyone"), today=today,
                                          by_person=True).extras.paths  # fmt: skip
    assert (figures.enrolled, dict(figures.on_step), figures.finished, figures.overdue,
            figures.median_days) == (expected.enrolled, expected.on_step, expected.finished,
                                     expected.overdue, expected.median)  # fmt: skip
    # /progress about the path, the full report, Team progress and the weekly digest.
    assert line(expected) in view_texts(report(slack, ADMIN, "New support agent"))
    slack.click(user=ADMIN, action_id=Action.PROGRESS_FULL)
    app_server.settle()
    assert line(expected) in view_texts(top_view(slack, ADMIN))
    slack.app_home_opened(ADMIN)
    app_server.settle()
    slack.click(user=ADMIN, action_id=Action.HOME_TAB_TEAM)
    app_server.settle()
    assert line(expected) in view_texts(slack.fake.home(ADMIN) or {})
    digest = _digest(app_server)
    assert line(expected) in view_texts(render("digest.json.j2", d=digest, chart=None))


def _digest(app: RunningApp) -> Any:
    from bot.services.digests import Subscription
    from models.digest import DigestScope

    sub = Subscription(0, 1, "C0GENERAL1", DigestScope.WORKSPACE, "", "everyone", 0, 9, "UTC",
                       None, None)  # fmt: skip
    now = app.services.clock.now()
    return app.services.digests.compute(subscription=sub, week="2026-W49", as_of=now,
                                        members=None)  # fmt: skip


def test_one_person_s_report_says_where_they_are_on_their_paths_and_the_csv_too(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    from tests.test_paths import on_step_two

    on_step_two(slack, app_server, manager)
    text = view_texts(report(slack, manager, f"<@{AMY}|amy>"))
    assert "New support agent: step 2 of 3 (Onboarding essentials)" in text
    assert "New support agent: step 2 of 3" in view_texts(report(slack, AMY))
    slack.click(user=manager, action_id=Action.PROGRESS_EXPORT)
    app_server.settle()
    (exported,) = [f for f in slack.fake.files.values() if f["name"].endswith(".csv")]
    rows = list(csv.DictReader(io.StringIO(exported["content"].decode())))
    steps = {r["resource"]: (r["path"], r["path_step"]) for r in rows}
    assert steps == {"Welcome to support": ("New support agent", "1/3"),
                     "Onboarding essentials": ("New support agent", "2/3")}  # fmt: skip


def test_a_course_report_shows_completion_by_section(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    from tests.support.courses import assign, dm, item_button

    import_sample(app_server)
    assign(slack, manager, "Onboarding essentials", [AMY, "U0BOB00001"])
    app_server.settle()
    message = dm(slack, AMY)
    button = item_button(message, "Welcome to support")
    slack.click(user=AMY, action_id=button["action_id"], value=button["value"],
                channel=slack.fake.dm_channel(AMY), ts=message["ts"])  # fmt: skip
    app_server.settle()
    text = view_texts(report(slack, manager, "Onboarding essentials"))
    assert "1. Welcome  50% (1/2)" in text  # its one required item: Amy yes, Bob no
    assert "2. Tools  0% (0/2)" in text


def test_a_manager_pauses_resumes_and_cancels_enrollments_each_told_once(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    from tests.support.courses import assign

    import_sample(app_server)
    assign(slack, manager, "Path: New support agent", [AMY, "U0BOB00001"])
    app_server.settle()
    slack.app_home_opened(manager)
    app_server.settle()
    slack.click(user=manager, action_id=Action.HOME_TAB_TEAM)
    app_server.settle()
    before = len(slack.fake.calls_to("views.open"))
    slack.click(user=manager, action_id=Action.PATH_MANAGE)
    next_call(slack, "views.open", before)
    modal = top_view(slack, manager)
    assert "*2* on it" in view_texts(modal)
    amy_row = next(b for b in modal["blocks"] if f"<@{AMY}>" in str(b.get("text", "")))
    enrollment = amy_row["block_id"].split(":")[1]
    before = len(slack.fake.calls_to("views.update"))
    slack.block_action(user=manager, action_id=Action.PATH_ROW, view_id=modal["id"],
                       block_id=amy_row["block_id"],
                       selected_option={"value": f"paused:{enrollment}"})  # fmt: skip
    next_call(slack, "views.update", before)
    assert ":double_vertical_bar: *paused*" in view_texts(top_view(slack, manager))
    # Then everyone: Bob is paused now; Amy, paused already, is not told again.
    before = len(slack.fake.calls_to("views.update"))
    slack.click(user=manager, action_id=Action.PATH_PAUSE_ALL, value="paused",
                view_id=modal["id"])  # fmt: skip
    next_call(slack, "views.update", before)
    app_server.settle()
    told = [str(c.args.get("text")) for c in slack.fake.calls_to("chat.postMessage")
            if "paused your learning path" in str(c.args.get("text"))]  # fmt: skip
    assert len(told) == 2  # one for Amy, one for Bob
    assert "*2* paused" in view_texts(top_view(slack, manager))
    before = len(slack.fake.calls_to("views.update"))
    slack.click(user=manager, action_id=Action.PATH_CANCEL_ALL, value="cancelled",
                view_id=top_view(slack, manager)["id"])  # fmt: skip
    next_call(slack, "views.update", before)
    app_server.settle()
    assert "*2* cancelled" in view_texts(top_view(slack, manager))
    from tests.support.courses import dm

    assert "Cancelled" in view_texts(dm(slack, AMY, 0))  # her step's DM was redrawn

"""Recommendations kept per person: the sweep computes them ahead, Home reads them, and
what the person does (or a resource unpublished) has Home compute them until the sweep
stores them again.

The catalog and history are tests/test_recommendations.py's; its EXPECTED is the list
computed from scratch, which the stored one must equal.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select, update

from bot.clock import FixedClock
from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action
from bot.services.recommend_store import KEEP_FOR, STORED
from models import Member, RecommendationList, TrainingResource
from tests.conftest import AMY, RunningApp
from tests.support.waiting import eventually
from tests.test_recommendations import EXPECTED, cli, recommended, seed


def stored_ids(engine: Engine, user: str = AMY) -> list[int] | None:
    with engine.connect() as c:
        items = c.scalar(
            select(RecommendationList.items)
            .join(Member, Member.id == RecommendationList.member_id)
            .where(Member.slack_user_id == user)
        )
    return None if items is None else [item["id"] for item in items]


def test_the_sweep_stores_everyones_list_equal_to_computing_it_and_runs_once(
    app_server: RunningApp, engine: Engine
) -> None:
    ids = seed(engine)
    service = app_server.services.recommendations
    assert stored_ids(engine) is None
    assert service.refresh() >= 2  # Amy, Bob and the others of the workspace
    assert stored_ids(engine) == [ids[title] for title, _ in EXPECTED][:STORED]
    assert recommended(app_server) == EXPECTED  # read back: same titles, same reasons
    assert service.refresh() == 0  # nothing older than a few hours: nothing to do


def test_home_reads_the_stored_list_while_nothing_changed(
    app_server: RunningApp, engine: Engine
) -> None:
    ids = seed(engine)
    app_server.services.recommendations.refresh()
    # Written by hand, the stored list shows as it is: Home does not rank again.
    order = ["Customer Empathy", "Bisect Like a Pro"]
    with engine.begin() as c:
        rows = c.execute(select(RecommendationList.member_id, RecommendationList.items)).all()
        for member_id, items in rows:
            by_id = {item["id"]: item for item in items}
            if ids["Customer Empathy"] in by_id:
                kept = [by_id[ids[t]] for t in order if ids[t] in by_id]
                c.execute(
                    update(RecommendationList)
                    .where(RecommendationList.member_id == member_id)
                    .values(items=kept)
                )
    assert [t for t, _ in recommended(app_server, limit=2)] == order


def test_what_they_do_or_an_unpublished_resource_has_the_list_computed_again(
    slack: SlackClient, app_server: RunningApp, engine: Engine, clock: FixedClock
) -> None:
    ids = seed(engine)
    app_server.services.recommendations.refresh()
    clock.advance(timedelta(minutes=5))
    slack.app_home_opened(AMY)  # the stored list, read
    slack.fake.wait_for_call("views.publish")
    assert "Python Idioms" not in view_texts(slack.fake.home(AMY) or {})
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE)  # Python Basics

    def redrawn() -> str | None:
        text = view_texts(slack.fake.home(AMY) or {})
        return text if "Python Idioms" in text else None

    assert "Next level after your beginner *Python*" in eventually(redrawn)
    # Stored again as she completed it (before her Home was drawn): the sweep has nothing
    # left to do for her, and her next Home reads it.
    assert ids["Python Idioms"] in (stored_ids(engine) or [])[:5]
    assert app_server.services.recommendations.refresh() == 0
    with engine.begin() as c:
        c.execute(
            update(TrainingResource)
            .where(TrainingResource.id == ids["Bisect Like a Pro"])
            .values(status="archived")
        )
    assert "Bisect Like a Pro" not in [t for t, _ in recommended(app_server)]


def test_a_day_old_list_is_computed_again(
    app_server: RunningApp, engine: Engine, clock: FixedClock
) -> None:
    ids = seed(engine)
    app_server.services.recommendations.refresh()
    with engine.begin() as c:  # a list stored long ago, naming only one resource
        c.execute(
            update(RecommendationList).values(
                items=[{"id": ids["Customer Empathy"], "score": 1.0, "reason": ["x", "", ""]}],
                computed_at=clock.now() - KEEP_FOR,
            )
        )
    assert recommended(app_server) == EXPECTED


def test_jobs_run_recommendations_computes_the_lists(
    app_server: RunningApp, engine: Engine, database_url: str
) -> None:
    seed(engine)
    done = cli(database_url, "jobs", "run", "recommendations")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("recommendation list(s) computed")
    assert int(done.stdout.split()[0]) >= 2
    assert stored_ids(engine) is not None

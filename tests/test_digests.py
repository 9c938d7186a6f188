"""Weekly digests: subscribing from Slack, the numbers against the database, the chart,
once a week, skipped when late, and a channel that goes away."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from bot.delivery import deliver_pending
from bot.fakeslack import FakeSlack, SlackClient, view_texts
from bot.ids import Action, Block
from bot.services.assignments import Step
from bot.services.digests import Subscription
from models import DigestScope, OutboxMessage
from tests.conftest import AMY, BOB, MANAGER, TEAM_ID, RunningApp
from tests.support.library import next_call, top_view
from tests.test_reminders import World, at, make_world

GENERAL = "C0GENERAL1"


def subscribe(world: World, **change: Any) -> Subscription:
    form: dict[str, Any] = {"channel_id": GENERAL, "scope": DigestScope.WORKSPACE,
                            "scope_label": "everyone", "weekday": 0, "hour": 9,
                            "tz": "Europe/Berlin"} | change  # fmt: skip
    return world.services.digests.subscribe(caller=world.manager, **form)


def sweep(world: World, moment: str) -> list[Any]:
    """The scheduler's digest job at `moment`: plan, then send what is owed."""
    world.clock.set(at(moment))
    planned = world.services.digests.plan()
    deliver_pending(world.services, world.client)
    return planned


def posts(fake: FakeSlack, channel: str = GENERAL) -> list[dict[str, Any]]:
    return [m for m in fake.messages(channel) if m.get("bot_id")]


def history(world: World) -> None:
    """Three assignments; one done last week, one this week, one late and in progress;
    a fourth cancelled this week (open last week, so counted then)."""
    world.clock.set(at("2026-11-16T10:00"))
    world.assign("r1", AMY, BOB, due=date(2026, 11, 20))
    world.assign("r2", AMY, BOB, due=date(2026, 12, 20))
    amy = world.services.members.resolve(team_id=TEAM_ID, user_id=AMY, profiles=world.client)
    bob = world.services.members.resolve(team_id=TEAM_ID, user_id=BOB, profiles=world.client)
    ids = {(c.assignee, c.title): c.id for c in _cards(world)}
    world.clock.set(at("2026-11-18T10:00"))
    world.services.assignments.advance(caller=amy, assignment_id=ids[(AMY, "Git basics")],
                                       step=Step.COMPLETE)  # fmt: skip
    world.clock.set(at("2026-11-25T10:00"))
    world.services.assignments.advance(caller=bob, assignment_id=ids[(BOB, "Git basics")],
                                       step=Step.START)  # fmt: skip
    world.clock.set(at("2026-11-26T10:00"))
    world.services.assignments.advance(caller=amy, assignment_id=ids[(AMY, "Security 101")],
                                       step=Step.COMPLETE)  # fmt: skip
    world.clock.set(at("2026-11-27T10:00"))
    world.services.manage.cancel(caller=world.manager, resource_id=world.resources["r2"],
                                assignment_id=ids[(BOB, "Security 101")])  # fmt: skip
    deliver_pending(world.services, world.client)


def _cards(world: World) -> list[Any]:
    from bot.services.cards import cards_by_id
    from models import ResourceAssignment

    with world.services.sessions.begin() as s:
        ids = s.scalars(select(ResourceAssignment.id)).all()
        return cards_by_id(s, world.manager.workspace_id, ids)


def test_the_digest_tells_the_weeks_numbers_as_the_database_has_them(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    world = make_world(database_url, engine, fake_slack)
    history(world)
    subscribe(world)
    assert sweep(world, "2026-11-30T07:59") == []  # 08:59 in Berlin: not yet
    sweep(world, "2026-11-30T08:00")  # Monday 09:00 in Berlin
    (digest,) = posts(fake_slack)
    text = view_texts(digest)
    # A week ago: 1 of 4 completed (the cancelled one was still open then), 25%.
    assert "*67%* of 3 assignments completed (▲ 42 pts since last week)." in text
    assert "*Completed this week*\n1" in text and "*In progress*\n1" in text
    assert f"<@{BOB}>  ·  Git basics  ·  10 days late" in text
    assert f"*Top learners this week*: <@{AMY}> (1)" in text
    assert "*Most completed*: Security 101 (1)" in text
    (image,) = [b for b in digest["blocks"] if b["type"] == "image"]
    png = fake_slack.files[image["slack_file"]["id"]]["content"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and 5_000 < len(png) < 200_000

    sweep(world, "2026-11-30T15:00")
    sweep(world, "2026-12-01T08:00")
    assert len(posts(fake_slack)) == 1  # once a week
    sweep(world, "2026-12-07T08:00")
    assert len(posts(fake_slack)) == 2  # and the next week


def test_nothing_to_report_is_said_plainly(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    world = make_world(database_url, engine, fake_slack)
    subscribe(world)
    sweep(world, "2026-11-30T08:00")
    (digest,) = posts(fake_slack)
    assert "Nothing to report for everyone this week" in view_texts(digest)
    assert fake_slack.calls_to("files.getUploadURLExternal") == []  # no chart of nothing


def test_a_digest_more_than_a_day_late_is_skipped_and_recorded(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    world = make_world(database_url, engine, fake_slack)
    subscribe(world)
    sweep(world, "2026-12-01T09:00")  # Tuesday 10:00 in Berlin: Monday's is 25 h late
    assert posts(fake_slack) == []
    with engine.connect() as conn:
        row = conn.execute(select(OutboxMessage.status, OutboxMessage.last_error)).one()
    assert tuple(row) == ("skipped", "missed by more than a day")


def test_an_archived_channel_stops_its_digest_and_the_subscriber_is_told_once(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    world = make_world(database_url, engine, fake_slack)
    subscribe(world, scope=DigestScope.CHANNEL, scope_label="the members of the channel")
    fake_slack.add_channel(GENERAL, "general", members=[AMY, BOB, MANAGER], is_archived=True)
    sweep(world, "2026-11-30T08:00")
    sweep(world, "2026-12-07T08:00")
    told = [m for m in fake_slack.messages(fake_slack.dm_channel(MANAGER)) if "digest" in m["text"]]
    assert len(told) == 1
    assert "has stopped: the channel was archived" in told[0]["text"]
    (sub,) = world.services.digests.subscriptions(caller=world.manager)
    assert sub.broken_reason == "is_archived"


def test_subscribing_listing_and_unsubscribing_from_slack(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    slack.fake.add_channel("C0NOBOT001", "nobot", members=[AMY], bot_is_member=False)
    slack.command("/training", "digest", user=AMY)
    slack.fake.wait_for_response_text("Only managers and admins can manage weekly digests.")
    before = len(slack.fake.calls_to("views.open"))
    slack.command("/training", f"digest <#{GENERAL}|general>", user=manager)
    next_call(slack, "views.open", before)
    modal = top_view(slack, manager)
    channel = next(b for b in modal["blocks"] if b.get("block_id") == Block.DIGEST_CHANNEL)
    assert channel["element"]["initial_conversation"] == GENERAL
    response = slack.submit_view(
        user=manager, view_id=modal["id"],
        values={Block.DIGEST_CHANNEL: "C0NOBOT001", Block.DIGEST_SCOPE: "usergroup"},
    )  # fmt: skip
    assert response.json is not None
    assert response.json["errors"] == {
        Block.DIGEST_CHANNEL: "Invite @trainbot to #nobot first (type `/invite @trainbot` there).",
        Block.DIGEST_GROUP: "Choose the user group the digest is about.",
    }
    response = slack.submit_view(
        user=manager, view_id=modal["id"],
        values={Block.DIGEST_CHANNEL: GENERAL, Block.DIGEST_SCOPE: "workspace",
                Block.WEEKDAY: "4", Block.HOUR: "16"},
    )  # fmt: skip
    assert response.json is not None
    assert "gets the weekly digest about everyone on Fridays at 16:00" in view_texts(
        response.json["view"]
    )

    slack.command("/training", "digest", user=manager)
    listing = slack.fake.wait_for_response_text("Fridays at 16:00")
    assert f"<#{GENERAL}>" in listing
    before = len(slack.fake.calls_to("views.open"))
    slack.click(user=manager, action_id=Action.DIGEST_EDIT)
    next_call(slack, "views.open", before)
    edit = top_view(slack, manager)
    timing = [b for b in edit["blocks"] if b.get("block_id") in (Block.WEEKDAY, Block.HOUR)]
    chosen = {b["block_id"]: b["element"]["initial_option"]["value"] for b in timing}
    assert chosen == {Block.WEEKDAY: "4", Block.HOUR: "16"}
    slack.submit_view(user=manager, view_id=edit["id"], values={Block.HOUR: "8"})
    slack.command("/training", "digest", user=manager)
    slack.fake.wait_for_response_text("Fridays at 08:00")  # changed, not doubled
    slack.click(user=manager, action_id=Action.DIGEST_UNSUBSCRIBE)
    slack.fake.wait_for_response_text("Weekly digests: none yet")
    assert app_server.services.digests.subscriptions(caller=_caller(app_server, manager)) == []


def _caller(app_server: RunningApp, user: str) -> Any:
    from slack_sdk import WebClient

    client = WebClient(token="xoxb-test-token", base_url=app_server.services.settings.api_url)
    return app_server.services.members.resolve(team_id=TEAM_ID, user_id=user, profiles=client)

"""The outbox's promises: every DM goes out once, through crashes, timeouts and 429s."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import Engine, select

from bot.clock import FixedClock, SystemClock
from bot.delivery import deliver_pending
from bot.fakeslack import FakeSlack
from bot.services import Services, build_services
from bot.services.assignments import AssignForm
from bot.services.outbox import LEASE
from models import OutboxMessage, ResourceAssignment
from models.enums import Priority, Role
from tests.conftest import ADMIN, BOT_TOKEN, MANAGER, NOW, TEAM_ID, make_settings
from tests.support.seed import bulk_resources

ROOT = Path(__file__).resolve().parents[1]


def people(fake: FakeSlack, count: int) -> list[str]:
    ids = [f"U1{n:08d}" for n in range(count)]
    for n, user_id in enumerate(ids):
        fake.add_user(user_id, f"learner{n}")
    return ids


def services_for(
    database_url: str, engine: Engine, fake: FakeSlack, clock: FixedClock | SystemClock, **env: str
) -> Services:
    settings = make_settings(database_url, fake)
    if env:
        settings = type(settings)(**{**settings.__dict__, **env})  # type: ignore[arg-type]
    return build_services(settings, clock=clock, engine=engine)


def assign_to(services: Services, fake: FakeSlack, user_ids: list[str]) -> None:
    """What a submitted /assign modal does: every assignment and every DM owed, in one go."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.base_url)
    admin = services.members.resolve(team_id=TEAM_ID, user_id=ADMIN, profiles=client)
    manager = services.members.set_role(
        caller=admin, user_id=MANAGER, role=Role.MANAGER, profiles=client
    )
    bulk_resources(services.engine, 1)
    resource_id = services.catalog.suggest(caller=manager, words="", limit=1)[0][0]
    services.assignments.assign(
        by=manager,
        form=AssignForm(resource_id=resource_id, user_ids=tuple(user_ids), due_on=None,
                        priority=Priority.NORMAL),
    )  # fmt: skip


def dm_counts(fake: FakeSlack, user_ids: list[str]) -> dict[int, int]:
    """How many people have 0, 1, 2... DMs."""
    counts: dict[int, int] = {}
    for user_id in user_ids:
        n = len(fake.messages(fake.dm_channel(user_id)))
        counts[n] = counts.get(n, 0) + 1
    return counts


def statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage.status)).scalars().all()
    return {status: rows.count(status) for status in set(rows)}


def test_a_sender_killed_midway_through_1000_dms_leaves_everyone_with_exactly_one(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    """kill -9 the scheduler process right after Slack accepted DM 301 but before it heard."""
    learners = people(fake_slack, 1000)
    assign_to(services_for(database_url, engine, fake_slack, SystemClock()), fake_slack, learners)
    hang = fake_slack.hang_after("chat.postMessage", answered=300)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": database_url,
        "TRAINBOT_SEND_PER_MINUTE": "60000",
    }
    sender = subprocess.Popen(
        [sys.executable, "-m", "bot.scheduler"], env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        reached = hang.reached.wait(timeout=120)
        sender.send_signal(signal.SIGKILL)
    finally:
        output = sender.communicate(timeout=30)[0]
        hang.release.set()
    assert reached, f"the sender never got to DM 301:\n{output}"
    assert dm_counts(fake_slack, learners) == {1: 301, 0: 699}
    assert statuses(engine) == {"sent": 300, "pending": 700}

    # The restart, once the dead sender's lease has run out.
    later = FixedClock(SystemClock().now() + LEASE + timedelta(seconds=1))
    fake_slack.reset_calls()
    deliver_pending(services_for(database_url, engine, fake_slack, later),
                    WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url))  # fmt: skip

    assert dm_counts(fake_slack, learners) == {1: 1000}
    assert statuses(engine) == {"sent": 1000}
    assert len(fake_slack.calls_to("chat.postMessage")) == 699
    assert len(fake_slack.calls_to("conversations.history")) == 1  # only DM 301 was in doubt
    with engine.connect() as conn:
        dms = conn.execute(select(ResourceAssignment.dm_ts)).scalars().all()
    assert len(dms) == 1000 and None not in dms  # every DM can still be updated in place


def test_a_post_that_timed_out_after_slack_accepted_it_is_not_sent_again(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    learners = people(fake_slack, 3)
    clock = FixedClock(NOW)
    services = services_for(database_url, engine, fake_slack, clock)
    assign_to(services, fake_slack, learners)
    hang = fake_slack.hang_after("chat.postMessage", answered=1)
    impatient = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url, timeout=1)
    try:
        assert deliver_pending(services, impatient) == 2  # the second post timed out
    finally:
        hang.release.set()
    assert dm_counts(fake_slack, learners) == {1: 3}
    clock.advance(timedelta(minutes=5))  # the retry's backoff
    fake_slack.reset_calls()
    assert deliver_pending(services, impatient) == 1  # found in the conversation, recorded
    assert fake_slack.calls_to("chat.postMessage") == []
    assert dm_counts(fake_slack, learners) == {1: 3}
    assert statuses(engine) == {"sent": 3}


def test_a_429_pauses_every_sender_for_the_workspace_until_retry_after(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    learners = people(fake_slack, 3)
    clock = FixedClock(NOW)
    one, other = (services_for(database_url, engine, fake_slack, clock) for _ in range(2))
    assign_to(one, fake_slack, learners)
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    fake_slack.fail("chat.postMessage", status=429, retry_after=30)
    assert deliver_pending(one, client) == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # the rest waited, not hammered
    clock.advance(timedelta(seconds=29))
    assert deliver_pending(other, client) == 0  # another replica sees the pause too
    clock.advance(timedelta(seconds=2))
    assert deliver_pending(other, client) == 3
    assert dm_counts(fake_slack, learners) == {1: 3}
    assert statuses(engine) == {"sent": 3}


def test_a_sender_that_lost_its_lease_does_not_post(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    learners = people(fake_slack, 1)
    clock = FixedClock(NOW)
    services = services_for(database_url, engine, fake_slack, clock)
    assign_to(services, fake_slack, learners)
    (stale,) = services.outbox.claim()
    clock.advance(LEASE + timedelta(seconds=1))  # it stalled (GC pause, a hung call...)
    (fresh,) = services.outbox.claim()
    assert services.outbox.begin_send(fresh)
    assert not services.outbox.begin_send(stale)


def test_posts_are_paced_to_the_configured_rate(
    database_url: str, engine: Engine, fake_slack: FakeSlack
) -> None:
    learners = people(fake_slack, 6)
    services = services_for(
        database_url,
        engine,
        fake_slack,
        FixedClock(NOW),
        send_per_minute=600,  # 0.1 s apart
    )
    assign_to(services, fake_slack, learners)
    started = time.monotonic()
    deliver_pending(services, WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url))
    assert time.monotonic() - started >= 0.5
    posts = [c.at for c in fake_slack.calls_to("chat.postMessage")]
    assert len(posts) == 6
    assert min(b - a for a, b in itertools.pairwise(posts)) >= 0.09

"""kill -9 of `trainbot serve` between a step's completion and its next step's DM."""

from __future__ import annotations

import os
import signal
from datetime import timedelta
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import Engine, func, select

from bot.clock import FixedClock, SystemClock
from bot.delivery import deliver_pending
from bot.fakeslack import FakeSlack, SlackClient, view_texts
from bot.ids import Action
from bot.services import build_services
from bot.services.assignments import AssignForm
from bot.services.outbox import LEASE
from models import OutboxMessage, ResourceAssignment
from models.enums import Priority, Role
from tests.conftest import ADMIN, AMY, BOT_TOKEN, MANAGER, SIGNING_SECRET, TEAM_ID, make_settings
from tests.support.courses import SAMPLE, resource_id
from tests.test_serve import serve


def test_a_server_killed_after_a_step_completes_still_sends_the_next_step_once(
    fake_slack: FakeSlack, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    from bot.services.catalog_files import parse_catalog, read_catalog_file

    services = build_services(make_settings(database_url, fake_slack), engine=engine)
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    services.catalog.import_rows(rows=parse_catalog(*read_catalog_file(SAMPLE)), workspace_id=None)
    admin = services.members.resolve(team_id=TEAM_ID, user_id=ADMIN, profiles=client)
    manager = services.members.set_role(
        caller=admin, user_id=MANAGER, role=Role.MANAGER, profiles=client
    )
    path = resource_id(engine, "cp-support-path")
    services.assignments.assign(by=manager, form=AssignForm(path, (AMY,), None, Priority.NORMAL))
    deliver_pending(services, client)  # step 1's DM
    (first,) = fake_slack.messages(fake_slack.dm_channel(AMY))
    hang = fake_slack.hang_after("chat.postMessage", answered=0)  # step 2's DM: held

    with serve(fake_slack, database_url, tmp_path) as (base, process):
        slack = SlackClient(f"{base}/slack/events", SIGNING_SECRET, fake_slack)
        slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE,
                    channel=fake_slack.dm_channel(AMY), ts=first["ts"])  # fmt: skip
        assert hang.reached.wait(timeout=30), "the next step's DM was never sent"
        os.killpg(process.pid, signal.SIGKILL)  # Slack has the DM; Trainbot never heard
        process.communicate(timeout=30)
    hang.release.set()
    assert len(fake_slack.messages(fake_slack.dm_channel(AMY))) == 2

    # Restarted once the dead sender's lease ran out: nothing is sent twice, nothing lost.
    later = FixedClock(SystemClock().now() + LEASE + timedelta(seconds=1))
    restarted = build_services(make_settings(database_url, fake_slack), engine=engine, clock=later)
    deliver_pending(restarted, client)
    messages = fake_slack.messages(fake_slack.dm_channel(AMY))
    assert len(messages) == 2
    assert "Step 2 of 3 of *New support agent*" in view_texts(messages[1])
    with engine.connect() as conn:
        statuses = conn.execute(select(OutboxMessage.status)).scalars().all()
        open_steps = conn.scalar(
            select(func.count()).select_from(ResourceAssignment)
            .where(ResourceAssignment.completed_at.is_(None))
        )  # fmt: skip
        step_two_dm = conn.scalar(
            select(ResourceAssignment.dm_ts).where(ResourceAssignment.completed_at.is_(None))
        )
    assert set(statuses) == {"sent"} and open_steps == 1
    assert step_two_dm == messages[1]["ts"]  # and it can be updated in place

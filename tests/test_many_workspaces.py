"""Several workspaces served by one deployment at once, each installed through OAuth with
its own token: the same person and channel ids in each, and nothing of one reaching the
other. An org-wide install (Enterprise Grid) serving every workspace of its org."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, func, select

from bot.app import make_client
from bot.clock import FixedClock
from bot.delivery import deliver_pending
from bot.fakeslack import FakeSlack, SlackClient, view_texts
from bot.fakeslack.facade import WorkspaceFacade
from bot.ids import Action, Block
from bot.scheduler import plan_and_send
from bot.services.catalog_files import parse_catalog
from models import (
    DigestScope,
    Member,
    OutboxMessage,
    ResourceAssignment,
    Workspace,
    slack_bots,
    slack_installations,
)
from tests.conftest import ADMIN, AMY, BOB, SIGNING_SECRET, TEAM_ID
from tests.support.courses import assign, dm, open_assign, option_for
from tests.support.installs import Installer, add_to_slack_link, browser, visit
from tests.support.waiting import eventually

GLOBEX = "T0GLOBEX01"
ORG, EAST, WEST = "E0INITECH1", "T0INITEAST", "T0INITWEST"


def seeded(workspace: WorkspaceFacade) -> WorkspaceFacade:
    """The same ids as the first workspace's people and channel: Slack ids are only unique
    within a workspace (or an org), so nothing may be found by them alone."""
    workspace.add_user(ADMIN, "root", real_name="Grace Admin", tz="UTC", is_admin=True)
    workspace.add_user(AMY, "amy2", real_name="Amy Elsewhere", tz="UTC")
    workspace.add_channel("C0GENERAL1", "general", members=[ADMIN, AMY])
    return workspace


def install(installer: Installer, fake: FakeSlack, into: str) -> str:
    """Add to Slack, choosing `into` (a workspace or an org) on the consent page."""
    fake.oauth.install_into = into
    person = browser()
    status, _, page = visit(person, add_to_slack_link(person, installer.url))
    assert status == 200, page
    return page


def acme_and_globex(
    installer: Installer, fake: FakeSlack
) -> tuple[SlackClient, SlackClient, WorkspaceFacade]:
    """Acme (the stand-in's first workspace) and Globex beside it, both installed: a client
    speaking for each, and Globex's side of the stand-in."""
    globex = seeded(fake.add_workspace(team_id=GLOBEX, team_name="Globex",
                                       bot_token="xoxb-globex-token"))  # fmt: skip
    for team, name in ((TEAM_ID, "Acme"), (GLOBEX, "Globex")):
        assert f"Trainbot is installed in {name}" in install(installer, fake, team)
    url = f"{installer.url}/slack/events"
    return SlackClient(url, SIGNING_SECRET, fake), SlackClient(url, SIGNING_SECRET, globex), globex


def workspace_id(engine: Engine, team_id: str) -> int:
    found = eventually(lambda: _workspace(engine, team_id), what=f"workspace {team_id}")
    return int(found.id)


def _workspace(engine: Engine, team_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(Workspace).where(Workspace.team_id == team_id)).first()


def import_own(installer: Installer, engine: Engine, slack: SlackClient, title: str) -> None:
    """Content of the workspace's own (not the shared library)."""
    slack.command("/training", "help", user=ADMIN)  # the workspace is known from now
    slack.fake.wait_for_response_text("/library")
    installer.settle()  # what followed the ack is written before the import writes
    row = {"external_id": title.lower().replace(" ", "-"), "title": title, "type": "article",
           "url": "https://example.com/" + title.replace(" ", "-")}  # fmt: skip
    team_id = slack.fake.identity.team_id
    installer.services.catalog.import_rows(rows=parse_catalog("own.json", json.dumps([row])),
                                           workspace_id=workspace_id(engine, team_id))  # fmt: skip


def both(*work: Callable[[], object]) -> None:
    """Run each piece of work in its own thread, at once; fail if any failed."""
    failures: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            job()
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures


def test_two_workspaces_are_served_at_once_each_with_its_own_token_and_data(
    installer: Installer, fake_slack: FakeSlack, engine: Engine
) -> None:
    acme_slack, globex_slack, globex = acme_and_globex(installer, fake_slack)
    import_own(installer, engine, acme_slack, "Acme Forklift Safety")
    import_own(installer, engine, globex_slack, "Globex Reactor Basics")

    # Each admin finds only their own workspace's content in /assign's typeahead.
    view = open_assign(globex_slack, ADMIN)
    option_for(globex_slack, ADMIN, view, "Globex Reactor Basics")
    answer = globex_slack.suggest(user=ADMIN, view_id=view["id"], action_id=Action.ASSIGN_RESOURCE,
                                  value="Forklift")  # fmt: skip
    assert answer.json is not None and answer.json["options"] == []
    globex.clear_views(ADMIN)

    both(
        lambda: assign(acme_slack, ADMIN, "Acme Forklift Safety", [AMY]),
        lambda: assign(globex_slack, ADMIN, "Globex Reactor Basics", [AMY]),
    )
    acme_dm, globex_dm = view_texts(dm(acme_slack, AMY)), view_texts(dm(globex_slack, AMY))
    assert "Acme Forklift Safety" in acme_dm and "Globex" not in acme_dm
    assert "Globex Reactor Basics" in globex_dm and "Acme" not in globex_dm
    # Every call about Globex went with Globex's token, and Acme's with Acme's.
    assert {c.token for c in globex.calls} == {"xoxb-globex-token"}
    assert {c.token for c in fake_slack.calls if c.team_id} == {"xoxb-test-token"}

    # Amy marks hers complete in Globex once its DM is recorded (a click between Slack
    # taking the DM and Trainbot recording it leaves the DM as it was: see the note); Acme's
    # stays open.
    installer.settle()
    globex_slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE)
    eventually(lambda: "Completed" in view_texts(dm(globex_slack, AMY)), what="Globex DM done")
    assert "Completed" not in view_texts(dm(acme_slack, AMY))


def test_an_org_wide_install_serves_every_workspace_of_the_org(
    installer: Installer, fake_slack: FakeSlack, engine: Engine
) -> None:
    east, west = (
        seeded(fake_slack.add_workspace(team_id=team, team_name=name, bot_token=f"xoxb-{team}",
                                        enterprise_id=ORG, enterprise_name="Initech"))
        for team, name in ((EAST, "Initech East"), (WEST, "Initech West"))
    )  # fmt: skip
    assert "Trainbot is installed in Initech" in install(installer, fake_slack, ORG)
    with engine.connect() as conn:
        (row,) = conn.execute(select(slack_installations)).all()
    assert (row.enterprise_id, row.team_id, row.is_enterprise_install) == (ORG, None, True)

    for workspace in (east, west):  # each served through the org's installation
        slack = SlackClient(f"{installer.url}/slack/events", SIGNING_SECRET, workspace)
        slack.command("/training", "help", user=ADMIN)
        workspace.wait_for_response_text("/library")
        assert _workspace(engine, workspace.identity.team_id).enterprise_id == ORG  # kept

    # Background work for West uses the org's token, naming West so Slack knows where.
    services = installer.services
    services.outbox.enqueue(workspace_id=workspace_id(engine, WEST), key="west-hello",
                            recipient=AMY, payload={"text": "Hello West"})  # fmt: skip
    assert deliver_pending(services, make_client(services.settings)) == 1
    (posted,) = west.calls_to("chat.postMessage")
    assert posted.token not in (f"xoxb-{WEST}", f"xoxb-{EAST}")  # the org's
    assert posted.args["team_id"] == WEST
    assert [m["text"] for m in west.messages(west.dm_channel(AMY))] == ["Hello West"]
    assert east.messages(east.dm_channel(AMY)) == []

    # Uninstalled from the org: every workspace of it is held, the org's tokens gone.
    east_slack = SlackClient(f"{installer.url}/slack/events", SIGNING_SECRET, east)
    assert east_slack.event({"type": "app_uninstalled"}).status == 200
    eventually(lambda: all(_workspace(engine, t).uninstalled_at for t in (EAST, WEST)),
               what="both workspaces held")  # fmt: skip
    eventually(lambda: not _rows(engine, slack_bots) and not _rows(engine, slack_installations),
               what="the org's tokens deleted")  # fmt: skip


def _rows(engine: Engine, table: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(table)).all())


def assignment_of(engine: Engine, team_id: str, user_id: str) -> Any:
    a = ResourceAssignment
    with engine.connect() as conn:
        return conn.execute(
            select(a.id, a.resource_id, a.status, a.cancelled_at)
            .join(Member, Member.id == a.member_id)
            .join(Workspace, Workspace.id == a.workspace_id)
            .where(Workspace.team_id == team_id, Member.slack_user_id == user_id)
        ).one()


def test_ids_from_another_workspace_or_person_are_refused_logged_and_change_nothing(
    installer: Installer, fake_slack: FakeSlack, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    acme, glx, globex = acme_and_globex(installer, fake_slack)
    import_own(installer, engine, acme, "Acme Forklift Safety")
    import_own(installer, engine, glx, "Globex Reactor Basics")
    assign(acme, ADMIN, "Acme Forklift Safety", [AMY, BOB])
    acme_dm = dm(acme, AMY)
    theirs = assignment_of(engine, TEAM_ID, AMY)
    caplog.set_level(logging.WARNING, logger="trainbot.errors")

    # Amy of Globex (the same user id as Acme's Amy) replays Acme Amy's Mark complete.
    glx.replay_action(user=AMY, message=acme_dm, action_id=Action.ASSIGNMENT_COMPLETE)
    assert "no longer exists" in globex.wait_for_response_text("no longer exists")
    # Bob, in Acme itself, replays Amy's.
    acme.replay_action(user=BOB, message=acme_dm, action_id=Action.ASSIGNMENT_COMPLETE)
    assert "only" in fake_slack.wait_for_response_text("only").lower()

    # Globex's admin submits /assign with Acme's resource in the option.
    acme_option = option_for(acme, ADMIN, open_assign(acme, ADMIN), "Acme Forklift Safety")
    fake_slack.clear_views(ADMIN)
    view = open_assign(glx, ADMIN)
    answer = glx.submit_view(user=ADMIN, view_id=view["id"],
                             values={Block.RESOURCE: acme_option, Block.PEOPLE: [AMY]})  # fmt: skip
    assert "no longer exists" in str((answer.json or {}).get("errors"))
    # ... and a Manage "cancel" whose private_metadata names Acme's assignment.
    forged = {"id": view["id"], "callback_id": "manage_change", "type": "modal",
              "private_metadata": json.dumps({"op": "cancel", "resource": theirs.resource_id,
                                              "assignment": theirs.id}), "blocks": []}  # fmt: skip
    answer = glx.submit_crafted(user=ADMIN, view=forged, values={})
    assert "no longer exists" in view_texts((answer.json or {}).get("view") or {})

    # Nothing changed: Acme's assignments open, its DM as it was; Globex assigned nothing.
    assert assignment_of(engine, TEAM_ID, AMY) == theirs and theirs.cancelled_at is None
    assert view_texts(dm(acme, AMY)) == view_texts(acme_dm)
    with engine.connect() as conn:
        assigned = conn.scalar(select(func.count()).select_from(ResourceAssignment).join(
            Workspace, Workspace.id == ResourceAssignment.workspace_id
        ).where(Workspace.team_id == GLOBEX))  # fmt: skip
    assert assigned == 0
    # Each refusal is logged with who sent it.
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused")]
    assert any(f"team={GLOBEX} user={AMY} assignment.complete" in r for r in refusals), refusals
    assert any(f"team={TEAM_ID} user={BOB} assignment.complete" in r for r in refusals), refusals
    assert any(f"team={GLOBEX} user={ADMIN} view=assign" in r for r in refusals), refusals
    assert any(f"team={GLOBEX} user={ADMIN} view=manage_change" in r for r in refusals), refusals


def test_the_sweeps_skip_an_uninstalled_workspace_until_it_installs_again(
    installer: Installer, fake_slack: FakeSlack, engine: Engine, clock: FixedClock
) -> None:
    acme, glx, _ = acme_and_globex(installer, fake_slack)
    for slack, title in ((acme, "Acme Forklift Safety"), (glx, "Globex Reactor Basics")):
        import_own(installer, engine, slack, title)
        assign(slack, ADMIN, title, [AMY], **{Block.DUE: "2026-12-01"})
    assert glx.event({"type": "app_uninstalled"}).status == 200
    eventually(lambda: _workspace(engine, GLOBEX).uninstalled_at, what="Globex held")
    eventually(lambda: len(_rows(engine, slack_bots)) == len(_rows(engine, slack_installations))
               == 1, what="Globex's tokens deleted")  # fmt: skip

    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # the day before: a reminder
    services, tokenless = installer.services, make_client(installer.services.settings)
    assert plan_and_send(services, tokenless) == 1  # Acme's; nothing planned for Globex
    assert "Acme Forklift Safety" in view_texts(dm(acme, AMY, index=1))
    with engine.connect() as conn:
        owed = conn.execute(select(OutboxMessage.workspace_id)
                            .where(OutboxMessage.kind == "reminder")).scalars().all()  # fmt: skip
    assert workspace_id(engine, GLOBEX) not in owed

    assert "Trainbot is installed in Globex" in install(installer, fake_slack, GLOBEX)
    assert plan_and_send(services, tokenless) == 1  # back: Globex's reminder, once
    assert "Globex Reactor Basics" in view_texts(dm(glx, AMY, index=1))
    assert plan_and_send(services, tokenless) == 0


def test_a_rate_limit_in_one_workspace_pauses_that_workspace_only(
    installer: Installer, fake_slack: FakeSlack, engine: Engine, clock: FixedClock
) -> None:
    services = installer.services
    *clients, globex = acme_and_globex(installer, fake_slack)
    for slack in clients:
        facade = slack.fake
        slack.command("/training", "help", user=ADMIN)
        facade.wait_for_response_text("/library")
        for n in (1, 2):
            services.outbox.enqueue(workspace_id=workspace_id(engine, facade.identity.team_id),
                                    key=f"{facade.identity.team_id}-{n}", recipient=AMY,
                                    payload={"text": f"Note {n}"})  # fmt: skip
    fake_slack.fail("chat.postMessage", status=429, retry_after=30, team_id=GLOBEX)
    plain = WebClient(base_url=fake_slack.base_url)  # no retry: the pause is the outbox's

    assert deliver_pending(services, plain) == 2  # Acme's both, Globex's none
    assert len(fake_slack.messages(fake_slack.dm_channel(AMY))) == 2
    assert globex.messages(globex.dm_channel(AMY)) == []
    limited = [c for c in fake_slack.all_calls if c.http_status == 429]
    assert len(limited) == 1  # one try in Globex; its other message waited, not hammered
    paused = {t: _workspace(engine, t).send_paused_until for t in (TEAM_ID, GLOBEX)}
    assert paused[TEAM_ID] is None and paused[GLOBEX] is not None

    clock.advance(timedelta(seconds=31))
    assert deliver_pending(services, plain) == 2
    assert [m["text"] for m in globex.messages(globex.dm_channel(AMY))] == ["Note 1", "Note 2"]


def test_another_workspace_s_digest_subscription_cannot_be_unsubscribed(
    installer: Installer, fake_slack: FakeSlack, engine: Engine
) -> None:
    acme, glx, globex = acme_and_globex(installer, fake_slack)
    services = installer.services
    profiles = WebClient(base_url=fake_slack.base_url, token=fake_slack.identity.bot_token)
    admin = services.members.resolve(team_id=TEAM_ID, user_id=ADMIN, profiles=profiles)
    subscribed = services.digests.subscribe(caller=admin, channel_id="C0GENERAL1",
                                            scope=DigestScope.WORKSPACE, scope_label="everyone",
                                            weekday=0, hour=9, tz="UTC")  # fmt: skip
    acme.command("/training", "digest", user=ADMIN)
    fake_slack.wait_for_response_text("Mondays at 09:00")
    listing = next(p for p in fake_slack.response_payloads()
                   if Action.DIGEST_UNSUBSCRIBE in json.dumps(p))  # fmt: skip

    # Globex's admin replays Acme's Unsubscribe button.
    glx.replay_action(user=ADMIN, message={**listing, "ts": "1700000000.000100"},
                      action_id=Action.DIGEST_UNSUBSCRIBE)  # fmt: skip
    assert "no longer exists" in globex.wait_for_response_text("no longer exists")
    installer.settle()
    assert services.digests.subscription(subscription_id=subscribed.id) == subscribed

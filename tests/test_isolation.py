"""No workspace ever sees another's data, and every permission rule holds, whatever people
do in whatever order: a property-based test (Hypothesis).

Each example installs two or three workspaces through OAuth into one deployment, with the
same Slack user ids, channel id, user group id and handle, and one resource title in all of
them, then runs a random interleaving of what people and the scheduler do there: /assign to
people, a group or a channel (by a manager, or refused), Mark complete, clicks replayed
from another workspace or another person, /library, Home, /progress, role changes, sweeps.
It then checks everything the app sent each workspace (messages, views, files, replies) for
the others' content and people, the token of every call, and the rows themselves.

A failure prints the steps that cause it, shrunk, and the blob to replay them with
`@reproduce_failure`; `scripts/test tests/test_isolation.py --hypothesis-seed=N` reruns a
whole run from its seed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from bot.app import make_client
from bot.clock import FixedClock
from bot.fakeslack import FakeSlack, SlackClient
from bot.fakeslack.facade import WorkspaceFacade
from bot.ids import Action, Block
from bot.scheduler import enrollment_sweep, plan_and_send
from bot.services.catalog_files import parse_catalog
from models import Member, ResourceAssignment, TrainingResource, Workspace
from models.enums import Role
from tests.conftest import ADMIN, AMY, BOB, MANAGER, NOW, SIGNING_SECRET
from tests.support.courses import assign
from tests.support.database import empty_all_tables
from tests.support.installs import Installer, add_to_slack_link, browser, serving_installer, visit
from tests.support.secret_watch import SecretWatch, leaked_in_calls

TEAMS = (("T0TRAIN001", "Acme", "xoxb-test-token"), ("T0GLOBEX01", "Globex", "xoxb-globex-token"),
         ("T0INITECH1", "Initech", "xoxb-initech-token"))  # fmt: skip
PEOPLE = (ADMIN, MANAGER, AMY, BOB)
GROUP, CHANNEL = "S0TEAM0001", "C0GENERAL1"
SHARED = "Safety Basics"  # a title every workspace has
KINDS = ("assign_people", "assign_group", "assign_channel", "complete", "forge_workspace",
         "forge_person", "library", "home", "progress", "promote", "sweep")  # fmt: skip


def marker(name: str) -> str:
    return f"Secret {name} Plan"  # content only that workspace has


@dataclass
class World:
    fake: FakeSlack
    installer: Installer
    engine: Engine
    clock: FixedClock
    facades: list[WorkspaceFacade]
    clients: list[SlackClient]
    names: list[str]
    roles: list[dict[str, Role]] = field(default_factory=list)

    def settle(self) -> None:
        self.installer.settle()


def seed(workspace: WorkspaceFacade, name: str) -> None:
    """The same ids everywhere; the people's names say which workspace they are of."""
    for user, handle in zip(PEOPLE, ("ada", "maria", "amy", "bob"), strict=True):
        workspace.add_user(user, handle, real_name=f"{handle.title()} of {name}", tz="UTC",
                           is_admin=user == ADMIN)  # fmt: skip
    workspace.add_channel(CHANNEL, "general", members=PEOPLE)
    workspace.add_usergroup(GROUP, "team", members=[AMY, BOB])


@contextmanager
def world(engine: Engine, database_url: str, count: int) -> Iterator[World]:
    empty_all_tables(engine)
    clock = FixedClock(NOW)
    (team, name, token), *others = TEAMS[:count]
    with FakeSlack(team_id=team, team_name=name, bot_token=token) as fake:
        facades: list[WorkspaceFacade] = [fake]
        facades += [fake.add_workspace(team_id=t, team_name=n, bot_token=k) for t, n, k in others]
        with serving_installer(engine, database_url, fake, clock) as installer:
            url = f"{installer.url}/slack/events"
            made = World(fake, installer, engine, clock, facades,
                         [SlackClient(url, SIGNING_SECRET, f) for f in facades],
                         [f.identity.team_name for f in facades])  # fmt: skip
            for facade, slack in zip(facades, made.clients, strict=True):
                open_for_business(made, facade, slack)
            yield made


def open_for_business(w: World, facade: WorkspaceFacade, slack: SlackClient) -> None:
    """Installed through OAuth, people known, the workspace's own content imported."""
    name = facade.identity.team_name
    seed(facade, name)
    w.fake.oauth.install_into = facade.identity.team_id
    person = browser()
    assert f"Trainbot is installed in {name}" in visit(person, add_to_slack_link(
        person, w.installer.url))[2]  # fmt: skip
    slack.command("/training", "help", user=ADMIN)
    facade.wait_for_response_text("/library")
    w.settle()
    rows = [{"external_id": f"{name}-{i}", "title": title, "type": "article",
             "url": f"https://example.com/{name}/{i}"}
            for i, title in enumerate((marker(name), SHARED))]  # fmt: skip
    own = workspace_id(w.engine, facade)
    w.installer.services.catalog.import_rows(
        rows=parse_catalog("own.json", json.dumps(rows)), workspace_id=own
    )
    w.roles.append({user: Role.ADMIN if user == ADMIN else Role.MEMBER for user in PEOPLE})


def workspace_id(engine: Engine, facade: WorkspaceFacade) -> int:
    with engine.connect() as conn:
        found = conn.scalar(select(Workspace.id).where(
            Workspace.team_id == facade.identity.team_id))  # fmt: skip
    assert found is not None
    return int(found)


def assignments(engine: Engine) -> dict[int, tuple[Any, ...]]:
    a = ResourceAssignment
    with engine.connect() as conn:
        rows = conn.execute(select(a.id, a.workspace_id, a.member_id, a.status, a.completed_at))
        return {row.id: tuple(row) for row in rows}


def dm_buttons(facade: WorkspaceFacade, user: str) -> list[dict[str, Any]]:
    """The person's DMs from Trainbot that still offer Mark complete."""
    return [m for m in facade.messages(facade.dm_channel(user))
            if Action.ASSIGNMENT_COMPLETE in json.dumps(m.get("blocks") or [])]  # fmt: skip


# One step: (what, in which workspace, who, a second workspace or a choice).
steps = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 2), st.sampled_from(PEOPLE),
                           st.integers(0, 2)), min_size=3, max_size=9)  # fmt: skip


@settings(
    max_examples=5,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(count=st.integers(2, 3), plan=steps)
def test_no_workspace_sees_another_and_every_permission_holds(
    engine: Engine, database_url: str, count: int, plan: list[tuple[str, int, str, int]]
) -> None:
    opening = [("assign_people", ws, ADMIN, 0) for ws in range(count)]  # DMs to act on
    with world(engine, database_url, count) as w:
        for kind, ws, who, other in opening + plan:
            act(w, kind, ws % count, who, other % count)
            w.settle()
        check_nothing_crossed(w)


def act(w: World, kind: str, ws: int, who: str, other: int) -> None:
    slack, facade, role = w.clients[ws], w.facades[ws], w.roles[ws][who]
    before = assignments(w.engine)
    title = marker(w.names[ws]) if other % 2 == 0 else SHARED
    if kind.startswith("assign") and role is Role.MEMBER:
        slack.command("/assign", "", user=who)
        facade.wait_for_response_text("Only managers and admins")
    elif kind == "assign_people":
        assign(slack, who, title, [AMY])
    elif kind == "assign_group":
        assign(slack, who, title, [], **{Block.GROUPS: [(GROUP, "@team")]})
    elif kind == "assign_channel":
        assign(slack, who, title, [], **{Block.CHANNELS: [CHANNEL]})
    elif kind == "complete" and dm_buttons(facade, who):
        message = dm_buttons(facade, who)[0]
        slack.click(user=who, action_id=Action.ASSIGNMENT_COMPLETE,
                    channel=facade.dm_channel(who), ts=message["ts"])  # fmt: skip
        w.settle()
        done = [k for k, v in assignments(w.engine).items() if v[4] and not before[k][4]]
        assert len(done) == 1, "one's own Mark complete completes exactly one assignment"
    elif kind in ("forge_workspace", "forge_person"):
        forge(w, kind, ws, who, other, before)
    elif kind == "library":
        slack.command("/library", "Secret", user=who)
    elif kind == "home":
        slack.app_home_opened(who)
    elif kind == "progress":
        slack.command("/progress", "", user=who)
    elif kind == "promote":
        promote(w, ws, who)
    elif kind == "sweep":
        w.clock.advance(timedelta(days=1))
        services = w.installer.services
        plan_and_send(services, make_client(services.settings))
        enrollment_sweep(services, make_client(services.settings))
    if not kind.startswith("assign") or role is Role.MEMBER:
        w.settle()
        changed = {k for k, v in assignments(w.engine).items() if before.get(k) != v}
        if kind not in ("complete", "sweep"):
            assert not changed, f"{kind} by a {role} changed assignments {changed}"


def forge(w: World, kind: str, ws: int, who: str, other: int, before: dict[int, Any]) -> None:
    """Replay a Mark complete that belongs elsewhere: refused, nothing changes."""
    if kind == "forge_workspace":
        source, owner = (other if other != ws else (ws + 1) % len(w.facades)), who
    else:
        source, owner = ws, next(p for p in PEOPLE if p != who)
    found = dm_buttons(w.facades[source], owner)
    if not found:
        return
    w.clients[ws].replay_action(user=who, message=found[0], action_id=Action.ASSIGNMENT_COMPLETE)
    w.settle()
    assert assignments(w.engine) == before, f"a replayed click ({kind}) changed something"


def promote(w: World, ws: int, who: str) -> None:
    """Only an admin may make someone a manager."""
    w.clients[ws].command("/training", f"role <@{MANAGER}|maria> manager", user=who)
    w.settle()
    allowed = w.roles[ws][who] is Role.ADMIN
    if allowed:
        w.roles[ws][MANAGER] = Role.MANAGER
    with w.engine.connect() as conn:
        team = w.facades[ws].identity.team_id
        role = conn.scalar(select(Member.role).join(Workspace).where(
            Workspace.team_id == team, Member.slack_user_id == MANAGER))  # fmt: skip
    assert (role == Role.MANAGER) == (w.roles[ws][MANAGER] is Role.MANAGER), (who, role)


def check_nothing_crossed(w: World) -> None:
    watch = SecretWatch([SIGNING_SECRET])
    assert leaked_in_calls(w.fake.all_calls, watch) == []
    for ws, facade in enumerate(w.facades):
        sent = [
            json.dumps(c.args) for c in w.fake.all_calls if c.team_id == facade.identity.team_id
        ]
        sent += [json.dumps(p) for p in facade.response_payloads()]
        sent += [f["content"].decode(errors="replace") for f in facade.files.values()]
        for other, name in enumerate(w.names):
            if other != ws:
                leaks = [t[:200] for t in sent if marker(name) in t or f" of {name}" in t]
                assert not leaks, f"{w.names[ws]} was sent {name}'s data: {leaks}"
        tokens = {c.token for c in w.fake.all_calls if c.team_id == facade.identity.team_id}
        assert tokens <= {facade.identity.bot_token}, (w.names[ws], tokens)
    a, m, r = ResourceAssignment, Member, TrainingResource
    with w.engine.connect() as conn:
        foreign_resource = r.workspace_id.is_not(None) & (r.workspace_id != a.workspace_id)
        crossed = conn.scalar(
            select(func.count())
            .select_from(a)
            .join(m, m.id == a.member_id)
            .join(r, r.id == a.resource_id)
            .where((m.workspace_id != a.workspace_id) | foreign_resource)
        )
    assert crossed == 0

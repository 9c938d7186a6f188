"""The SQL statements an /assign round trip runs do not grow with the data.

A manager with 10 resources in the library and one with 10,000 should wait just as
long for the /assign modal, for the typeahead to answer a keystroke, for the DMs after
*Assign*, and a learner just as long for *Mark complete* to update their DM and Home.
Time is too noisy to assert on; the number of statements is not. A query that runs
once per row (an N+1), or a loop over a growing table, shows up here as a count that
grew once more data was added, long before anyone notices the wait in Slack.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select

from bot.fakeslack import FakeSlack, SlackClient, view_texts
from bot.ids import Action, Block
from models import (
    AssignmentEvent,
    Member,
    OutboxMessage,
    ResourceAssignment,
    TrainingResource,
    Workspace,
)
from tests.conftest import AMY, BOB, MANAGER, TEAM_ID, RunningApp
from tests.support.library import next_call, top_view
from tests.support.seed import T0, assignment_for, bulk_resources, load_starter

CAROL = "U0CAROL001"
TEAM = (AMY, BOB, CAROL)  # every submission assigns the same three people a new resource
TYPED = "resource"  # what the manager types into the resource typeahead
GROWTH_RESOURCES = 2000
GROWTH_MEMBERS = 200
GROWTH_ASSIGNMENTS = 2000
AMY_OPEN, AMY_DONE = 300, 100  # of those, Amy's own: her Home reads them on every click

KINDS = ("/assign", "typeahead", "submission", "start", "complete")


class Statements:
    """Every statement the app's engine sends, noted by a before_cursor_execute listener."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._seen: list[str] = []

    def __enter__(self) -> Statements:
        event.listen(self._engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._note)

    def _note(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        with self._lock:
            self._seen.append(statement)

    def during(self, app: RunningApp, interaction: Callable[[], None]) -> list[str]:
        """What ran for `interaction`, from the request until the work after the ack ended."""
        app.settle()
        with self._lock:
            self._seen.clear()
        interaction()
        app.settle()
        with self._lock:
            return [_shape(s) for s in self._seen]


def _shape(statement: str) -> str:
    """A statement's first words, IN lists folded: enough to tell which query it is."""
    flat = re.sub(r"\s+", " ", statement).strip()
    return re.sub(r"IN \([^()]*\)", "IN (...)", flat)[:120]


@dataclass
class Round:
    """One manager's /assign round trip and one learner's clicks, statements by kind."""

    statements: dict[str, list[str]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {kind: len(self.statements[kind]) for kind in KINDS}


def assign_round(
    slack: SlackClient, app: RunningApp, log: Statements, used: set[str], due: date
) -> Round:
    """/assign, a keystroke in the typeahead, Assign to TEAM, then Amy's Start and Complete."""
    fake = slack.fake
    found = Round()
    view: dict[str, Any] = {}

    def command() -> None:
        before = len(fake.calls_to("views.open"))
        assert slack.command("/assign", f"<@{AMY}|amy> pro git", user=MANAGER).status == 200
        next_call(slack, "views.open", before)
        view.update(top_view(slack, MANAGER))

    found.statements["/assign"] = log.during(app, command)
    options: list[dict[str, Any]] = []

    def typeahead() -> None:
        answer = slack.suggest(
            user=MANAGER, view_id=view["id"], action_id=Action.ASSIGN_RESOURCE, value=TYPED
        )
        assert answer.status == 200 and answer.json is not None, answer.body
        options.extend(answer.json["options"])

    found.statements["typeahead"] = log.during(app, typeahead)
    # A resource nobody on the team has yet, so that each submission creates three.
    chosen = next(o for o in options if o["value"] not in used)
    used.add(chosen["value"])
    posted: dict[str, tuple[str, str]] = {}

    def submission() -> None:
        before = len(fake.calls_to("chat.postMessage"))
        response = slack.submit_view(
            user=MANAGER,
            view_id=view["id"],
            values={
                Block.RESOURCE: (chosen["value"], chosen["text"]["text"]),
                Block.PEOPLE: list(TEAM),
                Block.DUE: due.isoformat(),
                Block.PRIORITY: "high",
                Block.NOTE: "Before the next release, please.",
            },
        )
        assert response.status == 200 and not (response.json or {}).get("errors"), response.body
        app.settle()
        for call in fake.calls_to("chat.postMessage")[before:]:
            assert call.response.get("ok") is True, call.response
            posted[str(call.args["channel"])] = (call.response["channel"], call.response["ts"])

    found.statements["submission"] = log.during(app, submission)
    assert sorted(posted) == sorted(TEAM), f"one DM each was expected, got {sorted(posted)}"
    channel, ts = posted[AMY]

    def click(action: str) -> Callable[[], None]:
        def on_the_dm() -> None:
            before = len(fake.calls_to("chat.update"))
            assert slack.click(user=AMY, action_id=action, channel=channel, ts=ts).status == 200
            next_call(slack, "chat.update", before)

        return on_the_dm

    found.statements["start"] = log.during(app, click(Action.ASSIGNMENT_START))
    found.statements["complete"] = log.during(app, click(Action.ASSIGNMENT_COMPLETE))
    message = fake.find_message(channel, ts)
    assert message is not None and "Completed" in view_texts(message[0])
    return found


def grow(engine: Engine) -> None:
    """Much more of everything those interactions read, in bulk (as a busy workspace has)."""
    bulk_resources(engine, GROWTH_RESOURCES, domains=20)  # shared library, 20 domains
    with engine.begin() as conn:
        ws = conn.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
        people = dict(
            conn.execute(
                select(Member.slack_user_id, Member.id).where(
                    Member.workspace_id == ws, Member.slack_user_id.in_([AMY, MANAGER])
                )
            ).all()
        )
        conn.execute(
            insert(Member),
            [
                {"workspace_id": ws, "slack_user_id": f"U0BULK{i:04d}", "display_name": f"p{i}",
                 "real_name": f"Person {i}", "tz": "Europe/Paris", "role": "member",
                 "is_slack_admin": False, "is_bot": False, "is_deactivated": False,
                 "profile_fetched_at": T0, "created_at": T0, "updated_at": T0}
                for i in range(GROWTH_MEMBERS)
            ],
        )  # fmt: skip
        others = list(
            conn.scalars(
                select(Member.id).where(
                    Member.workspace_id == ws, Member.slack_user_id.like("U0BULK%")
                )
            )
        )
        resources = list(
            conn.scalars(
                select(TrainingResource.id)
                .where(TrainingResource.external_id.like("bulk-%"))
                .order_by(TrainingResource.id)
            )
        )
        resources.reverse()  # the typeahead's first "Resource 0000x" stay free to assign
        rows = []
        for n in range(GROWTH_ASSIGNMENTS):
            mine = n < AMY_OPEN + AMY_DONE
            done = AMY_OPEN <= n < AMY_OPEN + AMY_DONE
            rows.append(
                {"workspace_id": ws, "resource_id": resources[n % len(resources)],
                 "member_id": people[AMY] if mine else others[n % len(others)],
                 "assigned_by_id": people[MANAGER], "status": "completed" if done else "assigned",
                 "progress": 100 if done else 0, "priority": ("low", "normal", "high")[n % 3],
                 "due_on": date(2026, 11, 1) + timedelta(days=n % 90), "note": "",
                 "assigned_at": T0, "updated_at": T0, "completed_at": T0 if done else None,
                 "dm_channel": "D0BULK0001", "dm_ts": f"1700000000.{n:06d}"}
            )  # fmt: skip
        conn.execute(insert(ResourceAssignment), rows)
        ids = list(
            conn.scalars(
                select(ResourceAssignment.id).where(ResourceAssignment.dm_channel == "D0BULK0001")
            )
        )
        conn.execute(
            insert(AssignmentEvent),
            [
                {"workspace_id": ws, "assignment_id": i, "actor_id": people[MANAGER],
                 "kind": "assigned", "status": "assigned", "progress": 0, "data": {},
                 "occurred_at": T0}
                for i in ids
            ],
        )  # fmt: skip
        conn.execute(
            insert(OutboxMessage),
            [
                {"workspace_id": ws, "key": f"assignment:{i}:dm", "kind": "assignment_dm",
                 "recipient": "U0BULK0000", "assignment_id": i, "payload": {}, "status": "sent",
                 "attempts": 1, "next_attempt_at": T0, "created_at": T0, "sent_at": T0}
                for i in ids
            ],
        )  # fmt: skip


@pytest.fixture
def statements(engine: Engine) -> Iterator[Statements]:
    with Statements(engine) as log:
        yield log


def test_statements_per_interaction_do_not_grow_with_the_data(
    slack: SlackClient,
    app_server: RunningApp,
    manager: str,
    engine: Engine,
    fake_slack: FakeSlack,
    statements: Statements,
) -> None:
    fake_slack.add_user(CAROL, "carol", real_name="Carol Learner", tz="America/Chicago")
    load_starter(app_server)
    with engine.connect() as conn:
        ws = conn.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
        untyped = conn.scalar(
            select(TrainingResource.id)
            .where(TrainingResource.search_body.not_like(f"%{TYPED}%"))
            .order_by(TrainingResource.id)
        )
    bulk_resources(engine, 10, workspace_id=ws)  # the workspace's own: "Resource 00001"...
    used: set[str] = set()
    due = date(2026, 12, 10)
    # The first round meets everyone (profiles fetched, members created): not measured.
    assign_round(slack, app_server, statements, used, due)
    # Amy has something open that the rounds leave open: a list of none skips the loads
    # a list of one or more needs, and that step is not what this test is about.
    assert untyped is not None
    assignment_for(engine, team_id=TEAM_ID, user_id=AMY, resource_id=untyped)
    small = assign_round(slack, app_server, statements, used, due)

    grow(engine)
    large = assign_round(slack, app_server, statements, used, due)

    counts = {kind: (small.counts()[kind], large.counts()[kind]) for kind in KINDS}
    report = "\n".join(f"  {kind:<11} {a:>3} -> {b:>3}" for kind, (a, b) in counts.items())
    grown = []
    for kind, (a, b) in counts.items():
        # Fewer is fine: a typeahead whose first alphabetical titles already hold the word
        # needs no second look (with 2,000 more "Resource ..." titles, that is this one).
        if b > a:
            before, after = Counter(small.statements[kind]), Counter(large.statements[kind])
            more = "".join(f"\n      {n} x {s}" for s, n in sorted((after - before).items()))
            fewer = "".join(f"\n      {n} x {s}" for s, n in sorted((before - after).items()))
            grown.append(f"{kind}:\n    more:{more or ' -'}\n    fewer:{fewer or ' -'}")
    assert not grown, (
        f"statements per interaction, before -> after adding {GROWTH_RESOURCES} resources and "
        f"{GROWTH_ASSIGNMENTS} assignments:\n{report}\n" + "\n".join(grown)
    )
    # Each interaction did reach the database: the listener is on the engine the app uses.
    assert all(a > 0 for a, _ in counts.values()), report

"""A reminder sweep reaches Slack in a number of SQL statements that does not grow with the data.

The issue asks that "one sweep over 1,000,000 assignments with 20,000 due reaches Slack in
a number of SQL statements that does not grow with the data (batched, indexed)". A million
rows do not fit in a test; what that promise rests on does, on both databases:

- the planner (`services.reminders.plan()`) runs the same statements however many
  assignments are not due (open ones due far ahead, completed, cancelled, undated);
- it pays per page of due rows (`bot.services.reminders.PAGE`), not per person: 30 people
  due, or 300 with three assignments each, cost the same statements;
- `deliver_pending` sends each reminder in the same statements: N reminders cost a fixed
  overhead plus k statements each, with the same k for 10 and for 40, and a reminder
  listing three assignments costs what one listing one does.

Statements are counted with a before_cursor_execute listener on the app's engine
(observation only; an executemany counts once). The people and assignments are bulk
inserted, as a busy workspace already has them. bench/sweep_scale measures the full
size on PostgreSQL.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, event, insert, select

from bot.clock import FixedClock
from bot.delivery import deliver_pending
from bot.fakeslack import FakeSlack
from bot.services import Services
from bot.services.reminders import PAGE
from models import Member, ResourceAssignment, TrainingResource, Workspace
from tests.conftest import MANAGER, TEAM_ID
from tests.support.seed import T0, bulk_resources

if TYPE_CHECKING:
    # The world of tests/test_reminders.py, as this file uses it. mypy is kept from
    # following that module: through tests.test_assign_flow it reaches
    # tests/test_manifest.py, whose own type errors would fail this file's check.
    class World(Protocol):
        services: Services
        fake: FakeSlack
        clock: FixedClock
        client: WebClient

        def reminders(self, user: str) -> list[dict[str, Any]]: ...

    def make_world(database_url: str, engine: Engine, fake: FakeSlack) -> World: ...

else:
    from tests.test_reminders import World, make_world

NOW = datetime.fromisoformat("2026-11-26T10:00:00+00:00")  # make_world's clock: a Thursday
TODAY = NOW.date()
# It is 09:00 to 19:59 there at NOW: everyone due there is owed a reminder.
AT_THEIR_HOUR = ("Europe/Berlin", "Europe/London", "UTC", "Asia/Kolkata", "Asia/Tokyo")
GROWTH = 5_000  # assignments not due, added between two sweeps
RESOURCES = 100  # bulk resources besides the world's three (one open per person and resource)
IN_MONTHS = {"due_on": date(2027, 6, 1), "next_remind_on": date(2027, 5, 28)}
NOT_DUE: tuple[dict[str, Any], ...] = (  # what a sweep at NOW must not read
    IN_MONTHS,  # open, due in months (half of them)
    IN_MONTHS,
    {"status": "completed", "progress": 100, "completed_at": T0, "due_on": TODAY},
    {"cancelled_at": T0, "closed_reason": "cancelled", "due_on": TODAY},
    {},  # open, no due date: never reminded
    IN_MONTHS,
    IN_MONTHS,
    {"status": "completed", "progress": 100, "completed_at": T0, "due_on": date(2026, 10, 1)},
)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every statement the engine sends meanwhile, by shape (see _shape)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(_shape(statement))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _shape(statement: str) -> str:
    """A statement, IN lists and VALUES rows folded: which query it is, on either database."""
    flat = re.sub(r"%\(\w+\)s", "?", re.sub(r"\s+", " ", statement).strip())
    flat = re.sub(r"IN \([^()]*\)", "IN (...)", flat)
    return re.sub(r"VALUES \(.*?\)(, \(.*?\))*", "VALUES (...)", flat)


def _short(shape: str) -> str:
    """A shape short enough to read in a failure: its start and its end."""
    return shape if len(shape) <= 150 else f"{shape[:90]} ... {shape[-50:]}"


def difference(before: Sequence[str], after: Sequence[str]) -> str:
    """What ran more, and less, in `after` than in `before`, shape by shape."""
    a, b = Counter(before), Counter(after)
    more = "".join(f"\n    +{n} x {_short(s)}" for s, n in sorted((b - a).items()))
    fewer = "".join(f"\n    -{n} x {_short(s)}" for s, n in sorted((a - b).items()))
    return (more + fewer) or "\n    (the same statements)"


class Crowd:
    """People and assignments bulk-inserted into the world's workspace.

    Each person gets a fresh Slack user id; with `in_slack` the stand-in knows them too,
    so their reminders can be posted. Profiles count as fetched: nobody is looked up.
    """

    def __init__(self, world: World, engine: Engine) -> None:
        self.world, self.engine = world, engine
        self._ids = itertools.count()
        bulk_resources(engine, RESOURCES)
        with engine.connect() as conn:
            self.workspace_id = conn.scalar(
                select(Workspace.id).where(Workspace.team_id == TEAM_ID)
            )
            self.manager_id = conn.scalar(select(Member.id).where(Member.slack_user_id == MANAGER))
            self.resources = list(
                conn.scalars(select(TrainingResource.id).order_by(TrainingResource.id))
            )

    def people(self, count: int, *, in_slack: bool = False) -> list[tuple[int, str]]:
        """`count` new members, timezones in rotation: (member id, Slack user id) each."""
        users = [(f"U2{next(self._ids):08d}", AT_THEIR_HOUR[n % 5]) for n in range(count)]
        with self.engine.begin() as conn:
            conn.execute(insert(Member), [
                {"workspace_id": self.workspace_id, "slack_user_id": user, "display_name": user,
                 "real_name": f"Person {user}", "tz": tz, "role": "member",
                 "is_slack_admin": False, "is_bot": False, "is_deactivated": False,
                 "profile_fetched_at": NOW, "created_at": T0, "updated_at": T0}
                for user, tz in users
            ])  # fmt: skip
            ids = dict(conn.execute(select(Member.slack_user_id, Member.id).where(
                Member.slack_user_id.in_([user for user, _ in users])
            )).all())  # fmt: skip
        if in_slack:
            for user, tz in users:
                self.world.fake.add_user(user, user.lower(), tz=tz)
        return [(ids[user], user) for user, _ in users]

    def due(self, count: int, *, per_person: int = 1, in_slack: bool = False) -> list[str]:
        """`count` new people, each with `per_person` assignments whose reminder is today."""
        people = self.people(count, in_slack=in_slack)
        self._assign([
            {"member_id": member, "resource_id": self.resources[k], "due_on": TODAY + timedelta(2),
             "next_remind_on": TODAY, "priority": ("normal", "high", "urgent")[k]}
            for member, _ in people
            for k in range(per_person)
        ])  # fmt: skip
        return [user for _, user in people]

    def not_due(self, count: int) -> None:
        """`count` assignments a sweep now must not read (NOT_DUE in rotation), RESOURCES
        each to new people."""
        people = self.people(math.ceil(count / RESOURCES))
        self._assign([
            {"member_id": people[n // RESOURCES][0],
             "resource_id": self.resources[n % RESOURCES], **NOT_DUE[n % len(NOT_DUE)]}
            for n in range(count)
        ])  # fmt: skip

    def _assign(self, rows: list[dict[str, Any]]) -> None:
        base = {"workspace_id": self.workspace_id, "assigned_by_id": self.manager_id,
                "status": "assigned", "progress": 0, "priority": "normal", "note": "",
                "assigned_at": T0, "updated_at": T0, "due_on": None, "next_remind_on": None,
                "last_reminded_on": None, "completed_at": None, "cancelled_at": None,
                "closed_reason": None}  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(insert(ResourceAssignment), [base | row for row in rows])


@pytest.fixture
def world(database_url: str, engine: Engine, fake_slack: FakeSlack) -> World:
    world = make_world(database_url, engine, fake_slack)
    assert world.clock.now() == NOW
    return world


@pytest.fixture
def crowd(world: World, engine: Engine) -> Crowd:
    return Crowd(world, engine)


def counted_plan(world: World, engine: Engine, expected: int) -> list[str]:
    """The statements of one planner run, which owes `expected` reminders."""
    with statements(engine) as seen:
        planned = world.services.reminders.plan()
    assert len(planned) == expected
    return seen


def test_the_planner_runs_the_same_statements_however_many_assignments_are_not_due(
    world: World, crowd: Crowd, engine: Engine
) -> None:
    runs = []
    for grown in range(3):
        if grown:
            crowd.not_due(GROWTH)
        crowd.due(30)  # 30 new people: those reminded before are not due again today
        runs.append(counted_plan(world, engine, 30))
    sizes = [len(run) for run in runs]
    assert sizes[0] > 0
    assert len(set(sizes)) == 1, (
        f"planner statements with 30 people due, after adding 0, {GROWTH} and {2 * GROWTH} "
        f"assignments not due: {sizes}{difference(runs[0], runs[-1])}"
    )


def test_the_planner_pays_per_page_of_due_rows_not_per_person(
    world: World, crowd: Crowd, engine: Engine
) -> None:
    crowd.due(30)
    few = counted_plan(world, engine, 30)
    assert PAGE > 300 * 3  # the next two stay within one page
    crowd.due(300)
    many = counted_plan(world, engine, 300)
    assert len(many) == len(few), f"30 -> 300 people due:{difference(few, many)}"
    crowd.due(300, per_person=3)
    more = counted_plan(world, engine, 300)
    assert len(more) == len(few), f"1 -> 3 assignments each:{difference(few, more)}"

    people = PAGE // 2 + 100  # two assignments each: two pages of due rows
    crowd.due(people, per_person=2)
    pages = counted_plan(world, engine, people)
    assert len(pages) <= 2 * len(few), (
        f"{people} people over 2 pages: {len(pages)} statements, {len(few)} for 1 page:"
        f"{difference(few, pages)}"
    )


def test_delivery_runs_the_same_statements_for_every_reminder_it_sends(
    world: World, crowd: Crowd, engine: Engine
) -> None:
    deliver_pending(world.services, world.client)  # whatever the world still owed
    runs: dict[tuple[int, int], list[str]] = {}
    for people, per_person in ((10, 1), (40, 1), (10, 3)):
        users = crowd.due(people, per_person=per_person, in_slack=True)
        assert len(world.services.reminders.plan()) == people
        with statements(engine) as seen:
            sent = deliver_pending(world.services, world.client)
        assert sent == people
        for user in users:
            (reminder,) = world.reminders(user)
            assert reminder["text"].startswith(f"Reminder: {per_person} assignment")
        runs[(people, per_person)] = seen

    ten, forty, longer = runs[(10, 1)], runs[(40, 1)], runs[(10, 3)]
    per_message, rest = divmod(len(forty) - len(ten), 30)
    fixed = len(ten) - 10 * per_message
    report = (
        f"10 reminders: {len(ten)} statements, 40: {len(forty)}; "
        f"{per_message} per reminder + {fixed}{difference(ten, forty)}"
    )
    # The sweep's own share is the claims: per batch of 50 two reads (notes to one person
    # first, then the rest), an update and a read, plus the empty claim that ends it.
    assert rest == 0 and per_message > 0 and 0 <= fixed <= 8, report
    # Each statement runs once per sweep or k times per reminder: nothing creeps.
    small, big = Counter(ten), Counter(forty)
    creeping = [
        s for s in small | big if big[s] != small[s] and (small[s] % 10 or big[s] != 4 * small[s])
    ]
    assert not creeping, (
        f"{report}\n  neither fixed nor per reminder: {list(map(_short, creeping))}"
    )
    assert len(longer) == len(ten), f"1 -> 3 assignments per reminder:{difference(ten, longer)}"

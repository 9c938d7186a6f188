"""The report tallies (migration 0018): kept exact by the database on every write, and
reports read from them agreeing with the assignments, on either side of the tallies' day."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from alembic import command
from slack_sdk import WebClient
from sqlalchemy import Engine, delete, func, insert, inspect, select, update

from bot import db
from bot.clock import FixedClock
from bot.fakeslack import SlackClient
from bot.ids import Action, Block
from bot.services import analytics, tallies, tally_moments, tally_rows
from bot.services.members import Caller
from bot.services.progress import Scope
from bot.services.tallies import TallyScope
from models import (
    AssignmentEvent,
    Member,
    MemberTally,
    ResourceAssignment,
    ResourceTally,
    TallyDate,
    TrainingResource,
)
from models.enums import Role
from models.tally import EVERYONE
from tests.conftest import ADMIN, AMY, BOB, TEAM_ID, RunningApp
from tests.support.library import top_view
from tests.support.seed import load_starter
from tests.test_assign_flow import assign_git
from tests.test_manage import choose, open_manage
from tests.test_team_progress import generate_team

Key = tuple[int, int, int]  # workspace, manager (0: the workspace), training or person


def recount(engine: Engine) -> tuple[dict[Key, tuple[int, ...]], dict[Key, tuple[int, ...]]]:
    """Both tallies as they should be, counted here in Python from every assignment."""
    a = ResourceAssignment
    per_training: Counter[tuple[Key, int]] = Counter()
    per_person: Counter[tuple[Key, int]] = Counter()
    with engine.connect() as conn:
        as_of = conn.scalar(select(TallyDate.as_of))
        for row in conn.execute(
            select(a.workspace_id, a.assigned_by_id, a.resource_id, a.member_id, a.status,
                   a.due_on, a.completed_at, a.cancelled_at)
        ):  # fmt: skip
            live = row.cancelled_at is None
            shares = (
                live,
                live and row.completed_at is not None,
                live and row.status == "in_progress",
                live and row.completed_at is None and row.due_on is not None
                and row.due_on < as_of,
                row.completed_at is not None,
            )  # fmt: skip
            for manager in {0, row.assigned_by_id or 0}:
                for n, share in enumerate(shares):
                    per_training[(row.workspace_id, manager, row.resource_id), n] += share
                    per_person[(row.workspace_id, manager, row.member_id), n] += share
    return _by_key(per_training), _by_key(per_person)


def _by_key(counted: Counter[tuple[Key, int]]) -> dict[Key, tuple[int, ...]]:
    keys = {key for key, _ in counted}
    found = {key: tuple(counted[key, n] for n in range(5)) for key in keys}
    return {key: counts for key, counts in found.items() if any(counts)}


def tallied(engine: Engine) -> tuple[dict[Key, tuple[int, ...]], dict[Key, tuple[int, ...]]]:
    found: list[dict[Key, tuple[int, ...]]] = []
    with engine.connect() as conn:
        for t, key in ((ResourceTally, ResourceTally.resource_id),
                       (MemberTally, MemberTally.member_id)):  # fmt: skip
            rows = conn.execute(
                select(t.workspace_id, t.manager_id, key, t.live, t.completed, t.in_progress,
                       t.overdue, t.completed_any)
            ).all()  # fmt: skip
            found.append({(r[0], r[1], r[2]): tuple(r[3:]) for r in rows if any(r[3:])})
    return found[0], found[1]


def assert_tallies_right(engine: Engine) -> None:
    expected, got = recount(engine), tallied(engine)
    assert got[0] == expected[0], "per training"
    assert got[1] == expected[1], "per person"


def caller_of(slack: SlackClient, app_server: RunningApp, user: str) -> Caller:
    return app_server.services.members.resolve(
        team_id=TEAM_ID, user_id=user, profiles=WebClient(base_url=slack.fake.base_url),
        refresh=False,
    )  # fmt: skip


def test_the_tallies_follow_every_kind_of_change(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    """Through the app (assign, start, complete, a new due date, reassign, cancel), then
    straight in the database (every column a count depends on, deletions), compared after
    each step with a count of the assignments."""
    load_starter(app_server)
    assign_git(slack, manager, AMY, BOB, due="2026-12-10")
    app_server.settle()
    assert_tallies_right(engine)
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_START)
    app_server.settle()
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE)
    app_server.settle()
    assert_tallies_right(engine)
    open_manage(slack, app_server, manager)
    view_id = choose(slack, app_server, manager, "due", BOB)
    assert not slack.submit_view(user=manager, view_id=view_id,
                                 values={Block.DUE: "2026-11-27"}).json  # fmt: skip
    app_server.settle()
    assert_tallies_right(engine)
    view_id = choose(slack, app_server, manager, "reassign", BOB)
    assert not slack.submit_view(user=manager, view_id=view_id,
                                 values={Block.REASSIGN_TO: ADMIN}).json  # fmt: skip
    app_server.settle()
    assert_tallies_right(engine)
    assign_git(slack, manager, BOB)
    app_server.settle()
    open_manage(slack, app_server, manager)
    slack.click(user=manager, action_id=Action.MANAGE_CANCEL_ALL)
    app_server.settle()
    assert not slack.submit_view(user=manager, view_id=top_view(slack, manager)["id"],
                                 values={}).json  # fmt: skip
    app_server.settle()
    with engine.connect() as conn:
        assert conn.scalar(select(ResourceAssignment.cancelled_at).where(
            ResourceAssignment.closed_reason == "cancelled"))  # fmt: skip
    assert_tallies_right(engine)

    people = [f"U0TAL{n:05d}" for n in range(25)]
    generate_team(engine, manager, people, now=app_server.services.clock.now())
    assert_tallies_right(engine)
    rng = random.Random(7)
    a = ResourceAssignment
    with engine.begin() as conn:  # one INSERT of many rows, by several managers and none
        now = app_server.services.clock.now()
        first = conn.execute(select(a).limit(1)).mappings().one()
        members = conn.scalars(select(Member.id).where(Member.slack_user_id.in_(people))).all()
        bosses = [None, *conn.scalars(select(Member.id).where(
            Member.slack_user_id.in_([ADMIN, manager])))]  # fmt: skip
        unassigned = conn.scalar(select(TrainingResource.id).order_by(TrainingResource.id.desc()))
        conn.execute(insert(a), [
            {**{k: v for k, v in first.items() if k != "id"}, "member_id": member,
             "assigned_by_id": bosses[n % len(bosses)], "resource_id": unassigned,
             "due_on": now.date() - timedelta(days=n % 3), "status": "assigned",
             "completed_at": None, "cancelled_at": None, "closed_reason": None}
            for n, member in enumerate(members)
        ])  # fmt: skip
    assert_tallies_right(engine)
    today = app_server.services.clock.now().date()
    with engine.begin() as conn:
        ids = conn.scalars(select(a.id).order_by(a.id)).all()
        members = conn.scalars(select(Member.id).where(Member.slack_user_id.in_(people))).all()
        admin = conn.scalar(select(Member.id).where(Member.slack_user_id == ADMIN))
        as_of = conn.scalar(select(TallyDate.as_of))
    assert as_of is not None
    changes: list[dict[str, Any]] = [
        {"due_on": today - timedelta(days=2)}, {"due_on": today + timedelta(days=30)},
        {"due_on": None}, *({"due_on": as_of + timedelta(days=d)} for d in (-1, 0, 1)),
        {"status": "in_progress"}, {"status": "assigned"},
        {"completed_at": app_server.services.clock.now(), "status": "completed"},
        {"completed_at": None, "status": "assigned"},
        {"cancelled_at": app_server.services.clock.now()}, {"cancelled_at": None},
        {"assigned_by_id": admin}, {"assigned_by_id": None},
    ]  # fmt: skip
    for _ in range(60):
        with engine.begin() as conn:
            conn.execute(update(a).where(a.id == rng.choice(ids)).values(**rng.choice(changes)))
    assert_tallies_right(engine)
    with engine.begin() as conn:  # open ones due on the tallies' day and either side of it
        still_open = conn.scalars(
            select(a.id).where(a.completed_at.is_(None), a.cancelled_at.is_(None)).limit(3)
        ).all()
        for assignment, days in zip(still_open, (-1, 0, 1), strict=True):
            conn.execute(update(a).where(a.id == assignment)
                         .values(due_on=as_of + timedelta(days=days)))  # fmt: skip
    assert_tallies_right(engine)
    with engine.begin() as conn:  # rows deleted (a workspace's deletion does so)
        gone = conn.scalars(select(a.id).where(a.member_id.in_(members[:3]))).all()
        conn.execute(delete(AssignmentEvent).where(AssignmentEvent.assignment_id.in_(gone)))
        conn.execute(delete(a).where(a.id.in_(gone)))
    assert_tallies_right(engine)
    with engine.begin() as conn:  # tallies gone wrong (or written around the triggers)
        conn.execute(update(ResourceTally).values(live=99))
        conn.execute(delete(MemberTally))
    assert app_server.services.tallies.rebuild() > 0
    assert_tallies_right(engine)


Line = tuple[str, str, int, int, int]  # ref, label, total, completed, overdue


def independent_figures(
    engine: Engine, manager_id: int | None, today: date, scope: Scope | None = None
) -> tuple[tuple[int, int, int, int], dict[bool, list[Line]]]:
    """(total, completed, in progress, overdue) of the live assignments a manager made
    (None: the whole workspace), narrowed by `scope`'s people or type, and their rows per
    person (True) and per training (False) in a report's order: most overdue, least
    complete, by name, by id."""
    a = ResourceAssignment
    query = (
        select(Member.slack_user_id, a.resource_id, TrainingResource.title, a.status, a.due_on,
               a.completed_at)
        .join(Member, Member.id == a.member_id)
        .join(TrainingResource, TrainingResource.id == a.resource_id)
        .where(a.cancelled_at.is_(None))
    )  # fmt: skip
    if scope is not None and scope.people is not None:
        query = query.where(Member.slack_user_id.in_(scope.people))
    if scope is not None and scope.type is not None:
        query = query.where(TrainingResource.type == scope.type)
    if manager_id is not None:
        query = query.where(a.assigned_by_id == manager_id)
    grouped: dict[bool, dict[tuple[str, str], list[int]]] = {True: {}, False: {}}
    total = done = started = late = 0
    with engine.connect() as conn:
        for user, resource, title, status, due, completed_at in conn.execute(query):
            is_late = completed_at is None and due is not None and due < today
            for by_person, key in ((True, (user, user)), (False, (str(resource), title))):
                counts = grouped[by_person].setdefault(key, [0, 0, 0])
                counts[0] += 1
                counts[1] += completed_at is not None
                counts[2] += is_late
            total, done = total + 1, done + (completed_at is not None)
            started, late = started + (status == "in_progress"), late + is_late
    lines = {
        by_person: sorted(
            ((ref, label, *counts) for (ref, label), counts in rows.items()),  # type: ignore[misc]
            key=lambda r: (-r[4], r[3] / r[2], r[1], r[0] if by_person else int(r[0])),
        )
        for by_person, rows in grouped.items()
    }
    return (total, done, started, late), lines


def assert_every_page_right(
    engine: Engine, progress: Any, caller: Caller, scope: Scope, today: date, *, size: int
) -> None:
    """Every page of a report's rows, per person and per training, `size` rows at a time,
    and its figures, against `independent_figures`."""
    manager = None if caller.role is Role.ADMIN else caller.member_id
    figures, lines = independent_figures(engine, manager, today, scope)
    for by_person in (True, False):
        shown: list[Line] = []
        while True:
            report = progress.report(caller=caller, scope=scope, today=today,
                                     by_person=by_person, page=len(shown) // size + 1,
                                     page_size=size)  # fmt: skip
            got = (report.total, report.completed, report.in_progress, report.overdue)
            assert got == figures, (caller.user_id, scope, today)
            assert report.rows_total == len(lines[by_person])
            assert report.page == len(shown) // size + 1
            shown += [(r.ref, r.label, r.total, r.completed, r.overdue) for r in report.rows]
            if len(report.rows) < size or len(shown) == report.rows_total:
                break
        assert shown == lines[by_person], (caller.user_id, scope, today, by_person, size)


def test_reports_are_right_on_either_side_of_the_tallies_day_and_after_each_roll(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock, engine: Engine
) -> None:
    load_starter(app_server)
    people = [f"U0DAY{n:05d}" for n in range(30)]
    generate_team(engine, manager, people, now=clock.now())
    bosses = {user: caller_of(slack, app_server, user) for user in (manager, ADMIN)}
    progress = app_server.services.progress
    with engine.connect() as conn:
        as_of = conn.scalar(select(TallyDate.as_of))
    assert as_of is not None

    def check(today: date) -> None:
        for caller in bosses.values():
            assert_every_page_right(engine, progress, caller, Scope("team"), today, size=7)

    # The tallies' day is the database's date; the clock's is weeks before it.
    for today in (clock.now().date() - timedelta(days=3), clock.now().date(), as_of,
                  as_of + timedelta(days=12)):  # fmt: skip
        check(today)
    for days in (0, 5, 9, -4):  # each roll moves what fell due (or un-fell) into the tallies
        moved_to = clock.now().date() + timedelta(days=days)
        clock.set(clock.now().replace(year=moved_to.year, month=moved_to.month, day=moved_to.day))
        assert app_server.services.tallies.roll() == moved_to
        assert_tallies_right(engine)
        check(moved_to)
        check(moved_to + timedelta(days=3))


def test_figures_as_of_past_moments_agree_with_the_event_history(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock, engine: Engine
) -> None:
    """A digest's weeks and counts, from the tallies, against the event history and a
    count of the assignments as the digest once made them."""
    load_starter(app_server)
    people = [f"U0HIS{n:05d}" for n in range(30)]
    generate_team(engine, manager, people, now=clock.now())
    now, a = clock.now(), ResourceAssignment
    ends = [now - timedelta(days=d, hours=h) for d in (0, 3, 7, 12, 30) for h in (0, 5)]
    with engine.begin() as conn:  # a few completed late: overdue at some of the moments
        late = conn.scalars(select(a.id).where(a.completed_at.is_not(None)).limit(6)).all()
        for n, assignment in enumerate(late):
            moved = {"assigned": now - timedelta(days=25), "completed": now - timedelta(days=n)}
            conn.execute(update(a).where(a.id == assignment).values(
                due_on=(now - timedelta(days=20)).date(), completed_at=moved["completed"],
                assigned_at=moved["assigned"]))  # fmt: skip
            for kind, at in moved.items():  # the history says the same (as the app writes it)
                e = AssignmentEvent
                conn.execute(update(e).where(e.assignment_id == assignment, e.kind == kind)
                             .values(occurred_at=at))  # fmt: skip
    with engine.connect() as conn:
        workspace = conn.scalar(select(Member.workspace_id).where(Member.slack_user_id == manager))
    assert workspace is not None
    sessions = app_server.services.sessions
    for members in (None, people[:11]):
        scope = TallyScope(workspace, EVERYONE, None if members is None else tuple(members),
                           None, None)  # fmt: skip
        where = [a.workspace_id == workspace]
        if members is not None:
            where.append(
                a.member_id.in_(select(Member.id).where(Member.slack_user_id.in_(members)))
            )
        with sessions.begin() as s:
            now = tallies.sums(s, scope)
            assert tally_moments.history(s, scope, ends, now=now) == analytics.history(
                s, where, ends
            )
        for moment in ends:
            today, week_ago = moment.date(), moment - timedelta(days=7)
            made = [*where, a.assigned_at <= moment, a.cancelled_at.is_(None)]
            still_open = a.completed_at.is_(None) | (a.completed_at > moment)
            with sessions.begin() as s:
                expected = s.execute(select(
                    func.count().filter(a.completed_at > week_ago, a.completed_at <= moment),
                    func.count().filter(still_open, a.status == "in_progress"),
                    func.count().filter(still_open, a.due_on < today),
                ).where(*made)).one()  # fmt: skip
                got = tally_moments.digest_counts(s, scope, now=tallies.sums(s, scope),
                                                  moment=moment, week_ago=week_ago,
                                                  today=today)  # fmt: skip
            assert (got.completed_this_week, got.in_progress, got.overdue) == tuple(expected)


def test_the_migration_counts_the_assignments_already_there(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock, engine: Engine
) -> None:
    """A database upgraded to 0018 with assignments in it starts with the right tallies."""
    load_starter(app_server)
    generate_team(engine, manager, [f"U0MIG{n:05d}" for n in range(20)], now=clock.now())
    with engine.connect() as conn:
        command.downgrade(db.alembic_config(conn), "0017")
        conn.commit()
    assert "resource_tallies" not in inspect(engine).get_table_names()
    db.upgrade(engine)
    assert_tallies_right(engine)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(MemberTally)) > 0


@pytest.mark.parametrize("candidates_below", [0.0, 1e6], ids=["every_row", "candidates"])
def test_pages_are_right_with_ties_at_their_edges_on_either_side_of_the_tallies_day(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine,
    monkeypatch: pytest.MonkeyPatch, candidates_below: float,
) -> None:  # fmt: skip
    """Rows read through the rank indexes (migration 0019) and, on another day than the
    tallies', corrected: many rows tie on (overdue, completed share), some only once what
    fell due (or un-fell) is counted, at the edges of pages of 1 and 4 rows; scopes
    narrowed to people or a type rank every tally instead. On another day, the rows are
    ranked from the candidates or from every row as the share of F says: each way here."""
    monkeypatch.setattr(tally_rows, "CANDIDATES_BELOW", candidates_below)
    load_starter(app_server)
    a = ResourceAssignment
    with engine.connect() as conn:
        as_of = conn.scalar(select(TallyDate.as_of))
        by, ws = conn.execute(
            select(Member.id, Member.workspace_id).where(Member.slack_user_id == manager)
        ).one()
        resources = conn.execute(
            select(TrainingResource.id, TrainingResource.type).order_by(TrainingResource.id)
            .limit(10)
        ).all()  # fmt: skip
    assert as_of is not None
    now = app_server.services.clock.now()
    people = [f"U0TIE{n:05d}" for n in range(22)]
    dues = [as_of + timedelta(days=d) for d in (-3, -1, 0, 1, 2, 30)]
    rng = random.Random(16)
    with engine.begin() as conn:
        for user in people:
            member = conn.execute(insert(Member).values(
                workspace_id=ws, slack_user_id=user, display_name=user.lower(), real_name=user,
                tz="UTC", created_at=now, updated_at=now,
            )).inserted_primary_key[0]  # fmt: skip
            for resource, _ in rng.sample(resources, rng.randint(1, 3)):
                done = rng.random() < 0.3
                conn.execute(insert(a).values(
                    workspace_id=ws, resource_id=resource, member_id=member,
                    assigned_by_id=by if rng.random() < 0.8 else None,
                    status="completed" if done else "assigned", progress=0, priority="normal",
                    note="", due_on=rng.choice(dues), assigned_at=now, updated_at=now,
                    completed_at=now if done else None,
                ))  # fmt: skip
    assert_tallies_right(engine)
    progress = app_server.services.progress
    bosses = [caller_of(slack, app_server, user) for user in (manager, ADMIN)]
    kind = Counter(kind for _, kind in resources).most_common(1)[0][0]
    narrowed = [Scope("team", people=tuple(people[::3])), Scope("team", type=kind)]
    for days in (-2, -1, 0, 1, 2):
        today = as_of + timedelta(days=days)
        for caller in bosses:
            for size in (1, 4):
                assert_every_page_right(engine, progress, caller, Scope("team"), today, size=size)
            for scope in narrowed:
                assert_every_page_right(engine, progress, caller, scope, today, size=4)

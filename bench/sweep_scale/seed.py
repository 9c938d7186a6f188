"""The data a sweep meets: one workspace, members in seven timezones, a million assignments.

After bot.db.upgrade, the resources and members are bench/assign_scale's rows (seed_rows.py),
written with its COPY helper (database.py); the assignments are generated here, so that
exactly `due` of them are owed a reminder at MOMENT and `waiting` more are due today for
people whose reminder hour has not come yet. Each assignment's DM is in the outbox, sent,
as after any /assign. The same sizes give the same data on every run.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from bench.assign_scale.database import conninfo_of, copy_rows, tallies_rebuilt_after
from bench.assign_scale.seed_rows import MANAGERS, Person, add_domains, member_rows, resource_rows
from bench.servers import TEAM_ID

MOMENT = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # the sweep: a Wednesday, 10:00 UTC
TODAY = MOMENT.date()
AT_THEIR_HOUR = ("Europe/Berlin", "Europe/London", "UTC", "Asia/Tokyo", "Asia/Kolkata")
NOT_YET = ("America/New_York", "America/Los_Angeles")  # 05:00 and 02:00 at MOMENT
ZONES = AT_THEIR_HOUR + NOT_YET  # members' timezones, in rotation
DUE_EACH = (1, 2, 3)  # due assignments of each person owed a reminder, in rotation
SPREAD_DAYS = 60  # the other open assignments' next reminders: over the next 60 days
TABLES = ("training_resources", "resource_domains", "members", "resource_assignments", "outbox")


@dataclass
class Seeded:
    """Who is owed what at MOMENT, the row counts, and how long seeding took."""

    due_people: list[tuple[int, Person]]  # owed a reminder at MOMENT (their turn in ZONES)
    due: int  # their assignments whose reminder day has come
    waiting: int  # due today for people in NOT_YET
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """How many assignments each member has, and how many of them are due today."""

    per_member: int
    due_now: list[int]  # per member, owed at MOMENT (their first ones)
    due_later: list[int]  # per member in NOT_YET, due today once their hour comes


def plan(members: int, total: int, due: int, waiting: int) -> Plan:
    """Spread `total` assignments over `members`; the due ones over people at their hour."""
    per_member = math.ceil(total / members)
    due_now, due_later = [0] * members, [0] * members
    left = {True: due, False: waiting}
    turns = {True: 0, False: 0}
    for i in range(members):
        at_hour = ZONES[i % len(ZONES)] in AT_THEIR_HOUR
        count = min(DUE_EACH[turns[at_hour] % len(DUE_EACH)], left[at_hour], per_member)
        (due_now if at_hour else due_later)[i] = count
        left[at_hour] -= count
        turns[at_hour] += 1
    if any(left.values()):
        raise SystemExit(f"--due and --waiting need more members than {members}")
    return Plan(per_member, due_now, due_later)


def assignment_rows(
    layout: Plan, members: Sequence[int], resources: Sequence[int], workspace_id: int, total: int
) -> Iterator[dict[str, Any]]:
    """Every assignment: due ones first for each person, the rest drawn (seeded) among
    completed (30%), cancelled (5%), undated (10%) and open with a later reminder (55%)."""
    managers = members[:MANAGERS]
    scramble = random.Random(MOMENT.toordinal())  # seeded: the same rows on every run
    for n in range(total):
        i, k = divmod(n, layout.per_member)
        at = MOMENT - timedelta(days=20 + (i + k) % 200)
        reminder: date | None = None
        row = {
            "id": n + 1, "workspace_id": workspace_id, "member_id": members[i],
            "resource_id": resources[(i * 7 + k * 97) % len(resources)],
            "assigned_by_id": managers[(i + k) % len(managers)], "status": "assigned",
            "progress": 0, "priority": ("normal", "high", "low", "urgent")[(i + k) % 4],
            "note": "", "assigned_at": at, "updated_at": at, "completed_at": None,
            "cancelled_at": None, "closed_reason": None, "last_reminded_on": None,
            "dm_channel": f"D{members[i]:010d}", "dm_ts": f"{1_700_000_000 + n}.000100",
        }  # fmt: skip
        mix = scramble.getrandbits(32)
        kind = mix % 20
        if k < layout.due_now[i] + layout.due_later[i]:
            # A week late for some: a reminder missed while the bot was down is caught up.
            reminder = TODAY - timedelta(days=7 if mix % 4 == 0 else 0)
        elif kind < 6:
            row |= {"status": "completed", "progress": 100, "completed_at": at + timedelta(3)}
        elif kind == 6:
            row |= {"cancelled_at": at + timedelta(1), "closed_reason": "cancelled"}
        elif kind > 8:
            reminder = TODAY + timedelta(days=1 + mix // 20 % SPREAD_DAYS)
        row["next_remind_on"] = reminder
        row["due_on"] = reminder + timedelta(days=2) if reminder else None
        if kind < 7 and not reminder:
            row["due_on"] = (at + timedelta(days=30)).date()
        yield row


# Each assignment's DM, sent when it was assigned, generated by the server.
SENT_DMS = """
INSERT INTO outbox (workspace_id, key, kind, recipient, assignment_id, payload, status,
                    attempts, next_attempt_at, created_at, sent_at, channel, ts)
SELECT a.workspace_id, 'assignment:' || a.id || ':dm', 'assignment_dm', m.slack_user_id, a.id,
       '{}', 'sent', 1, a.assigned_at, a.assigned_at, a.assigned_at, a.dm_channel, a.dm_ts
FROM resource_assignments a JOIN members m ON m.id = a.member_id
"""


def seed(
    url: str, *, resources: int, members: int, assignments: int, due: int, waiting: int
) -> Seeded:
    """The workspace, written with COPY, then VACUUM ANALYZE."""
    layout = plan(members, assignments, due, waiting)
    if layout.per_member > resources:
        raise SystemExit(f"{layout.per_member} assignments per member need as many resources")
    laps = Laps()
    people = [Person(f"U0S{i:07d}", f"person{i}") for i in range(members)]
    with psycopg.connect(conninfo_of(url)) as conn:
        workspace_id = _workspace(conn)
        resource_ids = _resources(conn, resources, workspace_id)
        member_ids = _members(conn, people, workspace_id)
        laps.lap("resources and members")
        with tallies_rebuilt_after(conn, url):
            copy_rows(
                conn,
                "resource_assignments",
                assignment_rows(layout, member_ids, resource_ids, workspace_id, assignments),
            )
        laps.lap("assignments (COPY)")
        conn.execute(SENT_DMS)
        laps.lap("their sent DMs (INSERT ... SELECT)")
        for table in ("training_resources", "resource_assignments"):  # COPY wrote their ids
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        laps.lap("vacuum analyze")
        counts = {table: count_rows(conn, table) for table in TABLES}
    owed = [(i, p) for i, p in enumerate(people) if layout.due_now[i]]
    return Seeded(owed, due, waiting, counts, laps.done())


class Laps:
    """Seconds per step, and in all."""

    def __init__(self) -> None:
        self.started = self._mark = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._mark, 2)
        self._mark = now

    def done(self) -> dict[str, float]:
        return {**self.seconds, "total": round(time.perf_counter() - self.started, 2)}


def _workspace(conn: psycopg.Connection[Any]) -> int:
    """The workspace (the default reminder policy: 09:00, weekdays, 2 days before...)."""
    columns = {"team_id": TEAM_ID, "name": "Sweep Inc", "settings": "{}",
               "created_at": MOMENT, "updated_at": MOMENT}  # fmt: skip
    names = ", ".join(columns)
    values = ", ".join(f"%({name})s" for name in columns)
    found = conn.execute(
        f"INSERT INTO workspaces ({names}) VALUES ({values}) RETURNING id", columns
    ).fetchone()
    return int(found[0]) if found else 0


def _resources(conn: psycopg.Connection[Any], count: int, workspace_id: int) -> list[int]:
    """assign_scale's generated resources, one domain each; their ids."""
    domains = add_domains(conn)
    rows = list(resource_rows(count, 1, workspace_id, MOMENT))
    copy_rows(conn, "training_resources", rows)
    links = ({"resource_id": r["id"], "domain_id": domains[r["id"] % len(domains)]} for r in rows)
    copy_rows(conn, "resource_domains", links)
    return [int(r["id"]) for r in rows]


def _members(
    conn: psycopg.Connection[Any], people: Sequence[Person], workspace_id: int
) -> list[int]:
    """assign_scale's members (the first ones managers), in ZONES by turns; their ids."""
    rows = member_rows(people, workspace_id, MOMENT)
    copy_rows(conn, "members", ({**r, "tz": ZONES[i % len(ZONES)]} for i, r in enumerate(rows)))
    ids = dict(conn.execute("SELECT slack_user_id, id FROM members").fetchall())
    return [int(ids[p.user_id]) for p in people]


def count_rows(conn: psycopg.Connection[Any], table: str) -> int:
    found = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(found[0]) if found else 0

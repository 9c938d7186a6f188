"""Seeding the benchmark's database: one big workspace, written with COPY, then analyzed.

The starter catalog is imported first (by `trainbot catalog import --starter`, in
__main__); the generated rows (seed_rows.py) come after it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from bench.assign_scale.database import conninfo_of, copy_rows, tallies_rebuilt_after
from bench.assign_scale.seed_rows import (
    MANAGERS,
    Person,
    add_assignments,
    add_domains,
    domain_rows,
    member_rows,
    resource_rows,
)
from bench.servers import TEAM_ID

COUNTED = (
    "training_resources", "resource_domains", "members", "resource_assignments",
    "assignment_events", "outbox",
)  # fmt: skip


@dataclass
class Seeded:
    """What the requests need to know about the data, and how long seeding took."""

    manager: Person
    learners: list[Person]
    fresh: list[tuple[int, str]]  # (id, title) of published resources nobody was assigned
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def seed(
    url: str, *, resources: int, members: int, assignments: int, fresh: int, now: datetime
) -> Seeded:
    """One workspace: resources (starter catalog included), members, assignments, with COPY."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with psycopg.connect(conninfo_of(url)) as conn:
        ws = conn.execute(
            "INSERT INTO workspaces (team_id, name, settings, created_at, updated_at)"
            " VALUES (%s, 'Bench Inc', '{}', %s, %s) RETURNING id",
            (TEAM_ID, now, now),
        ).fetchone()
        assert ws is not None
        workspace_id = int(ws[0])
        starter = [int(r[0]) for r in conn.execute("SELECT id FROM training_resources ORDER BY id")]
        first_id = (max(starter) if starter else 0) + 1
        domain_ids = add_domains(conn)
        generated = max(0, resources - len(starter))
        rows = list(resource_rows(generated, first_id, workspace_id, now))
        copy_rows(conn, "training_resources", rows)
        copy_rows(conn, "resource_domains", domain_rows(rows, domain_ids))
        timings["resources"] = time.perf_counter() - started

        people = [Person(f"U0B{i:07d}", f"person{i}") for i in range(members)]
        copy_rows(conn, "members", member_rows(people, workspace_id, now))
        member_ids = {
            uid: mid
            for mid, uid in conn.execute(
                "SELECT id, slack_user_id FROM members WHERE workspace_id = %s", (workspace_id,)
            )
        }
        timings["members"] = time.perf_counter() - started - timings["resources"]

        published = [r["id"] for r in rows if r["status"] == "published"]
        fresh_ids = published[-fresh:]
        kept = set(fresh_ids)
        assignable = starter + [r["id"] for r in rows if r["id"] not in kept]
        mark = time.perf_counter()
        with tallies_rebuilt_after(conn, url):
            created = add_assignments(
                conn, people, member_ids, assignable, assignments, workspace_id, now
            )
        timings["assignments, events, outbox"] = time.perf_counter() - mark
        # COPY wrote the ids itself: the sequences must go on after them for the app's inserts.
        for table in ("training_resources", "members", "resource_assignments",
                      "assignment_events", "outbox"):  # fmt: skip
            conn.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), max(id)) FROM {}").format(
                    sql.Literal(table), sql.Identifier(table)
                )
            )
        conn.commit()
        mark = time.perf_counter()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.perf_counter() - mark
        counts = {table: _count(conn, table) for table in COUNTED}
        titles: dict[int, str] = dict(
            conn.execute(
                "SELECT id, title FROM training_resources WHERE id = ANY(%s)", (fresh_ids,)
            )
        )
    timings["total"] = time.perf_counter() - started
    return seeded(people, fresh_ids, titles, created, counts, timings)


def seeded(
    people: Sequence[Person], fresh_ids: Sequence[int], titles: Mapping[int, str], created: int,
    counts: dict[str, int], timings: Mapping[str, float],
) -> Seeded:  # fmt: skip
    """The seed's result (either database's), once the rows written are the rows counted."""
    assert created == counts["resource_assignments"]
    return Seeded(
        manager=people[0],
        learners=list(people[MANAGERS:]),
        fresh=[(rid, titles[rid]) for rid in fresh_ids],
        counts=counts,
        seconds={k: round(v, 2) for k, v in timings.items()},
    )


def _count(conn: psycopg.Connection[Any], table: str) -> int:
    """Rows in `table`, counted after seeding: what the results say the data was."""
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
    return int(row[0]) if row else 0

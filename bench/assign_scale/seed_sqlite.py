"""assign_scale's workspace in a SQLite file: the same rows, inserted in one transaction.

seed.py writes the workspace into PostgreSQL with COPY. This writes the very rows
(seed_rows.py's generators) into a SQLite file instead, through SQLAlchemy Core
`executemany` (so each column is bound as the app binds it: UTCDateTime, JSON, the
models' defaults), all in one transaction, with migration 0018's tally triggers dropped
meanwhile and the tallies counted again after (TallyService.rebuild, as
database.tallies_rebuilt_after does on PostgreSQL); then ANALYZE, and the WAL checkpointed
so the servers start on a plain file. SQLite has no sequences: the app's inserts go on
after the highest id by themselves.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

import models
from bench.assign_scale.seed import COUNTED, Seeded, seeded
from bench.assign_scale.seed_rows import (
    DOMAINS,
    Person,
    assignment_rows,
    domain_rows,
    event_rows,
    member_rows,
    outbox_rows,
    resource_rows,
)
from bench.servers import TEAM_ID
from bot import db
from bot.clock import SystemClock
from bot.services.tally_upkeep import TallyService

BATCH = 10_000  # rows per executemany
TALLY_TRIGGERS = (  # migration 0018's
    "resource_assignments_tallies_insert",
    "resource_assignments_tallies_update",
    "resource_assignments_tallies_delete",
)


def version() -> str:
    """What the results say the database was."""
    return f"SQLite {sqlite3.sqlite_version}"


@contextlib.contextmanager
def sqlite_database(folder: Path, name: str, keep: bool) -> Iterator[str]:
    """The URL of a fresh SQLite file `name`.sqlite3 in `folder` (one left over by an earlier
    run is removed first); removed at the end, with its -wal and -shm, unless `keep`."""
    path = folder / f"{name}.sqlite3"
    _remove(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        if not keep:
            _remove(path)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def insert_rows(conn: sa.Connection, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """executemany INSERT of `rows` (dicts with the same keys) in batches of BATCH."""
    statement = sa.insert(models.Base.metadata.tables[table])
    rows = iter(rows)
    count = 0
    while batch := list(itertools.islice(rows, BATCH)):
        conn.execute(statement, batch)
        count += len(batch)
    return count


@contextlib.contextmanager
def tallies_rebuilt_after(engine: sa.Engine) -> Iterator[None]:
    """Bulk writes to resource_assignments without the tallies' triggers (SQLite cannot
    disable one: they are dropped, their SQL kept from sqlite_master and run again after),
    then every tally counted again in one go, as the app's TallyService.rebuild does."""
    with engine.begin() as conn:
        found = conn.execute(
            sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                    " AND name IN :names").bindparams(sa.bindparam("names", expanding=True)),
            {"names": list(TALLY_TRIGGERS)},
        ).all()  # fmt: skip
        saved = {str(name): str(sql) for name, sql in found}
        if set(saved) != set(TALLY_TRIGGERS):
            raise RuntimeError(f"expected migration 0018's triggers, found {sorted(saved)}")
        for name in saved:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with engine.begin() as conn:
            for sql in saved.values():
                conn.exec_driver_sql(sql)
    TallyService(sessions=db.make_sessions(engine), clock=SystemClock()).rebuild()


def seed_sqlite(
    url: str, *, resources: int, members: int, assignments: int, fresh: int, now: datetime
) -> Seeded:
    """seed.seed's workspace (starter catalog included), written into the SQLite file `url`."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    tables = models.Base.metadata.tables
    engine = db.make_engine(url)
    try:
        with tallies_rebuilt_after(engine), engine.begin() as conn:
            workspace_id = conn.execute(
                sa.insert(tables["workspaces"])
                .values(team_id=TEAM_ID, name="Bench Inc", settings={}, created_at=now,
                        updated_at=now)
                .returning(tables["workspaces"].c.id)
            ).scalar_one()  # fmt: skip
            starter = list(conn.execute(sa.text("SELECT id FROM training_resources ORDER BY id"))
                           .scalars())  # fmt: skip
            domain_ids = _add_domains(conn)
            generated = max(0, resources - len(starter))
            rows = list(resource_rows(generated, (max(starter) if starter else 0) + 1,
                                      workspace_id, now))  # fmt: skip
            insert_rows(conn, "training_resources", rows)
            insert_rows(conn, "resource_domains", domain_rows(rows, domain_ids))
            timings["resources"] = time.perf_counter() - started

            people = [Person(f"U0B{i:07d}", f"person{i}") for i in range(members)]
            insert_rows(conn, "members", member_rows(people, workspace_id, now))
            member_ids = {
                str(uid): int(mid)
                for mid, uid in conn.execute(
                    sa.text("SELECT id, slack_user_id FROM members WHERE workspace_id = :w"),
                    {"w": workspace_id},
                )
            }
            timings["members"] = time.perf_counter() - started - timings["resources"]

            published = [r["id"] for r in rows if r["status"] == "published"]
            fresh_ids = published[-fresh:]
            kept = set(fresh_ids)
            assignable = starter + [r["id"] for r in rows if r["id"] not in kept]
            mark = time.perf_counter()
            made = assignment_rows(people, member_ids, assignable, assignments, workspace_id, now)
            created = insert_rows(conn, "resource_assignments", made)
            insert_rows(conn, "assignment_events", event_rows(made, workspace_id))
            insert_rows(conn, "outbox", outbox_rows(made, people, workspace_id))
            loaded = time.perf_counter()
            timings["assignments, events, outbox"] = loaded - mark
        timings["commit, tallies rebuilt"] = time.perf_counter() - loaded
        mark = time.perf_counter()
        analyze(engine)
        timings["analyze"] = time.perf_counter() - mark
        with engine.connect() as conn:
            counts = {t: int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one())
                      for t in COUNTED}  # fmt: skip
            r = tables["training_resources"]
            found = conn.execute(sa.select(r.c.id, r.c.title).where(r.c.id.in_(fresh_ids)))
            titles = {int(rid): str(title) for rid, title in found}
    finally:
        engine.dispose()
    timings["total"] = time.perf_counter() - started
    return seeded(people, fresh_ids, titles, created, counts, timings)


def analyze(engine: sa.Engine) -> None:
    """ANALYZE (the planner's statistics), then the WAL written back into the file."""
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _add_domains(conn: sa.Connection) -> list[int]:
    """The 20 domains (some may exist already); the ids of all of them."""
    domains = models.Base.metadata.tables["domains"]
    conn.execute(
        sqlite_insert(domains).on_conflict_do_nothing(index_elements=["slug"]),
        [{"slug": name.lower(), "name": name} for name in DOMAINS],
    )
    return list(conn.execute(sa.select(domains.c.id).order_by(domains.c.id)).scalars())

"""A database per (kind, size): created, migrated, seeded with the library; dropped after.

PostgreSQL: `--db-name` on `--database-url`'s server (assign_scale's bench_database), rows
written with COPY (assign_scale's copy_rows), then VACUUM ANALYZE as autovacuum would.
SQLite: a file in the run's folder, rows inserted in batches through SQLAlchemy; no
ANALYZE, as the app never runs one. Either way the index is the database's own doing
(FTS5 triggers, a generated tsvector), fed by the search_* columns data.py fills.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

import models
from bench.assign_scale.database import bench_database, conninfo_of, copy_rows, server_version
from bench.assign_scale.seed_rows import DOMAINS, Person
from bench.search.data import resource_rows
from bench.servers import TEAM_ID
from bot import db

MANAGER = Person("U0SEARCH01", "maya")
DATABASES = ("postgresql", "sqlite")
BATCH = 5000


@dataclass
class Library:
    """A seeded database: where it is, what it holds, how long it took."""

    kind: str
    url: str
    resources: int
    visible: int  # published, shared or the workspace's own: what the typeahead searches
    version: str
    seconds: dict[str, float] = field(default_factory=dict)


@contextlib.contextmanager
def library(
    kind: str, size: int, *, admin_url: str, db_name: str, workdir: Path, keep: bool
) -> Iterator[Library]:
    """A fresh database of `kind` with `size` resources; dropped (or deleted) at the end."""
    with contextlib.ExitStack() as stack:
        if kind == "postgresql":
            url = stack.enter_context(bench_database(admin_url, f"{db_name}_{size}", keep))
            version = "PostgreSQL " + server_version(admin_url)
        else:
            path = workdir / f"search_{size}.sqlite3"
            path.unlink(missing_ok=True)
            url = f"sqlite:///{path}"
            version = "SQLite " + sqlite3.sqlite_version
        found = Library(kind, url, size, 0, version)
        started = time.perf_counter()
        engine = db.make_engine(url)
        try:
            db.upgrade(engine)
            found.seconds["migrate"] = round(time.perf_counter() - started, 2)
            mark = time.perf_counter()
            seed(engine, size)
            found.seconds["seed"] = round(time.perf_counter() - mark, 2)
            found.visible = _visible(engine)
        finally:
            engine.dispose()
        yield found


def seed(engine: sa.Engine, size: int) -> None:
    """The workspace, its manager, the domains and `size` resources with their domains."""
    now = datetime.now(UTC)
    tables = models.Base.metadata.tables
    with engine.begin() as conn:
        workspace_id = conn.execute(
            sa.insert(tables["workspaces"])
            .values(team_id=TEAM_ID, name="Search Inc", settings={}, created_at=now, updated_at=now)
            .returning(tables["workspaces"].c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables["members"]).values(
                workspace_id=workspace_id, slack_user_id=MANAGER.user_id,
                display_name=MANAGER.name, real_name="Maya Manager", tz="Europe/Berlin",
                role="manager", profile_fetched_at=now, created_at=now, updated_at=now,
            )
        )  # fmt: skip
        conn.execute(
            sa.insert(tables["domains"]), [{"slug": d.lower(), "name": d} for d in DOMAINS]
        )
        domains = tables["domains"]
        domain_ids = {
            str(name): int(did)
            for name, did in conn.execute(sa.select(domains.c.name, domains.c.id))
        }
    rows = list(resource_rows(size, workspace_id, now))
    links = [
        {"resource_id": rid, "domain_id": domain_ids[name]}
        for rid, row in enumerate(rows, start=1)
        for name in row.pop("_domains")
    ]
    for rid, row in enumerate(rows, start=1):
        row["id"] = rid
    if engine.dialect.name == "postgresql":
        _copy(engine.url.render_as_string(hide_password=False), rows, links)
        return
    with engine.begin() as conn:
        for table, values in (("training_resources", rows), ("resource_domains", links)):
            for start in range(0, len(values), BATCH):
                conn.execute(sa.insert(tables[table]), values[start : start + BATCH])


def _copy(url: str, rows: list[dict[str, Any]], links: list[dict[str, Any]]) -> None:
    with psycopg.connect(conninfo_of(url)) as conn:
        copy_rows(conn, "training_resources", rows)
        copy_rows(conn, "resource_domains", links)
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('training_resources', 'id'), max(id))"
            " FROM training_resources"
        )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def _visible(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT count(*) FROM training_resources WHERE status = 'published'")
            ).scalar_one()
        )

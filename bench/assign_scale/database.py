"""The benchmark's own PostgreSQL database: created, dropped, and filled with COPY.

Only `--database-url`'s server is used, as a place to create `--db-name` on; nothing else
on it is touched.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import psycopg
import sqlalchemy as sa
from psycopg import sql

import models
from bot import db
from bot.clock import SystemClock
from bot.services.tally_upkeep import TallyService

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SCHEMES = ("postgresql+psycopg://", "postgresql://", "postgres://")


def conninfo_of(url: str) -> str:
    """The libpq URL psycopg takes, from a SQLAlchemy one."""
    scheme = next((s for s in SCHEMES if url.startswith(s)), None)
    if scheme is None:
        raise SystemExit(f"--database-url must be a PostgreSQL URL (got {url[:30]!r})")
    return "postgresql://" + url[len(scheme) :]


def with_database(url: str, name: str) -> str:
    """The same server and user, database `name`, as a SQLAlchemy URL."""
    parts = urlsplit(conninfo_of(url))
    query = f"?{parts.query}" if parts.query else ""
    return f"postgresql+psycopg://{parts.netloc}/{name}{query}"


@contextlib.contextmanager
def bench_database(admin_url: str, name: str, keep: bool) -> Iterator[str]:
    """Create database `name` (dropping one left over by an earlier run); drop it at the end."""
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    create = sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
        sql.Identifier(name)
    )
    with psycopg.connect(conninfo_of(admin_url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(drop)
        conn.execute(create)
    try:
        yield with_database(admin_url, name)
    finally:
        if not keep:
            with psycopg.connect(conninfo_of(admin_url), autocommit=True) as conn:
                conn.execute(drop)


def column_default(column: sa.Column[Any]) -> Any:
    """The value SQLAlchemy would fill in for a column a row leaves out."""
    default = column.default
    if default is None or not hasattr(default, "arg"):
        return None
    if getattr(default, "is_callable", False):
        return default.arg(None)
    return default.arg


def copy_rows(conn: psycopg.Connection[Any], table: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """COPY rows (dicts) into `table`; other NOT NULL columns get the model's default.

    Column names come from the models, so a column added by a later migration with a
    Python-side default is filled as the app would fill it.
    """
    model = models.Base.metadata.tables[table]
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    given = list(first)
    extra = {
        c.name: column_default(c)
        for c in model.columns
        if c.name not in first and not c.nullable and c.server_default is None
        and not (c.primary_key and c.autoincrement in (True, "auto"))
    }  # fmt: skip
    names = [*given, *extra]
    json_columns = {c.name for c in model.columns if isinstance(c.type, sa.JSON)}
    dump = [name in json_columns for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row in _chain(first, rows):
            values = [row[name] for name in given] + list(extra.values())
            copy.write_row([json.dumps(v) if d else v for v, d in zip(values, dump, strict=True)])
            count += 1
    return count


def _chain(first: Mapping[str, Any], rest: Iterator[Mapping[str, Any]]) -> Iterator[Any]:
    """The first row again (copy_rows read it to learn the columns), then the rest."""
    yield first
    yield from rest


def server_version(url: str) -> str:
    """What the server says it is, or "?" (the version goes into the results)."""
    with (
        contextlib.suppress(psycopg.Error),
        psycopg.connect(conninfo_of(url), connect_timeout=5) as conn,
    ):
        return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    return "?"


TALLY_TRIGGERS = ("resource_assignments_tallies", "resource_assignments_tallies_insert")  # 0018's


@contextlib.contextmanager
def tallies_rebuilt_after(conn: psycopg.Connection[Any], url: str) -> Iterator[None]:
    """Bulk writes to resource_assignments without the tallies' triggers (a row's
    upserts would triple a million-row UPDATE), then every tally counted again in one go,
    as the app's TallyService.rebuild does."""

    def switch(to: str) -> None:
        for trigger in TALLY_TRIGGERS:
            conn.execute(sql.SQL("ALTER TABLE resource_assignments {} TRIGGER {}").format(
                sql.SQL(to), sql.Identifier(trigger)))  # fmt: skip

    switch("DISABLE")
    try:
        yield
    finally:
        switch("ENABLE")
    conn.commit()
    engine = db.make_engine(url)
    try:
        TallyService(sessions=db.make_sessions(engine), clock=SystemClock()).rebuild()
    finally:
        engine.dispose()
    # The rebuild deleted every row and wrote it again: as autovacuum would, in time.
    with psycopg.connect(conninfo_of(url), autocommit=True) as fresh:
        fresh.execute("VACUUM ANALYZE resource_tallies, member_tallies")

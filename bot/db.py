"""Engine, sessions and schema migrations for SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    TextClause,
    create_engine,
    event,
    exc,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent
# Any constant works; it only has to be the same in every replica.
MIGRATION_LOCK_ID = 0x7472_6169


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    event.listen(engine, "connect", _postgresql_settings)
    return engine


def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
    # No JIT: every statement here is meant to take milliseconds, and the planner's cost
    # for a report's correlated lookups passes jit_above_cost, adding 15 ms of compiling
    # to a 40 ms statement.
    # Custom plans always: psycopg prepares a statement run 5 times on a connection, and
    # after 5 more PostgreSQL may plan it once for any parameters. A report's people (one
    # array, models/one_of.py) then count as a handful: a 5,000-person /progress went from
    # 0.5 s to 6 s from its eleventh run on a connection.
    # (SETs, not startup options, which connection poolers may refuse.)
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.commit()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while the scheduler or a handler writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def insert_for(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """A dialect-specific INSERT that supports `on_conflict_do_nothing/do_update`."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignoring(
    session: Session,
    table: Any,
    rows: Sequence[Mapping[str, object]],
    *,
    unique: Sequence[str],
    where: ColumnElement[bool] | TextClause | None = None,
    returning: Sequence[Any] = (),
) -> Sequence[Row[*tuple[Any, ...]]]:
    """INSERT these rows, skipping those that would break the unique index `unique`
    (partial: `where`); returns `returning` of the rows inserted.

    The rows go as executemany parameters, never `.values([...])`: a statement holding its
    rows has no key in SQLAlchemy's compiled cache, so it is compiled on every call (three
    of them in an /assign submission's ack). This one is compiled once and batched by
    SQLAlchemy itself (a multi-row INSERT per 1,000 rows, within SQLite's parameter limit).
    """
    if not rows:
        return []
    statement = insert_for(session, table).on_conflict_do_nothing(
        index_elements=list(unique), index_where=where
    )
    if returning:
        return session.execute(statement.returning(*returning), list(rows)).all()
    session.execute(statement, list(rows))
    return []


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """Serialise migrations when several replicas start at once against one PostgreSQL."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            conn.commit()
        try:
            yield conn
        finally:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
                conn.commit()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _migration_lock(engine) as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # A table SQLite rebuilds (batch mode: copy, drop, rename) would otherwise have
            # its drop refused, or cascade into every table that refers to it. The pragma
            # only takes effect outside a transaction; the check below replaces it.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            command.upgrade(alembic_config(conn), revision)
            conn.commit()
            if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").all()):
                raise RuntimeError(f"the migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                conn.rollback()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def database_unavailable(error: BaseException) -> bool:
    """True for a failure that says the database cannot be reached or used just now (down,
    restarting, the connection cut, the pool exhausted, SQLite locked): worth trying again
    in a moment, unlike a bug. The pool recovers by itself (pre-ping, invalidation)."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, exc.OperationalError) and isinstance(error.orig, sqlite3.Error):
        # sqlite3 raises OperationalError for bugs too ("no such column", a syntax error):
        # those must reach the log with their traceback, not pass for a busy database.
        return any(sign in str(error.orig) for sign in SQLITE_BUSY_SIGNS)
    return isinstance(error, exc.OperationalError | exc.InterfaceError | exc.TimeoutError)


SQLITE_BUSY_SIGNS = ("database is locked", "database table is locked", "unable to open",
                     "disk I/O error")  # fmt: skip


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any driver or network error means "not healthy"
        return False
    return True

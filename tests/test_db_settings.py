"""What every connection the app opens is set to (bot/db.py), on each database."""

from __future__ import annotations

from sqlalchemy import text

from bot import db


def test_each_connection_is_set_up_for_short_statements_and_exact_plans(
    database_url: str,
) -> None:
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                # Plans made for each statement's own parameters (a report's 5,000 people
                # are not a handful), and no JIT compiling of millisecond statements.
                assert conn.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
                assert conn.scalar(text("SHOW jit")) == "off"
            else:
                assert conn.scalar(text("PRAGMA foreign_keys")) == 1
                assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
    finally:
        engine.dispose()

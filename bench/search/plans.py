"""Where a typeahead's time goes: each query in process, its statements timed and explained.

    .venv/bin/python -m bench.search.plans [--database sqlite] [--size 100000] [--explain]

Seeds a library as the benchmark does (database.py), then calls the very function the
typeahead handler calls (bot.services.typeahead.suggestions, through the app's sessions) for
every typed value of data.py, a few times each, and prints per value: the best time, the
statements it ran with each one's time, and with --explain each statement's plan (EXPLAIN
ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.assign_scale.database import DEFAULT_URL
from bench.search.data import every_query
from bench.search.database import DATABASES, library
from bot import db
from bot.services.typeahead import suggestions

REPEATS = 5


class Statements:
    """Every statement an engine runs, with its parameters and time in ms."""

    def __init__(self, engine: sa.Engine) -> None:
        self.seen: list[tuple[str, Any, float]] = []
        self._started = 0.0
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        self.seen.append((statement, params, (time.perf_counter() - self._started) * 1000))


def explain(engine: sa.Engine, statement: str, params: Any) -> str:
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if engine.dialect.name == "postgresql" else (
        "EXPLAIN QUERY PLAN "
    )  # fmt: skip
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, params).all()
    return "\n".join("    " + " | ".join(str(c) for c in row) for row in rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search.plans", description=__doc__)
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", nargs="*", default=None, help="typed values to look at")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        lib = stack.enter_context(
            library(args.database, args.size, admin_url=args.database_url,
                    db_name="trainbot_search_plans", workdir=workdir, keep=False)
        )  # fmt: skip
        engine = db.make_engine(lib.url)
        sessions = db.make_sessions(engine)
        statements = Statements(engine)
        for kind, value in every_query():
            if args.only is not None and value not in args.only:
                continue
            best = float("inf")
            for _ in range(REPEATS):
                statements.seen.clear()
                started = time.perf_counter()
                with sessions.begin() as s:
                    found = suggestions(s, workspace_id=1, words=value, limit=100)
                best = min(best, (time.perf_counter() - started) * 1000)
            print(f"{kind:>16} {value!r:>22}: {best:7.2f} ms, {len(found)} options")
            for statement, params, ms in statements.seen:
                print(f"      {ms:6.2f} ms  {' '.join(statement.split())[:150]}")
                if args.explain and statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    print(explain(engine, statement, params))
        engine.dispose()


if __name__ == "__main__":
    main()

"""Test databases: migrated once per session and backend, emptied after every test."""

from __future__ import annotations

from sqlalchemy import Engine, text

import models


def empty_all_tables(engine: Engine) -> None:
    # tally_date is the database's own setting, written once by its migration (like
    # alembic_version): the tallies' triggers need its row.
    tables = [
        t.name
        for t in reversed(models.Base.metadata.sorted_tables)
        if t.name != models.TallyDate.__tablename__
    ]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))

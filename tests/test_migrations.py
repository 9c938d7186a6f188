"""Alembic owns the schema: migrations run both ways on both databases and match the models."""

from __future__ import annotations

import threading
import warnings
from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, text
from sqlalchemy.exc import IntegrityError

import models
from bot import db
from models import Member, ResourceAssignment, TrainingResource, Workspace
from models.search import DATABASE_OWNED

T0 = datetime(2026, 11, 1, tzinfo=UTC)


RANK_INDEXES = ("ix_resource_tallies_rank", "ix_member_tallies_rank")  # expression indexes


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn, warnings.catch_warnings():
        # SQLAlchemy cannot reflect SQLite's expression indexes (nor Alembic compare them):
        # only PostgreSQL's are compared; SQLite's are checked below.
        for name in RANK_INDEXES:
            warnings.filterwarnings("ignore", f".*expression-based index '?{name}")
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": modelled}
        )
        assert compare_metadata(context, models.Base.metadata) == []
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            made = dict(conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE '%_rank'"
            )).all())  # fmt: skip
        assert set(made) == set(RANK_INDEXES)
        for name, sql in made.items():
            assert "overdue DESC, (CAST(completed AS FLOAT) / live)) WHERE live > 0" in sql, name


def modelled(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Everything but the full-text index's own objects (models/search.py lists them)."""
    return name not in DATABASE_OWNED


def test_migrations_go_down_to_nothing_and_back_up(engine: Engine) -> None:
    with engine.connect() as conn:
        command.downgrade(db.alembic_config(conn), "base")
        conn.commit()
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    assert {"training_resources", "resource_assignments", "assignment_events"} <= set(
        inspect(engine).get_table_names()
    )


def _seed(engine: Engine) -> tuple[int, int, int]:
    with engine.begin() as conn:
        ws = conn.execute(
            insert(Workspace).values(
                team_id="T1", name="", settings={}, created_at=T0, updated_at=T0
            )
        ).inserted_primary_key[0]
        member = conn.execute(
            insert(Member).values(
                workspace_id=ws,
                slack_user_id="U1",
                display_name="amy",
                real_name="",
                role="member",
                is_slack_admin=False,
                is_bot=False,
                is_deactivated=False,
                created_at=T0,
                updated_at=T0,
            )
        ).inserted_primary_key[0]
        resource = conn.execute(
            insert(TrainingResource).values(
                title="Git",
                description="",
                type="book",
                access="free",
                status="published",
                skills=[],
                search_title="git",
                created_at=T0,
                updated_at=T0,
            )
        ).inserted_primary_key[0]
    return ws, member, resource


def _assign(engine: Engine, ws: int, member: int, resource: int, **extra: object) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(ResourceAssignment).values(
                **{
                    "workspace_id": ws,
                    "resource_id": resource,
                    "member_id": member,
                    "status": "assigned",
                    "progress": 0,
                    "priority": "normal",
                    "due_on": date(2026, 12, 1),
                    "note": "",
                    "assigned_at": T0,
                    "updated_at": T0,
                    **extra,
                }
            )
        )


def test_the_database_allows_one_open_assignment_per_person_and_resource(engine: Engine) -> None:
    ws, member, resource = _seed(engine)
    _assign(engine, ws, member, resource)
    with pytest.raises(IntegrityError):
        _assign(engine, ws, member, resource)
    # Once it is completed (or cancelled), the same training can be assigned again.
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE resource_assignments SET completed_at = :t, status = 'completed'"),
            {"t": T0},
        )
    _assign(engine, ws, member, resource)
    _assign(engine, ws, member, resource, cancelled_at=T0)


def test_progress_outside_0_to_100_is_refused_by_the_database(engine: Engine) -> None:
    ws, member, resource = _seed(engine)
    with pytest.raises(IntegrityError):
        _assign(engine, ws, member, resource, progress=101)


def test_two_replicas_starting_at_once_migrate_postgres_once(postgres_url: str | None) -> None:
    if postgres_url is None:
        pytest.skip("PostgreSQL unavailable (set TEST_DATABASE_URL or install PostgreSQL)")
    admin = db.make_engine(postgres_url)
    fresh = f"trainbot_race_{threading.get_ident()}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {fresh}"))
        conn.execute(text(f"CREATE DATABASE {fresh}"))
    url = postgres_url.rsplit("/", 1)[0] + "/" + fresh
    engines = [db.make_engine(url) for _ in range(3)]
    errors: list[BaseException] = []

    def start_replica(engine: Engine) -> None:
        try:
            db.upgrade(engine)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=start_replica, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert db.current_revision(engines[0]) == db.head_revision()
    finally:
        for engine in engines:
            engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"DROP DATABASE {fresh} WITH (FORCE)"))
        admin.dispose()


def test_upgrading_a_database_with_data_keeps_every_row(engine: Engine) -> None:
    """0006 and 0008 rebuild training_resources (a table copy on SQLite): what refers to it
    must survive, neither refused nor cascaded away. (Rows written in 0005's own terms.)"""
    with engine.connect() as conn:
        command.downgrade(db.alembic_config(conn), "0005")
        conn.commit()
    with engine.begin() as conn:
        ws = conn.execute(
            text(
                "INSERT INTO workspaces (team_id, name, settings, created_at, updated_at) "
                "VALUES ('T1', '', '{}', :t, :t) RETURNING id"
            ),
            {"t": T0},
        ).scalar_one()
        member = conn.execute(
            text(
                "INSERT INTO members (workspace_id, slack_user_id, display_name, real_name, "
                "role, is_slack_admin, is_bot, is_deactivated, notify_completions, created_at, "
                "updated_at) "
                "VALUES (:ws, 'U1', 'amy', '', 'member', false, false, false, false, :t, :t) "
                "RETURNING id"
            ),
            {"ws": ws, "t": T0},
        ).scalar_one()
        resource = conn.execute(
            text(
                "INSERT INTO training_resources (title, description, type, access, status, skills, "
                "search_text, created_at, updated_at) VALUES ('Git', '', 'book', 'free', "
                "'published', '[]', 'git', :t, :t) RETURNING id"
            ),
            {"t": T0},
        ).scalar_one()
        conn.execute(text(
            "INSERT INTO resource_assignments (workspace_id, resource_id, member_id, status, "
            "progress, priority, note, assigned_at, updated_at) VALUES (:ws, :r, :m, "
            "'assigned', 0, 'normal', '', :t, :t)"), {"ws": ws, "r": resource, "m": member,
                                                     "t": T0})  # fmt: skip
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    with engine.connect() as conn:
        assignments = conn.execute(
            text("SELECT resource_id, member_id FROM resource_assignments")
        ).all()
        titles = conn.scalars(text("SELECT title FROM training_resources")).all()
    assert [tuple(row) for row in assignments] == [(resource, member)]
    assert list(titles) == ["Git"]

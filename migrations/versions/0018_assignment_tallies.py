"""assignment tallies: running totals per training and per person, kept by triggers

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

Reviewed by hand:
- resource_tallies and member_tallies: per (workspace, manager, training) and per
  (workspace, manager, person), how many assignments are live (not cancelled), completed,
  in progress, overdue as of `tally_date.as_of`, and completed at all (cancelled since or
  not), as models/tally.py describes. `manager_id` 0 is the whole workspace (an admin's
  scope); otherwise it is who assigned them. Reports over a workspace or a manager's
  assignments read these instead of counting a million rows (bot/services/tallies.py).
  Rows whose counts are all 0 may stay (a reassignment moves a row's share away); reports
  read rows with live > 0. workspace_id, resource_id and member_id ON DELETE CASCADE:
  a tally means nothing without them (and must not hold back a deletion the assignments
  allow). manager_id is not a foreign key (0 is not a member).
- tally_date: one row, the day the tallies' `overdue` counts are as of; set here to the
  database's current date. The scheduler's roll (hourly; a no-op within the day) moves it
  to today and adds what fell due in between (bot/services/tally_upkeep.py,
  `TallyService.roll`).
- Kept in the writing transaction by triggers on resource_assignments: on insert a row's
  share is added (an upsert per tally; on PostgreSQL once per statement, the inserted rows
  summed per tally from its transition table), on delete taken back (an update: a
  workspace or member being deleted may have taken the tally rows first), on an update of
  a column a count depends on taken back then added (per row). On PostgreSQL the triggers
  first read tally_date FOR KEY SHARE, so the roll (FOR UPDATE) and writers never see each
  other half-done; SQLite has one writer at a time. A TRUNCATE of resource_assignments on
  PostgreSQL empties the tallies (row triggers do not fire; DELETE, not TRUNCATE, since
  the same TRUNCATE may name the tallies too). A later migration that copies
  resource_assignments on SQLite drops these triggers with the table: it must create them
  again (`_sqlite_triggers`).
- Four indexes on resource_assignments for what the tallies cannot know: open assignments
  by due date (what fell due since `as_of`, and the most overdue first), and assignments
  assigned, completed or cancelled since a time (the figures of a week ago).
- Filled here from the existing rows, with the statement trigger's own upsert.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

COUNTS = ("live", "completed", "in_progress", "overdue", "completed_any")
WATCHED = (
    "workspace_id, resource_id, member_id, assigned_by_id, status, due_on, completed_at, "
    "cancelled_at"
)
TALLIES = (("resource_tallies", "resource_id"), ("member_tallies", "member_id"))
OPEN = "completed_at IS NULL AND cancelled_at IS NULL"


def upgrade() -> None:
    for table, key, target in (
        ("resource_tallies", "resource_id", "training_resources"),
        ("member_tallies", "member_id", "members"),
    ):
        op.create_table(
            table,
            sa.Column("workspace_id", sa.Integer(), nullable=False),
            sa.Column("manager_id", sa.Integer(), nullable=False),
            sa.Column(key, sa.Integer(), nullable=False),
            *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
            sa.ForeignKeyConstraint(
                ["workspace_id"], ["workspaces.id"],
                name=op.f(f"fk_{table}_workspace_id_workspaces"), ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                [key], [f"{target}.id"], name=op.f(f"fk_{table}_{key}_{target}"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("workspace_id", "manager_id", key, name=op.f(f"pk_{table}")),
        )  # fmt: skip
    op.create_table(
        "tally_date",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tally_date")),
    )
    op.execute("INSERT INTO tally_date (id, as_of) VALUES (1, CURRENT_DATE)")
    a = "resource_assignments"
    op.create_index("ix_resource_assignments_open_due", a, ["workspace_id", "due_on"],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))  # fmt: skip
    op.create_index("ix_resource_assignments_workspace_id_assigned_at", a,
                    ["workspace_id", "assigned_at"])  # fmt: skip
    for column in ("completed_at", "cancelled_at"):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(f"ix_resource_assignments_workspace_id_{column}", a,
                        ["workspace_id", column], sqlite_where=where, postgresql_where=where)  # fmt: skip
    for statement in _add_all("resource_assignments", AS_OF):
        op.execute(statement)
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


AS_OF = "(SELECT as_of FROM tally_date WHERE id = 1)"


def _shares(row: str, as_of: str) -> list[str]:
    """What `row` adds to each count (0 or 1), in COUNTS' order."""
    live = f"{row}.cancelled_at IS NULL"
    return [
        f"CASE WHEN {condition} THEN 1 ELSE 0 END"
        for condition in (
            live,
            f"{live} AND {row}.completed_at IS NOT NULL",
            f"{live} AND {row}.status = 'in_progress'",
            f"{live} AND {row}.completed_at IS NULL AND {row}.due_on < {as_of}",
            f"{row}.completed_at IS NOT NULL",
        )
    ]


def _upsert(table: str, key: str, select: str) -> str:
    """INSERT of `select`'s rows (workspace, manager, key, counts) into `table`, added to
    the counts of a tally already there."""
    return (
        f"INSERT INTO {table} (workspace_id, manager_id, {key}, {', '.join(COUNTS)}) {select} "
        f"ON CONFLICT (workspace_id, manager_id, {key}) DO UPDATE SET "
        + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTS)
    )


def _add(row: str, as_of: str) -> list[str]:
    """Statements adding `row`'s share to its four tallies (an upsert each)."""
    shares = ", ".join(_shares(row, as_of))
    managers = f"SELECT 0 AS m UNION ALL SELECT {row}.assigned_by_id WHERE {row}.assigned_by_id IS NOT NULL"
    return [
        _upsert(
            table,
            key,
            f"SELECT {row}.workspace_id, k.m, {row}.{key}, {shares} FROM ({managers}) k WHERE true",
        )
        for table, key in TALLIES
    ]


def _add_all(rows: str, as_of: str) -> list[str]:
    """Statements adding the shares of every row of relation `rows` to the tallies, summed
    per tally (an upsert each, whatever the number of rows): the statement trigger's, and
    the first fill's."""
    shares = ", ".join(
        f"{share} AS {c}" for c, share in zip(COUNTS, _shares("n", as_of), strict=True)
    )
    sums = ", ".join(f"SUM({c})" for c in COUNTS)
    return [
        _upsert(
            table,
            key,
            f"SELECT w, m, k, {sums} FROM ("
            f"SELECT n.workspace_id AS w, 0 AS m, n.{key} AS k, {shares} FROM {rows} n "
            f"UNION ALL SELECT n.workspace_id, n.assigned_by_id, n.{key}, {shares} "
            f"FROM {rows} n WHERE n.assigned_by_id IS NOT NULL) x WHERE true "
            f"GROUP BY w, m, k",
        )
        for table, key in TALLIES
    ]


def _take_back(row: str, as_of: str) -> list[str]:
    """Statements taking `row`'s share back from its tallies (updates: they exist, unless a
    deletion being carried out took them already)."""
    shares = _shares(row, as_of)
    return [
        f"UPDATE {table} SET "
        + ", ".join(f"{c} = {c} - {share}" for c, share in zip(COUNTS, shares, strict=True))
        + f" WHERE workspace_id = {row}.workspace_id AND {key} = {row}.{key} "
        f"AND manager_id IN (0, coalesce({row}.assigned_by_id, 0))"
        for table, key in TALLIES
    ]


def _postgresql_triggers() -> None:
    # Inserts: once per statement, the new rows summed per tally (an /assign of 3 people
    # is one INSERT: 2 upserts, not 6). Updates and deletes: per row, only when a column
    # a count depends on is set (a statement trigger may not name columns, and the
    # reminder planner's updates of thousands of rows would pay for it).
    lock = "SELECT as_of INTO d FROM tally_date WHERE id = 1 FOR KEY SHARE;"
    take_back = " ".join(f"{s};" for s in _take_back("OLD", "d"))
    add = " ".join(f"{s};" for s in _add("NEW", "d"))
    op.execute(
        "CREATE FUNCTION trainbot_tallies() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"DECLARE d date; BEGIN {lock} {take_back} "
        f"IF TG_OP = 'UPDATE' THEN {add} END IF; RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER resource_assignments_tallies AFTER DELETE OR UPDATE OF {WATCHED} "
        "ON resource_assignments FOR EACH ROW EXECUTE FUNCTION trainbot_tallies()"
    )
    add_all = " ".join(f"{s};" for s in _add_all("inserted", "d"))
    op.execute(
        "CREATE FUNCTION trainbot_tallies_insert() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"DECLARE d date; BEGIN {lock} {add_all} RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER resource_assignments_tallies_insert AFTER INSERT ON resource_assignments "
        "REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT "
        "EXECUTE FUNCTION trainbot_tallies_insert()"
    )
    op.execute(
        "CREATE FUNCTION trainbot_tallies_truncate() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN DELETE FROM resource_tallies; DELETE FROM member_tallies; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER resource_assignments_tallies_truncate AFTER TRUNCATE ON "
        "resource_assignments FOR EACH STATEMENT EXECUTE FUNCTION trainbot_tallies_truncate()"
    )


def _sqlite_triggers() -> None:
    take_back = " ".join(f"{s};" for s in _take_back("old", AS_OF))
    add = " ".join(f"{s};" for s in _add("new", AS_OF))
    a = "resource_assignments"
    op.execute(f"CREATE TRIGGER {a}_tallies_insert AFTER INSERT ON {a} BEGIN {add} END")
    op.execute(f"CREATE TRIGGER {a}_tallies_delete AFTER DELETE ON {a} BEGIN {take_back} END")
    op.execute(
        f"CREATE TRIGGER {a}_tallies_update AFTER UPDATE OF {WATCHED} ON {a} "
        f"BEGIN {take_back} {add} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("tallies", "tallies_insert", "tallies_truncate"):
            op.execute(f"DROP TRIGGER resource_assignments_{name} ON resource_assignments")
            op.execute(f"DROP FUNCTION trainbot_{name}()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER resource_assignments_tallies_{name}")
    a = "resource_assignments"
    for name in ("open_due", "workspace_id_assigned_at", "workspace_id_completed_at",
                 "workspace_id_cancelled_at"):  # fmt: skip
        op.drop_index(f"ix_{a}_{name}", table_name=a)
    for table in ("tally_date", "member_tallies", "resource_tallies"):
        op.drop_table(table)

"""full-text search over the library, kept in step by the database

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

Reviewed by hand:
- training_resources: `search_text` (one lower-cased string, searched with LIKE) gives way
  to `search_title`, `search_tags` (skills, domains, partner) and `search_body` (the
  description): each the words folded as models/search.py folds them (lower case, no
  accents, single spaces), filled here for every existing row and written with every
  change by the app. An index on (search_title, id) serves the alphabetical order.
  Dropping `search_text` copies the table on SQLite (foreign keys off, as in 0006/0008).
- SQLite: `resource_search`, an FTS5 table over those three columns with the rows kept in
  training_resources (external content, rowid = id) and prefix indexes for 1 to 3
  letters; triggers on insert, update and delete keep it in step in the same
  transaction. `resource_search_words` (fts5vocab) lists its words for "did you mean".
  A later migration that copies training_resources on SQLite drops these triggers with
  the table: it must create them again (`_sqlite_triggers` below).
- PostgreSQL: `search_vector`, a generated tsvector ('simple' configuration: the words are
  folded already; title weighted A, tags B, body C) with a GIN index. `search_words`
  holds every word of every title, added by a trigger (never removed: a stale word only
  makes a suggestion that the search then checks). When `pg_trgm` can be created, a
  trigram GiST index on it finds close words; without it (not every database lets an app
  create extensions) the app compares words itself.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FIELDS = ("search_title", "search_tags", "search_body")
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> str:
    """models.search's folding as of this revision (a migration keeps its own copy)."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_WORD.findall(folded))


def upgrade() -> None:
    op.add_column("training_resources", sa.Column("search_title", sa.Text(), nullable=False, server_default=""))  # fmt: skip
    op.add_column("training_resources", sa.Column("search_tags", sa.Text(), nullable=False, server_default=""))  # fmt: skip
    op.add_column("training_resources", sa.Column("search_body", sa.Text(), nullable=False, server_default=""))  # fmt: skip
    _fill_search_fields()
    with op.batch_alter_table("training_resources") as batch_op:
        batch_op.drop_column("search_text")
    op.create_index(
        "ix_training_resources_search_title", "training_resources", ["search_title", "id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_index()
    else:
        _sqlite_index()


def _fill_search_fields() -> None:
    conn = op.get_bind()
    domains: dict[int, list[str]] = {}
    for resource_id, name in conn.execute(
        sa.text(
            "SELECT rd.resource_id, d.name FROM resource_domains rd "
            "JOIN domains d ON d.id = rd.domain_id ORDER BY d.name"
        )
    ):
        domains.setdefault(resource_id, []).append(name)
    rows: list[dict[str, Any]] = []
    for rid, title, description, skills, partner in conn.execute(
        sa.text("SELECT id, title, description, skills, partner FROM training_resources")
    ):
        tags = [*(_json_list(skills)), *domains.get(rid, []), partner or ""]
        rows.append({
            "id": rid, "title": _words(title), "body": _words(description or ""),
            "tags": " ".join(w for w in (_words(t) for t in tags) if w),
        })  # fmt: skip
    if rows:
        conn.execute(
            sa.text(
                "UPDATE training_resources SET search_title = :title, search_tags = :tags, "
                "search_body = :body WHERE id = :id"
            ),
            rows,
        )


def _json_list(value: Any) -> list[str]:
    if isinstance(value, str):  # SQLite hands JSON back as text here
        import json

        value = json.loads(value or "[]")
    return [str(v) for v in value or []]


def _postgresql_index() -> None:
    op.execute(
        "ALTER TABLE training_resources ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', search_title), 'A') || "
        "setweight(to_tsvector('simple', search_tags), 'B') || "
        "setweight(to_tsvector('simple', search_body), 'C')) STORED"
    )
    op.execute(
        "CREATE INDEX ix_training_resources_search_vector ON training_resources "
        "USING gin (search_vector)"
    )
    op.execute("CREATE TABLE search_words (word text PRIMARY KEY)")
    op.execute(
        "CREATE FUNCTION trainbot_search_words() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN INSERT INTO search_words (word) "
        "SELECT DISTINCT w FROM unnest(string_to_array(NEW.search_title, ' ')) AS w "
        "WHERE w <> '' ON CONFLICT DO NOTHING; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER training_resources_search_words AFTER INSERT OR UPDATE OF search_title "
        "ON training_resources FOR EACH ROW EXECUTE FUNCTION trainbot_search_words()"
    )
    op.execute(
        "INSERT INTO search_words (word) SELECT DISTINCT w FROM training_resources, "
        "unnest(string_to_array(search_title, ' ')) AS w WHERE w <> '' ON CONFLICT DO NOTHING"
    )
    conn = op.get_bind()
    savepoint = conn.begin_nested()
    try:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:  # not allowed here: the app compares words itself
        savepoint.rollback()
        return
    savepoint.commit()
    op.execute("CREATE INDEX ix_search_words_trgm ON search_words USING gist (word gist_trgm_ops)")


def _sqlite_index() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE resource_search USING fts5("
        "search_title, search_tags, search_body, content='training_resources', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"
    )
    _sqlite_triggers()
    op.execute("INSERT INTO resource_search (resource_search) VALUES ('rebuild')")
    op.execute("CREATE VIRTUAL TABLE resource_search_words USING fts5vocab(resource_search, 'col')")


def _sqlite_triggers() -> None:
    columns = ", ".join(FIELDS)
    new = ", ".join(f"new.{f}" for f in FIELDS)
    old = ", ".join(f"old.{f}" for f in FIELDS)
    forget = (
        f"INSERT INTO resource_search (resource_search, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old});"
    )
    learn = f"INSERT INTO resource_search (rowid, {columns}) VALUES (new.id, {new});"
    op.execute(
        f"CREATE TRIGGER training_resources_search_insert AFTER INSERT ON training_resources "
        f"BEGIN {learn} END"
    )
    op.execute(
        f"CREATE TRIGGER training_resources_search_delete AFTER DELETE ON training_resources "
        f"BEGIN {forget} END"
    )
    op.execute(
        f"CREATE TRIGGER training_resources_search_update AFTER UPDATE OF {columns} "
        f"ON training_resources BEGIN {forget} {learn} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE search_words")
        op.execute("DROP TRIGGER training_resources_search_words ON training_resources")
        op.execute("DROP FUNCTION trainbot_search_words()")
        op.execute("ALTER TABLE training_resources DROP COLUMN search_vector")
    else:
        op.execute("DROP TABLE resource_search_words")
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER training_resources_search_{name}")
        op.execute("DROP TABLE resource_search")
    op.drop_index("ix_training_resources_search_title", table_name="training_resources")
    op.add_column("training_resources", sa.Column("search_text", sa.Text(), nullable=False, server_default=""))  # fmt: skip
    op.execute(
        "UPDATE training_resources SET search_text = "
        "search_title || ' ' || search_body || ' ' || search_tags"
    )
    with op.batch_alter_table("training_resources") as batch_op:
        for field in FIELDS:
            batch_op.drop_column(field)

"""title words: each published title's words in alphabetical order of titles, for typeaheads

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

Reviewed by hand:
- title_words: one row per distinct word of each published resource's folded title
  (`search_title`, models/search.py), with the title, the resource's id and type, and
  its scope (the owning workspace's id, 0 for the shared library). The primary key
  (word, scope, search_title, resource_id) lists, for one word and one scope, the titles
  holding it in the typeahead's order: a typeahead reads the first few of each list its
  words expand to (bot/services/typeahead.py) instead of every title holding a word, so
  it reads about the same whatever the library's size. SQLite: WITHOUT ROWID, the key
  is the table. PostgreSQL: `word` is COLLATE "C", so that a prefix is a range of the
  key (`word >= 'pyt' AND word < 'pyt' || U+10FFFF`) whatever the database's collation;
  `search_title` keeps the default collation, the same as training_resources' order.
- Kept in step by the database, in the writing transaction: triggers on insert, delete
  and update of search_title, status, workspace_id or type replace a resource's rows (and
  on PostgreSQL a TRUNCATE of training_resources empties it, as row triggers do not fire);
  only published resources have rows. On SQLite the words come from `json_each` over the
  title made a JSON array (folded titles hold only letters, digits and single spaces).
  A later migration that copies training_resources on SQLite drops these triggers with
  the table, as it would 0014's: it must create them again (`_sqlite_triggers`).
- ix_title_words_resource_id: the triggers' deletes by resource.
- SQLite: `search_words`, every word of every title (as 0014 made on PostgreSQL, by a
  trigger, never removed), for "did you mean": its candidates were read from 0014's
  fts5vocab table, which counts each word's documents by reading its whole list (3 ms
  for a letter's words at 100,000 resources).
- Filled here from the existing rows; nothing else changes.
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

WATCHED = "search_title, status, workspace_id, type"
PUBLISHED = "'published'"
WORD = "w.value"  # json_each's column on SQLite; unnest's, so named, on PostgreSQL


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    word = 'text COLLATE "C"' if postgresql else "TEXT"
    op.execute(
        f"CREATE TABLE title_words (word {word} NOT NULL, scope INTEGER NOT NULL, "
        "search_title TEXT NOT NULL, resource_id INTEGER NOT NULL, type VARCHAR(16) NOT NULL, "
        "CONSTRAINT pk_title_words PRIMARY KEY (word, scope, search_title, resource_id))"
        + ("" if postgresql else " WITHOUT ROWID")
    )
    op.execute("CREATE INDEX ix_title_words_resource_id ON title_words (resource_id)")
    if postgresql:
        _postgresql_trigger()
    else:
        op.execute("CREATE TABLE search_words (word TEXT PRIMARY KEY) WITHOUT ROWID")
        op.execute(
            f"INSERT OR IGNORE INTO search_words (word) SELECT {WORD} FROM training_resources r, "
            f"{_words_of('r')} WHERE {WORD} <> ''"
        )
        _sqlite_triggers()
    op.execute(
        "INSERT INTO title_words (word, scope, search_title, resource_id, type) "
        f"SELECT DISTINCT {WORD}, coalesce(r.workspace_id, 0), r.search_title, r.id, r.type "
        f"FROM training_resources r, {_words_of('r')} WHERE r.status = {PUBLISHED} "
        f"AND {WORD} <> ''"
    )


def _words_of(row: str) -> str:
    """A FROM item listing the words of `row`'s search_title, each as WORD."""
    if op.get_bind().dialect.name == "postgresql":
        return f"unnest(string_to_array({row}.search_title, ' ')) AS w(value)"
    array = f"""'["' || replace({row}.search_title, ' ', '","') || '"]'"""
    return f"json_each({array}) AS w"


def _insert_for(row: str) -> str:
    return (
        "INSERT INTO title_words (word, scope, search_title, resource_id, type) "
        f"SELECT DISTINCT {WORD}, coalesce({row}.workspace_id, 0), {row}.search_title, "
        f"{row}.id, {row}.type FROM {_words_of(row)} WHERE {WORD} <> ''"
    )


def _postgresql_trigger() -> None:
    op.execute(
        "CREATE FUNCTION trainbot_title_words() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP <> 'INSERT' THEN DELETE FROM title_words WHERE resource_id = OLD.id; END IF; "
        f"IF TG_OP <> 'DELETE' AND NEW.status = {PUBLISHED} THEN {_insert_for('NEW')}; "
        "END IF; RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER training_resources_title_words AFTER INSERT OR DELETE OR UPDATE OF "
        f"{WATCHED} ON training_resources FOR EACH ROW EXECUTE FUNCTION trainbot_title_words()"
    )
    op.execute(
        "CREATE FUNCTION trainbot_title_words_truncate() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN TRUNCATE title_words; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER training_resources_title_words_truncate AFTER TRUNCATE ON "
        "training_resources FOR EACH STATEMENT EXECUTE FUNCTION trainbot_title_words_truncate()"
    )


def _sqlite_triggers() -> None:
    forget = "DELETE FROM title_words WHERE resource_id = old.id;"
    learn = f"{_insert_for('new')} AND new.status = {PUBLISHED};"
    vocabulary = (
        f"INSERT OR IGNORE INTO search_words (word) SELECT {WORD} FROM {_words_of('new')} "
        f"WHERE {WORD} <> '';"
    )
    op.execute(
        "CREATE TRIGGER training_resources_title_words_insert AFTER INSERT ON "
        f"training_resources BEGIN {learn} {vocabulary} END"
    )
    op.execute(
        "CREATE TRIGGER training_resources_title_words_delete AFTER DELETE ON "
        f"training_resources BEGIN {forget} END"
    )
    op.execute(
        f"CREATE TRIGGER training_resources_title_words_update AFTER UPDATE OF {WATCHED} "
        f"ON training_resources BEGIN {forget} {learn} {vocabulary} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("title_words", "title_words_truncate"):
            op.execute(f"DROP TRIGGER training_resources_{name} ON training_resources")
            op.execute(f"DROP FUNCTION trainbot_{name}()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER training_resources_title_words_{name}")
        op.execute("DROP TABLE search_words")
    op.execute("DROP TABLE title_words")

"""Full-text matching and ranking over the library, the same answers on both databases.

Migration 0014 builds the index: FTS5 on SQLite, a generated tsvector with a GIN index on
PostgreSQL, both over the folded words of models/search.py. The index finds candidates
(every word of the query as a prefix, in any order, in any field); relevance is counted
the same way on both databases from where each word was found (title over tags over
description), so a given library ranks identically on either.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    bindparam,
    case,
    column,
    func,
    literal,
    literal_column,
    not_,
    select,
    table,
)
from sqlalchemy.orm import QueryableAttribute, Session

from models import TrainingResource
from models.search import (
    BODY_WEIGHT,
    TAGS_WEIGHT,
    TITLE_WEIGHT,
    edit_distance,
    query_words,
    typo_limit,
)

FTS = table("resource_search", column("rowid"))
# Every word of every title (migrations 0014 and 0017; a removed title's words stay, only
# ever making a suggestion that the search then checks).
TITLE_VOCABULARY = table("search_words", column("word"))
PG_CONFIG: ColumnElement[str] = literal_column("'simple'::regconfig")
CLOSE_WORDS = 30  # nearest words by trigram distance, then measured by edit distance


def dialect_of(s: Session) -> str:
    return s.get_bind().dialect.name


def found_by_index(
    dialect: str, words: list[str], *, title_only: bool = False
) -> ColumnElement[bool]:
    """Resources holding every word as a prefix (in the title only, if asked): the index."""
    r = TrainingResource
    if dialect == "postgresql":
        weight = "A" if title_only else ""
        query = " & ".join(f"{w}:*{weight}" for w in words)  # words are letters and digits
        return literal_column("training_resources.search_vector").op("@@")(
            func.to_tsquery(PG_CONFIG, bindparam(None, query, unique=True))
        )
    field = "search_title : " if title_only else ""
    match = " AND ".join(f'{field}"{w}"*' for w in words)
    hits = select(FTS.c.rowid).where(
        literal_column("resource_search").op("MATCH")(bindparam(None, match, unique=True))
    )
    return r.id.in_(hits)


def _has(field: ColumnElement[str] | QueryableAttribute[str], word: str) -> ColumnElement[bool]:
    """A word of `field` starts with `word` (fields are words joined by single spaces)."""
    return (literal(" ") + field).like(f"% {word}%")


def in_title(words: list[str]) -> ColumnElement[bool]:
    r = TrainingResource
    condition: ColumnElement[bool] = literal(True)
    for word in words:
        condition = condition & _has(r.search_title, word)
    return condition


def relevance(words: list[str]) -> ColumnElement[int]:
    r = TrainingResource
    total: ColumnElement[int] = literal(0)
    for word in words:
        total = total + case(
            (_has(r.search_title, word), TITLE_WEIGHT),
            (_has(r.search_tags, word), TAGS_WEIGHT),
            else_=BODY_WEIGHT,
        )
    return total


def alphabetical() -> tuple[ColumnElement[Any], ...]:
    r = TrainingResource
    return (r.search_title.expression, r.id.expression)


def most_relevant_first(words: list[str]) -> tuple[ColumnElement[Any], ...]:
    return (relevance(words).desc(), *alphabetical())


def has_any(s: Session, word: str, conditions: list[ColumnElement[bool]]) -> bool:
    return finds_any(s, [word], conditions)


def finds_any(s: Session, words: list[str], conditions: list[ColumnElement[bool]]) -> bool:
    """Some resource holds every word (as a prefix), by the index.

    On PostgreSQL the hits are a materialized CTE: asked for one row, the planner would
    otherwise take a prefix it has no statistics for (a typo) to match hundreds of rows
    and pick a sequential scan that stops at the first, which reads the whole table
    when nothing matches (115 ms at 100,000 resources). Planned on its own, the CTE uses
    the GIN index, and it is still read only up to the first row.
    """
    dialect = dialect_of(s)
    hits = select(TrainingResource.id).where(*conditions, found_by_index(dialect, words))
    if dialect == "postgresql":
        first = hits.cte("hits").prefix_with("MATERIALIZED")
        return s.scalar(select(first.c.id).limit(1)) is not None
    return s.scalar(hits.limit(1)) is not None


def corrected(
    s: Session, text: str, conditions: list[ColumnElement[bool]], *, checked: bool = True
) -> str | None:
    """The query with each word nothing starts with replaced by the closest title word
    ("pyhton" by "python"), if that finds anything (unless the caller is about to search
    for it anyway: `checked=False`); None when no word is close enough."""
    words = query_words(text)
    changed = False
    better: list[str] = []
    for word in words:
        if has_any(s, word, conditions):
            better.append(word)
            continue
        close = closest_word(s, word)
        if close is None:
            return None
        better.append(close)
        changed = True
    if not changed:
        return None
    return " ".join(better) if not checked or finds_any(s, better, conditions) else None


def closest_word(s: Session, word: str) -> str | None:
    limit = typo_limit(word)
    if limit == 0:
        return None
    scored = sorted(
        (edit_distance(word, candidate, limit), candidate)
        for candidate in _candidates(s, word, limit)
    )
    return next((candidate for distance, candidate in scored if distance <= limit), None)


def _candidates(s: Session, word: str, limit: int) -> list[str]:
    """Title words that may be a typo's correction. With pg_trgm, the nearest by trigrams;
    otherwise those that start with the same letter and are about as long."""
    dialect = dialect_of(s)
    if dialect == "postgresql" and _has_trigrams(s):
        distance = TITLE_VOCABULARY.c.word.op("<->")(word)
        return list(
            s.scalars(select(TITLE_VOCABULARY.c.word).order_by(distance).limit(CLOSE_WORDS))
        )
    first, after = word[0], chr(ord(word[0]) + 1)
    term = TITLE_VOCABULARY.c.word
    return list(
        s.scalars(
            select(term)
            .where(term >= first, term < after)
            .where(func.length(term).between(len(word) - limit, len(word) + limit))
        )
    )


def _has_trigrams(s: Session) -> bool:
    """Whether migration 0014 could make the trigram index: asked once per connection."""
    info = s.connection().info
    if "trigrams" not in info:
        info["trigrams"] = bool(s.scalar(select(func.to_regclass("ix_search_words_trgm"))))
    return bool(info["trigrams"])


def not_all_in_title(words: list[str]) -> ColumnElement[bool]:
    return not_(in_title(words))

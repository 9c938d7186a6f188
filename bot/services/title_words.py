"""Titles holding every typed word, in alphabetical order, read from a bounded number of
index entries whatever the library's size (the table migration 0017 keeps).

title_words lists, per title word and scope (a workspace's own content, or 0 for the
shared library), the published titles holding that word in the typeahead's order. A typed
word is a prefix: it stands for the title words that start with it ("pyt": python,
pythonic). The first `limit` titles holding the typed words are then among the first
`limit` entries of those lists, so reading that many from each and merging them finds
them, whether ten or ten thousand titles hold the word. With several words typed, the
lists of the word held by the fewest titles are read, the other words checked on each
entry's title; a list is then read until enough of its titles hold them all.
"""

from __future__ import annotations

import functools

from sqlalchemy import TextClause, bindparam, column, func, literal, select, table, text
from sqlalchemy.orm import Session

TITLE_WORDS = table(
    "title_words",
    column("word"),
    column("scope"),
    column("search_title"),
    column("resource_id"),
    column("type"),
)
SHARED_SCOPE = 0  # the shared library's rows; a workspace's own content has its id
# A typed word standing for more title words than this (one or two letters, in a big
# vocabulary) is left to the caller: the lists would be too many to merge in one statement.
MAX_EXPANSIONS = 32
# Counting the titles that hold each typed word stops here: it only picks the shortest.
COUNT_CAP = 500
LAST = "\U0010ffff"  # after every character: `word < prefix + LAST` ends a prefix's range

EXPANSIONS = text(
    """
    WITH RECURSIVE found(word, n) AS (
        SELECT (SELECT word FROM title_words WHERE word >= :prefix AND word < :beyond
                ORDER BY word LIMIT 1), 1
        UNION ALL
        SELECT (SELECT t.word FROM title_words t WHERE t.word > found.word
                AND t.word < :beyond ORDER BY t.word LIMIT 1), found.n + 1
        FROM found WHERE found.word IS NOT NULL AND found.n <= :most
    )
    SELECT word FROM found WHERE word IS NOT NULL
    """
)

Titled = list[tuple[int, str, str]]  # (id, title, type) in the typeahead's order


def titles_holding(
    s: Session, *, workspace_id: int, words: list[str], limit: int, exclude_types: tuple[str, ...]
) -> Titled | None:
    """The first `limit` published titles the workspace may see holding every word (each
    as a prefix), alphabetically; None when the word read for them stands for more than
    MAX_EXPANSIONS title words."""
    driver = _shortest(s, words)
    expansions = expanded(s, driver)
    if len(expansions) > MAX_EXPANSIONS:
        return None
    if not expansions:
        return []
    others = [w for w in words if w != driver]
    scopes = tuple(dict.fromkeys((SHARED_SCOPE, workspace_id)))
    found = s.execute(
        _merged(len(expansions), len(scopes), len(others), bool(exclude_types)),
        {
            **{f"w{i}": word for i, word in enumerate(expansions)},
            **{f"s{j}": scope for j, scope in enumerate(scopes)},
            **{f"o{k}": f"% {other}%" for k, other in enumerate(others)},
            "types": list(exclude_types),
            "n": limit,
        },
    )
    return [(rid, title, kind) for rid, title, kind in found.all()]


@functools.lru_cache(maxsize=512)
def _merged(words: int, scopes: int, others: int, excluding: bool) -> TextClause:
    """The first titles of each (word, scope) list, merged: written as text, once per shape,
    as building dozens of unions with SQLAlchemy's constructs took longer than running them."""
    where = "".join(f" AND ' ' || search_title LIKE :o{k}" for k in range(others))
    if excluding:
        where += " AND type NOT IN :types"
    arms = " UNION ALL ".join(
        f"SELECT * FROM (SELECT resource_id, search_title FROM title_words "
        f"WHERE word = :w{i} AND scope = :s{j}{where} "
        f"ORDER BY search_title, resource_id LIMIT :n) AS list{i}_{j}"
        for i in range(words)
        for j in range(scopes)
    )
    statement = text(
        "SELECT r.id, r.title, r.type FROM training_resources r JOIN ("
        # DISTINCT: a title holding two of the expansions is in both their lists
        f"SELECT DISTINCT resource_id, search_title FROM ({arms}) AS lists "
        "ORDER BY search_title, resource_id LIMIT :n"
        ") AS first ON first.resource_id = r.id ORDER BY first.search_title, first.resource_id"
    )
    if excluding:
        statement = statement.bindparams(bindparam("types", expanding=True))
    return statement


def expanded(s: Session, prefix: str) -> list[str]:
    """The title words starting with `prefix`, alphabetically; one more than
    MAX_EXPANSIONS says there are too many."""
    found = s.scalars(
        EXPANSIONS.bindparams(prefix=prefix, beyond=prefix + LAST, most=MAX_EXPANSIONS)
    )
    return list(found)


def _shortest(s: Session, words: list[str]) -> str:
    """The typed word held by the fewest titles (counted up to COUNT_CAP; a tie goes to
    the longer word, likely the rarer)."""
    if len(words) == 1:
        return words[0]
    t = TITLE_WORDS
    counts = []
    for i, word in enumerate(words):
        holding = (
            select(literal(1))
            .where(t.c.word >= bindparam(f"lo{i}", word))
            .where(t.c.word < bindparam(f"hi{i}", word + LAST))
            .limit(COUNT_CAP)
            .subquery()
        )
        counts.append(select(func.count()).select_from(holding).scalar_subquery())
    found = s.execute(select(*counts)).one()
    return min(zip(found, (-len(w) for w in words), words, strict=True))[2]

"""Resource typeaheads (/assign, the course and path builders): the best matches for what
is typed so far, read in a bounded number of small statements whatever the library's size."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from bot.services.library import SEARCH_MAX, LibraryQuery, conditions
from bot.services.search import (
    alphabetical,
    corrected,
    dialect_of,
    found_by_index,
    in_title,
    most_relevant_first,
    not_all_in_title,
)
from bot.services.title_words import titles_holding
from models import TrainingResource
from models.enums import ResourceStatus
from models.search import query_words

# A prefix standing for too many title words for their lists to be merged (a letter, in a
# big vocabulary) reads this many titles in alphabetical order for those holding every
# word (quick when many do); finding fewer than it needs there, it asks the index.
WALK = 2000
# Matches outside titles are ranked among the first this many the index finds (a keystroke
# shows 100 options; 1,000 cost 6 ms at 100,000 resources on PostgreSQL).
CANDIDATES = 300

Suggestion = tuple[int, str, str]  # id, title, type
Suggestions = Select[int, str, str]


def suggestions(
    s: Session,
    *,
    workspace_id: int,
    words: str,
    limit: int,
    exclude_types: tuple[str, ...] = (),
) -> list[Suggestion]:
    """(id, title, type) of the published resources best matching `words` (typeahead);
    with no match, those the closest words find ("pyhton" shows Python's)."""
    conds = _typeahead_conditions(s, workspace_id)
    if exclude_types:
        conds.append(TrainingResource.type.not_in(exclude_types))
    typed = words[:SEARCH_MAX]
    where = Where(workspace_id, exclude_types, conds)
    found = _suggest(s, where, query_words(typed), limit)
    if not found and typed.strip():
        better = corrected(s, typed, conds, checked=False)  # _suggest checks
        if better is not None:
            found = _suggest(s, where, query_words(better), limit)
    return found


@dataclass(frozen=True)
class Where:
    """What a typeahead may offer: the workspace's, not of these types, as `conds` say."""

    workspace_id: int
    exclude_types: tuple[str, ...]
    conds: list[ColumnElement[bool]]


def _typeahead_conditions(s: Session, workspace_id: int) -> list[ColumnElement[bool]]:
    """Who may see it and published, as library.conditions says, written for SQLite's planner.

    SQLite has no statistics (the app never runs ANALYZE), so it takes `workspace_id IS
    NULL OR workspace_id = ?` with `status = ?` for selective and reads every visible
    resource through ix_training_resources_workspace_id_status (MULTI-INDEX OR), then
    sorts them all: the walk below and each index query grew with the library (about
    200 ms at 100,000). `workspace_id + 0` and `status || ''` mean the same but no index
    can serve them, so the walk follows ix_training_resources_search_title and an index
    query starts from the rowids FTS5 found. PostgreSQL plans from its statistics.
    """
    if dialect_of(s) != "sqlite":
        return conditions(workspace_id, LibraryQuery())
    r = TrainingResource
    unindexed = r.workspace_id + 0
    return [
        or_(unindexed.is_(None), unindexed == workspace_id),
        r.status + "" == ResourceStatus.PUBLISHED.value,
    ]


def _suggest(s: Session, where: Where, words: list[str], limit: int) -> list[Suggestion]:
    """Titles holding every word rank highest: they come first, alphabetically (read from
    the title word lists, bot/services/title_words.py), then the rest by relevance among
    the first CANDIDATES the index finds. Each step reads a bounded number of index entries
    whatever the library's size, but for several words typed that many titles hold
    separately and few together (the list of the rarest is read until enough hold them
    all) and for a letter standing for more than MAX_EXPANSIONS title words (the walk)."""
    r, conds = TrainingResource, where.conds
    # Three columns, not whole rows: a keystroke need not load descriptions and domains.
    columns = select(r.id, r.title, r.type).where(*conds)
    if not words:
        return _rows(s, columns.order_by(*alphabetical()).limit(limit))
    first = titles_holding(
        s, workspace_id=where.workspace_id, words=words, limit=limit,
        exclude_types=where.exclude_types,
    )  # fmt: skip
    if first is None:  # a word of a letter or two: too many lists, walk the titles instead
        first = _walked(s, columns, conds, words, limit)
    if len(first) == limit:
        return first
    candidates = select(r.id).where(*conds, found_by_index(dialect_of(s), words)).limit(CANDIDATES)
    rest = columns.where(r.id.in_(candidates), not_all_in_title(words))
    rest = rest.order_by(*most_relevant_first(words))
    return first + _rows(s, rest.limit(limit - len(first)))


def _walked(
    s: Session, columns: Suggestions, conds: list[ColumnElement[bool]], words: list[str], limit: int
) -> list[Suggestion]:
    """Titles holding every word, from the first WALK titles in alphabetical order when they
    hold enough (a short prefix usually is in many), else from the index.

    The walk reads the index on (search_title, id) alone: its first WALK entries, of any
    workspace and status. Only the titles holding every word are then read from the table
    and checked against the conditions; any match the walk saw comes before the rest.
    """
    r = TrainingResource
    walk = select(r.id, r.search_title).order_by(*alphabetical()).limit(WALK).subquery()
    first = _rows(
        s,
        columns.join(walk, walk.c.id == r.id)
        .where(*[(" " + walk.c.search_title).like(f"% {w}%") for w in words])
        .order_by(walk.c.search_title, walk.c.id)
        .limit(limit),
    )
    if len(first) < limit:  # few among the first WALK titles: the index knows the rest
        first = _rows(
            s,
            columns.where(found_by_index(dialect_of(s), words, title_only=True), in_title(words))
            .order_by(*alphabetical())
            .limit(limit),
        )
    return first


def _rows(s: Session, query: Suggestions) -> list[Suggestion]:
    return [(rid, title, kind) for rid, title, kind in s.execute(query).all()]

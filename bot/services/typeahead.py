"""Resource typeaheads (/assign, the course and path builders): the best matches for what
is typed so far, read in a bounded number of small statements whatever the library's size."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select
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
from models import TrainingResource
from models.search import query_words

# A typeahead first reads this many resources in alphabetical order for titles holding
# every word (quick when many do); finding fewer than it needs there, it asks the index.
WALK = 2000
# Matches outside titles are ranked among the first this many the index finds.
CANDIDATES = 1000

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
    conds = conditions(workspace_id, LibraryQuery())
    if exclude_types:
        conds.append(TrainingResource.type.not_in(exclude_types))
    typed = words[:SEARCH_MAX]
    found = _suggest(s, conds, query_words(typed), limit)
    if not found and typed.strip():
        better = corrected(s, typed, conds)
        if better is not None:
            found = _suggest(s, conds, query_words(better), limit)
    return found


def _suggest(
    s: Session, conds: list[ColumnElement[bool]], words: list[str], limit: int
) -> list[Suggestion]:
    """Titles holding every word rank highest: they come first, alphabetically, then the
    rest by relevance. Each step reads about what it returns, whatever the library's size
    (but for a query found in thousands of descriptions and no title: see CANDIDATES)."""
    r = TrainingResource
    # Three columns, not whole rows: a keystroke need not load descriptions and domains.
    columns = select(r.id, r.title, r.type).where(*conds)
    if not words:
        return _rows(s, columns.order_by(*alphabetical()).limit(limit))
    walk = columns.add_columns(r.search_title).order_by(*alphabetical()).limit(WALK).subquery()
    first = _rows(
        s,
        select(walk.c.id, walk.c.title, walk.c.type)
        .where(*[(" " + walk.c.search_title).like(f"% {w}%") for w in words])
        .limit(limit),
    )
    if len(first) < limit:  # few among the first WALK titles: the index knows the rest
        first = _rows(
            s,
            columns.where(found_by_index(dialect_of(s), words, title_only=True), in_title(words))
            .order_by(*alphabetical())
            .limit(limit),
        )
    if len(first) == limit:
        return first
    candidates = select(r.id).where(*conds, found_by_index(dialect_of(s), words)).limit(CANDIDATES)
    rest = columns.where(r.id.in_(candidates), not_all_in_title(words))
    rest = rest.order_by(*most_relevant_first(words))
    return first + _rows(s, rest.limit(limit - len(first)))


def _rows(s: Session, query: Suggestions) -> list[Suggestion]:
    return [(rid, title, kind) for rid, title, kind in s.execute(query).all()]

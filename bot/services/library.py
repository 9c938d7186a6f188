"""Reading the library: search with filters and paging, and resource cards."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from bot.services.search import (
    alphabetical,
    corrected,
    dialect_of,
    found_by_index,
    in_title,
    most_relevant_first,
    not_all_in_title,
)
from bot.vocab import STATUS_LABELS
from models import Domain, ResourceDomain, TrainingResource
from models.enums import ResourceStatus
from models.search import query_words

PAGE_SIZE = 10
SEARCH_MAX = 200  # characters of search text kept (it travels in private_metadata)
# A typeahead first reads this many resources in alphabetical order for titles holding
# every word (quick when many do); finding fewer than it needs there, it asks the index.
WALK = 2000
# Matches outside titles are ranked among the first this many the index finds.
CANDIDATES = 1000
FACET_LIMIT = 99  # a static_select holds 100 options; one is "Any"


@dataclass(frozen=True)
class LibraryQuery:
    words: str = ""
    type: str | None = None
    domain: str | None = None  # a domain slug
    access: str | None = None
    difficulty: str | None = None
    status: ResourceStatus | None = ResourceStatus.PUBLISHED  # None: every status (own only)
    page: int = 1
    own: bool = False  # only the workspace's own content (Home's Manage content tab)

    @property
    def own_only(self) -> bool:
        return self.own or self.status is not ResourceStatus.PUBLISHED


@dataclass(frozen=True)
class ResourceCard:
    id: int
    title: str
    description: str
    type: str
    access: str
    url: str | None
    partner: str | None
    status: str
    difficulty: str | None
    domains: tuple[str, ...]
    skills: tuple[str, ...]
    duration_minutes: int | None
    file_id: str | None
    thumbnail: str | None
    is_own: bool  # the workspace's own content (editable), not the shared library

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[ResourceStatus(self.status)].lower()


@dataclass(frozen=True)
class Facet:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class LibraryPage:
    query: LibraryQuery
    items: tuple[ResourceCard, ...]
    total: int
    page: int
    pages: int
    domains: tuple[Facet, ...] = field(default_factory=tuple)
    searched_for: str | None = None  # what was typed, when nothing matched it (did you mean)

    @property
    def domain_options(self) -> list[dict[str, str]]:
        return [{"value": f.value, "label": f"{f.label} ({f.count})"} for f in self.domains]

    @property
    def first_index(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * PAGE_SIZE, self.total)


def visible_to(workspace_id: int) -> ColumnElement[bool]:
    """Shared library plus the workspace's own content; never another workspace's."""
    return or_(
        TrainingResource.workspace_id.is_(None), TrainingResource.workspace_id == workspace_id
    )


def _conditions(workspace_id: int, q: LibraryQuery) -> list[ColumnElement[bool]]:
    """Everything but the words: who may see it, status, filters."""
    r = TrainingResource
    conds = [visible_to(workspace_id)]
    if q.status is not None:
        conds.append(r.status == q.status.value)
    if q.own_only:  # drafts and archived items are a workspace's own business
        conds.append(r.workspace_id == workspace_id)
    if q.type:
        conds.append(r.type == q.type)
    if q.access:
        conds.append(r.access == q.access)
    if q.difficulty:
        conds.append(r.difficulty == q.difficulty)
    if q.domain:
        conds.append(r.id.in_(in_domain(q.domain)))
    return conds


def in_domain(slug: str) -> Select[int]:
    """The ids of the resources tagged with this domain (a subquery for IN)."""
    return (
        select(ResourceDomain.resource_id)
        .join(Domain, Domain.id == ResourceDomain.domain_id)
        .where(Domain.slug == slug)
    )


def count(s: Session, *, workspace_id: int, query: LibraryQuery) -> int:
    conds = _conditions(workspace_id, query)
    if words := query_words(query.words):
        conds.append(found_by_index(dialect_of(s), words))
    return s.scalar(select(func.count()).select_from(TrainingResource).where(*conds)) or 0


def search(s: Session, *, workspace_id: int, query: LibraryQuery) -> LibraryPage:
    """One page of results, most relevant first; with no match, what the closest words find."""
    total = count(s, workspace_id=workspace_id, query=query)
    if total == 0 and query.words:
        better = corrected(s, query.words, _conditions(workspace_id, query))
        if better is not None:
            instead = search(s, workspace_id=workspace_id, query=replace(query, words=better))
            return replace(instead, searched_for=query.words)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, query.page), pages)
    words = query_words(query.words)
    found = select(TrainingResource).where(*_conditions(workspace_id, query))
    if words:
        found = found.where(found_by_index(dialect_of(s), words))
    found = found.order_by(*(most_relevant_first(words) if words else alphabetical()))
    rows = s.scalars(found.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return LibraryPage(
        query=query,
        items=tuple(card(row, workspace_id) for row in rows),
        total=total,
        page=page,
        pages=pages,
        domains=domain_facets(s, workspace_id=workspace_id),
    )


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
    found = _suggest(s, conds, query_words(typed), limit)
    if not found and typed.strip():
        better = corrected(s, typed, conds)
        if better is not None:
            found = _suggest(s, conds, query_words(better), limit)
    return found


def _typeahead_conditions(s: Session, workspace_id: int) -> list[ColumnElement[bool]]:
    """Who may see it and published, as _conditions says, written for SQLite's planner.

    SQLite has no statistics (the app never runs ANALYZE), so it takes `workspace_id IS
    NULL OR workspace_id = ?` with `status = ?` for selective and reads every visible
    resource through ix_training_resources_workspace_id_status (MULTI-INDEX OR), then
    sorts them all: the walk below and each index query grew with the library (about
    200 ms at 100,000). `workspace_id + 0` and `status || ''` mean the same but no index
    can serve them, so the walk follows ix_training_resources_search_title and an index
    query starts from the rowids FTS5 found. PostgreSQL plans from its statistics.
    """
    if dialect_of(s) != "sqlite":
        return _conditions(workspace_id, LibraryQuery())
    r = TrainingResource
    unindexed = r.workspace_id + 0
    return [
        or_(unindexed.is_(None), unindexed == workspace_id),
        r.status + "" == ResourceStatus.PUBLISHED.value,
    ]


def _suggest(
    s: Session, conds: list[ColumnElement[bool]], words: list[str], limit: int
) -> list[Suggestion]:
    """Titles holding every word rank highest: they come first, alphabetically, then the
    rest by relevance. Each step reads about what it returns, whatever the library's size,
    but for a word in too few of the first WALK titles and in many others (the title index
    query then reads and sorts every title holding it: bench/README.md, "search") and for a
    query found in thousands of descriptions and no title (see CANDIDATES)."""
    r = TrainingResource
    # Three columns, not whole rows: a keystroke need not load descriptions and domains.
    columns = select(r.id, r.title, r.type).where(*conds)
    if not words:
        return _rows(s, columns.order_by(*alphabetical()).limit(limit))
    # The walk reads the index on (search_title, id) alone: its first WALK entries, of any
    # workspace and status. Only the titles holding every word are then read from the table
    # and checked against the conditions; any match the walk saw comes before the rest.
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
    if len(first) == limit:
        return first
    candidates = select(r.id).where(*conds, found_by_index(dialect_of(s), words)).limit(CANDIDATES)
    rest = columns.where(r.id.in_(candidates), not_all_in_title(words))
    rest = rest.order_by(*most_relevant_first(words))
    return first + _rows(s, rest.limit(limit - len(first)))


def _rows(s: Session, query: Suggestions) -> list[Suggestion]:
    return [(rid, title, kind) for rid, title, kind in s.execute(query).all()]


def status_counts(s: Session, *, workspace_id: int) -> dict[str, int]:
    """How many of the workspace's own resources are in each status."""
    rows = s.execute(
        select(TrainingResource.status, func.count())
        .where(TrainingResource.workspace_id == workspace_id)
        .group_by(TrainingResource.status)
    ).all()
    found = {status: n for status, n in rows}
    return {status.value: found.get(status.value, 0) for status in ResourceStatus}


def domain_facets(s: Session, *, workspace_id: int) -> tuple[Facet, ...]:
    """Domains in use by published resources this workspace can see, most used first."""
    rows = s.execute(
        select(Domain.slug, Domain.name, func.count())
        .join(ResourceDomain, ResourceDomain.domain_id == Domain.id)
        .join(TrainingResource, TrainingResource.id == ResourceDomain.resource_id)
        .where(visible_to(workspace_id), TrainingResource.status == ResourceStatus.PUBLISHED.value)
        .group_by(Domain.slug, Domain.name)
        .order_by(func.count().desc(), Domain.name)
        .limit(FACET_LIMIT)
    ).all()
    return tuple(Facet(value=slug, label=name, count=n) for slug, name, n in rows)


def card(row: TrainingResource, workspace_id: int) -> ResourceCard:
    return ResourceCard(
        id=row.id,
        title=row.title,
        description=row.description,
        type=row.type,
        access=row.access,
        url=row.url,
        partner=row.partner,
        status=row.status,
        difficulty=row.difficulty,
        domains=tuple(d.name for d in row.domains),
        skills=tuple(row.skills or ()),
        duration_minutes=row.duration_minutes,
        file_id=row.file_id,
        thumbnail=row.thumbnail,
        is_own=row.workspace_id == workspace_id,
    )

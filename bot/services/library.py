"""Reading the library: search with filters and paging, and resource cards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from bot.services.search import (
    alphabetical,
    corrected,
    dialect_of,
    found_by_index,
    most_relevant_first,
)
from bot.vocab import STATUS_LABELS
from models import Domain, ResourceDomain, TrainingResource
from models.enums import ResourceStatus
from models.search import query_words

PAGE_SIZE = 10
SEARCH_MAX = 200  # characters of search text kept (it travels in private_metadata)
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
    for_me: bool = False  # what is recommended for the person, in that order ("For you")

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
    reasons: Mapping[int, str] = field(default_factory=dict)  # "For you": why each is here
    for_me_off: bool = False  # "For you" asked, but the workspace turned recommendations off

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


def conditions(workspace_id: int, q: LibraryQuery) -> list[ColumnElement[bool]]:
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
    return _count(s, conditions(workspace_id, query), query.words)


def _count(s: Session, conds: list[ColumnElement[bool]], words: str) -> int:
    if wanted := query_words(words):
        conds = [*conds, found_by_index(dialect_of(s), wanted)]
    return s.scalar(select(func.count()).select_from(TrainingResource).where(*conds)) or 0


def search(
    s: Session, *, workspace_id: int, query: LibraryQuery, ranking: Sequence[int] = ()
) -> LibraryPage:
    """One page of results, most relevant first; with no match, what the closest words find.
    `ranking`: for a "For you" query, the recommended ids in their order (the only ones shown)."""
    base = conditions(workspace_id, query)
    if query.for_me:
        base.append(TrainingResource.id.in_(ranking))
    total = _count(s, base, query.words)
    if total == 0 and query.words:
        better = corrected(s, query.words, base)
        if better is not None:
            instead = replace(query, words=better)
            shown = search(s, workspace_id=workspace_id, query=instead, ranking=ranking)
            return replace(shown, searched_for=query.words)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, query.page), pages)
    words = query_words(query.words)
    found = select(TrainingResource).where(*base)
    if words:
        found = found.where(found_by_index(dialect_of(s), words))
    if query.for_me and ranking:
        place = {rid: n for n, rid in enumerate(ranking)}
        found = found.order_by(case(place, value=TrainingResource.id, else_=len(place)))
    else:
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

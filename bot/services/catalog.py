"""Curating the library: search, add, edit, archive, import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import insert_for
from bot.errors import NotAllowed, NotFound
from bot.services.library import (
    Facet,
    LibraryPage,
    LibraryQuery,
    ResourceCard,
    card,
    count,
    domain_facets,
    search,
    status_counts,
    suggestions,
    visible_to,
)
from bot.services.members import Caller
from models import Domain, TrainingResource
from models.enums import ResourceStatus
from models.rules import ContentFields, slugify


@dataclass(frozen=True)
class RemoveResult:
    title: str
    archived: bool  # False: deleted outright (nobody was ever assigned it)


@dataclass(frozen=True)
class ImportRow:
    line: int
    fields: ContentFields | None
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    rejected: tuple[tuple[int, str], ...]  # (line number, reason)


class CatalogService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def search(self, *, caller: Caller, query: LibraryQuery) -> LibraryPage:
        if query.own_only:
            require_manager(caller, "see drafts and archived content")
        with self._sessions.begin() as s:
            return search(s, workspace_id=caller.workspace_id, query=query)

    def own_status_counts(self, *, caller: Caller) -> dict[str, int]:
        require_manager(caller, "manage the workspace's content")
        with self._sessions.begin() as s:
            return status_counts(s, workspace_id=caller.workspace_id)

    def suggest(self, *, caller: Caller, words: str, limit: int = 100) -> list[tuple[int, str]]:
        with self._sessions.begin() as s:
            return suggestions(s, workspace_id=caller.workspace_id, words=words, limit=limit)

    def find_one(self, *, caller: Caller, words: str) -> ResourceCard | None:
        """The resource these words name: the only match, or the only title with the phrase."""
        with self._sessions.begin() as s:
            found = suggestions(s, workspace_id=caller.workspace_id, words=words, limit=10)
            if len(found) > 1:
                phrase = " ".join(words.lower().split())
                found = [(rid, title) for rid, title in found if phrase in title.lower()]
            if len(found) != 1:
                return None
            return card(self._visible(s, caller, found[0][0]), caller.workspace_id)

    def domains(self, *, caller: Caller) -> tuple[Facet, ...]:
        """The domains of the caller's library, most used first."""
        with self._sessions.begin() as s:
            return domain_facets(s, workspace_id=caller.workspace_id)

    def count_published(self, *, caller: Caller) -> int:
        with self._sessions.begin() as s:
            return count(s, workspace_id=caller.workspace_id, query=LibraryQuery())

    def get(self, *, caller: Caller, resource_id: int) -> ResourceCard:
        with self._sessions.begin() as s:
            return card(self._visible(s, caller, resource_id), caller.workspace_id)

    def create(self, *, caller: Caller, fields: ContentFields) -> ResourceCard:
        require_manager(caller, "add content")
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = TrainingResource(
                workspace_id=caller.workspace_id, created_by_id=caller.member_id, created_at=now
            )
            _fill(s, row, fields, now)
            s.add(row)
            s.flush()
            return card(row, caller.workspace_id)

    def update(self, *, caller: Caller, resource_id: int, fields: ContentFields) -> ResourceCard:
        require_manager(caller, "edit content")
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = self._own(s, caller, resource_id)
            _fill(s, row, fields, now)
            s.flush()
            return card(row, caller.workspace_id)

    def set_status(
        self, *, caller: Caller, resource_id: int, status: ResourceStatus
    ) -> ResourceCard:
        require_manager(caller, "archive or restore content")
        with self._sessions.begin() as s:
            row = self._own(s, caller, resource_id)
            row.status = status.value
            row.updated_at = self._clock.now()
            return card(row, caller.workspace_id)

    def remove(self, *, caller: Caller, resource_id: int) -> RemoveResult:
        """Delete content nobody was assigned; archive it otherwise, keeping their history."""
        require_manager(caller, "remove content")
        with self._sessions.begin() as s:
            row = self._own(s, caller, resource_id)
            title = row.title
            try:
                with s.begin_nested():
                    s.delete(row)
                    s.flush()
            except IntegrityError:
                # Assignments refer to it (the database refuses the delete): archive.
                row = self._own(s, caller, resource_id)
                row.status = ResourceStatus.ARCHIVED.value
                row.updated_at = self._clock.now()
                return RemoveResult(title=title, archived=True)
            return RemoveResult(title=title, archived=False)

    def import_rows(self, *, rows: Iterable[ImportRow], workspace_id: int | None) -> ImportResult:
        """Upsert on external_id, else on url; each row stands or falls on its own."""
        created = updated = 0
        rejected: list[tuple[int, str]] = []
        now = self._clock.now()
        with self._sessions.begin() as s:
            for row in rows:
                if row.fields is None:
                    rejected.append((row.line, "; ".join(row.errors)))
                    continue
                try:
                    with s.begin_nested():
                        existing = _match(s, workspace_id, row.fields)
                        target = existing or TrainingResource(
                            workspace_id=workspace_id, created_at=now
                        )
                        _fill(s, target, row.fields, now)
                        s.add(target)
                        s.flush()
                except (IntegrityError, DataError) as error:
                    reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
                    rejected.append((row.line, f"the database refused it: {reason}"))
                    continue
                created += existing is None
                updated += existing is not None
        return ImportResult(created=created, updated=updated, rejected=tuple(rejected))

    def _visible(self, s: Session, caller: Caller, resource_id: int) -> TrainingResource:
        row = s.scalars(
            select(TrainingResource).where(
                TrainingResource.id == resource_id, visible_to(caller.workspace_id)
            )
        ).one_or_none()
        if row is None:
            raise NotFound("That resource no longer exists.")
        return row

    def _own(self, s: Session, caller: Caller, resource_id: int) -> TrainingResource:
        row = self._visible(s, caller, resource_id)
        if row.workspace_id != caller.workspace_id:
            raise NotAllowed(
                "Resources from the shared library can't be changed. "
                "Use *Add content* to add your own version."
            )
        return row


def require_curator(caller: Caller) -> None:
    """Managers and admins curate content; everyone else is told so, politely."""
    require_manager(caller, "add or edit content")


def require_manager(caller: Caller, what: str) -> None:
    if not caller.can_manage:
        raise NotAllowed(
            f"Only managers and admins can {what}. Ask a Trainbot admin if you need access."
        )


def _match(s: Session, workspace_id: int | None, fields: ContentFields) -> TrainingResource | None:
    r = TrainingResource
    scope = r.workspace_id.is_(None) if workspace_id is None else r.workspace_id == workspace_id
    key = r.external_id == fields.external_id if fields.external_id else r.url == fields.url
    if fields.external_id is None and fields.url is None:
        return None
    return s.scalars(select(r).where(scope, key).order_by(r.id).limit(1)).first()


def _fill(s: Session, row: TrainingResource, f: ContentFields, now: datetime) -> None:
    row.title = f.title
    row.description = f.description
    row.type = f.type.value
    row.access = f.access.value
    if f.url is not None or f.file_id is not None:
        # A new link drops the old file; a new file brings its permalink as the link.
        row.url, row.file_id = f.url, f.file_id
    # else: an edit that left both empty keeps the resource's file (validated upstream).
    row.thumbnail = f.thumbnail
    row.partner = f.partner
    row.status = f.status.value
    row.difficulty = f.difficulty.value if f.difficulty else None
    row.skills = list(f.skills)
    row.duration_minutes = f.duration_minutes
    if f.external_id:
        row.external_id = f.external_id
    row.search_text = " ".join(
        [f.title, f.description, " ".join(f.skills), " ".join(f.domains), f.partner or ""]
    ).lower()
    row.updated_at = now
    row.domains = _domains(s, f.domains)


def _domains(s: Session, names: tuple[str, ...]) -> list[Domain]:
    wanted = {slugify(n): n for n in names if slugify(n)}
    if not wanted:
        return []
    s.execute(
        insert_for(s, Domain)
        .values([{"slug": slug, "name": name} for slug, name in wanted.items()])
        .on_conflict_do_nothing(index_elements=["slug"])
    )
    found = {d.slug: d for d in s.scalars(select(Domain).where(Domain.slug.in_(wanted)))}
    return [found[slug] for slug in wanted]

"""Curating the library: search, add, edit, archive, import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.errors import NotAllowed, NotFound
from bot.services.audit import Subject, about, content_action, operator, record
from bot.services.audit import resource_facts as facts
from bot.services.catalog_import import import_catalog
from bot.services.catalog_rows import ImportResult, ImportRow, fill
from bot.services.course_structure import has_sections
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
    visible_to,
)
from bot.services.members import Caller
from bot.services.typeahead import suggestions
from models import AuditAction as Act
from models import TrainingResource
from models.enums import ResourceStatus, ResourceType
from models.rules import ContentFields


@dataclass(frozen=True)
class RemoveResult:
    title: str
    archived: bool  # False: deleted outright (nobody was ever assigned it)


# How long a workspace's domain menu is reused: it only orders a filter's choices (no
# counts shown), and counting 50,000 resources' domains took 50 ms of each Team tab.
DOMAIN_MENU_TTL = timedelta(minutes=1)


class CatalogService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tz = default_tz
        self._domain_menus: dict[int, tuple[datetime, tuple[Facet, ...]]] = {}

    def search(self, *, caller: Caller, query: LibraryQuery) -> LibraryPage:
        if query.own_only:
            require_manager(caller, "see drafts and archived content")
        with self._sessions.begin() as s:
            return search(s, workspace_id=caller.workspace_id, query=query)

    def own_status_counts(self, *, caller: Caller) -> dict[str, int]:
        require_manager(caller, "manage the workspace's content")
        with self._sessions.begin() as s:
            return status_counts(s, workspace_id=caller.workspace_id)

    def suggest(
        self, *, caller: Caller, words: str, limit: int = 100, exclude_types: tuple[str, ...] = ()
    ) -> list[tuple[int, str, str]]:
        """(id, title, type) for a typeahead (a builder leaves out what cannot be a part)."""
        with self._sessions.begin() as s:
            return suggestions(
                s, workspace_id=caller.workspace_id, words=words, limit=limit,
                exclude_types=exclude_types,
            )  # fmt: skip

    def find_one(self, *, caller: Caller, words: str) -> ResourceCard | None:
        """The resource these words name: the only match, or the only title with the phrase."""
        with self._sessions.begin() as s:
            found = suggestions(s, workspace_id=caller.workspace_id, words=words, limit=10)
            if len(found) > 1:
                phrase = " ".join(words.lower().split())
                found = [row for row in found if phrase in row[1].lower()]
            if len(found) != 1:
                return None
            return card(self._visible(s, caller, found[0][0]), caller.workspace_id)

    def domains(self, *, caller: Caller) -> tuple[Facet, ...]:
        """The domains of the caller's library, most used first, as a menu: counted at
        most a minute ago (a domain first used since may wait that long to appear)."""
        now = self._clock.now()
        kept = self._domain_menus.get(caller.workspace_id)
        if kept is not None and now < kept[0]:
            return kept[1]
        with self._sessions.begin() as s:
            facets = domain_facets(s, workspace_id=caller.workspace_id)
        self._domain_menus[caller.workspace_id] = (now + DOMAIN_MENU_TTL, facets)
        return facets

    def count_published(self, *, caller: Caller) -> int:
        with self._sessions.begin() as s:
            return count(s, workspace_id=caller.workspace_id, query=LibraryQuery())

    def get(self, *, caller: Caller, resource_id: int) -> ResourceCard:
        with self._sessions.begin() as s:
            return card(self._visible(s, caller, resource_id), caller.workspace_id)

    def structure_of(self, *, caller: Caller, resource_id: int) -> ResourceType | None:
        """PATH for a path, COURSE for a course with sections, None for anything else."""
        with self._sessions.begin() as s:
            row = self._visible(s, caller, resource_id)
            if row.type == ResourceType.PATH.value:
                return ResourceType.PATH
            if row.type == ResourceType.COURSE.value and has_sections(s, [row.id]):
                return ResourceType.COURSE
            return None

    def create(self, *, caller: Caller, fields: ContentFields) -> ResourceCard:
        require_manager(caller, "add content")
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = TrainingResource(
                workspace_id=caller.workspace_id, created_by_id=caller.member_id, created_at=now
            )
            fill(s, row, fields, now)
            s.add(row)
            s.flush()
            record(s, caller, Act.CONTENT_CREATED, about(row), at=now, after=facts(s, row))
            return card(row, caller.workspace_id)

    def update(self, *, caller: Caller, resource_id: int, fields: ContentFields) -> ResourceCard:
        require_manager(caller, "edit content")
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = self._own(s, caller, resource_id)
            before = facts(s, row)
            fill(s, row, fields, now)
            s.flush()
            after = facts(s, row)
            record(s, caller, content_action(before, after), about(row), at=now, before=before,
                   after=after)  # fmt: skip
            return card(row, caller.workspace_id)

    def set_status(
        self, *, caller: Caller, resource_id: int, status: ResourceStatus
    ) -> ResourceCard:
        require_manager(caller, "archive or restore content")
        with self._sessions.begin() as s:
            row, now = self._own(s, caller, resource_id), self._clock.now()
            old, new = {"status": row.status}, {"status": status.value}
            record(s, caller, content_action(old, new), about(row), at=now, before=old, after=new)
            row.status, row.updated_at = status.value, now
            return card(row, caller.workspace_id)

    def remove(self, *, caller: Caller, resource_id: int) -> RemoveResult:
        """Delete content nobody was assigned; archive it otherwise, keeping their history."""
        require_manager(caller, "remove content")
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = self._own(s, caller, resource_id)
            title, before = row.title, facts(s, row)
            try:
                with s.begin_nested():
                    s.delete(row)
                    s.flush()
            except IntegrityError:
                # Assignments refer to it (the database refuses the delete): archive.
                row = self._own(s, caller, resource_id)
                old, new = {"status": row.status}, {"status": ResourceStatus.ARCHIVED.value}
                record(s, caller, Act.CONTENT_ARCHIVED, about(row), at=now, before=old, after=new)
                row.status, row.updated_at = ResourceStatus.ARCHIVED.value, now
                return RemoveResult(title=title, archived=True)
            record(s, caller, Act.CONTENT_DELETED, Subject("resource", resource_id, title), at=now,
                   before=before)  # fmt: skip
            return RemoveResult(title=title, archived=False)

    def import_rows(
        self, *, rows: Iterable[ImportRow], workspace_id: int | None, source: str = "import"
    ) -> ImportResult:
        """Upsert on external_id, else on url; each row stands or falls on its own."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            done = import_catalog(s, rows, workspace_id, now, self._tz)
            if workspace_id is not None and (done.created or done.updated):  # a workspace's own
                record(s, operator(s, workspace_id), Act.CONTENT_IMPORTED,
                       Subject("catalog", source, source), at=now,
                       after={"created": done.created, "updated": done.updated})  # fmt: skip
            return done

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

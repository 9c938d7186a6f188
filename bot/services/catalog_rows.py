"""Catalog rows as import reads them, and how one is written into the library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import insert_ignoring
from models import Domain, TrainingResource
from models.quiz_rules import QuizSpec
from models.rules import ContentFields, slugify
from models.search import search_fields


@dataclass(frozen=True)
class Ref:
    """An item of a course or a step of a path, as a file names it."""

    where: str  # "section 2, item 3" / "step 4": for messages
    external_id: str | None = None
    url: str | None = None  # an item given in full without an external_id is keyed on its url
    optional: bool = False
    due_days: int | None = None


@dataclass(frozen=True)
class CertificateRule:
    """What a file says of a resource's certificate (None: as its type says; never)."""

    issue: bool | None
    months: int | None


@dataclass(frozen=True)
class SectionRefs:
    """A course's section as a file gives it."""

    title: str
    items: tuple[Ref, ...]
    quiz: QuizSpec | None = None


@dataclass(frozen=True)
class ImportRow:
    line: int
    fields: ContentFields | None
    errors: tuple[str, ...] = ()
    sections: tuple[SectionRefs, ...] | None = None  # a course's structure
    steps: tuple[Ref, ...] | None = None  # a path's steps
    role: str = ""  # a path's role
    due_days: int | None = None  # a path's "by day N"
    quiz: QuizSpec | None = None  # the resource's own quiz
    certificate: CertificateRule | None = None  # absent from the file: left as it is

    @property
    def structured(self) -> bool:
        return self.sections is not None or self.steps is not None


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    rejected: tuple[tuple[int, str], ...]  # (line number, reason)


def match(s: Session, workspace_id: int | None, fields: ContentFields) -> TrainingResource | None:
    r = TrainingResource
    scope = r.workspace_id.is_(None) if workspace_id is None else r.workspace_id == workspace_id
    key = r.external_id == fields.external_id if fields.external_id else r.url == fields.url
    if fields.external_id is None and fields.url is None:
        return None
    return s.scalars(select(r).where(scope, key).order_by(r.id).limit(1)).first()


def fill(s: Session, row: TrainingResource, f: ContentFields, now: datetime) -> None:
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
    found = search_fields(
        title=f.title, description=f.description, skills=f.skills, domains=f.domains,
        partner=f.partner,
    )  # fmt: skip
    row.search_title, row.search_tags, row.search_body = found.title, found.tags, found.body
    row.updated_at = now
    row.domains = _domains(s, f.domains)


def _domains(s: Session, names: tuple[str, ...]) -> list[Domain]:
    wanted = {slugify(n): n for n in names if slugify(n)}
    if not wanted:
        return []
    insert_ignoring(
        s,
        Domain.__table__,
        [{"slug": slug, "name": name} for slug, name in wanted.items()],
        unique=["slug"],
    )
    found = {d.slug: d for d in s.scalars(select(Domain).where(Domain.slug.in_(wanted)))}
    return [found[slug] for slug in wanted]

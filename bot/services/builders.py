"""Building a course or a path in Slack: a draft per modal, saved in one transaction.

Clicks change the draft (builder_ops); Save checks the whole thing (models.structure) and
writes the resource and its structure at once. Only the draft's author can change it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.errors import NotAllowed, NotFound
from bot.services import builder_ops as ops
from bot.services.audit import about, content_action, record
from bot.services.audit import resource_facts as facts
from bot.services.catalog import require_curator
from bot.services.catalog_rows import fill
from bot.services.course_structure import outline, write_structure
from bot.services.library import ResourceCard, card, visible_to
from bot.services.members import Caller
from bot.services.path_structure import apply_to_current, path_outline, write_path
from models import AuditAction as Act
from models import BuilderDraft, PathEnrollment, TrainingResource
from models.enums import ResourceType
from models.rules import ContentFields
from models.structure import course_problems, path_problems

DRAFTS_KEPT = timedelta(days=7)


@dataclass(frozen=True)
class Part:
    """A resource a draft names, as the builder lists it."""

    id: int
    title: str
    type: str
    url: str | None


@dataclass(frozen=True)
class DraftView:
    id: int
    kind: str  # course or path
    data: dict[str, Any]
    parts: dict[int, Part]
    resource: ResourceCard | None  # what is being edited (None: a new one)
    role: str = ""
    due_days: int | None = None
    enrolled: int = 0  # people on the path now (an edit may be applied to them)
    notice: str = ""  # what a click could not do, shown in the builder
    problems: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Saved:
    resource: ResourceCard | None
    problems: tuple[str, ...] = ()
    applied: int = 0  # enrollments given the edited steps


class BuilderService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tz = default_tz

    def start(self, *, caller: Caller, kind: ResourceType, resource_id: int | None) -> DraftView:
        """A new draft: empty, or the course or path as it is now."""
        require_curator(caller)
        now = self._clock.now()
        with self._sessions.begin() as s:
            s.execute(delete(BuilderDraft).where(BuilderDraft.updated_at < now - DRAFTS_KEPT))
            data: dict[str, Any] = {"sections": [], "steps": [], "next": 0}
            if resource_id is not None:
                row = _own(s, caller, resource_id)
                if kind is ResourceType.COURSE:
                    data = ops.course_draft(outline(s, row.id).specs())
                else:
                    data = ops.path_draft(path_outline(s, row.id).specs())
            draft = BuilderDraft(workspace_id=caller.workspace_id, member_id=caller.member_id,
                                 kind=kind.value, resource_id=resource_id, data=data,
                                 created_at=now, updated_at=now)  # fmt: skip
            s.add(draft)
            s.flush()
            return _view(s, caller, draft)

    def view(self, *, caller: Caller, draft_id: int, notice: str = "") -> DraftView:
        with self._sessions.begin() as s:
            return _view(s, caller, _draft(s, caller, draft_id), notice)

    def change(
        self, *, caller: Caller, draft_id: int, edit: Callable[[ops.Draft], object]
    ) -> DraftView:
        """One click's change to the draft; a refused one leaves it and says why."""
        with self._sessions.begin() as s:
            draft = _draft(s, caller, draft_id)
            data = _copy(draft.data)
            try:
                edit(data)
            except ops.DraftRefused as refused:
                return _view(s, caller, draft, str(refused))
            draft.data, draft.updated_at = data, self._clock.now()
            return _view(s, caller, draft)

    def title_of(self, *, caller: Caller, resource_id: int) -> str:
        with self._sessions.begin() as s:
            title = s.scalar(select(TrainingResource.title).where(
                TrainingResource.id == resource_id, visible_to(caller.workspace_id)))  # fmt: skip
            if title is None:
                raise NotFound("That resource no longer exists.")
            return title

    def add_link(
        self, *, caller: Caller, draft_id: int, section_key: str, fields: ContentFields
    ) -> DraftView:
        """A new link resource, created in the workspace's library and added to a section."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            draft = _draft(s, caller, draft_id)
            row = TrainingResource(workspace_id=caller.workspace_id,
                                   created_by_id=caller.member_id, created_at=now)  # fmt: skip
            fill(s, row, fields, now)
            s.add(row)
            s.flush()
            record(s, caller, Act.CONTENT_CREATED, about(row), at=now, after=facts(s, row))
            data = _copy(draft.data)
            ops.add_item(data, section_key, row.id, row.title)
            draft.data, draft.updated_at = data, now
            return _view(s, caller, draft)

    def save_course(self, *, caller: Caller, draft_id: int, fields: ContentFields) -> Saved:
        now = self._clock.now()
        with self._sessions.begin() as s:
            draft = _draft(s, caller, draft_id)
            sections = ops.sections_of(draft.data)
            kinds, titles = _parts_facts(s, caller, ops.referenced(draft.data))
            problems = course_problems(draft.resource_id, sections, kinds, titles)
            if problems:
                return Saved(None, tuple(problems))
            row = self._target(s, caller, draft, now)
            before = facts(s, row) if draft.resource_id else None
            fill(s, row, fields, now)
            s.flush()
            write_structure(s, row.id, sections, now, self._tz)
            _record_saved(s, caller, row, before, now)
            s.delete(draft)
            return Saved(card(row, caller.workspace_id))

    def save_path(
        self,
        *,
        caller: Caller,
        draft_id: int,
        fields: ContentFields,
        role: str,
        due_days: int | None,
        step_days: dict[str, int | None],
        apply: bool,
    ) -> Saved:
        now = self._clock.now()
        with self._sessions.begin() as s:
            draft = _draft(s, caller, draft_id)
            steps = ops.steps_of(draft.data, step_days)
            kinds, titles = _parts_facts(s, caller, ops.referenced(draft.data))
            problems = path_problems(draft.resource_id, steps, kinds, titles)
            if problems:
                return Saved(None, tuple(problems))
            row = self._target(s, caller, draft, now)
            before = facts(s, row) if draft.resource_id else None
            fill(s, row, fields, now)
            s.flush()
            write_path(s, row.id, role=role, due_days=due_days, steps=steps)
            _record_saved(s, caller, row, before, now)
            applied = apply_to_current(s, row.id, now, self._tz) if apply else 0
            s.delete(draft)
            return Saved(card(row, caller.workspace_id), applied=applied)

    def _target(
        self, s: Session, caller: Caller, draft: BuilderDraft, now: datetime
    ) -> TrainingResource:
        if draft.resource_id is not None:
            return _own(s, caller, draft.resource_id)
        row = TrainingResource(workspace_id=caller.workspace_id, created_by_id=caller.member_id,
                               created_at=now)  # fmt: skip
        s.add(row)
        return row


def _record_saved(
    s: Session, caller: Caller, row: TrainingResource, before: dict[str, Any] | None,
    now: datetime,
) -> None:  # fmt: skip
    s.flush()  # the structure just written is counted
    after = facts(s, row)
    record(s, caller, content_action(before, after), about(row), at=now, before=before, after=after)


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    """A deep copy (the JSON column must see a new value to store it)."""
    copied: dict[str, Any] = json.loads(json.dumps(data))
    return copied


def _draft(s: Session, caller: Caller, draft_id: int) -> BuilderDraft:
    require_curator(caller)
    draft = s.get(BuilderDraft, draft_id)
    if draft is None:
        raise NotFound("This draft was saved or discarded meanwhile: open the builder again.")
    if draft.member_id != caller.member_id:
        raise NotAllowed("Someone else is building this one.")
    return draft


def _own(s: Session, caller: Caller, resource_id: int) -> TrainingResource:
    row = s.get(TrainingResource, resource_id)
    if row is None or row.workspace_id not in (None, caller.workspace_id):
        raise NotFound("That resource no longer exists.")
    if row.workspace_id != caller.workspace_id:
        raise NotAllowed("The shared library's courses and paths can't be changed.")
    return row


def _parts_facts(
    s: Session, caller: Caller, ids: list[int]
) -> tuple[dict[int, str], dict[int, str]]:
    """Type and title of each named resource this workspace can see."""
    r = TrainingResource
    rows = s.execute(
        select(r.id, r.type, r.title).where(r.id.in_(set(ids)), visible_to(caller.workspace_id))
    ).all()
    return {i: kind for i, kind, _ in rows}, {i: title for i, _, title in rows}


def _view(s: Session, caller: Caller, draft: BuilderDraft, notice: str = "") -> DraftView:
    r = TrainingResource
    ids = ops.referenced(draft.data)
    parts = {
        i: Part(i, title, kind, url)
        for i, title, kind, url in s.execute(
            select(r.id, r.title, r.type, r.url).where(r.id.in_(set(ids)))
        ).all()
    }
    resource = card(_own(s, caller, draft.resource_id), caller.workspace_id) if (
        draft.resource_id) else None  # fmt: skip
    role, due_days, enrolled = "", None, 0
    if draft.kind == ResourceType.PATH.value and draft.resource_id is not None:
        details = path_outline(s, draft.resource_id)
        role, due_days = details.role, details.due_days
        e = PathEnrollment
        enrolled = s.scalar(select(func.count()).where(
            e.path_id == draft.resource_id, e.completed_at.is_(None),
            e.cancelled_at.is_(None))) or 0  # fmt: skip
    return DraftView(draft.id, draft.kind, draft.data, parts, resource, role, due_days, enrolled,
                     notice)  # fmt: skip

"""Recording administrative actions in the audit log, inside the change's own transaction.

Each service that changes something an admin may later ask about calls `record()` with the
session it is already writing in: the entry commits with the change or not at all. Only the
fields that differ between `before` and `after` are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    AuditAction,
    AuditEntry,
    CourseSection,
    CourseSectionItem,
    LearningPath,
    PathStep,
    TrainingResource,
    Workspace,
)
from models.enums import ResourceStatus, ResourceType

Facts = Mapping[str, Any]


class Acting(Protocol):
    """Whoever acts: a Caller (a person in Slack) fits, and so does an Operator."""

    @property
    def workspace_id(self) -> int | None: ...
    @property
    def team_id(self) -> str: ...
    @property
    def member_id(self) -> int | None: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Operator:
    """Not a person in Slack: the command line, or Slack itself telling us of an event."""

    workspace_id: int | None  # None: the workspace is gone (its deletion's own entry)
    team_id: str
    name: str = "CLI (operator)"
    member_id: int | None = None
    user_id: str | None = None  # Slack's events name someone sometimes (the installer)


def operator(s: Session, workspace_id: int, name: str = "CLI (operator)") -> Operator:
    """The operator (or Slack, by `name`) acting on this workspace."""
    team_id = s.scalar(select(Workspace.team_id).where(Workspace.id == workspace_id))
    return Operator(workspace_id, team_id or "", name)


@dataclass(frozen=True)
class Subject:
    kind: str  # member, resource, assignment, enrollment, subscription, certificate, ...
    id: object  # its row id, Slack user id or code (stored as text)
    title: str = ""
    user_id: str | None = None  # the person it is about (an assignee, a member)


def record(
    s: Session,
    by: Acting,
    action: AuditAction,
    subject: Subject,
    *,
    at: datetime,
    before: Facts | None = None,
    after: Facts | None = None,
) -> bool:
    """Add the entry to `s`; an edit that changed nothing is not recorded (False)."""
    if before is not None and after is not None:
        changed = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
        if not changed:
            return False
        before = {k: before.get(k) for k in changed}
        after = {k: after.get(k) for k in changed}
    else:  # created or gone: what it had (an empty field changed nothing)
        before, after = _filled(before), _filled(after)
    person = not isinstance(by, Operator)  # a Caller: "@name", as Slack shows people
    s.add(AuditEntry(
        workspace_id=by.workspace_id, team_id=by.team_id, at=at, actor_id=by.member_id,
        actor_user_id=by.user_id, actor=(f"@{by.name}" if person else by.name)[:255],
        action=action.value, subject_kind=subject.kind, subject_id=str(subject.id)[:64],
        subject_title=subject.title[:255], subject_user_id=subject.user_id,
        before=_plain(before), after=_plain(after),
    ))  # fmt: skip
    return True


def resource_facts(s: Session, row: TrainingResource) -> dict[str, Any]:
    """What an admin asks about a resource: its fields, and how many parts a course or path
    has (so an edit of its structure shows as "items: 4 → 5")."""
    facts: dict[str, Any] = {
        "title": row.title, "description": row.description, "type": row.type,
        "access": row.access, "url": row.url, "file": row.file_id, "thumbnail": row.thumbnail,
        "partner": row.partner, "status": row.status, "difficulty": row.difficulty,
        "skills": list(row.skills or []), "domains": sorted(d.name for d in row.domains),
        "duration_minutes": row.duration_minutes,
    }  # fmt: skip
    if row.id is not None and row.type == ResourceType.COURSE.value:
        sections = select(func.count()).where(CourseSection.course_id == row.id)
        items = select(func.count()).where(CourseSectionItem.course_id == row.id)
        facts["sections"], facts["items"] = s.execute(
            select(sections.scalar_subquery(), items.scalar_subquery())
        ).one()
    elif row.id is not None and row.type == ResourceType.PATH.value:
        steps = select(func.count()).where(PathStep.path_id == row.id).scalar_subquery()
        found = s.execute(select(LearningPath.role, LearningPath.due_days, steps)
                          .where(LearningPath.resource_id == row.id)).first()  # fmt: skip
        facts["role"], facts["due_days"], facts["steps"] = found or ("", None, 0)
    return facts


def about(row: TrainingResource) -> Subject:
    return Subject("resource", row.id, row.title)


def content_action(before: Facts | None, after: Facts) -> AuditAction:
    """Created, archived, restored, or else edited: what an admin scanning the log looks for."""
    archived = ResourceStatus.ARCHIVED.value
    if before is None:
        return AuditAction.CONTENT_CREATED
    if after.get("status") == archived != before.get("status"):
        return AuditAction.CONTENT_ARCHIVED
    if before.get("status") == archived != after.get("status"):
        return AuditAction.CONTENT_RESTORED
    return AuditAction.CONTENT_EDITED


def _filled(facts: Facts | None) -> Facts | None:
    return None if facts is None else {k: v for k, v in facts.items() if v not in (None, "", [])}


def _plain(facts: Facts | None) -> dict[str, Any] | None:
    """JSON-ready values: dates as ISO text, enums as their value."""
    if facts is None:
        return None
    return {key: _value(value) for key, value in facts.items()}


def _value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    return value

"""What a progress report adds for learning paths and courses (a few statements more, the
same whatever the data): who is on which path and step, each path's figures, and for a
report about one course, its completion by section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from bot.services.certificate_reports import CertificateStanding, certificate_standing
from bot.services.library import in_domain
from bot.services.members import Caller
from bot.services.path_analytics import (
    OnPath,
    PathFigures,
    course_sections,
    path_figures,
    people_on_paths,
)
from bot.services.quiz_reports import PersonQuiz, QuizFigures, quiz_report
from models import (
    EnrollmentStep,
    Member,
    PathEnrollment,
    ResourceAssignment,
)
from models.enums import ResourceType, Role
from models.one_of import one_of


@dataclass(frozen=True)
class PathScope:
    """What a report is about, as far as paths go (a subset of progress.Scope)."""

    own: bool
    people: tuple[str, ...] | None
    resource_id: int | None
    kind: str | None  # the report's one training's type, if it is about one
    domain: str | None
    type: str | None


@dataclass(frozen=True)
class ReportExtras:
    paths: tuple[PathFigures, ...] = ()
    on_paths: dict[str, tuple[OnPath, ...]] = field(default_factory=dict)
    sections: tuple[tuple[str, int, int], ...] = ()  # a course's completion by section
    quizzes: tuple[QuizFigures, ...] = ()  # each quiz taken under the report's assignments
    quiz_people: dict[str, tuple[PersonQuiz, ...]] = field(default_factory=dict)
    certificates: tuple[CertificateStanding, ...] = ()  # current, due for renewal, lapsed


def enrollment_where(caller: Caller, scope: PathScope) -> list[ColumnElement[bool]]:
    """The enrollments a report covers: the caller's own, or those they may see (admins:
    the workspace's; managers: those they enrolled), narrowed as the report is."""
    e = PathEnrollment
    where: list[ColumnElement[bool]] = [
        e.workspace_id == caller.workspace_id, e.cancelled_at.is_(None)
    ]  # fmt: skip
    if scope.own:
        where.append(e.member_id == caller.member_id)
    elif caller.role is not Role.ADMIN:
        where.append(e.assigned_by_id == caller.member_id)
    if scope.people is not None:
        where.append(one_of(Member.slack_user_id, scope.people))
    if scope.resource_id is not None:
        where.append(e.path_id == scope.resource_id)
    if scope.type is not None and scope.type != ResourceType.PATH.value:
        where.append(false())
    if scope.domain is not None:
        where.append(e.path_id.in_(in_domain(scope.domain)))
    return where


def steps_of_path(path_id: int) -> ColumnElement[bool]:
    """Assignments that are steps of this path (a report about a path counts them)."""
    return ResourceAssignment.id.in_(
        select(EnrollmentStep.assignment_id)
        .join(PathEnrollment, PathEnrollment.id == EnrollmentStep.enrollment_id)
        .where(PathEnrollment.path_id == path_id)
    )


def extras(
    s: Session,
    caller: Caller,
    scope: PathScope,
    today: date,
    people: Sequence[str],
    where: Sequence[ColumnElement[bool]],
) -> ReportExtras:
    """Paths, courses and quizzes for a report whose rows name `people` (assignments:
    `where`)."""
    quizzes, quiz_people = quiz_report(s, where, people)
    on_paths = scope.kind in (None, ResourceType.PATH.value)
    enrolled = enrollment_where(caller, scope) if on_paths else None
    found = ReportExtras(quizzes=quizzes, quiz_people=quiz_people,
                         certificates=certificate_standing(s, where, today, enrolled))  # fmt: skip
    if scope.kind == ResourceType.COURSE.value and scope.resource_id is not None:
        found = replace(found, sections=course_sections(s, scope.resource_id, where))
    if enrolled is None:
        return found
    return replace(
        found,
        paths=path_figures(s, enrolled, today),
        on_paths=people_on_paths(s, enrolled, people, today),
    )

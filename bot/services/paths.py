"""Learning paths as people see them (Home) and as managers run them (pause, resume, cancel).

Who may change an enrollment: admins every one in the workspace, managers those they
enrolled (the same rule as Manage for assignments). Each change is told to its learner
once; doing the same thing twice tells nobody twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.errors import NotFound
from bot.services.audit import Subject, record
from bot.services.catalog import require_manager
from bot.services.completion import close
from bot.services.enrollment import opened_steps
from bot.services.members import Caller
from bot.services.outbox import enqueue_many, owed
from bot.services.path_progress import lock_enrollments, open_next_steps
from bot.services.path_rows import StepView, roster_rows, step_views
from bot.services.path_structure import PathOutline, path_outline
from bot.services.reminder_policy import policy_of
from models import AuditAction as Act
from models import (
    EnrollmentStep,
    Member,
    PathEnrollment,
    ResourceAssignment,
    TrainingResource,
)
from models.enums import ClosedReason, EnrollmentStatus, Role, StepState
from models.workspace import still_installed

ONE_DAY = timedelta(days=1)
PATHS_SHOWN = 4  # on Home: the paths someone is on (finished ones after)
ROSTER_SHOWN = 30


@dataclass(frozen=True)
class PathProgress:
    """One person's enrollment, as their Home shows it."""

    enrollment_id: int
    title: str
    status: str
    due_on: date | None
    steps: tuple[StepView, ...]

    @property
    def done(self) -> int:
        return sum(s.state in (StepState.DONE, StepState.SKIPPED) for s in self.steps)

    @property
    def current(self) -> StepView | None:
        return next((s for s in self.steps if s.state == StepState.OPEN), None)

    @property
    def upcoming(self) -> tuple[StepView, ...]:
        return tuple(s for s in self.steps if s.state == StepState.LOCKED)


@dataclass(frozen=True)
class RosterEntry:
    enrollment_id: int
    user_id: str
    status: str
    step: int  # the step they are on (or last done)
    steps: int
    step_title: str | None
    overdue: bool


@dataclass(frozen=True)
class PathRoster:
    path_id: int
    title: str
    counts: dict[str, int]  # by enrollment status
    rows: tuple[RosterEntry, ...]


@dataclass(frozen=True)
class PathChanged:
    title: str
    changed: tuple[str, ...]  # the people whose enrollment changed


class PathService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tz = default_tz

    def for_person(self, *, caller: Caller) -> tuple[PathProgress, ...]:
        """The paths someone is on (open first, then the latest finished), with every step."""
        e = PathEnrollment
        with self._sessions.begin() as s:
            rows = s.execute(
                select(e.id, TrainingResource.title, e.status, e.due_on)
                .join(TrainingResource, TrainingResource.id == e.path_id)
                .where(e.workspace_id == caller.workspace_id, e.member_id == caller.member_id,
                       e.cancelled_at.is_(None))
                .order_by(e.completed_at.is_not(None), e.completed_at.desc(), e.id)
                .limit(PATHS_SHOWN)
            ).all()  # fmt: skip
            steps = step_views(s, [row[0] for row in rows])
        return tuple(PathProgress(i, t, st, due, steps[i]) for i, t, st, due in rows)

    def roster(self, *, caller: Caller, path_id: int, today: date) -> PathRoster:
        require_manager(caller, "manage learning paths")
        e = PathEnrollment
        with self._sessions.begin() as s:
            title = _path_title(s, path_id)
            mine = (*_managed(caller), e.path_id == path_id)
            counts = dict(s.execute(select(e.status, func.count()).where(*mine)
                                    .group_by(e.status)).all())  # fmt: skip
            rows = s.execute(roster_rows(today).where(*mine, e.cancelled_at.is_(None))
                             .limit(ROSTER_SHOWN)).all()  # fmt: skip
        return PathRoster(path_id, title, counts, tuple(RosterEntry(*row) for row in rows))

    def set_status(
        self,
        *,
        caller: Caller,
        path_id: int,
        status: EnrollmentStatus,
        enrollment_id: int | None = None,
    ) -> PathChanged:
        """Pause, resume (active) or cancel one person's enrollment, or everyone's the
        caller manages on this path."""
        require_manager(caller, "manage learning paths")
        now = self._clock.now()
        e = PathEnrollment
        with self._sessions.begin() as s:
            title = _path_title(s, path_id)
            ids = list(s.scalars(
                select(e.id).where(*_managed(caller), e.path_id == path_id,
                                   e.completed_at.is_(None), e.cancelled_at.is_(None))
                .where(*((e.id == enrollment_id,) if enrollment_id else ()))
            ))  # fmt: skip
            if enrollment_id and not ids:
                raise NotFound("That enrollment is finished or no longer exists.")
            changed = [x for x in lock_enrollments(s, ids, now) if x.status != status.value]
            people = {m.id: m.slack_user_id for m in s.scalars(
                select(Member).where(Member.id.in_([x.member_id for x in changed])))}  # fmt: skip
            current = _current_steps(s, [x.id for x in changed])
            for x in changed:
                record(s, caller, Act.ENROLLMENT_CHANGED, Subject("enrollment", x.id, title,
                       people[x.member_id]), at=now, before={"status": x.status},
                       after={"status": status.value})  # fmt: skip
                self._apply(s, x, status, current.get(x.id), caller, now)
            enqueue_many(s, [owed(
                workspace_id=x.workspace_id, recipient=people[x.member_id], kind="path_notice",
                key=f"path-notice:{x.id}:{status.value}:{now.isoformat()}",
                payload={"change": status.value, "enrollment": x.id, "by": caller.user_id,
                         "assignment": current.get(x.id)},
            ) for x in changed], now=now)  # fmt: skip
            if status is EnrollmentStatus.ACTIVE:
                open_next_steps(s, changed, now, self._tz)
            return PathChanged(title, tuple(people[x.member_id] for x in changed))

    def _apply(
        self,
        s: Session,
        enrollment: PathEnrollment,
        status: EnrollmentStatus,
        step_assignment: int | None,
        caller: Caller,
        now: datetime,
    ) -> None:
        enrollment.status, enrollment.updated_at = status.value, now
        row = s.get(ResourceAssignment, step_assignment) if step_assignment else None
        if status is EnrollmentStatus.CANCELLED:
            enrollment.cancelled_at = now
            if row is not None and row.completed_at is None and row.cancelled_at is None:
                close(s, row, ClosedReason.CANCELLED, caller.member_id, now, self._tz)
        elif status is EnrollmentStatus.PAUSED:
            enrollment.paused_at = now
            if row is not None:
                row.next_remind_on = None  # no reminders while paused
        else:
            enrollment.paused_at = None
            if row is not None and row.completed_at is None and row.cancelled_at is None:
                policy = policy_of(s, enrollment.workspace_id)
                row.next_remind_on = policy.next_reminder(row.due_on, after=now.date())

    def open_due_starts(self) -> int:
        """Open step 1 of paths whose start date has come (and retry any enrollment left with
        no open step, say after a race); returns how many steps opened."""
        now = self._clock.now()
        e = PathEnrollment
        with self._sessions.begin() as s:
            # Someone's local day can be ahead of UTC's by up to 14 hours: look a day ahead,
            # each learner's own today decides (path_progress).
            ids = list(s.scalars(select(e.id).where(
                e.status == EnrollmentStatus.ACTIVE.value, e.starts_on <= now.date() + ONE_DAY,
                ~_has_step(StepState.OPEN), _has_step(StepState.LOCKED),
                still_installed(e.workspace_id),
            )))  # fmt: skip
            if not ids:
                return 0
            open_next_steps(s, lock_enrollments(s, ids, now), now, self._tz)
            return len(opened_steps(s, ids))

    def outline(self, *, caller: Caller, path_id: int) -> PathOutline:
        """A path's role, overall due date and steps (for /assign and the path builder)."""
        with self._sessions.begin() as s:
            _path_title(s, path_id)
            return path_outline(s, path_id)

    def notice_facts(self, *, workspace_id: int, enrollment_id: int) -> tuple[str, str]:
        """(path title, learner's Slack id) of an enrollment, for its notices."""
        with self._sessions.begin() as s:
            found = s.execute(
                select(TrainingResource.title, Member.slack_user_id)
                .join(PathEnrollment, PathEnrollment.path_id == TrainingResource.id)
                .join(Member, Member.id == PathEnrollment.member_id)
                .where(PathEnrollment.id == enrollment_id,
                       PathEnrollment.workspace_id == workspace_id)
            ).first()  # fmt: skip
        if found is None:
            raise NotFound("That enrollment no longer exists.")
        return found[0], found[1]


def _managed(caller: Caller) -> tuple[ColumnElement[bool], ...]:
    e = PathEnrollment
    if caller.role is Role.ADMIN:
        return (e.workspace_id == caller.workspace_id,)
    return (e.workspace_id == caller.workspace_id, e.assigned_by_id == caller.member_id)


def _has_step(state: StepState) -> Exists:
    st = EnrollmentStep
    return (
        select(st.id).where(st.enrollment_id == PathEnrollment.id, st.state == state.value).exists()
    )


def _path_title(s: Session, path_id: int) -> str:
    title = s.scalar(select(TrainingResource.title).where(TrainingResource.id == path_id))
    if title is None:
        raise NotFound("That path no longer exists.")
    return title


def _current_steps(s: Session, enrollment_ids: list[int]) -> dict[int, int]:
    """enrollment -> the assignment of its open step."""
    st = EnrollmentStep
    rows = s.execute(
        select(st.enrollment_id, st.assignment_id).where(
            st.enrollment_id.in_(enrollment_ids), st.state == StepState.OPEN.value
        )
    ).all()
    return {enrollment: assignment for enrollment, assignment in rows if assignment is not None}

"""Moving people along their paths: which step opens next, and when a path is finished.

Everything happens inside the caller's transaction, in the same one as the completion
(or enrollment) that moves the path on, so the next step's assignment and its DM are
written exactly when the step before it is done: never twice, never lost. Work is done
for a batch of enrollments in a fixed number of statements (a group of 500 is enrolled
as fast as one person).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.clock import local_today
from bot.services.assignment_rows import Grant, enqueue_dms, insert_open, record_event
from bot.services.certificates import issue
from bot.services.outbox import enqueue_many, owed
from models import EnrollmentStep, Member, PathEnrollment, ResourceAssignment
from models.enums import EnrollmentStatus, EventKind, Priority, StepState

IDS_PER_QUERY = 1000  # people per IN list (SQLite allows 32,766 parameters)


@dataclass(frozen=True)
class _Opening:
    enrollment: PathEnrollment
    step: EnrollmentStep
    member: Member
    due_on: date | None


def step_completed(s: Session, row: ResourceAssignment, now: datetime, default_tz: str) -> None:
    """The assignment `row` was just completed: the steps it carries are done, and each of
    their paths moves on (the next step opens, or the path is finished)."""
    steps = _open_steps_of(s, row)
    if not steps:
        return
    for step in steps:
        step.state, step.done_at = StepState.DONE.value, now
    enrollments = lock_enrollments(s, [step.enrollment_id for step in steps], now)
    open_next_steps(s, enrollments, now, default_tz)


def step_closed(
    s: Session, row: ResourceAssignment, *, unreachable: bool, now: datetime, default_tz: str
) -> None:
    """The assignment `row` was closed without being completed. A person who turned out
    unreachable leaves their paths; otherwise (cancelled, given to someone else) the path
    moves past that step."""
    steps = _open_steps_of(s, row)
    if not steps:
        return
    enrollments = lock_enrollments(s, [step.enrollment_id for step in steps], now)
    for step in steps:
        step.state, step.done_at = StepState.SKIPPED.value, now
    if unreachable:
        for enrollment in enrollments:
            if enrollment.completed_at is None and enrollment.cancelled_at is None:
                enrollment.status = EnrollmentStatus.CANCELLED.value
                enrollment.cancelled_at = enrollment.updated_at = now
        return
    open_next_steps(s, enrollments, now, default_tz)


def _open_steps_of(s: Session, row: ResourceAssignment) -> list[EnrollmentStep]:
    """The open path steps this assignment carries (usually none, or one)."""
    st = EnrollmentStep
    return list(
        s.scalars(select(st).where(st.assignment_id == row.id, st.state == StepState.OPEN.value))
    )


def lock_enrollments(s: Session, ids: Sequence[int], now: datetime) -> list[PathEnrollment]:
    """These enrollments, locked until the transaction ends (an UPDATE locks on both
    databases; see assignment_rows.locked)."""
    e = PathEnrollment
    s.execute(update(e).where(e.id.in_(ids)).values(updated_at=now))
    return list(s.scalars(select(e).where(e.id.in_(ids)).order_by(e.id)))


def open_next_steps(
    s: Session, enrollments: Sequence[PathEnrollment], now: datetime, default_tz: str
) -> list[PathEnrollment]:
    """Open each active enrollment's next step: counted as done when the person completed
    that resource before, adopted when they have it open already, else assigned with its
    due date and DM. Returns the enrollments this finished."""
    active = [e for e in enrollments if e.status == EnrollmentStatus.ACTIVE.value]
    if not active:
        return []
    members = _members(s, {e.member_id for e in active})
    steps = _steps(s, [e.id for e in active])
    resources = {st.resource_id for plan in steps.values() for st in plan}
    completed, open_now = _history(s, active[0].workspace_id, set(members), resources)
    openings: list[_Opening] = []
    finished: list[PathEnrollment] = []
    for enrollment in active:
        member = members[enrollment.member_id]
        today = local_today(now, member.tz or default_tz)
        outcome = _walk(enrollment, steps[enrollment.id], member, today, now, completed, open_now)
        if outcome == "finished":
            finished.append(enrollment)
        elif isinstance(outcome, _Opening):
            openings.append(outcome)
    _assign(s, openings, now)
    for enrollment in finished:
        _finish(s, enrollment, members[enrollment.member_id], now, default_tz)
    return finished


def _walk(
    enrollment: PathEnrollment,
    plan: Sequence[EnrollmentStep],
    member: Member,
    today: date,
    now: datetime,
    completed: dict[tuple[int, int], tuple[int, datetime]],
    open_now: dict[tuple[int, int], int],
) -> _Opening | str | None:
    """What happens next on one enrollment: a step to assign, "finished", or nothing."""
    for step in plan:
        if step.state in (StepState.DONE.value, StepState.SKIPPED.value):
            continue
        if step.state == StepState.OPEN.value or today < enrollment.starts_on:
            return None  # the learner is on it, or the path has not started yet
        key = (member.id, step.resource_id)
        done_before = completed.get(key)
        if done_before and (
            not enrollment.counts_since or done_before[1] >= enrollment.counts_since
        ):
            # done before: counted, never asked again (and never opened)
            step.state, step.assignment_id = StepState.DONE.value, done_before[0]
            step.done_at = now
            continue
        step.opened_at = now
        if key in open_now:  # they have it open already (assigned on its own): that one counts
            step.state, step.assignment_id = StepState.OPEN.value, open_now[key]
            return None
        due = today + timedelta(days=step.due_days) if step.due_days else None
        return _Opening(enrollment, step, member, due)
    return "finished"


def _assign(s: Session, openings: Sequence[_Opening], now: datetime) -> None:
    """One insert per kind of step opened (usually one: a group enrolled at once)."""
    groups: dict[tuple[int, date | None, str, str, int | None], list[_Opening]] = defaultdict(list)
    for o in openings:
        e = o.enrollment
        groups[(o.step.resource_id, o.due_on, e.priority, e.note, e.assigned_by_id)].append(o)
    for (resource_id, due_on, priority, note, by), group in groups.items():
        grant = Grant(resource_id, due_on, Priority(priority), note)
        created = insert_open(s, group[0].enrollment.workspace_id, by, grant,
                              [o.member for o in group], now)  # fmt: skip
        by_member = {member.id: assignment_id for assignment_id, member in created.items()}
        raced = [o.member.id for o in group if o.member.id not in by_member]
        if raced:  # opened meanwhile by someone else's /assign: adopt theirs
            by_member.update(_open_ids(s, resource_id, raced))
        for o in group:
            if o.member.id in by_member:  # else it stays locked: the enrollments sweep retries
                o.step.state, o.step.assignment_id = StepState.OPEN.value, by_member[o.member.id]
        for assignment_id in created:
            record_event(s, group[0].enrollment.workspace_id, assignment_id, by,
                         EventKind.ASSIGNED, now, data={"path_step": True})  # fmt: skip
        enqueue_dms(s, group[0].enrollment.workspace_id, created, now)


def _finish(
    s: Session, enrollment: PathEnrollment, member: Member, now: datetime, default_tz: str
) -> None:
    enrollment.status = EnrollmentStatus.COMPLETED.value
    enrollment.completed_at = enrollment.updated_at = now
    issue(s, member_id=member.id, resource_id=enrollment.path_id,
          source=f"enrollment:{enrollment.id}", now=now, default_tz=default_tz)  # fmt: skip
    by = s.get(Member, enrollment.assigned_by_id) if enrollment.assigned_by_id else None
    if by is None or not by.notify_completions or by.id == member.id:
        return
    enqueue_many(s, [owed(
        workspace_id=enrollment.workspace_id, key=f"path-completed:{enrollment.id}",
        recipient=by.slack_user_id, kind="path_notice",
        payload={"change": "completed", "enrollment": enrollment.id, "by": member.slack_user_id},
    )], now=now)  # fmt: skip


def _members(s: Session, ids: set[int]) -> dict[int, Member]:
    found: dict[int, Member] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), IDS_PER_QUERY):
        chunk = ordered[start : start + IDS_PER_QUERY]
        found.update({m.id: m for m in s.scalars(select(Member).where(Member.id.in_(chunk)))})
    return found


def _steps(s: Session, enrollment_ids: Sequence[int]) -> dict[int, list[EnrollmentStep]]:
    plans: dict[int, list[EnrollmentStep]] = defaultdict(list)
    for start in range(0, len(enrollment_ids), IDS_PER_QUERY):
        chunk = enrollment_ids[start : start + IDS_PER_QUERY]
        for step in s.scalars(
            select(EnrollmentStep)
            .where(EnrollmentStep.enrollment_id.in_(chunk))
            .order_by(EnrollmentStep.enrollment_id, EnrollmentStep.position)
        ):
            plans[step.enrollment_id].append(step)
    return plans


def _history(
    s: Session, workspace_id: int, member_ids: set[int], resource_ids: set[int]
) -> tuple[dict[tuple[int, int], tuple[int, datetime]], dict[tuple[int, int], int]]:
    """(member, resource) -> an assignment: the last completed (with when), one open now."""
    a = ResourceAssignment
    completed: dict[tuple[int, int], tuple[int, datetime]] = {}
    open_now: dict[tuple[int, int], int] = {}
    ordered = sorted(member_ids)
    for start in range(0, len(ordered), IDS_PER_QUERY):
        chunk = ordered[start : start + IDS_PER_QUERY]
        rows = s.execute(
            select(a.member_id, a.resource_id, a.id, a.completed_at)
            .where(a.workspace_id == workspace_id, a.member_id.in_(chunk),
                   a.resource_id.in_(resource_ids), a.cancelled_at.is_(None))
            .order_by(a.id)
        ).all()  # fmt: skip
        for member_id, resource_id, assignment_id, done_at in rows:
            if done_at is None:
                open_now[(member_id, resource_id)] = assignment_id
            else:
                completed[(member_id, resource_id)] = (assignment_id, done_at)
    return completed, open_now


def _open_ids(s: Session, resource_id: int, member_ids: Sequence[int]) -> dict[int, int]:
    a = ResourceAssignment
    rows = s.execute(
        select(a.member_id, func.max(a.id))
        .where(a.resource_id == resource_id, a.member_id.in_(member_ids))
        .where(a.completed_at.is_(None), a.cancelled_at.is_(None))
        .group_by(a.member_id)
    ).all()
    return {member_id: assignment_id for member_id, assignment_id in rows}

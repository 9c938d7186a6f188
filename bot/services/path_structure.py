"""A path's role, overall due date and steps: reading and writing them, and applying an
edit to the people on the path (inside the caller's transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.services.path_progress import lock_enrollments, open_next_steps
from models import EnrollmentStep, LearningPath, PathEnrollment, PathStep, TrainingResource
from models.enums import StepState
from models.structure import StepSpec


@dataclass(frozen=True)
class PathStepView:
    resource_id: int
    title: str
    type: str
    url: str | None
    due_days: int | None


@dataclass(frozen=True)
class PathOutline:
    path_id: int
    role: str
    due_days: int | None
    steps: tuple[PathStepView, ...]

    def specs(self) -> tuple[StepSpec, ...]:
        return tuple(StepSpec(step.resource_id, step.due_days) for step in self.steps)


def path_outline(s: Session, path_id: int) -> PathOutline:
    details = s.get(LearningPath, path_id)
    rows = s.execute(
        select(TrainingResource.id, TrainingResource.title, TrainingResource.type,
               TrainingResource.url, PathStep.due_days)
        .join(PathStep, PathStep.resource_id == TrainingResource.id)
        .where(PathStep.path_id == path_id)
        .order_by(PathStep.position)
    ).all()  # fmt: skip
    return PathOutline(
        path_id,
        details.role if details else "",
        details.due_days if details else None,
        tuple(PathStepView(*row) for row in rows),
    )


def write_path(
    s: Session, path_id: int, *, role: str, due_days: int | None, steps: Sequence[StepSpec]
) -> bool:
    """Make the path's details and steps these (validated already); False when they were.

    New enrollments copy the steps; current learners keep their plan (apply_to_current).
    """
    current = path_outline(s, path_id)
    if (current.role, current.due_days, current.specs()) == (role, due_days, tuple(steps)):
        return False
    s.execute(
        insert_for(s, LearningPath)
        .values(resource_id=path_id, role=role, due_days=due_days)
        .on_conflict_do_update(
            index_elements=["resource_id"], set_={"role": role, "due_days": due_days}
        )
    )
    if current.specs() != tuple(steps):
        s.execute(delete(PathStep).where(PathStep.path_id == path_id))
        s.execute(insert(PathStep), [
            {"path_id": path_id, "position": n, "resource_id": step.resource_id,
             "due_days": step.due_days}
            for n, step in enumerate(steps, start=1)
        ])  # fmt: skip
    return True


def apply_to_current(s: Session, path_id: int, now: datetime, default_tz: str) -> int:
    """Give everyone on the path (not finished) its steps as they are now: what they did and
    the step they are on stay as they are; the path's other steps follow, in its order.
    A finished path, or a step done, is never opened again. Returns how many changed."""
    steps = path_outline(s, path_id).specs()
    e = PathEnrollment
    ids = list(s.scalars(select(e.id).where(e.path_id == path_id).where(
        e.completed_at.is_(None), e.cancelled_at.is_(None))))  # fmt: skip
    if not ids:
        return 0
    enrollments = lock_enrollments(s, ids, now)
    plans: dict[int, list[EnrollmentStep]] = {i: [] for i in ids}
    for step in s.scalars(
        select(EnrollmentStep).where(EnrollmentStep.enrollment_id.in_(ids))
        .order_by(EnrollmentStep.enrollment_id, EnrollmentStep.position)
    ):  # fmt: skip
        plans[step.enrollment_id].append(step)
    changed = 0
    for enrollment_id, plan in plans.items():
        kept = [st for st in plan if st.state != StepState.LOCKED.value]
        held = {st.resource_id for st in kept}
        todo = [step for step in steps if step.resource_id not in held]
        was = [(st.resource_id, st.due_days) for st in plan if st.state == StepState.LOCKED.value]
        if was == [(step.resource_id, step.due_days) for step in todo]:
            continue
        changed += 1
        s.execute(delete(EnrollmentStep).where(
            EnrollmentStep.enrollment_id == enrollment_id,
            EnrollmentStep.state == StepState.LOCKED.value))  # fmt: skip
        first = max((st.position for st in kept), default=0) + 1
        if todo:
            s.execute(insert(EnrollmentStep), [
                {"enrollment_id": enrollment_id, "position": first + n,
                 "resource_id": step.resource_id, "due_days": step.due_days,
                 "state": StepState.LOCKED.value}
                for n, step in enumerate(todo)
            ])  # fmt: skip
    open_next_steps(s, enrollments, now, default_tz)
    return changed

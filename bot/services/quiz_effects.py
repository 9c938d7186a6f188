"""Which training a quiz belongs to, inside an assignment, and what passing it does there.

A quiz on the assigned resource itself completes the assignment. Inside a course, a quiz
on an item checks that item off and a section's quiz counts like a required item; either
moves the course on (and, through its completion, a path).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.errors import NotFound
from bot.services.completion import complete
from bot.services.course_structure import outline
from bot.services.courses import moved_on
from models import CourseItemDone, Quiz, QuizAttempt, ResourceAssignment, TrainingResource


@dataclass(frozen=True)
class QuizTarget:
    kind: str  # resource, item or section
    title: str  # what the learner is tested on, as the modal names it
    passed: bool  # a passed attempt under this assignment already


def quiz_target(s: Session, row: ResourceAssignment, quiz_id: int) -> tuple[Quiz, QuizTarget]:
    """The quiz, if it belongs to this assignment's training; else NotFound."""
    quiz = s.get(Quiz, quiz_id)
    if quiz is None:
        raise NotFound("That quiz no longer exists.")
    q = QuizAttempt
    passed = bool(s.scalar(select(exists().where(
        q.quiz_id == quiz.id, q.assignment_id == row.id, q.passed.is_(True)))))  # fmt: skip
    course = outline(s, row.resource_id)
    if quiz.resource_id == row.resource_id and not course.sections:
        # (A course with sections is passed section by section, never by a quiz on itself.)
        return quiz, QuizTarget("resource", _title(s, row.resource_id), passed)
    section = next((sec for sec in course.sections if sec.quiz_id == quiz.id), None)
    if section is not None:
        title = f"{_title(s, row.resource_id)}: {section.title}"
        return quiz, QuizTarget("section", title, passed)
    item = next((i for i in course.items if i.quiz_id == quiz.id), None)
    if item is not None:
        return quiz, QuizTarget("item", item.title, passed)
    raise NotFound("That quiz is no longer part of this training.")


def apply_pass(
    s: Session, row: ResourceAssignment, quiz: Quiz, actor_id: int, now: datetime, tz: str
) -> None:
    """A passed attempt moves the training on (nothing once it is closed)."""
    if row.completed_at is not None or row.cancelled_at is not None:
        return
    if quiz.resource_id == row.resource_id:
        complete(s, row, actor_id=actor_id, now=now, default_tz=tz)
        return
    course = outline(s, row.resource_id)
    if quiz.resource_id is not None:  # an item of the course: checked off
        s.execute(
            insert_for(s, CourseItemDone)
            .values(assignment_id=row.id, resource_id=quiz.resource_id, done_at=now)
            .on_conflict_do_nothing(index_elements=["assignment_id", "resource_id"])
        )
    moved_on(s, row, course, actor_id, now, tz, {"quiz": quiz.id, "passed": True})


def _title(s: Session, resource_id: int) -> str:
    return s.get_one(TrainingResource, resource_id).title

"""Storing a quiz and reading it back (inside the caller's transaction).

A question keeps its row while its text, kind, choices and key stay the same (its place and
explanation may change), so attempts and reports go on naming it; any other change makes a
new row and retires the old one, never deleted: an attempt under way keeps the question it
was shown, and is scored against that question's key. Writing the quiz that is already
stored changes nothing (re-importing a file).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CourseSection, Quiz, QuizQuestion, TrainingResource
from models.enums import QuestionKind
from models.quiz_rules import QuestionSpec, QuizSpec


def quiz_on(
    s: Session, *, resource_id: int | None = None, section_id: int | None = None
) -> Quiz | None:
    column = Quiz.resource_id if resource_id is not None else Quiz.section_id
    return s.scalars(select(Quiz).where(column == (resource_id or section_id))).first()


def questions_of(s: Session, quiz_id: int) -> list[QuizQuestion]:
    """The bank as it stands (retired questions left out), in order."""
    q = QuizQuestion
    return list(
        s.scalars(select(q).where(q.quiz_id == quiz_id, ~q.retired).order_by(q.position, q.id))
    )


def spec_of(s: Session, quiz: Quiz) -> QuizSpec:
    return QuizSpec(
        questions=tuple(
            QuestionSpec(
                q.text, QuestionKind(q.kind), tuple(q.choices), tuple(q.correct), q.explanation
            )
            for q in questions_of(s, quiz.id)
        ),
        pass_mark=quiz.pass_mark,
        attempts=quiz.attempts,
        retry_after_minutes=quiz.retry_after_minutes,
        draw=quiz.draw,
        shuffle=quiz.shuffle,
    )


def write_quiz(
    s: Session,
    spec: QuizSpec,
    now: datetime,
    *,
    resource_id: int | None = None,
    section_id: int | None = None,
) -> bool:
    """Make the quiz on this resource or section `spec` (validated already); False when it
    was so already."""
    quiz = quiz_on(s, resource_id=resource_id, section_id=section_id)
    if quiz is not None and spec_of(s, quiz) == spec:
        return False
    if quiz is None:
        quiz = Quiz(resource_id=resource_id, section_id=section_id, updated_at=now)
        s.add(quiz)
    quiz.title = _target_title(s, resource_id, section_id)
    quiz.pass_mark, quiz.attempts = spec.pass_mark, spec.attempts
    quiz.retry_after_minutes, quiz.draw, quiz.shuffle = (
        spec.retry_after_minutes, spec.draw, spec.shuffle,
    )  # fmt: skip
    quiz.updated_at = now
    s.flush()
    free = {_identity(q.text, q.kind, q.choices, q.correct): q for q in questions_of(s, quiz.id)}
    for position, question in enumerate(spec.questions, start=1):
        key = _identity(question.text, question.kind.value, question.choices, question.correct)
        row = free.pop(key, None) or QuizQuestion(
            quiz_id=quiz.id, retired=False, kind=question.kind.value, text=question.text,
            choices=list(question.choices), correct=list(question.correct),
        )  # fmt: skip
        row.position, row.explanation = position, question.explanation
        s.add(row)
    for gone in free.values():
        gone.retired = True
    s.flush()
    return True


def _identity(
    text: str, kind: str, choices: Sequence[str], correct: Sequence[int]
) -> tuple[str, str, tuple[str, ...], tuple[int, ...]]:
    return text, kind, tuple(choices), tuple(sorted(correct))


def _target_title(s: Session, resource_id: int | None, section_id: int | None) -> str:
    """What the quiz is on, kept for reports should it be detached later."""
    if resource_id is not None:
        return s.get_one(TrainingResource, resource_id).title
    section = s.get_one(CourseSection, section_id)
    return f"{s.get_one(TrainingResource, section.course_id).title}: {section.title}"[:310]


def detach(s: Session, quiz: Quiz, now: datetime) -> None:
    """Take the quiz off what it is on; its attempts stay (history, reports)."""
    quiz.resource_id = quiz.section_id = None
    quiz.updated_at = now

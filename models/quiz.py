"""Quizzes: a bank of questions on a resource or on a course section, and learners' attempts.

The answer key (`QuizQuestion.correct`) is read only when an attempt is scored: what a
learner is shown names choices by opaque per-attempt values (see models.quiz_rules).
An attempt belongs to the assignment it was taken under, so a course assigned again (a
renewal) starts with fresh attempts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.enums import QuestionKind, sql_in

MAX_QUESTIONS = 50  # a bank (an attempt may draw fewer); the editor lists them in one view
MAX_CHOICES = 10  # Slack: at most 10 options in a radio button or checkbox group
MIN_CHOICES = 2
MAX_ATTEMPTS = 10  # 0 = unlimited
QUESTION_MAX = 1000  # shown as an input's label: Slack allows 2,000; kept readable
CHOICE_MAX = 75  # Slack: an option's text is at most 75 characters
EXPLANATION_MAX = 1000
OPEN_ATTEMPT_WHERE = "submitted_at IS NULL"


class Quiz(Base):
    """A quiz on one resource (any type, a quiz of its own included) or one course section.

    A quiz removed, or whose section is removed, is detached (both NULL), never deleted:
    its attempts stay in people's history and in reports.
    """

    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("resource_id IS NULL OR section_id IS NULL", name="one_target"),
        CheckConstraint("pass_mark >= 1 AND pass_mark <= 100", name="pass_mark"),
        CheckConstraint(f"attempts >= 0 AND attempts <= {MAX_ATTEMPTS}", name="attempts"),
        CheckConstraint("retry_after_minutes >= 0", name="retry_after"),
        CheckConstraint("draw IS NULL OR draw >= 1", name="draw"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_resources.id", ondelete="SET NULL"), unique=True
    )
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_sections.id", ondelete="SET NULL"), unique=True
    )
    # What it was on, for reports once detached ("Course: Section").
    title: Mapped[str] = mapped_column(String(310), default="")
    pass_mark: Mapped[int] = mapped_column(default=80)  # percent
    attempts: Mapped[int] = mapped_column(default=0)  # allowed; 0 = unlimited
    retry_after_minutes: Mapped[int] = mapped_column(default=0)
    draw: Mapped[int | None]  # questions drawn per attempt (None: all of them)
    shuffle: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


class QuizQuestion(Base):
    __tablename__ = "quiz_questions"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(QuestionKind)})", name="kind"),
        Index("ix_quiz_questions_quiz_id_position", "quiz_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    position: Mapped[int]
    # A question taken out of the bank keeps its row (attempts and reports name it).
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(JSON)
    correct: Mapped[list[int]] = mapped_column(JSON)  # indices into choices
    explanation: Mapped[str] = mapped_column(Text, default="")


class QuizAttempt(Base):
    """One try at a quiz: the questions drawn (in the order shown), answers kept page by
    page, and once submitted its score. One open attempt per quiz and assignment."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        Index(
            "uq_quiz_attempts_open",
            "quiz_id",
            "assignment_id",
            unique=True,
            sqlite_where=text(OPEN_ATTEMPT_WHERE),
            postgresql_where=text(OPEN_ATTEMPT_WHERE),
        ),
        Index("ix_quiz_attempts_assignment_id_quiz_id", "assignment_id", "quiz_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("resource_assignments.id", ondelete="CASCADE")
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1 for the first attempt under this assignment
    title: Mapped[str] = mapped_column(String(310), default="")  # what it tests, as shown
    # Per attempt, secret: option values are derived from it, so they mean nothing outside.
    secret: Mapped[str] = mapped_column(String(64))
    # [{"q": question id, "order": [choice indices as shown]}], in the order shown.
    drawn: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # {question id (str): [choice indices]}: what was picked so far (Back keeps it).
    answers: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    score: Mapped[int | None]  # percent, rounded down: 79.9 does not pass a mark of 80
    passed: Mapped[bool | None]


class QuizAnswer(Base):
    """One question of a submitted attempt, right or wrong: what the reports count."""

    __tablename__ = "quiz_answers"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    picked: Mapped[list[int]] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)

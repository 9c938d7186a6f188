"""Quizzes in reports: per quiz its pass rate, median best score and the questions most
people miss; per person their attempts, best score and pass. Three statements whatever
the data, over the attempts made under the report's assignments.

A person's result is their best attempt (the one that counts); the median is of those.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, case, cast, exists, func, select
from sqlalchemy.orm import Session, aliased

from bot.services.analytics import joined
from models import (
    CourseSection,
    Member,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizQuestion,
    ResourceAssignment,
    TrainingResource,
)

MISSED_SHOWN = 3


@dataclass(frozen=True)
class Missed:
    text: str
    wrong: int  # percent of answers that were wrong
    answers: int


@dataclass(frozen=True)
class QuizFigures:
    quiz_id: int
    title: str
    takers: int  # people with a submitted attempt
    passed: int  # people with a passing one
    attempts: int
    median_best: int | None
    most_missed: tuple[Missed, ...]  # the questions most people get wrong, first

    @property
    def pass_rate(self) -> int:
        return round(100 * self.passed / self.takers) if self.takers else 0


@dataclass(frozen=True)
class PersonQuiz:
    title: str
    attempts: int
    best: int
    passed: bool


@dataclass(frozen=True)
class _Best:
    """One person's attempts at one quiz."""

    quiz_id: int
    user: str
    attempts: int
    best: int
    passed: bool


def _scoped(where: Sequence[ColumnElement[bool]]) -> ColumnElement[bool]:
    a = ResourceAssignment
    # EXISTS, from each attempt to its assignment: attempts are few next to assignments,
    # and SQLite would list every assignment in scope first for an IN.
    in_scope = joined(select(a.id)).where(a.id == QuizAttempt.assignment_id, *where)
    return exists(in_scope.correlate(QuizAttempt))


def quiz_titles(s: Session, quiz_ids: set[int]) -> dict[int, str]:
    """What each quiz is on: a resource's title, or "Course: Section"; a quiz taken off is
    named as it was, "(removed)" (one statement)."""
    if not quiz_ids:
        return {}
    on, course = aliased(TrainingResource), aliased(TrainingResource)
    rows = s.execute(
        select(Quiz.id, on.title, course.title, CourseSection.title, Quiz.title)
        .outerjoin(on, on.id == Quiz.resource_id)
        .outerjoin(CourseSection, CourseSection.id == Quiz.section_id)
        .outerjoin(course, course.id == CourseSection.course_id)
        .where(Quiz.id.in_(quiz_ids))
    ).all()  # fmt: skip
    return {
        qid: own or (f"{course_title}: {section}" if section else f"{was} (removed)")
        for qid, own, course_title, section, was in rows
    }


def quiz_report(
    s: Session, where: Sequence[ColumnElement[bool]], people: Sequence[str]
) -> tuple[tuple[QuizFigures, ...], dict[str, tuple[PersonQuiz, ...]]]:
    """Each quiz taken under the report's assignments, and `people`'s own results."""
    q = QuizAttempt
    found = s.execute(
        select(q.quiz_id, Member.slack_user_id, func.count(), func.max(q.score),
               func.max(cast(q.passed, Integer)))
        .join(Member, Member.id == q.member_id)
        .where(_scoped(where), q.submitted_at.is_not(None))
        .group_by(q.quiz_id, Member.slack_user_id)
        .order_by(q.quiz_id, Member.slack_user_id)
    )  # fmt: skip
    best = [_Best(quiz_id, user, n, score or 0, bool(passed))
            for quiz_id, user, n, score, passed in found]  # fmt: skip
    if not best:
        return (), {}
    wrong = case((QuizAnswer.correct.is_(False), 1), else_=0)
    per_question = s.execute(
        select(QuizQuestion.quiz_id, QuizQuestion.text, func.count(), func.sum(wrong))
        .join(QuizAnswer, QuizAnswer.question_id == QuizQuestion.id)
        .join(q, q.id == QuizAnswer.attempt_id)
        .where(_scoped(where))
        .group_by(QuizQuestion.quiz_id, QuizQuestion.id, QuizQuestion.text)
    ).all()  # fmt: skip
    titles = quiz_titles(s, {row.quiz_id for row in best})
    missed: dict[int, list[Missed]] = defaultdict(list)
    for quiz_id, text, answers, wrongs in per_question:
        if wrongs:
            missed[quiz_id].append(Missed(text, round(100 * wrongs / answers), answers))
    grouped: dict[int, list[_Best]] = defaultdict(list)
    for row in best:
        grouped[row.quiz_id].append(row)
    figures = tuple(_figures(quiz_id, titles[quiz_id], rows, missed[quiz_id])
                    for quiz_id, rows in grouped.items())  # fmt: skip
    wanted = set(people)
    mine: dict[str, list[PersonQuiz]] = defaultdict(list)
    for row in best:
        if row.user in wanted:
            mine[row.user].append(PersonQuiz(titles[row.quiz_id], row.attempts, row.best,
                                             row.passed))  # fmt: skip
    return figures, {user: tuple(results) for user, results in mine.items()}


def _figures(
    quiz_id: int,
    title: str,
    rows: Sequence[_Best],
    missed: list[Missed],
) -> QuizFigures:
    bests = [row.best for row in rows]
    return QuizFigures(
        quiz_id=quiz_id, title=title, takers=len(rows),
        passed=sum(1 for row in rows if row.passed), attempts=sum(row.attempts for row in rows),
        median_best=round(statistics.median(bests)) if bests else None,
        most_missed=tuple(sorted(missed, key=lambda m: (-m.wrong, m.text))[:MISSED_SHOWN]),
    )  # fmt: skip


def attempts_csv_rows(
    s: Session, where: Sequence[ColumnElement[bool]]
) -> Iterator[tuple[str, str, str, int, datetime, datetime | None, int | None, bool | None]]:
    """Every attempt under the report's assignments: person, training, quiz, number,
    started, submitted, score, passed (streamed)."""
    q, a = QuizAttempt, ResourceAssignment
    taken = joined(select(q.quiz_id)).join(q, q.assignment_id == a.id).where(*where).distinct()
    titles = quiz_titles(s, set(s.scalars(taken)))
    rows = s.execute(
        joined(select(Member.slack_user_id, TrainingResource.title, q.quiz_id, q.number,
                      q.started_at, q.submitted_at, q.score, q.passed))
        .join(q, q.assignment_id == a.id)
        .where(*where)
        .order_by(Member.slack_user_id, TrainingResource.title, q.quiz_id, q.number),
        execution_options={"yield_per": 1000},  # streamed from the database (progress_export)
    )  # fmt: skip
    for user, training, quiz_id, number, started, submitted, score, passed in rows:
        yield user, training, titles[quiz_id], number, started, submitted, score, passed

"""What a learner sees of an attempt: a page of questions, and the result once submitted.

A page carries each choice's opaque value and text, never which one is right; the result
gives the explanation of each question got wrong, not the right choices (they would
give the key away for the next attempt).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import BotError
from models import Quiz, QuizAnswer, QuizAttempt, QuizQuestion
from models.enums import QuestionKind
from models.quiz_rules import next_try_at, option_value

PER_PAGE = 5  # questions per view: short enough to read, far inside 100 blocks


class Unanswered(BotError):
    """Questions (numbers in the attempt) left without an answer."""

    def __init__(self, numbers: tuple[int, ...], page: int) -> None:
        super().__init__("Answer every question before you submit.")
        self.numbers = numbers
        self.page = page


@dataclass(frozen=True)
class QuestionView:
    number: int  # in this attempt, from 1
    text: str
    multiple: bool  # checkboxes: pick every right choice
    options: tuple[tuple[str, str], ...]  # (opaque value, text), in the order shown
    picked: tuple[str, ...]  # values picked so far


@dataclass(frozen=True)
class AttemptRule:
    pass_mark: int
    number: int  # this attempt's number
    attempts: int  # allowed, 0 = unlimited
    drawn: int  # questions in this attempt
    bank: int  # questions in the quiz


@dataclass(frozen=True)
class QuizPage:
    attempt_id: int
    title: str
    page: int
    pages: int
    questions: tuple[QuestionView, ...]
    rule: AttemptRule


@dataclass(frozen=True)
class Missed:
    number: int
    text: str
    explanation: str


@dataclass(frozen=True)
class QuizOutcome:
    attempt_id: int
    title: str
    score: int
    passed: bool
    right: int
    asked: int
    best: int  # best score of every attempt so far: the one that counts
    missed: tuple[Missed, ...]
    rule: AttemptRule
    attempts_left: int | None  # None: unlimited
    retry_at: datetime | None  # when a failed one may try again (None: at once or never)
    already: bool = False  # this attempt had been submitted before: nothing was recorded


def _questions(s: Session, attempt: QuizAttempt) -> dict[int, QuizQuestion]:
    ids = [d["q"] for d in attempt.drawn]
    return {q.id: q for q in s.scalars(select(QuizQuestion).where(QuizQuestion.id.in_(ids)))}


def _rule(s: Session, quiz: Quiz, attempt: QuizAttempt) -> AttemptRule:
    q = QuizQuestion
    bank = s.scalar(select(func.count()).where(q.quiz_id == quiz.id, ~q.retired)) or 0
    return AttemptRule(quiz.pass_mark, attempt.number, quiz.attempts, len(attempt.drawn), bank)


def page_of(s: Session, quiz: Quiz, attempt: QuizAttempt, title: str, page: int) -> QuizPage:
    pages = max(1, -(-len(attempt.drawn) // PER_PAGE))
    page = min(max(1, page), pages)
    rows = _questions(s, attempt)
    views = []
    for number, d in enumerate(attempt.drawn, start=1):
        if (number - 1) // PER_PAGE + 1 != page:
            continue
        question = rows[d["q"]]
        values = {i: option_value(attempt.secret, question.id, i) for i in d["order"]}
        views.append(QuestionView(
            number=number, text=question.text,
            multiple=question.kind == QuestionKind.MULTIPLE.value,
            options=tuple((values[i], question.choices[i]) for i in d["order"]),
            picked=tuple(values[i] for i in attempt.answers.get(str(question.id), [])),
        ))  # fmt: skip
    return QuizPage(attempt.id, title, page, pages, tuple(views), _rule(s, quiz, attempt))


def outcome_of(
    s: Session, quiz: Quiz, attempt: QuizAttempt, title: str, *, already: bool = False
) -> QuizOutcome:
    assert attempt.score is not None and attempt.submitted_at is not None
    rows = _questions(s, attempt)
    wrong = set(s.scalars(select(QuizAnswer.question_id).where(
        QuizAnswer.attempt_id == attempt.id, ~QuizAnswer.correct)))  # fmt: skip
    missed = tuple(
        Missed(n, rows[d["q"]].text, rows[d["q"]].explanation)
        for n, d in enumerate(attempt.drawn, start=1)
        if d["q"] in wrong
    )
    a = QuizAttempt
    used, best = s.execute(
        select(func.count(), func.max(a.score))
        .where(a.quiz_id == quiz.id, a.assignment_id == attempt.assignment_id,
               a.submitted_at.is_not(None))
    ).one()  # fmt: skip
    left = None if not quiz.attempts else max(0, quiz.attempts - used)
    retry = None
    if not attempt.passed and left != 0:
        retry = next_try_at(attempt.submitted_at, quiz.retry_after_minutes)
    return QuizOutcome(
        attempt_id=attempt.id, title=title, score=attempt.score, passed=bool(attempt.passed),
        right=len(attempt.drawn) - len(missed), asked=len(attempt.drawn), best=best or 0,
        missed=missed, rule=_rule(s, quiz, attempt), attempts_left=left, retry_at=retry,
        already=already,
    )  # fmt: skip

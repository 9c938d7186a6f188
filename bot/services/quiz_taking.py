"""A learner taking a quiz: an attempt opened, its pages turned, submitted and scored.

Every step locks the assignment first (one order for every writer), so two clicks, two
submissions of the same attempt or a submission racing a new attempt serialise. A
submitted attempt is never scored again: submitting it twice gives the first result.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.errors import BotError, NotAllowed, NotFound
from bot.services.assignment_rows import locked, own_open
from bot.services.members import Caller
from bot.services.quiz_bank import questions_of, spec_of
from bot.services.quiz_effects import apply_pass, quiz_target
from bot.services.quiz_views import (
    PER_PAGE,
    QuizOutcome,
    QuizPage,
    Unanswered,
    outcome_of,
    page_of,
)
from models import Quiz, QuizAnswer, QuizAttempt, QuizQuestion, ResourceAssignment
from models.quiz_rules import decode, draw, is_right, next_try_at, score_of


class QuizService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tz = default_tz
        self._random = random.SystemRandom()

    def start(self, *, caller: Caller, assignment_id: int, quiz_id: int) -> QuizPage:
        """The first page of the attempt under way, or of a new one if one may start now."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = own_open(s, caller, assignment_id, now)
            quiz, target = quiz_target(s, row, quiz_id)
            attempt = _open_attempt(s, quiz.id, row.id)
            if attempt is None:
                _may_start(s, quiz, row.id, target.passed, now)
                attempt = self._new_attempt(s, quiz, row, caller, now, target.title)
            return page_of(s, quiz, attempt, attempt.title, 1)

    def turn(
        self, *, caller: Caller, attempt_id: int, answers: Mapping[int, Sequence[str]], to: int
    ) -> QuizPage:
        """Keep what was picked on this page and show page `to` (Next, Back)."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            attempt, quiz = _own_attempt(s, caller, attempt_id, now)
            _keep(attempt, answers)
            return page_of(s, quiz, attempt, attempt.title, to)

    def submit(
        self, *, caller: Caller, attempt_id: int, answers: Mapping[int, Sequence[str]]
    ) -> tuple[QuizOutcome, int | None]:
        """Score the attempt; a pass moves its training on (its assignment's id is returned
        for the redraw after the ack). Raises Unanswered (by question number, on whichever
        page) when something is left open."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            attempt, quiz = _own_attempt(s, caller, attempt_id, now, submitting=True)
            title = attempt.title
            if attempt.submitted_at is not None:  # sent twice: the first result stands
                return outcome_of(s, quiz, attempt, title, already=True), None
            _keep(attempt, answers)
            missing = [n for n, d in enumerate(attempt.drawn, start=1)
                       if not attempt.answers.get(str(d["q"]))]  # fmt: skip
            if missing:
                raise Unanswered(tuple(missing), (missing[0] - 1) // PER_PAGE + 1)
            keys = dict(s.execute(
                select(QuizQuestion.id, QuizQuestion.correct)
                .where(QuizQuestion.id.in_([d["q"] for d in attempt.drawn]))
            ).all())  # fmt: skip
            right = 0
            for d in attempt.drawn:
                picked = attempt.answers[str(d["q"])]
                ok = is_right(picked, keys[d["q"]])
                right += ok
                s.add(QuizAnswer(attempt_id=attempt.id, question_id=d["q"], picked=picked,
                                 correct=ok))  # fmt: skip
            attempt.score = score_of(right, len(attempt.drawn))
            attempt.passed = attempt.score >= quiz.pass_mark
            attempt.submitted_at = now
            s.flush()
            moved = None
            if attempt.passed:
                row = s.get_one(ResourceAssignment, attempt.assignment_id)
                apply_pass(s, row, quiz, caller.member_id, now, self._tz)
                moved = row.id
            return outcome_of(s, quiz, attempt, title), moved

    def _new_attempt(
        self,
        s: Session,
        quiz: Quiz,
        row: ResourceAssignment,
        caller: Caller,
        now: datetime,
        title: str,
    ) -> QuizAttempt:
        bank = questions_of(s, quiz.id)
        if not bank:
            raise BotError("This quiz has no questions yet; tell whoever assigned it.")
        q = QuizAttempt
        used = s.scalar(select(func.count()).where(q.quiz_id == quiz.id, q.assignment_id == row.id))
        attempt = QuizAttempt(
            workspace_id=caller.workspace_id, quiz_id=quiz.id, assignment_id=row.id,
            member_id=caller.member_id, number=(used or 0) + 1, secret=secrets.token_hex(16),
            title=title[:310],
            drawn=draw([b.id for b in bank], {b.id: len(b.choices) for b in bank},
                       spec_of(s, quiz), self._random),
            answers={}, started_at=now,
        )  # fmt: skip
        s.add(attempt)
        s.flush()
        return attempt


def _open_attempt(s: Session, quiz_id: int, assignment_id: int) -> QuizAttempt | None:
    q = QuizAttempt
    return s.scalars(
        select(q).where(q.quiz_id == quiz_id, q.assignment_id == assignment_id,
                        q.submitted_at.is_(None))
    ).first()  # fmt: skip


def _may_start(s: Session, quiz: Quiz, assignment_id: int, passed: bool, now: datetime) -> None:
    """Refuse a new attempt when passed already, out of attempts, or too soon."""
    q = QuizAttempt
    used, best, last = s.execute(
        select(func.count(), func.max(q.score), func.max(q.submitted_at))
        .where(q.quiz_id == quiz.id, q.assignment_id == assignment_id, q.submitted_at.is_not(None))
    ).one()  # fmt: skip
    if passed:
        raise BotError(f"You passed this quiz already (best score {best}%). Nothing to redo.")
    if quiz.attempts and used >= quiz.attempts:
        spent = "your one attempt" if quiz.attempts == 1 else f"all {quiz.attempts} attempts"
        raise BotError(
            f"You have used {spent} at this quiz (best score {best}%). "
            "Ask whoever assigned it if you need another go."
        )
    retry = next_try_at(last, quiz.retry_after_minutes)
    if retry is not None and now < retry:
        stamp = int(retry.timestamp())
        raise BotError(
            f"You can try again <!date^{stamp}^{{date_short_pretty}} at {{time}}|"
            f"at {retry:%Y-%m-%d %H:%M} UTC>."
        )


def _own_attempt(
    s: Session, caller: Caller, attempt_id: int, now: datetime, *, submitting: bool = False
) -> tuple[QuizAttempt, Quiz]:
    """The caller's attempt with its quiz; the assignment is locked first."""
    assignment_id = s.scalar(select(QuizAttempt.assignment_id).where(QuizAttempt.id == attempt_id))
    row = locked(s, assignment_id, now) if assignment_id is not None else None
    if row is None:
        raise NotFound("That quiz attempt no longer exists.")
    attempt = s.get_one(QuizAttempt, attempt_id)
    if attempt.workspace_id != caller.workspace_id or attempt.member_id != caller.member_id:
        raise NotAllowed("This quiz attempt is someone else's.")
    if attempt.submitted_at is not None and not submitting:
        raise BotError("This attempt was submitted already.")
    if attempt.submitted_at is None and row.cancelled_at is not None:
        raise BotError("This training was cancelled, so the quiz is closed.")
    return attempt, s.get_one(Quiz, attempt.quiz_id)


def _keep(attempt: QuizAttempt, answers: Mapping[int, Sequence[str]]) -> None:
    """Decode the page's picks (by question number in the attempt) into the attempt's
    answers; a value this attempt never offered refuses the whole request."""
    kept = dict(attempt.answers)
    for number, values in answers.items():
        if not 1 <= number <= len(attempt.drawn):
            raise NotAllowed("That answer is not part of this quiz attempt.")
        d = attempt.drawn[number - 1]
        picked = decode(attempt.secret, d["q"], len(d["order"]), values)
        if picked is None:
            raise NotAllowed("That answer is not part of this quiz attempt.")
        kept[str(d["q"])] = picked
    attempt.answers = kept

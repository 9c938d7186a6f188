"""Pure rules for quizzes: what a valid quiz is, drawing an attempt, opaque option values,
and scoring. No database, no Slack.

Option values are an HMAC of the attempt's secret, the question and the choice: they are
different in every attempt, say nothing about which choice is right, and a value not made
for this attempt (forged, or from someone else's) matches no choice.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from models.enums import QuestionKind
from models.quiz import (
    CHOICE_MAX,
    EXPLANATION_MAX,
    MAX_ATTEMPTS,
    MAX_CHOICES,
    MAX_QUESTIONS,
    MIN_CHOICES,
    QUESTION_MAX,
)

TRUE_FALSE = ("True", "False")


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    kind: QuestionKind
    choices: tuple[str, ...]
    correct: tuple[int, ...]
    explanation: str = ""


@dataclass(frozen=True)
class QuizSpec:
    questions: tuple[QuestionSpec, ...]
    pass_mark: int = 80
    attempts: int = 0  # 0: unlimited
    retry_after_minutes: int = 0
    draw: int | None = None  # None: every question
    shuffle: bool = False


def question_issues(q: QuestionSpec) -> list[tuple[str, str]]:
    """What is wrong with one question: (field, message) with field text, choices or
    explanation, so that a form can show each under its input."""
    issues: list[tuple[str, str]] = []
    if not q.text.strip():
        issues.append(("text", "Write the question."))
    elif len(q.text) > QUESTION_MAX:
        issues.append(("text", f"Keep the question under {QUESTION_MAX} characters."))
    if not MIN_CHOICES <= len(q.choices) <= MAX_CHOICES:
        issues.append(("choices", f"Give {MIN_CHOICES} to {MAX_CHOICES} choices."))
    if any(not choice.strip() for choice in q.choices):
        issues.append(("choices", "A choice is empty."))
    if any(len(choice) > CHOICE_MAX for choice in q.choices):
        issues.append(("choices", f"Keep each choice under {CHOICE_MAX} characters."))
    folded = [" ".join(choice.split()).casefold() for choice in q.choices]
    if len(set(folded)) != len(folded):
        issues.append(("choices", "Two choices are the same."))
    if not q.correct:
        issues.append(("choices", "Mark at least one correct choice."))
    elif any(not 0 <= i < len(q.choices) for i in q.correct):
        issues.append(("choices", "A correct choice is not one of its choices."))
    elif q.kind is not QuestionKind.MULTIPLE and len(set(q.correct)) > 1:
        issues.append(("choices", "Mark one correct choice (or make it multiple choice)."))
    if q.kind is QuestionKind.TRUE_FALSE and q.choices != TRUE_FALSE:
        issues.append(("choices", 'A true/false question has the choices "True" and "False".'))
    if len(q.explanation) > EXPLANATION_MAX:
        issues.append(("explanation", f"Keep the explanation under {EXPLANATION_MAX} characters."))
    return issues


def question_problems(number: int, q: QuestionSpec) -> list[str]:
    """What is wrong with one question, each message naming it by its number."""
    return [f"Question {number}: {message[0].lower()}{message[1:]}" for _, message in
            question_issues(q)]  # fmt: skip


def quiz_problems(spec: QuizSpec) -> list[str]:
    problems: list[str] = []
    if not spec.questions:
        problems.append("A quiz needs at least one question.")
    if len(spec.questions) > MAX_QUESTIONS:
        problems.append(f"A quiz has at most {MAX_QUESTIONS} questions.")
    if not 1 <= spec.pass_mark <= 100:
        problems.append("The pass mark is a percentage from 1 to 100.")
    if not 0 <= spec.attempts <= MAX_ATTEMPTS:
        problems.append(f"Attempts are 1 to {MAX_ATTEMPTS}, or 0 for unlimited.")
    if spec.retry_after_minutes < 0:
        problems.append("The wait between attempts cannot be negative.")
    if spec.draw is not None and not 1 <= spec.draw <= len(spec.questions):
        problems.append(f"Draw 1 to {len(spec.questions)} questions per attempt (the bank).")
    for number, question in enumerate(spec.questions, start=1):
        problems.extend(question_problems(number, question))
    return problems


def draw(
    question_ids: Sequence[int],
    choice_counts: Mapping[int, int],
    spec: QuizSpec,
    rng: random.Random,
) -> list[dict[str, Any]]:
    """The questions of a new attempt, in the order shown, each with its choices' order."""
    ids = list(question_ids)
    if spec.draw is not None and spec.draw < len(ids):
        ids = sorted(rng.sample(ids, spec.draw), key=ids.index)
    if spec.shuffle:
        rng.shuffle(ids)
    drawn = []
    for qid in ids:
        order = list(range(choice_counts[qid]))
        if spec.shuffle:
            rng.shuffle(order)
        drawn.append({"q": qid, "order": order})
    return drawn


def option_value(secret: str, question_id: int, choice: int) -> str:
    """The value a choice carries in this attempt's modal."""
    digest = hmac.new(secret.encode(), f"{question_id}:{choice}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def decode(secret: str, question_id: int, choices: int, values: Sequence[str]) -> list[int] | None:
    """The choice indices these values stand for; None when one of them is not this
    attempt's (forged, replayed from another attempt, or for another question)."""
    table = {option_value(secret, question_id, i): i for i in range(choices)}
    picked = [table.get(value) for value in values]
    if any(i is None for i in picked):
        return None
    return sorted({i for i in picked if i is not None})


def is_right(picked: Sequence[int], correct: Sequence[int]) -> bool:
    """All correct choices and no other (single choice: the one)."""
    return set(picked) == set(correct)


def score_of(right: int, asked: int) -> int:
    """A percentage rounded down, so that a pass is never rounded into one."""
    return (100 * right) // asked if asked else 0


def next_try_at(last_submitted: datetime | None, retry_after_minutes: int) -> datetime | None:
    if last_submitted is None or not retry_after_minutes:
        return None
    return last_submitted + timedelta(minutes=retry_after_minutes)

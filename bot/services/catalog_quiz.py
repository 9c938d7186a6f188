"""A quiz in a JSON catalog, on a resource or a course section:

    "quiz": {"pass_mark": 80, "attempts": 3, "retry_after_minutes": 60, "draw": 5,
             "shuffle": true, "questions": [{"text": ..., "kind": "single|multiple|true_false",
             "choices": [...], "correct": [indices], "explanation": ...}]}

Only `questions` is required; `attempts` 0 means unlimited, no `draw` means every question.
A true/false question may leave out its choices ("True", "False").
"""

from __future__ import annotations

from typing import Any

from models.enums import QuestionKind
from models.quiz_rules import TRUE_FALSE, QuestionSpec, QuizSpec, quiz_problems

QUIZ_KEYS = {"pass_mark", "attempts", "retry_after_minutes", "draw", "shuffle", "questions"}
QUESTION_KEYS = {"text", "kind", "choices", "correct", "explanation"}


def parse_quiz(raw: Any) -> tuple[QuizSpec | None, list[str]]:
    """The quiz a file describes, or what is wrong with it (each problem says where)."""
    if not isinstance(raw, dict):
        return None, ["quiz: must be an object with questions"]
    problems: list[str] = []
    if set(raw) - QUIZ_KEYS:
        problems.append(f"quiz: unknown key(s) {', '.join(sorted(set(raw) - QUIZ_KEYS))}")
    numbers = {
        key: _whole(raw.get(key), key, problems)
        for key in ("pass_mark", "attempts", "retry_after_minutes", "draw")
    }
    shuffle = raw.get("shuffle", False)
    if not isinstance(shuffle, bool):
        problems.append("quiz: shuffle is true or false")
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        return None, [*problems, "quiz: questions: a list with at least one question"]
    questions = [_question(n, q, problems) for n, q in enumerate(raw_questions, start=1)]
    if problems:
        return None, problems
    spec = QuizSpec(
        questions=tuple(q for q in questions if q is not None),
        pass_mark=80 if numbers["pass_mark"] is None else numbers["pass_mark"],
        attempts=numbers["attempts"] or 0,
        retry_after_minutes=numbers["retry_after_minutes"] or 0,
        draw=numbers["draw"],
        shuffle=bool(shuffle),
    )
    found = quiz_problems(spec)
    return (None, [f"quiz: {p}" for p in found]) if found else (spec, [])


def _whole(value: Any, key: str, problems: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"quiz: {key} is a whole number")
        return None
    return value


def _question(number: int, raw: Any, problems: list[str]) -> QuestionSpec | None:
    where = f"quiz: question {number}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be an object")
        return None
    if set(raw) - QUESTION_KEYS:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(set(raw) - QUESTION_KEYS))}")
    try:
        kind = QuestionKind(str(raw.get("kind") or QuestionKind.SINGLE.value))
    except ValueError:
        problems.append(f"{where}: kind is single, multiple or true_false")
        return None
    choices = raw.get("choices", list(TRUE_FALSE) if kind is QuestionKind.TRUE_FALSE else None)
    correct = raw.get("correct")
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        problems.append(f"{where}: choices is a list of texts")
        return None
    if isinstance(correct, int) and not isinstance(correct, bool):
        correct = [correct]
    if not isinstance(correct, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in correct
    ):
        problems.append(f"{where}: correct is a list of choice indices (0 is the first)")
        return None
    return QuestionSpec(
        text=" ".join(str(raw.get("text") or "").split()),
        kind=kind,
        choices=tuple(" ".join(c.split()) for c in choices),
        correct=tuple(sorted(set(correct))),
        explanation=str(raw.get("explanation") or "").strip(),
    )

"""The quiz editor's draft (plain data, no I/O): questions added, edited, moved, removed.

{"questions": [{"key", "text", "kind", "choices", "correct", "explanation"}], "next": n,
 "settings": {"pass_mark", "attempts", "retry_after_minutes", "draw", "shuffle"},
 "section": section id or absent}. A question's form writes its choices one per line, the
right ones starting with "*": what a manager types, and what the editor shows back.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.services.builder_ops import Draft, DraftRefused, arrange, new_key
from models.enums import QuestionKind
from models.quiz import MAX_QUESTIONS
from models.quiz_rules import TRUE_FALSE, QuestionSpec, QuizSpec, question_issues

RIGHT = "*"


def quiz_draft(spec: QuizSpec | None, section_id: int | None) -> Draft:
    draft: Draft = {"questions": [], "next": 0, "settings": _settings(spec or QuizSpec(()))}
    if section_id is not None:
        draft["section"] = section_id
    for question in spec.questions if spec else ():
        draft["questions"].append({"key": new_key(draft), **_plain(question)})
    return draft


def _settings(spec: QuizSpec) -> dict[str, Any]:
    return {k: v for k, v in asdict(spec).items() if k != "questions"}


def _plain(q: QuestionSpec) -> dict[str, Any]:
    return {"text": q.text, "kind": q.kind.value, "choices": list(q.choices),
            "correct": list(q.correct), "explanation": q.explanation}  # fmt: skip


def spec_of_draft(draft: Draft, settings: dict[str, Any]) -> QuizSpec:
    """The quiz the draft describes, with the settings as typed in the editor."""
    return QuizSpec(
        questions=tuple(
            QuestionSpec(
                q["text"],
                QuestionKind(q["kind"]),
                tuple(q["choices"]),
                tuple(q["correct"]),
                q["explanation"],
            )
            for q in draft["questions"]
        ),
        **settings,
    )


def choices_text(question: dict[str, Any]) -> str:
    """A question's choices as its form shows them: one per line, the right ones starred."""
    return "\n".join(
        (RIGHT if n in question["correct"] else "") + choice
        for n, choice in enumerate(question["choices"])
    )


def question_from_form(
    text: str, kind: str, choices: str, explanation: str
) -> tuple[QuestionSpec | None, dict[str, str]]:
    """A question from its form, or a message per field ("text", "choices", "explanation")."""
    lines = [line.strip() for line in choices.splitlines() if line.strip()]
    names = [line.lstrip(RIGHT).strip() for line in lines]
    right = tuple(n for n, line in enumerate(lines) if line.startswith(RIGHT))
    question_kind = QuestionKind(kind)
    if question_kind is QuestionKind.TRUE_FALSE and not names:
        names = list(TRUE_FALSE)  # (no right one marked: the error asks for it)
    elif question_kind is QuestionKind.TRUE_FALSE and {n.casefold() for n in names} <= {
        "true", "false",
    }:  # fmt: skip
        names = [n.capitalize() for n in names]
    spec = QuestionSpec(" ".join(text.split()), question_kind, tuple(names), right,
                        explanation.strip())  # fmt: skip
    errors: dict[str, str] = {}
    for field, message in question_issues(spec):
        errors.setdefault(field, message)
    return (None, errors) if errors else (spec, {})


def put_question(draft: Draft, key: str | None, question: QuestionSpec) -> None:
    """Add a question (no key) or replace the one with `key`."""
    questions: list[dict[str, Any]] = draft["questions"]
    if key is None:
        if len(questions) >= MAX_QUESTIONS:
            raise DraftRefused(f"A quiz has at most {MAX_QUESTIONS} questions.")
        questions.append({"key": new_key(draft), **_plain(question)})
        return
    found = next((q for q in questions if q["key"] == key), None)
    if found is None:
        raise DraftRefused("That question was removed meanwhile.")
    found.update(_plain(question))


def question_op(draft: Draft, op: str, key: str) -> None:
    questions: list[dict[str, Any]] = draft["questions"]
    index = next((n for n, q in enumerate(questions) if q["key"] == key), None)
    arrange(questions, index, op, "That question was removed meanwhile.")


def question(draft: Draft, key: str) -> dict[str, Any]:
    found = next((q for q in draft["questions"] if q["key"] == key), None)
    if found is None:
        raise DraftRefused("That question was removed meanwhile.")
    return dict(found)

"""Reading the quiz editor and the question form: settings, a question's fields, metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.ids import INPUT, Block


@dataclass(frozen=True)
class QuizMeta:
    """What the editor and its question form carry: the draft, where it was opened from,
    and (the form) which question is being edited (None: a new one)."""

    draft_id: int
    from_home: bool = False
    question: str | None = None

    def dumps(self) -> str:
        data = {"draft": self.draft_id, "home": self.from_home, "question": self.question}
        return json.dumps({k: v for k, v in data.items() if v}, separators=(",", ":"))

    @classmethod
    def of(cls, view: dict[str, Any]) -> QuizMeta:
        data = json.loads(view.get("private_metadata") or "{}")
        return cls(int(data["draft"]), data.get("home") is True, data.get("question"))


def _state(view: dict[str, Any], block: str) -> dict[str, Any]:
    values = ((view.get("state") or {}).get("values") or {}).get(block) or {}
    found: dict[str, Any] = values.get(INPUT) or {}
    return found


def typed(view: dict[str, Any], block: str) -> str:
    element = _state(view, block)
    option = element.get("selected_option")
    return str(option["value"] if option else element.get("value") or "").strip()


def quiz_settings(view: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The editor's settings as typed (for the draft), and a message per bad field."""
    errors: dict[str, str] = {}

    def whole(block: str, low: int, high: int, message: str) -> int | None:
        raw = typed(view, block)
        if not raw:
            return None
        if not raw.isdigit() or not low <= int(raw) <= high:
            errors[block] = message
            return None
        return int(raw)

    pass_mark = whole(Block.PASS_MARK, 1, 100, "The pass mark is a percentage from 1 to 100.")
    wait = whole(Block.RETRY_AFTER, 0, 43200, "Wait 0 to 43,200 minutes (30 days).")
    settings = {
        "pass_mark": 80 if pass_mark is None else pass_mark,
        "attempts": whole(Block.ATTEMPTS, 0, 10, "Choose how many attempts are allowed.") or 0,
        "retry_after_minutes": wait or 0,
        "draw": whole(Block.DRAW, 1, 50, "Draw 1 to 50 questions, or leave it empty for all."),
        "shuffle": bool(_state(view, Block.SHUFFLE).get("selected_options")),
    }
    if pass_mark is None and Block.PASS_MARK not in errors:
        errors[Block.PASS_MARK] = "Give a pass mark from 1 to 100."
    return settings, errors


QUESTION_FIELDS = {
    "text": Block.QUESTION_TEXT,
    "choices": Block.QUESTION_CHOICES,
    "explanation": Block.QUESTION_EXPLANATION,
}


def question_fields(view: dict[str, Any]) -> tuple[str, str, str, str]:
    """(text, kind, choices, explanation) as typed in the question form."""
    return (
        typed(view, Block.QUESTION_TEXT),
        typed(view, Block.QUESTION_KIND) or "single",
        str(_state(view, Block.QUESTION_CHOICES).get("value") or ""),
        typed(view, Block.QUESTION_EXPLANATION),
    )

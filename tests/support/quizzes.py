"""Quizzes in tests: the sample file, Take quiz, and answering a page by choice text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.fakeslack import SlackClient
from bot.ids import Action, Block
from tests.support.courses import import_sample
from tests.support.library import next_call, top_view

QUIZZES = Path(__file__).parent.parent / "data" / "quizzes.json"


def import_quizzes(app: Any) -> Any:
    return import_sample(app, QUIZZES)


def quiz_button(message: dict[str, Any], under: str | None = None) -> dict[str, Any]:
    """The Take quiz button of a DM or view (in the block whose text has `under`, if given)."""
    for block in message["blocks"]:
        buttons = [block.get("accessory")] if block.get("accessory") else block.get("elements", [])
        for button in buttons:
            if not isinstance(button, dict) or button.get("action_id") != Action.QUIZ_TAKE:
                continue
            if under is None or under in str((block.get("text") or {}).get("text", "")):
                return button
    raise AssertionError(f"no Take quiz button{' under ' + under if under else ''}")


def take(
    slack: SlackClient, user: str, message: dict[str, Any], under: str | None = None
) -> dict[str, Any]:
    """Click Take quiz in a DM; returns the modal it opens."""
    button = quiz_button(message, under)
    before = len(slack.fake.calls_to("views.open"))
    slack.click(user=user, action_id=Action.QUIZ_TAKE, value=button["value"],
                channel=slack.fake.dm_channel(user), ts=message["ts"])  # fmt: skip
    next_call(slack, "views.open", before)
    return top_view(slack, user)


def questions(view: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The page's question inputs by number."""
    found = {}
    for block in view["blocks"]:
        block_id = str(block.get("block_id", ""))
        if block["type"] == "input" and block_id.startswith(f"{Block.QUESTION}:"):
            found[int(block_id.split(":")[1])] = block
    return found


def picks(view: dict[str, Any], chosen: dict[str, list[str]]) -> dict[str, Any]:
    """Submission values for the page: per question whose label contains a key, the
    options whose text is listed (a radio takes one value, checkboxes a list)."""
    values: dict[str, Any] = {}
    for number, block in questions(view).items():
        label = block["label"]["text"]
        key = next((k for k in chosen if k in label), None)
        if key is None:
            continue
        element = block["element"]
        found = [o["value"] for o in element["options"] if o["text"]["text"] in chosen[key]]
        assert len(found) == len(chosen[key]), f"{chosen[key]} not all in {label}"
        values[f"{Block.QUESTION}:{number}"] = (
            found if element["type"] == "checkboxes" else found[0]
        )
    return values

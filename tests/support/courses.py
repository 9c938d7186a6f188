"""Courses and paths in tests: importing the sample file, assigning through /assign."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bot.fakeslack import SlackClient
from bot.ids import Action, Block
from bot.services.catalog_files import parse_catalog, read_catalog_file
from bot.services.catalog_rows import ImportResult
from models import TrainingResource
from tests.support.library import next_call, top_view
from tests.support.waiting import eventually

SAMPLE = Path(__file__).parent.parent / "data" / "courses_and_paths.json"


def import_sample(app: Any, path: Path = SAMPLE, workspace_id: int | None = None) -> ImportResult:
    """The sample catalog (three articles, a video, a course, a path, a broken course)."""
    result: ImportResult = app.services.catalog.import_rows(
        rows=parse_catalog(*read_catalog_file(path)), workspace_id=workspace_id
    )
    return result


def resource_id(engine: Engine, external_id: str) -> int:
    with engine.connect() as conn:
        found = conn.scalar(
            select(TrainingResource.id).where(TrainingResource.external_id == external_id)
        )
    assert found is not None, external_id
    return int(found)


def open_assign(slack: SlackClient, user: str, text: str = "") -> dict[str, Any]:
    before = len(slack.fake.calls_to("views.open"))
    slack.command("/assign", text, user=user)
    next_call(slack, "views.open", before)
    return top_view(slack, user)


def option_for(slack: SlackClient, user: str, view: dict[str, Any], label: str) -> tuple[str, str]:
    """The typeahead's option whose label is `label` ("Path: New support agent")."""
    answer = slack.suggest(
        user=user, view_id=view["id"], action_id=Action.ASSIGN_RESOURCE, value=label.split(": ")[-1]
    )
    assert answer.json is not None
    labels = [o["text"]["text"] for o in answer.json["options"]]
    option = next((o for o in answer.json["options"] if o["text"]["text"] == label), None)
    assert option is not None, f"{label!r} not among {labels}"
    return option["value"], option["text"]["text"]


def choose_training(slack: SlackClient, user: str, label: str) -> dict[str, Any]:
    """Pick a training in the open /assign modal; the app redraws it for that training."""
    view = top_view(slack, user)
    chosen = option_for(slack, user, view, label)
    before = len(slack.fake.calls_to("views.update"))
    slack.select(user=user, view_id=view["id"], action_id=Action.ASSIGN_RESOURCE, value=chosen)
    next_call(slack, "views.update", before)
    return top_view(slack, user)


def assign(
    slack: SlackClient, manager: str, label: str, people: list[str], **values: Any
) -> dict[str, Any]:
    """/assign `label` to `people` through the modal; returns the submission's answer."""
    open_assign(slack, manager)
    view = choose_training(slack, manager, label)
    response = slack.submit_view(
        user=manager, view_id=view["id"], values={Block.PEOPLE: people, **values}
    )
    assert response.status == 200
    return response.json or {}


def dm(slack: SlackClient, user: str, index: int = 0) -> dict[str, Any]:
    """The `index`th message in the person's DM with Trainbot (as it stands now), files
    shared there (certificates) left out."""

    def probe() -> dict[str, Any] | None:
        messages = [m for m in slack.fake.messages(slack.fake.dm_channel(user))
                    if not m.get("files")]  # fmt: skip
        return messages[index] if len(messages) > index else None

    return eventually(probe, what=f"DM {index} to {user}")


def item_button(message: dict[str, Any], title: str) -> dict[str, Any]:
    """The Done / Undo button of the course item titled `title` in a DM or modal."""
    for block in message["blocks"]:
        if str(block.get("block_id", "")).startswith("item:") and title in block["text"]["text"]:
            accessory = block.get("accessory")
            assert accessory is not None, f"{title} has no button"
            return dict(accessory)
    raise AssertionError(f"no item {title!r}")

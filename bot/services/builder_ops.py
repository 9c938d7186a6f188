"""What each click in the course and path builders does to a draft (plain data, no I/O).

A course draft: {"sections": [{"key", "title", "items": [{"id", "optional"}], "row"}],
"next": n}, where "row" is the stored section's id (its quiz stays with it), absent for new.
A path draft: {"steps": [{"key", "id", "days"}], "next": n}. Keys are stable per section
or step, so block_ids (and what Slack keeps typed in them) follow a section that moves.
"""

from __future__ import annotations

from typing import Any

from models.course import MAX_ITEMS_PER_SECTION, MAX_SECTIONS
from models.path import MAX_STEPS
from models.resource import TITLE_MAX
from models.structure import ItemSpec, SectionSpec, StepSpec

Draft = dict[str, Any]


class DraftRefused(ValueError):
    """A click that cannot be carried out; the message is shown in the builder."""


def new_key(draft: Draft) -> str:
    draft["next"] = int(draft.get("next", 0)) + 1
    return f"k{draft['next']}"


def course_draft(sections: tuple[SectionSpec, ...]) -> Draft:
    draft: Draft = {"sections": [], "next": 0}
    for spec in sections:
        draft["sections"].append({
            "key": new_key(draft), "title": spec.title, "row": spec.id,
            "items": [{"id": item.resource_id, "optional": item.optional} for item in spec.items],
        })  # fmt: skip
    return draft


def path_draft(steps: tuple[StepSpec, ...]) -> Draft:
    draft: Draft = {"steps": [], "next": 0}
    for step in steps:
        draft["steps"].append(
            {"key": new_key(draft), "id": step.resource_id, "days": step.due_days}
        )
    return draft


def sections_of(draft: Draft) -> tuple[SectionSpec, ...]:
    return tuple(
        SectionSpec(str(sec["title"]),
                    tuple(ItemSpec(int(i["id"]), bool(i["optional"])) for i in sec["items"]),
                    sec.get("row"))
        for sec in draft.get("sections", [])
    )  # fmt: skip


def steps_of(draft: Draft, days: dict[str, int | None] | None = None) -> tuple[StepSpec, ...]:
    """The steps; `days` (by step key) are what the manager typed, over what was stored."""
    typed = days or {}
    return tuple(
        StepSpec(int(step["id"]), typed.get(step["key"], step.get("days")))
        for step in draft.get("steps", [])
    )


def add_section(draft: Draft, title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise DraftRefused("Type the new section's title first.")
    if len(title) > TITLE_MAX:
        raise DraftRefused(f"Keep a section's title under {TITLE_MAX} characters.")
    if len(draft["sections"]) >= MAX_SECTIONS:
        raise DraftRefused(f"A course has at most {MAX_SECTIONS} sections.")
    key = new_key(draft)
    draft["sections"].append({"key": key, "title": title, "items": []})
    return key


def section(draft: Draft, key: str) -> dict[str, Any]:
    found: dict[str, Any] | None = next(
        (sec for sec in draft["sections"] if sec["key"] == key), None
    )
    if found is None:
        raise DraftRefused("That section was removed meanwhile.")
    return found


def rename_section(draft: Draft, key: str, title: str) -> None:
    title = " ".join(title.split())
    if not title:
        raise DraftRefused("A section needs a title.")
    section(draft, key)["title"] = title[:TITLE_MAX]


def move(rows: list[dict[str, Any]], index: int, by: int) -> None:
    """Move rows[index] up (-1) or down (+1); at an end it stays."""
    target = index + by
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]


def arrange(rows: list[dict[str, Any]], index: int | None, op: str, gone: str) -> None:
    """Move rows[index] "up" or "down", or "remove" it; `gone` says it no longer exists."""
    if index is None:
        raise DraftRefused(gone)
    if op in ("up", "down"):
        move(rows, index, -1 if op == "up" else 1)
    elif op == "remove":
        del rows[index]


def section_op(draft: Draft, op: str, key: str) -> None:
    sections = draft["sections"]
    arrange(sections, sections.index(section(draft, key)), op, "")


def add_item(draft: Draft, key: str, resource_id: int, title: str) -> None:
    for number, sec in enumerate(draft["sections"], start=1):
        if any(int(i["id"]) == resource_id for i in sec["items"]):
            raise DraftRefused(f"{title} is in section {number} already: an item appears once.")
    items = section(draft, key)["items"]
    if len(items) >= MAX_ITEMS_PER_SECTION:
        raise DraftRefused(f"A section holds at most {MAX_ITEMS_PER_SECTION} items: add another.")
    items.append({"id": resource_id, "optional": False})
    new_key(draft)  # a fresh block_id for the typeahead and the link fields: Slack clears them


def item_op(draft: Draft, op: str, key: str, resource_id: int) -> None:
    items = section(draft, key)["items"]
    index = next((n for n, i in enumerate(items) if int(i["id"]) == resource_id), None)
    if op == "optional" and index is not None:
        items[index]["optional"] = not items[index]["optional"]
    else:
        arrange(items, index, op, "That item was removed meanwhile.")


def add_step(draft: Draft, resource_id: int, title: str, days: int | None = None) -> None:
    if any(int(step["id"]) == resource_id for step in draft["steps"]):
        raise DraftRefused(f"{title} is a step already.")
    if len(draft["steps"]) >= MAX_STEPS:
        raise DraftRefused(f"A path has at most {MAX_STEPS} steps.")
    draft["steps"].append({"key": new_key(draft), "id": resource_id, "days": days})


def keep_days(draft: Draft, days: dict[str, int | None]) -> None:
    """What the manager typed in the steps' days so far, kept before the draft changes."""
    for step in draft["steps"]:
        if step["key"] in days:
            step["days"] = days[step["key"]]


def step_op(draft: Draft, op: str, key: str, days: dict[str, int | None]) -> None:
    """Move or remove a step; `days` typed so far are kept in the draft first."""
    keep_days(draft, days)
    steps = draft["steps"]
    index = next((n for n, step in enumerate(steps) if step["key"] == key), None)
    arrange(steps, index, op, "That step was removed meanwhile.")


def referenced(draft: Draft) -> list[int]:
    """Every resource the draft names (for one lookup of titles and types)."""
    ids = [int(i["id"]) for sec in draft.get("sections", []) for i in sec["items"]]
    return ids + [int(step["id"]) for step in draft.get("steps", [])]

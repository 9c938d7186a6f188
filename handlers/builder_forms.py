"""Reading the course and path builders: their fields, typed titles and days, metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.ids import INPUT, Action, Block
from handlers.forms import content_errors_for_modal, content_values
from models.path import MAX_DUE_DAYS, ROLE_MAX
from models.rules import ContentFields, validate_content


@dataclass(frozen=True)
class BuilderMeta:
    """What a builder view carries: its draft, and where it was opened from."""

    draft_id: int
    from_home: bool = False
    section: str | None = None  # a section editor: which section
    parent: str | None = None  # a section editor: the builder's view id underneath

    def dumps(self) -> str:
        data = {"draft": self.draft_id, "home": self.from_home, "section": self.section,
                "parent": self.parent}  # fmt: skip
        return json.dumps({k: v for k, v in data.items() if v}, separators=(",", ":"))

    @classmethod
    def of(cls, view: dict[str, Any]) -> BuilderMeta:
        data = json.loads(view.get("private_metadata") or "{}")
        return cls(int(data["draft"]), data.get("home") is True, data.get("section"),
                   data.get("parent"))  # fmt: skip


def _values(view: dict[str, Any]) -> dict[str, Any]:
    return dict((view.get("state") or {}).get("values") or {})


def _typed(view: dict[str, Any], prefix: str, action_id: str = INPUT) -> str:
    """The value typed in the input whose block_id starts with `prefix` (ids carry a counter
    so that Slack clears them once used)."""
    for block_id, elements in _values(view).items():
        if block_id.split(":")[0] == prefix:
            element = elements.get(action_id) or {}
            option = element.get("selected_option")
            return str((option or {}).get("value") if option else element.get("value") or "")
    return ""


def block_of(view: dict[str, Any], prefix: str) -> str:
    """The current block_id of the input named `prefix` (for an error under it)."""
    for block in view.get("blocks") or []:
        if str(block.get("block_id", "")).split(":")[0] == prefix:
            return str(block["block_id"])
    return prefix


def builder_fields(view: dict[str, Any], kind: str) -> tuple[ContentFields | None, dict[str, str]]:
    """A builder's resource fields, validated as any content (a link is optional)."""
    raw, _ = content_values(view)
    raw["type"] = kind
    fields, errors = validate_content(raw, structured=True)
    return fields, content_errors_for_modal(errors)


def new_section_title(view: dict[str, Any]) -> str:
    return _typed(view, Block.NEW_SECTION, Action.BUILDER_ADD_SECTION)


def section_title(view: dict[str, Any]) -> str:
    return " ".join(_typed(view, Block.SECTION_TITLE).split())


def link_values(view: dict[str, Any]) -> dict[str, str | None]:
    """A new link typed in a section editor, as import-style raw values."""
    return {
        "title": _typed(view, Block.LINK_TITLE),
        "url": _typed(view, Block.LINK_URL),
        "type": _typed(view, Block.LINK_TYPE) or "article",
    }


def path_extras(
    view: dict[str, Any], errors: dict[str, str]
) -> tuple[str, int | None, dict[str, int | None], bool]:
    """A path's role, overall days, each step's days (by step key), and "apply to current"."""
    role = " ".join(_typed(view, Block.ROLE).split())
    if len(role) > ROLE_MAX:
        errors[Block.ROLE] = f"Keep the role under {ROLE_MAX} characters."
    due = _days(_typed(view, Block.PATH_DUE), Block.PATH_DUE, errors)
    step_days = {
        block_id.split(":", 1)[1]: _days(str((elements.get(INPUT) or {}).get("value") or ""),
                                         block_id, errors)
        for block_id, elements in _values(view).items()
        if block_id.startswith(Block.STEP_DAYS + ":")
    }  # fmt: skip
    ticked = (_values(view).get(Block.APPLY) or {}).get(INPUT) or {}
    apply = any(o.get("value") == "apply" for o in ticked.get("selected_options") or [])
    return role, due, step_days, apply


def _days(raw: str, block: str, errors: dict[str, str]) -> int | None:
    if not raw.strip():
        return None
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_DUE_DAYS:
        errors[block] = f"A whole number of days, 1 to {MAX_DUE_DAYS}."
        return None
    return int(raw)

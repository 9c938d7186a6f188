"""Turning Slack payloads (command text, view state, metadata) into plain values."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from bot.errors import BotError
from bot.ids import INPUT, Action, Block
from bot.render import mrkdwn
from bot.services.library import SEARCH_MAX, LibraryQuery
from models.enums import Access, Difficulty, ResourceStatus, ResourceType
from models.rules import ContentFields, slugify, validate_content

LIBRARY_USAGE = (
    "Usage: `/library [words] [type:video] [domain:sales] [access:free] [level:beginner] "
    "[for:me]`\n"
    f"Types: {', '.join(t.value for t in ResourceType)}. "
    f"Access: {', '.join(a.value for a in Access)}. "
    f"Levels: {', '.join(d.value for d in Difficulty)}.\n"
    "`for:me`: what is recommended for you, best first.\n"
    "Example: `/library negotiation type:video level:beginner`"
)
ANY = "any"  # a filter's "Any" option
_FILTER_KEYS = {"type": "type", "domain": "domain", "access": "access", "level": "difficulty"}
_CHOICES: dict[str, set[str]] = {
    "type": {t.value for t in ResourceType},
    "access": {a.value for a in Access},
    "difficulty": {d.value for d in Difficulty},
}
FILTER_ACTIONS = {
    Action.LIBRARY_FILTER_TYPE: "type",
    Action.LIBRARY_FILTER_DOMAIN: "domain",
    Action.LIBRARY_FILTER_ACCESS: "access",
    Action.LIBRARY_FILTER_LEVEL: "difficulty",
}
# Where each content field's error shows in the modal.
CONTENT_BLOCKS = {
    "title": Block.TITLE,
    "description": Block.DESCRIPTION,
    "type": Block.TYPE,
    "access": Block.ACCESS,
    "url": Block.URL,
    "thumbnail": Block.THUMBNAIL,
    "partner": Block.PARTNER,
    "status": Block.STATUS,
    "domains": Block.DOMAINS,
    "difficulty": Block.DIFFICULTY,
    "skills": Block.SKILLS,
    "duration_minutes": Block.DURATION,
}


def parse_library_text(text: str) -> LibraryQuery:
    """`/library negotiation type:video` -> a query; unknown filters explain the usage."""
    words: list[str] = []
    filters: dict[str, str] = {}
    for_me = False
    for token in text.split():
        key, sep, value = token.partition(":")
        if token.lower() == "for:me":
            for_me = True
            continue
        if not sep or key.lower() not in _FILTER_KEYS:
            if sep and key.isalpha() and value:
                raise BotError(f"I don't know the filter `{mrkdwn(key)}:`.\n{LIBRARY_USAGE}")
            words.append(token)
            continue
        field = _FILTER_KEYS[key.lower()]
        value = value.lower()
        if field == "domain":
            value = slugify(value)
        elif value not in _CHOICES[field]:
            raise BotError(f"`{mrkdwn(token)}` is not a filter I know.\n{LIBRARY_USAGE}")
        filters[field] = value
    if words and words[0].lower() in ("help", "?"):
        raise BotError(LIBRARY_USAGE)
    return LibraryQuery(
        words=" ".join(words)[:SEARCH_MAX],
        type=filters.get("type"),
        domain=filters.get("domain"),
        access=filters.get("access"),
        difficulty=filters.get("difficulty"),
        for_me=for_me,
    )


def query_to_dict(query: LibraryQuery) -> dict[str, Any]:
    data = {k: v for k, v in asdict(query).items() if v not in (None, "", False)}
    data["status"] = query.status.value if query.status else ANY
    return data


def query_to_metadata(query: LibraryQuery) -> str:
    return json.dumps(query_to_dict(query), separators=(",", ":"))


def query_from_dict(data: Any) -> LibraryQuery:
    try:
        data = {k: v for k, v in dict(data).items() if k in LibraryQuery.__dataclass_fields__}
        data["status"] = _status(data.get("status", "published"))
        data["own"] = data.get("own") is True
        data["for_me"] = data.get("for_me") is True
        if data["status"] is None and not data["own"]:
            data["status"] = ResourceStatus.PUBLISHED
        data["words"] = str(data.get("words", ""))[:SEARCH_MAX]
        return LibraryQuery(**data)
    except (ValueError, TypeError):
        return LibraryQuery()  # an old or foreign view: start from the top


def query_from_metadata(metadata: str) -> LibraryQuery:
    try:
        return query_from_dict(json.loads(metadata or "{}"))
    except ValueError:
        return LibraryQuery()


def query_after_action(view: dict[str, Any], action: dict[str, Any]) -> LibraryQuery:
    """The library query a click in the modal asks for (filters reset paging)."""
    query = query_from_metadata(view.get("private_metadata", ""))
    if "state" in view:  # what is typed in the search box counts, even before Enter
        query = replace(query, words=search_text(view)[:SEARCH_MAX])
    action_id = action.get("action_id")
    if action_id == Action.LIBRARY_CLEAR:
        return LibraryQuery(status=query.status, own=query.own)
    if action_id == Action.LIBRARY_FOR_ME:
        return replace(query, for_me=action.get("value") == "on", page=1)
    if action_id in (Action.LIBRARY_PREVIOUS, Action.LIBRARY_NEXT):
        return replace(query, page=int(action.get("value") or 1))
    if action_id == Action.LIBRARY_SEARCH:
        return replace(query, words=str(action.get("value") or "")[:SEARCH_MAX], page=1)
    if action_id == Action.LIBRARY_FILTER_STATUS:
        status = _status(_selected(action) or "published")
        if status is None and not query.own:  # "every status" is Manage content's alone
            status = ResourceStatus.PUBLISHED
        return replace(query, status=status, page=1)
    field = FILTER_ACTIONS.get(Action(action_id)) if action_id in FILTER_ACTIONS else None
    if field is None:
        return query
    value = _selected(action)
    changes: dict[str, Any] = {field: None if value in (None, ANY) else value, "page": 1}
    return replace(query, **changes)


def _status(value: Any) -> ResourceStatus | None:
    """A library status filter: one status, or every one ("any", in Manage content)."""
    return None if value == ANY else ResourceStatus(value)


def search_text(view: dict[str, Any]) -> str:
    state = ((view.get("state") or {}).get("values") or {}).get(Block.SEARCH) or {}
    return str((state.get(Action.LIBRARY_SEARCH) or {}).get("value") or "")


def _selected(action: dict[str, Any]) -> str | None:
    option = action.get("selected_option") or {}
    value = option.get("value")
    return str(value) if value is not None else None


@dataclass(frozen=True)
class ContentMeta:
    """What the content modal carries in private_metadata."""

    resource_id: int | None = None
    has_file: bool = False
    parent_view_id: str | None = None  # the library modal underneath, if any
    parent_query: LibraryQuery | None = None
    from_home: bool = False  # opened from a Home tab, which is drawn again after saving

    def dumps(self) -> str:
        return json.dumps(
            {
                "id": self.resource_id,
                "file": self.has_file,
                "parent": self.parent_view_id,
                "q": query_to_dict(self.parent_query) if self.parent_query else None,
                "home": self.from_home,
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, metadata: str) -> ContentMeta:
        data = json.loads(metadata or "{}")
        return cls(
            resource_id=int(data["id"]) if data.get("id") else None,
            has_file=bool(data.get("file")),
            parent_view_id=data.get("parent"),
            parent_query=query_from_dict(data["q"]) if data.get("q") else None,
            from_home=data.get("home") is True,
        )


def content_form(view: dict[str, Any]) -> tuple[ContentFields | None, dict[str, str]]:
    """The content modal's values validated, or errors keyed by the modal's block_ids."""
    raw, files = content_values(view)
    file = files[0] if files else {}
    fields, errors = validate_content(
        raw,
        file_id=file.get("id"),
        file_url=file.get("permalink"),
        keeps_file=ContentMeta.loads(view.get("private_metadata", "")).has_file,
    )
    return fields, content_errors_for_modal(errors)


def content_values(view: dict[str, Any]) -> tuple[dict[str, str | None], list[dict[str, Any]]]:
    """The content modal's inputs as import-style raw values, plus uploaded files."""
    values = (view.get("state") or {}).get("values") or {}

    def element(block: str) -> dict[str, Any]:
        return dict((values.get(block) or {}).get(INPUT) or {})

    raw: dict[str, str | None] = {}
    for field, block in CONTENT_BLOCKS.items():
        state = element(block)
        option = state.get("selected_option")
        raw[field] = option.get("value") if option else state.get("value")
    files = list(element(Block.FILE).get("files") or [])
    return raw, files


def content_errors_for_modal(errors: dict[str, str]) -> dict[str, str]:
    return {
        str(CONTENT_BLOCKS.get(field, Block.TITLE)): message for field, message in errors.items()
    }


def option_label(option: dict[str, Any], default: str) -> str:
    """A chosen option's label without what Slack-style labels add in brackets:
    "@devs (Developers)" -> "@devs"; `default` when it has no text."""
    return str((option.get("text") or {}).get("text") or default).split(" (")[0]

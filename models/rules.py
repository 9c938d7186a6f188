"""Pure rules for training content: what a valid resource looks like.

Shared by the "Add content"/"Edit" modals and `trainbot catalog import`, so a row
and a form are held to the same standard and explained in the same words.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from models.enums import Access, Difficulty, ResourceStatus, ResourceType
from models.resource import DESCRIPTION_MAX, TITLE_MAX, URL_MAX

PARTNER_MAX = 255
TAG_MAX = 64
MAX_DOMAINS = 5
MAX_SKILLS = 10
MAX_DURATION = 100_000
EXTERNAL_ID_MAX = 128


@dataclass(frozen=True)
class ContentFields:
    """A validated resource, as the catalog service stores it."""

    title: str
    description: str
    type: ResourceType
    access: Access
    url: str | None
    thumbnail: str | None
    partner: str | None
    status: ResourceStatus
    domains: tuple[str, ...]
    difficulty: Difficulty | None
    skills: tuple[str, ...]
    duration_minutes: int | None
    external_id: str | None = None
    file_id: str | None = None


def split_tags(raw: str | None) -> tuple[str, ...]:
    """`a; b;;a` -> ("a", "b"): trimmed, de-duplicated case-insensitively, order kept."""
    seen: dict[str, str] = {}
    for part in re.split(r"[;\n]", raw or ""):
        tag = " ".join(part.split())
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return tuple(seen.values())


def slugify(name: str) -> str:
    """A stable key for a tag in any script: "Sales Ops" -> "sales-ops", "C++" -> "c-plus-plus"."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = text.replace("+", " plus ").replace("#", " sharp ")
    slug = re.sub(r"[\W_]+", "-", text).strip("-")
    if slug:
        return slug[:64]
    # Only symbols (an emoji, say): still a distinct, stable key.
    return "tag-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def _pick(
    raw: Mapping[str, str | None],
    field: str,
    enum: type[ResourceType] | type[Access] | type[ResourceStatus] | type[Difficulty],
    errors: dict[str, str],
    *,
    default: str | None = None,
) -> str | None:
    """One value of a closed vocabulary ("Coming soon" reads as coming_soon), or an error."""
    given = (raw.get(field) or default or "").strip()
    if not given:
        return None
    value = given.lower().replace(" ", "_").replace("-", "_")
    if value not in {m.value for m in enum}:
        allowed = ", ".join(m.value.replace("_", " ") for m in enum)
        errors[field] = f"{field.capitalize()} must be one of: {allowed}."
        return None
    return value


def _title_and_description(
    raw: Mapping[str, str | None], errors: dict[str, str]
) -> tuple[str, str]:
    title = " ".join((raw.get("title") or "").split())
    if not title:
        errors["title"] = "Give the resource a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters (it has {len(title)})."
    description = (raw.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description under {DESCRIPTION_MAX} characters."
    return title, description


def _link_or_file(
    raw: Mapping[str, str | None],
    file_id: str | None,
    keeps_file: bool,
    errors: dict[str, str],
    *,
    structured: bool,
) -> str | None:
    url = _url(raw.get("url"), "url", errors)
    if url is not None and file_id is not None:
        errors["url"] = "Use either a link or an uploaded file, not both."
    elif url is None and file_id is None and not (keeps_file or structured or "url" in errors):
        # (A course's sections or a path's steps are its content: a link is optional there.)
        errors["url"] = "Add a link (http or https) or upload a file."
    return url


def _short(
    raw: Mapping[str, str | None], field: str, most: int, errors: dict[str, str]
) -> str | None:
    value = (raw.get(field) or "").strip() or None
    if value and len(value) > most:
        errors[field] = f"Keep {field.replace('_', ' ')} under {most} characters."
    return value


def validate_content(
    raw: Mapping[str, str | None],
    *,
    file_id: str | None = None,
    file_url: str | None = None,
    keeps_file: bool = False,
    structured: bool = False,
) -> tuple[ContentFields | None, dict[str, str]]:
    """Check raw field values; return the fields or a message per bad field.

    Keys of `raw` are the import column names (title, description, type, ...).
    Content is a link or an uploaded file (`file_id`, with its Slack permalink as
    `file_url`); `keeps_file` says an edited resource already has its file. A course
    with sections or a path (`structured`) needs no link: a link is optional there.
    """
    errors: dict[str, str] = {}
    title, description = _title_and_description(raw, errors)
    type_ = _pick(raw, "type", ResourceType, errors)
    if type_ is None and "type" not in errors:
        errors["type"] = "Choose a type: " + ", ".join(m.value for m in ResourceType) + "."
    access = _pick(raw, "access", Access, errors, default="free")
    status = _pick(raw, "status", ResourceStatus, errors, default="published")
    difficulty = _pick(raw, "difficulty", Difficulty, errors)
    # A quiz of its own is its questions: like a course's sections, it needs no link.
    linkless = structured or type_ == ResourceType.QUIZ.value
    url = _link_or_file(raw, file_id, keeps_file, errors, structured=linkless)
    thumbnail = _url(raw.get("thumbnail"), "thumbnail", errors)
    domains = split_tags(raw.get("domains"))
    skills = split_tags(raw.get("skills"))
    _check_tags(domains, "domains", MAX_DOMAINS, errors)
    _check_tags(skills, "skills", MAX_SKILLS, errors)
    if type_ == ResourceType.PATH.value and not structured:
        errors["type"] = "A learning path is built with its steps (New path), not as a link."
    fields = ContentFields(
        title=title,
        description=description,
        type=ResourceType(type_ or ResourceType.ARTICLE),
        access=Access(access or Access.FREE),
        url=url or file_url,
        thumbnail=thumbnail,
        partner=_short(raw, "partner", PARTNER_MAX, errors),
        status=ResourceStatus(status or ResourceStatus.PUBLISHED),
        domains=domains,
        difficulty=Difficulty(difficulty) if difficulty else None,
        skills=skills,
        duration_minutes=_duration(raw.get("duration_minutes"), errors),
        external_id=_short(raw, "external_id", EXTERNAL_ID_MAX, errors),
        file_id=file_id,
    )
    return (None, errors) if errors else (fields, {})


def _url(raw: str | None, field: str, errors: dict[str, str]) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if not is_http_url(value):
        errors[field] = "Use a full web address starting with http:// or https://."
    elif len(value) > URL_MAX:
        errors[field] = f"Keep the address under {URL_MAX} characters."
    return value


def _check_tags(tags: tuple[str, ...], field: str, most: int, errors: dict[str, str]) -> None:
    if len(tags) > most:
        errors[field] = f"At most {most} {field}, separated by ';'."
    elif any(len(tag) > TAG_MAX for tag in tags):
        errors[field] = f"Each of the {field} must be under {TAG_MAX} characters."


def _duration(raw: str | None, errors: dict[str, str]) -> int | None:
    value = (raw or "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > MAX_DURATION:
        errors["duration_minutes"] = "Duration is a whole number of minutes, like 45."
        return None
    return int(value)

"""How closed vocabularies read to people (labels and emoji for templates)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from models.enums import Access, Difficulty, Priority, ResourceStatus, ResourceType

E = TypeVar("E", bound=StrEnum)

TYPE_LABELS = {
    ResourceType.ARTICLE: "Article",
    ResourceType.VIDEO: "Video",
    ResourceType.PDF: "PDF",
    ResourceType.COURSE: "Course",
    ResourceType.PODCAST: "Podcast",
    ResourceType.BOOK: "Book",
    ResourceType.DOCUMENT: "Document",
    ResourceType.PATH: "Learning path",
    ResourceType.QUIZ: "Quiz",
}
TYPE_EMOJI = {
    ResourceType.ARTICLE: ":newspaper:",
    ResourceType.VIDEO: ":movie_camera:",
    ResourceType.PDF: ":page_facing_up:",
    ResourceType.COURSE: ":mortar_board:",
    ResourceType.PODCAST: ":headphones:",
    ResourceType.BOOK: ":books:",
    ResourceType.DOCUMENT: ":memo:",
    ResourceType.PATH: ":world_map:",
    ResourceType.QUIZ: ":pencil:",
}
ACCESS_LABELS = {Access.FREE: "Free", Access.PREMIUM: "Premium", Access.AFFILIATE: "Affiliate"}
LEVEL_LABELS = {
    Difficulty.BEGINNER: "Beginner",
    Difficulty.INTERMEDIATE: "Intermediate",
    Difficulty.ADVANCED: "Advanced",
}
PRIORITY_LABELS = {
    Priority.LOW: "Low",
    Priority.NORMAL: "Normal",
    Priority.HIGH: "High",
    Priority.URGENT: "Urgent",
}
PRIORITY_EMOJI = {
    Priority.LOW: ":white_circle:",
    Priority.NORMAL: ":large_blue_circle:",
    Priority.HIGH: ":large_orange_circle:",
    Priority.URGENT: ":red_circle:",
}
STATUS_LABELS = {
    ResourceStatus.PUBLISHED: "Published",
    ResourceStatus.DRAFT: "Draft",
    ResourceStatus.COMING_SOON: "Coming soon",
    ResourceStatus.ARCHIVED: "Archived",
}


def options(labels: Mapping[E, str]) -> list[dict[str, str]]:
    return [{"value": str(value), "label": label} for value, label in labels.items()]


def duration(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, mins = divmod(minutes, 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h {mins} min" if mins else f"{hours} h"


VOCAB = {
    "types": options(TYPE_LABELS),
    # What the content modal offers: a path is built in its own modal (steps, offsets). A
    # quiz of its own needs no link: saving a new one opens the quiz editor for its questions.
    "content_types": [o for o in options(TYPE_LABELS) if o["value"] != ResourceType.PATH],
    # What a new link inside a course can be (a course is not an item of another).
    "item_types": [
        o
        for o in options(TYPE_LABELS)
        if o["value"] not in (ResourceType.PATH, ResourceType.COURSE, ResourceType.QUIZ)
    ],
    "type_emoji": {str(k): v for k, v in TYPE_EMOJI.items()},
    "type_labels": {str(k): v for k, v in TYPE_LABELS.items()},
    "access": options(ACCESS_LABELS),
    "access_labels": {str(k): v for k, v in ACCESS_LABELS.items()},
    "levels": options(LEVEL_LABELS),
    "level_labels": {str(k): v for k, v in LEVEL_LABELS.items()},
    "statuses": options(STATUS_LABELS),
    "priorities": options(PRIORITY_LABELS),
    "priority_labels": {str(k): v for k, v in PRIORITY_LABELS.items()},
    "priority_emoji": {str(k): v for k, v in PRIORITY_EMOJI.items()},
    "status_labels": {str(k): v for k, v in STATUS_LABELS.items()},
}

"""Closed vocabularies stored as plain strings (checked by the database too)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    MEMBER = "member"


class ResourceType(StrEnum):
    ARTICLE = "article"
    VIDEO = "video"
    PDF = "pdf"
    COURSE = "course"
    PODCAST = "podcast"
    BOOK = "book"
    DOCUMENT = "document"


class Access(StrEnum):
    FREE = "free"
    PREMIUM = "premium"
    AFFILIATE = "affiliate"


class ResourceStatus(StrEnum):
    PUBLISHED = "published"
    DRAFT = "draft"
    COMING_SOON = "coming_soon"
    ARCHIVED = "archived"


class Difficulty(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class AssignmentStatus(StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class ClosedReason(StrEnum):
    """Why an assignment was closed without being completed."""

    CANCELLED = "cancelled"  # by a manager
    REASSIGNED = "reassigned"  # moved to someone else by a manager
    UNREACHABLE = "unreachable"  # a bot or deactivated person, found when sending


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class EventKind(StrEnum):
    ASSIGNED = "assigned"
    STARTED = "started"
    PROGRESS = "progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DUE_CHANGED = "due_changed"
    REASSIGNED = "reassigned"


def sql_in(enum: type[StrEnum]) -> str:
    """The SQL list of an enum's values, for CHECK constraints."""
    return ", ".join(f"'{member.value}'" for member in enum)

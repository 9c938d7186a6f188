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
    PATH = "path"  # a learning path: ordered steps (resources or courses) for a role
    QUIZ = "quiz"  # a quiz of its own (no link): a course item or step that is a test


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


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # by a manager: no step opens and no reminder goes out until resumed
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class StepState(StrEnum):
    LOCKED = "locked"  # opens when the step before it is done
    OPEN = "open"  # assigned: its assignment is the learner's to finish
    DONE = "done"  # completed now, or counted from an earlier completion
    SKIPPED = "skipped"  # its assignment was cancelled or given to someone else: moved past


class RuleSource(StrEnum):
    """Where a path's "keep enrolled" rule finds its people."""

    USERGROUP = "usergroup"
    CHANNEL = "channel"


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


class QuestionKind(StrEnum):
    SINGLE = "single"  # one right choice (radio buttons)
    MULTIPLE = "multiple"  # every right choice must be picked, no wrong one (checkboxes)
    TRUE_FALSE = "true_false"  # choices "True" and "False"


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

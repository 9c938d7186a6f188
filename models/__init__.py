"""Typed ORM models and pure rules. Nothing here imports Slack."""

from models.assignment import AssignmentEvent, ResourceAssignment
from models.base import Base
from models.delivery import ProcessedEvent
from models.digest import DigestScope, DigestSubscription
from models.outbox import OutboxMessage, OutboxStatus
from models.resource import (
    CourseSection,
    CourseSectionItem,
    Domain,
    ResourceDomain,
    TrainingResource,
)
from models.workspace import Member, Workspace

__all__ = [
    "AssignmentEvent",
    "Base",
    "CourseSection",
    "CourseSectionItem",
    "DigestScope",
    "DigestSubscription",
    "Domain",
    "Member",
    "OutboxMessage",
    "OutboxStatus",
    "ProcessedEvent",
    "ResourceAssignment",
    "ResourceDomain",
    "TrainingResource",
    "Workspace",
]

"""Typed ORM models and pure rules. Nothing here imports Slack."""

from models.assignment import AssignmentEvent, ResourceAssignment
from models.audit import AuditAction, AuditEntry
from models.base import Base
from models.certificate import Certificate
from models.course import CourseItemDone, CourseSection, CourseSectionItem
from models.delivery import ProcessedEvent
from models.digest import DigestScope, DigestSubscription
from models.draft import BuilderDraft
from models.outbox import OutboxMessage, OutboxStatus
from models.path import (
    EnrollmentRule,
    EnrollmentStep,
    LearningPath,
    PathEnrollment,
    PathStep,
)
from models.quiz import Quiz, QuizAnswer, QuizAttempt, QuizQuestion
from models.recommendation import RecommendationDismissal, RecommendationList
from models.resource import Domain, ResourceDomain, TrainingResource
from models.slack_oauth import slack_bots, slack_installations, slack_oauth_states
from models.tally import MemberTally, ResourceTally, TallyDate
from models.workspace import Member, Workspace

__all__ = [
    "AssignmentEvent",
    "AuditAction",
    "AuditEntry",
    "Base",
    "BuilderDraft",
    "Certificate",
    "CourseItemDone",
    "CourseSection",
    "CourseSectionItem",
    "DigestScope",
    "DigestSubscription",
    "Domain",
    "EnrollmentRule",
    "EnrollmentStep",
    "LearningPath",
    "Member",
    "MemberTally",
    "OutboxMessage",
    "OutboxStatus",
    "PathEnrollment",
    "PathStep",
    "ProcessedEvent",
    "Quiz",
    "QuizAnswer",
    "QuizAttempt",
    "QuizQuestion",
    "RecommendationDismissal",
    "RecommendationList",
    "ResourceAssignment",
    "ResourceDomain",
    "ResourceTally",
    "TallyDate",
    "TrainingResource",
    "Workspace",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
]

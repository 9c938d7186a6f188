"""Business rules shared by Slack handlers, the scheduler and the CLI."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.db import make_engine, make_sessions
from bot.installations import SealedInstallationStore
from bot.pacing import Pacer
from bot.services.assignments import AssignmentService
from bot.services.audit_log import AuditService
from bot.services.builders import BuilderService
from bot.services.catalog import CatalogService
from bot.services.certificates import CertificateDelivery, CertificateService
from bot.services.courses import CourseService
from bot.services.dashboard import DashboardService
from bot.services.digests import DigestService
from bot.services.events import EventLog
from bot.services.installs import InstallService
from bot.services.keep_enrolled import KeepEnrolledService
from bot.services.managing import ManageService
from bot.services.members import MemberService
from bot.services.outbox import OutboxService
from bot.services.paths import PathService
from bot.services.progress import ProgressService
from bot.services.quiz_editor import QuizEditorService
from bot.services.quiz_taking import QuizService
from bot.services.recommendations import RecommendationService
from bot.services.reminders import ReminderService
from bot.services.renewals import RenewalService
from bot.services.tally_upkeep import TallyService
from bot.services.team_suggestions import TeamSuggestionService
from bot.services.workspace_data import WorkspaceDataService
from bot.settings import Settings
from bot.token_keys import Keyring
from bot.usergroups import UsergroupDirectory
from bot.workspace_clients import WorkspaceClients


@dataclass(frozen=True)
class Services:
    """Everything a listener, job or command needs, built once per process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    members: MemberService
    catalog: CatalogService
    builders: BuilderService  # courses and paths built in modals
    events: EventLog
    assignments: AssignmentService
    courses: CourseService  # a learner's course: items done, progress derived
    keep_enrolled: KeepEnrolledService  # paths kept for groups and channels
    manage: ManageService
    paths: PathService  # enrollments as learners see them and managers run them
    outbox: OutboxService
    reminders: ReminderService
    digests: DigestService
    progress: ProgressService
    tallies: TallyService  # the report tallies' day, moved once a day
    quizzes: QuizService  # a learner taking a quiz: attempts, pages, scores
    quiz_editor: QuizEditorService  # a manager writing one
    certificates: CertificateService  # verified by code, revoked, listed on Home
    certificate_delivery: CertificateDelivery  # what the outbox sender reads and records
    renewals: RenewalService  # certificates about to expire: their training assigned again
    dashboard: DashboardService
    recommendations: RecommendationService  # "Recommended for you", Not for me, the switch
    usergroups: UsergroupDirectory  # Slack's user groups, listed from a short cache
    pacer: Pacer  # every post to Slack from this process takes a slot
    clients: WorkspaceClients  # the token each workspace's background work uses
    installs: InstallService  # uninstalled (tokens gone, rows held) and installed again
    workspace_data: WorkspaceDataService  # everything a workspace owns: list, export, delete
    audit: AuditService  # the audit log of administrative actions, read by admins
    team_suggestions: TeamSuggestionService  # what to assign a user group next
    background: Executor  # runs the work that follows an ack

    def __deepcopy__(self, memo: dict[int, Any]) -> Services:
        # Bolt deep-copies the context for lazy listeners; services are shared, not copied.
        return self


def installation_store(settings: Settings, engine: Engine) -> SealedInstallationStore | None:
    """Where installed workspaces' tokens are (many workspaces), or None (one bot token)."""
    if not settings.many_workspaces or not settings.client_id:
        return None
    keyring = Keyring(settings.encryption_keys)
    return SealedInstallationStore(client_id=settings.client_id, engine=engine, keyring=keyring)


def token_rotator(settings: Settings) -> TokenRotator | None:
    """Refreshes installed workspaces' expiring tokens (many workspaces), or None."""
    if not settings.many_workspaces or not settings.client_id or not settings.client_secret:
        return None
    return TokenRotator(client_id=settings.client_id, client_secret=settings.client_secret,
                        client=WebClient(base_url=settings.api_url, timeout=10))  # fmt: skip


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    background: Executor | None = None,
) -> Services:
    clock = clock or SystemClock()
    engine = engine or make_engine(settings.database_url)
    sessions = make_sessions(engine)
    tz = settings.default_tz
    members = MemberService(sessions=sessions, clock=clock, default_tz=tz)
    store = installation_store(settings, engine)
    clients = WorkspaceClients(sessions=sessions, store=store, rotator=token_rotator(settings))
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        members=members,
        catalog=CatalogService(sessions=sessions, clock=clock, default_tz=tz),
        builders=BuilderService(sessions=sessions, clock=clock, default_tz=tz),
        events=EventLog(sessions=sessions, clock=clock),
        assignments=AssignmentService(sessions=sessions, clock=clock, default_tz=tz),
        courses=CourseService(sessions=sessions, clock=clock, default_tz=tz),
        keep_enrolled=KeepEnrolledService(
            sessions=sessions, clock=clock, members=members, default_tz=tz, clients=clients
        ),
        manage=ManageService(sessions=sessions, clock=clock, default_tz=tz),
        paths=PathService(sessions=sessions, clock=clock, default_tz=tz),
        outbox=OutboxService(
            sessions=sessions, clock=clock, lease=timedelta(seconds=settings.outbox_lease_s)
        ),
        reminders=ReminderService(sessions=sessions, clock=clock, default_tz=settings.default_tz),
        digests=DigestService(sessions=sessions, clock=clock),
        progress=ProgressService(sessions=sessions, clock=clock),
        tallies=TallyService(sessions=sessions, clock=clock),
        quizzes=QuizService(sessions=sessions, clock=clock, default_tz=tz),
        quiz_editor=QuizEditorService(sessions=sessions, clock=clock, default_tz=tz),
        renewals=RenewalService(sessions=sessions, clock=clock, default_tz=tz),
        certificates=CertificateService(sessions=sessions, clock=clock),
        certificate_delivery=CertificateDelivery(
            sessions=sessions, clock=clock, public_url=settings.public_url
        ),
        dashboard=DashboardService(sessions=sessions, clock=clock),
        recommendations=RecommendationService(sessions=sessions, clock=clock),
        usergroups=UsergroupDirectory(),
        pacer=Pacer(settings.send_per_minute),
        clients=clients,
        installs=InstallService(sessions=sessions, clock=clock, store=store, clients=clients),
        workspace_data=WorkspaceDataService(sessions=sessions, clock=clock),
        audit=AuditService(sessions=sessions),
        team_suggestions=TeamSuggestionService(sessions=sessions, clock=clock),
        background=background or ThreadPoolExecutor(max_workers=8, thread_name_prefix="after-ack"),
    )

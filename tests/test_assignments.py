"""The assignment rules, through the service every surface shares, on both databases."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, func, select

from bot.clock import FixedClock
from bot.errors import BotError, NotAllowed
from bot.fakeslack import FakeSlack
from bot.services import Services, build_services
from bot.services.assignments import AssignForm, Step
from bot.services.catalog_files import parse_catalog
from bot.services.members import Caller
from models import AssignmentEvent, OutboxMessage, ResourceAssignment, TrainingResource
from models.enums import Priority, ResourceStatus, Role
from tests.conftest import ADMIN, AMY, BOB, MANAGER, TEAM_ID, make_settings

DUE = date(2026, 12, 10)


@pytest.fixture
def services(
    database_url: str, engine: Engine, fake_slack: FakeSlack, clock: FixedClock
) -> Services:
    return build_services(make_settings(database_url, fake_slack), engine=engine, clock=clock)


@pytest.fixture
def slack_api(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=fake_slack.base_url)


def person(services: Services, slack_api: WebClient, user_id: str) -> Caller:
    return services.members.resolve(team_id=TEAM_ID, user_id=user_id, profiles=slack_api)


@pytest.fixture
def manager(services: Services, slack_api: WebClient) -> Caller:
    admin = person(services, slack_api, ADMIN)
    return services.members.set_role(
        caller=admin, user_id=MANAGER, role=Role.MANAGER, profiles=slack_api
    )


@pytest.fixture
def resource_id(services: Services) -> int:
    rows = parse_catalog(
        "r.csv", "external_id,title,type,url\nr1,Git basics,course,https://git.example\n"
    )
    services.catalog.import_rows(rows=rows, workspace_id=None)
    with services.sessions.begin() as s:
        return int(
            s.scalars(select(TrainingResource.id).where(TrainingResource.external_id == "r1")).one()
        )


def form(resource_id: int, *users: str) -> AssignForm:
    return AssignForm(
        resource_id=resource_id, user_ids=users, due_on=DUE, priority=Priority.HIGH, note="For Q1"
    )


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(ResourceAssignment)) or 0,
            conn.scalar(select(func.count()).select_from(AssignmentEvent)) or 0,
            conn.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
        )


def test_assigning_writes_assignments_history_and_one_dm_each(
    services: Services, manager: Caller, resource_id: int, engine: Engine
) -> None:
    result = services.assignments.assign(by=manager, form=form(resource_id, AMY, BOB))
    assert result.resource_title == "Git basics"
    assert sorted(result.created) == [AMY, BOB]
    assert result.already_open == ()
    assert counts(engine) == (2, 2, 2)


def test_assigning_again_reports_who_already_has_it_and_sends_nothing_new(
    services: Services, manager: Caller, resource_id: int, engine: Engine
) -> None:
    services.assignments.assign(by=manager, form=form(resource_id, AMY))
    again = services.assignments.assign(by=manager, form=form(resource_id, AMY, BOB))
    assert again.created == (BOB,)
    assert again.already_open == (AMY,)
    assert counts(engine) == (2, 2, 2)


def test_two_managers_at_once_make_one_assignment_and_one_dm(
    services: Services, manager: Caller, resource_id: int, engine: Engine
) -> None:
    barrier = threading.Barrier(2)
    results = []

    def assign() -> None:
        barrier.wait()
        results.append(services.assignments.assign(by=manager, form=form(resource_id, AMY)))

    threads = [threading.Thread(target=assign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(len(r.created) for r in results) == [0, 1]
    assert counts(engine) == (1, 1, 1)


def test_members_cannot_assign(services: Services, slack_api: WebClient, resource_id: int) -> None:
    with pytest.raises(NotAllowed, match="Only managers and admins"):
        services.assignments.assign(
            by=person(services, slack_api, AMY), form=form(resource_id, BOB)
        )


def test_deactivated_people_and_bots_are_skipped_with_a_reason(
    services: Services,
    manager: Caller,
    resource_id: int,
    slack_api: WebClient,
    fake_slack: FakeSlack,
) -> None:
    fake_slack.update_user(BOB, deleted=True)
    person(services, slack_api, BOB)
    fake_slack.add_user("U0BOTTY001", "helper", is_bot=True)
    person(services, slack_api, "U0BOTTY001")
    result = services.assignments.assign(by=manager, form=form(resource_id, AMY, BOB, "U0BOTTY001"))
    assert result.created == (AMY,)
    assert dict(result.skipped) == {BOB: "deactivated", "U0BOTTY001": "a bot"}


def test_the_assignee_moves_it_to_done(
    services: Services, manager: Caller, resource_id: int, slack_api: WebClient, engine: Engine
) -> None:
    services.assignments.assign(by=manager, form=form(resource_id, AMY))
    amy = person(services, slack_api, AMY)
    with engine.connect() as conn:
        assignment_id = conn.scalar(select(ResourceAssignment.id))
    card = services.assignments.advance(caller=amy, assignment_id=assignment_id, step=Step.START)
    assert (card.status, card.progress) == ("in_progress", 0)
    card = services.assignments.advance(
        caller=amy, assignment_id=assignment_id, step=Step.PROGRESS, progress=50
    )
    assert (card.status, card.progress) == ("in_progress", 50)
    card = services.assignments.advance(caller=amy, assignment_id=assignment_id, step=Step.COMPLETE)
    assert (card.status, card.progress) == ("completed", 100)
    assert card.completed_at is not None
    with pytest.raises(BotError, match="already completed"):
        services.assignments.advance(caller=amy, assignment_id=assignment_id, step=Step.START)
    with engine.connect() as conn:
        kinds = list(conn.scalars(select(AssignmentEvent.kind).order_by(AssignmentEvent.id)))
    assert kinds == ["assigned", "started", "progress", "completed"]
    # Completed, the same training can be assigned afresh.
    assert services.assignments.assign(by=manager, form=form(resource_id, AMY)).created == (AMY,)


def test_nobody_else_can_move_someone_elses_assignment(
    services: Services, manager: Caller, resource_id: int, slack_api: WebClient, engine: Engine
) -> None:
    services.assignments.assign(by=manager, form=form(resource_id, AMY))
    with engine.connect() as conn:
        assignment_id = conn.scalar(select(ResourceAssignment.id))
    bob = person(services, slack_api, BOB)
    with pytest.raises(NotAllowed, match="belongs to someone else"):
        services.assignments.advance(caller=bob, assignment_id=assignment_id, step=Step.COMPLETE)


def test_archived_content_cannot_be_assigned(
    services: Services, manager: Caller, resource_id: int
) -> None:
    with services.sessions.begin() as s:
        s.get_one(TrainingResource, resource_id).status = ResourceStatus.ARCHIVED.value
    with pytest.raises(BotError, match="archived"):
        services.assignments.assign(by=manager, form=form(resource_id, AMY))


def test_managers_manage_what_they_assigned_admins_everything_members_nothing(
    services: Services, slack_api: WebClient, manager: Caller, resource_id: int
) -> None:
    admin = person(services, slack_api, ADMIN)
    other = services.members.set_role(
        caller=admin, user_id=BOB, role=Role.MANAGER, profiles=slack_api
    )
    services.assignments.assign(by=manager, form=form(resource_id, AMY))
    today = date(2026, 11, 26)

    def who(caller: Caller) -> list[str]:
        roster = services.manage.roster(caller=caller, resource_id=resource_id, today=today)
        return [row.assignee for row in roster.rows]

    assert who(manager) == [AMY]
    assert who(admin) == [AMY]
    assert who(other) == []  # Bob manages only what Bob assigned
    assert services.manage.cancel(caller=other, resource_id=resource_id).changed == ()
    with pytest.raises(NotAllowed):
        services.manage.roster(
            caller=person(services, slack_api, AMY), resource_id=resource_id, today=today
        )
    assert services.manage.cancel(caller=admin, resource_id=resource_id).changed == (AMY,)

"""The workspace the load runs in: Slack's directory in the stand-in, and the app's data
made the way the app makes it (its services, in this process, on the same database).

People: an admin, managers, and learners in one timezone where it is working hours now,
so reminders and digests are due during the run. The first `reminded` learners have
training assigned ahead (its DMs owed, sent by the replicas) and are in no group or
channel the load assigns to, so nothing the load does changes what they are owed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.app import make_client
from bot.fakeslack import FakeSlack
from bot.services import Services, build_services
from bot.services.assignments import AssignForm
from bot.services.catalog_files import parse_catalog, starter_catalog
from bot.settings import Settings
from models import Member, ResourceAssignment, TrainingResource
from models.digest import DigestScope
from models.enums import Priority, ResourceType, Role

ADMIN = "U0LADMIN01"
GENERAL = "C0GENERAL1"
GROUP_SIZE = 8
CHANNEL_SIZE = 8


@dataclass(frozen=True)
class Team:
    """Who is who in the load's workspace (Slack ids), and what can be assigned."""

    managers: tuple[str, ...]
    learners: tuple[str, ...]  # every learner; the first `reminded` ones are kept aside
    reminded: int
    groups: tuple[tuple[str, str, tuple[str, ...]], ...]  # (id, @handle, members)
    channels: tuple[tuple[str, tuple[str, ...]], ...]  # (id, members)
    digest_channels: tuple[str, ...]
    resources: tuple[tuple[int, str], ...]  # (id, title): assignable, not paths
    tz: str  # everyone's timezone: working hours on a weekday there now
    seeded_due: list[int] = field(default_factory=list)  # assignments made due for reminders

    @property
    def active(self) -> tuple[str, ...]:
        """The learners the load assigns to and clicks for."""
        return self.learners[self.reminded :]


def working_zone(now: datetime) -> str:
    """An Etc/GMT zone where it is between 10:00 and 16:59 on a weekday now (reminders go
    from 09:00 on weekdays; digests at the hour subscribed)."""
    for offset in (
        0,
        1,
        -1,
        2,
        -2,
        3,
        -3,
        4,
        -4,
        5,
        -5,
        6,
        -6,
        7,
        -7,
        8,
        -8,
        9,
        -9,
        10,
        -10,
        11,
        -11,
        12,
        -12,
        13,
        14,
    ):
        name = "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-9 is UTC+9
        local = now.astimezone(ZoneInfo(name))
        if 10 <= local.hour < 17 and local.weekday() < 5:
            return name
    raise RuntimeError("no timezone has weekday working hours now (cannot happen)")


def directory(fake: FakeSlack, *, learners: int, managers: int, reminded: int) -> Team:
    """The people, user groups and channels, in the stand-in (Slack's side)."""
    tz = working_zone(datetime.now(UTC))
    fake.add_user(ADMIN, "ada", real_name="Ada Admin", tz=tz, is_admin=True)
    bosses = tuple(f"U0LMGR{i:04d}" for i in range(managers))
    people = tuple(f"U0L{i:07d}" for i in range(learners))
    for i, user in enumerate(bosses):
        fake.add_user(user, f"manager{i}", real_name=f"Manager {i}", tz=tz)
    for i, user in enumerate(people):
        fake.add_user(user, f"learner{i}", real_name=f"Learner {i}", tz=tz)
    fake.add_channel(GENERAL, "general", members=[ADMIN, *bosses, *people])
    active = people[reminded:]
    groups, channels = [], []
    for n, start in enumerate(range(0, len(active) - GROUP_SIZE + 1, GROUP_SIZE)):
        members = active[start : start + GROUP_SIZE]
        group_id, handle = f"S0LGRP{n:04d}", f"team-{n}"
        fake.add_usergroup(group_id, handle, name=f"Team {n}", members=members)
        groups.append((group_id, f"@{handle}", members))
        # Channels overlap the groups by half: people are in both, as in a real workspace.
        shifted = active[(start + CHANNEL_SIZE // 2) % len(active) :][:CHANNEL_SIZE]
        channel_id = f"C0LCHN{n:04d}"
        fake.add_channel(channel_id, f"project-{n}", members=shifted)
        channels.append((channel_id, shifted))
    digest_channels = tuple(f"C0LDIG{n:04d}" for n in range(4))
    for n, channel_id in enumerate(digest_channels):
        fake.add_channel(channel_id, f"digest-{n}", members=[bosses[n % len(bosses)]])
    return Team(bosses, people, reminded, tuple(groups), tuple(channels), digest_channels, (), tz)


def app_services(env: dict[str, str]) -> Services:
    """The app's services on the load's database, as a replica builds them."""
    return build_services(Settings.load(env, env_file=Path(os.devnull)))


def seed(services: Services, team: Team, team_id: str) -> Team:
    """The starter catalog, roles, and training assigned ahead to the reminded learners
    (their DMs owed)."""
    client = make_client(services.settings)
    # The shipped starter catalog in the shared library, as `catalog import --starter` does.
    services.catalog.import_rows(rows=parse_catalog(*starter_catalog()), workspace_id=None)
    admin = services.members.resolve(team_id=team_id, user_id=ADMIN, profiles=client)
    for user in team.managers:
        services.members.set_role(caller=admin, user_id=user, role=Role.MANAGER, profiles=client)
    boss = services.members.resolve(team_id=team_id, user_id=team.managers[0], profiles=client)
    with services.sessions.begin() as s:
        resources = tuple(
            (rid, title)
            for rid, title in s.execute(
                select(TrainingResource.id, TrainingResource.title)
                .where(
                    TrainingResource.type != ResourceType.PATH.value,
                    TrainingResource.status == "published",
                )
                .order_by(TrainingResource.id)
            )
        )
    reminded = team.learners[: team.reminded]
    for user in reminded:  # met, so their timezone is known when reminders are planned
        services.members.resolve(team_id=team_id, user_id=user, profiles=client)
    due = date.today() + timedelta(days=3)
    for rid, _ in resources[:2]:
        if reminded:
            services.assignments.assign(by=boss, form=AssignForm(rid, reminded, due, Priority.HIGH))
    return Team(
        team.managers,
        team.learners,
        team.reminded,
        team.groups,
        team.channels,
        team.digest_channels,
        resources,
        team.tz,
    )


def make_due(
    services: Services, team: Team, team_id: str, *, learners: slice, channels: slice
) -> int:
    """Reminders due now for these reminded learners (their next reminder day is today),
    and a digest due now in these digest channels: what the replicas' planners find on
    their next tick. Returns how many learners were made due."""
    people = team.learners[: team.reminded][learners]
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(team.tz))
    a = ResourceAssignment
    with services.sessions.begin() as s:
        ids = s.scalars(select(Member.id).where(Member.slack_user_id.in_(people))).all()
        s.execute(
            update(a)
            .where(a.member_id.in_(ids), a.completed_at.is_(None))
            .values(next_remind_on=local.date())
        )
    client = make_client(services.settings)
    for n, channel_id in enumerate(team.digest_channels[channels]):
        boss = services.members.resolve(
            team_id=team_id, user_id=team.managers[n % len(team.managers)], profiles=client
        )
        services.digests.subscribe(
            caller=boss,
            channel_id=channel_id,
            scope=DigestScope.WORKSPACE,
            scope_label="Everyone",
            weekday=local.weekday(),
            hour=local.hour,
            tz=team.tz,
        )
    return len(people)

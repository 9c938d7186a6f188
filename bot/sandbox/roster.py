"""The demo workspace: fixed ids, so a restart rebuilds the same people, groups and channels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.fakeslack import FakeSlack

TEAM_ID = "T0SANDBOX1"
TEAM_NAME = "Acme Learning"
TEAM_DOMAIN = "acme-learning"
BOT_USER_ID = "U0TRAINBOT"
BOT_ID = "B0TRAINBOT"
APP_ID = "A0TRAINBOT"
BOT_NAME = "trainbot"
BOT_DISPLAY_NAME = "Trainbot"


@dataclass(frozen=True)
class Person:
    id: str
    name: str  # Slack handle
    real_name: str
    title: str
    tz: str
    is_admin: bool = False


@dataclass(frozen=True)
class Group:
    id: str
    handle: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Room:
    """A channel of the demo workspace (the bot is in every one)."""

    id: str
    name: str
    members: tuple[str, ...]
    is_private: bool = False


MAYA = Person(
    "U0MAYA0001", "maya", "Maya Lindqvist", "Head of Customer Operations", "Europe/Berlin", True
)
PRIYA = Person("U0PRIYA001", "priya", "Priya Raman", "Support Engineer", "Asia/Kolkata")
DIEGO = Person("U0DIEGO001", "diego", "Diego Alvarez", "Support Specialist", "America/Mexico_City")
HANNAH = Person("U0HANNAH01", "hannah", "Hannah Becker", "Support Team Lead", "Europe/Berlin")
KWAME = Person("U0KWAME001", "kwame", "Kwame Mensah", "Backend Engineer", "Africa/Accra")
SOFIA = Person("U0SOFIA001", "sofia", "Sofia Rossi", "Frontend Engineer", "Europe/Rome")
LIAM = Person(
    "U0LIAM0001", "liam", "Liam O'Connor", "Site Reliability Engineer", "America/New_York"
)
AMARA = Person("U0AMARA001", "amara", "Amara Okafor", "Software Engineer", "Europe/London")

PEOPLE: tuple[Person, ...] = (MAYA, PRIYA, DIEGO, HANNAH, KWAME, SOFIA, LIAM, AMARA)
MANAGER = MAYA

SUPPORT = Group("S0SUPPORT1", "support-team", "Support team", (PRIYA.id, DIEGO.id, HANNAH.id))
ENGINEERING = Group(
    "S0ENGINEER", "engineering", "Engineering", (KWAME.id, SOFIA.id, LIAM.id, AMARA.id)
)
# Groups as they stand now; seeding starts them without these people and adds them later (the
# subteam_members_changed event that enrolls them on the path kept for @engineering).
JOINED_LATER: dict[str, tuple[str, ...]] = {ENGINEERING.id: (AMARA.id,)}
GROUPS: tuple[Group, ...] = (SUPPORT, ENGINEERING)

GENERAL = Room("C0GENERAL1", "general", tuple(p.id for p in PEOPLE))
LEARNING = Room("C0LEARNING", "learning", (MAYA.id, HANNAH.id, KWAME.id, SOFIA.id, PRIYA.id))
ROOMS: tuple[Room, ...] = (GENERAL, LEARNING)


def person(user_id: str) -> Person | None:
    return next((p for p in PEOPLE if p.id == user_id), None)


def room(channel_id: str) -> Room | None:
    return next((r for r in ROOMS if r.id == channel_id), None)


def new_fake(bot_token: str, message_clock: Callable[[], float]) -> FakeSlack:
    """The stand-in for the demo workspace, on a free loopback port (not started).

    Message timestamps follow `message_clock` (the sandbox clock), so a reminder sent
    after time travel is dated when it was sent in the sandbox's time.
    """
    return FakeSlack(
        team_id=TEAM_ID,
        team_name=TEAM_NAME,
        team_domain=TEAM_DOMAIN,
        bot_user_id=BOT_USER_ID,
        bot_id=BOT_ID,
        app_id=APP_ID,
        bot_token=bot_token,
        bot_name=BOT_NAME,
        host="127.0.0.1",
        port=0,
        message_clock=message_clock,
    )


def populate(fake: FakeSlack) -> None:
    """People, user groups and channels, identical on every start (the database refers to them)."""
    for p in PEOPLE:
        fake.add_user(p.id, p.name, real_name=p.real_name, tz=p.tz, is_admin=p.is_admin)
        fake.dm_channel(p.id)  # the app's Messages tab, there before the first DM
    for g in GROUPS:
        fake.add_usergroup(g.id, g.handle, name=g.name, members=g.members)
    for r in ROOMS:
        fake.add_channel(r.id, r.name, members=r.members, is_private=r.is_private)

"""The data: assign_scale's big workspace, two channels the stand-in knows, three digests.

bench/assign_scale/seed.py writes the workspace with COPY (resources, members, assignments
with their events, 20 managers). Then, through the app's services as `/training digest`
would, its first manager subscribes three channels to a weekly digest due at MOMENT: a
channel of `channel` people (all 20,000 by default), the whole workspace (posted in
#general), and a channel of `small_channel` people spread over the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from bench.assign_scale.database import conninfo_of
from bench.assign_scale.seed import Seeded, seed
from bench.servers import TEAM_ID
from bench.timing import StampedFakeSlack
from bot.app import make_client
from bot.services import Services
from bot.services.digests import Subscription
from models import DigestScope
from models.digest import digest_slot

MOMENT = datetime(2026, 12, 7, 9, tzinfo=UTC)  # Monday 09:00 UTC: every digest is due
BIG_CHANNEL = "C0DIGESTBIG"
SMALL_CHANNEL = "C0DIGESTFEW"
GENERAL = "C0GENERAL1"


@dataclass(frozen=True)
class Scope:
    """One subscription and whom its digest is about, as the benchmark knows it."""

    name: str  # for the tables
    subscription: Subscription
    people: tuple[str, ...] | None  # Slack user ids; None: the whole workspace

    @property
    def key(self) -> str:
        """Its outbox row's key this week (DigestService's `_key`)."""
        return f"digest:{self.subscription.id}:{week()}"


@dataclass
class World:
    url: str
    seeded: Seeded
    scopes: list[Scope]


def week() -> str:
    return digest_slot(MOMENT, weekday=MOMENT.weekday(), hour=MOMENT.hour, tz="UTC").week


def build(
    url: str, fake: StampedFakeSlack, services: Services, *, resources: int, members: int,
    assignments: int, channel: int, small_channel: int,
) -> World:  # fmt: skip
    """Seed `url`, tell the stand-in of the channels, subscribe them through the app."""
    seeded = seed(url, resources=resources, members=members, assignments=assignments,
                  fresh=0, now=MOMENT)  # fmt: skip
    with psycopg.connect(conninfo_of(url)) as conn:
        rows = conn.execute("SELECT slack_user_id FROM members ORDER BY id").fetchall()
    everyone = [str(row[0]) for row in rows]
    big = everyone[:channel]
    step = max(1, len(everyone) // max(1, small_channel))
    few = everyone[step // 2 :: step][:small_channel]
    manager = seeded.manager
    fake.add_user(manager.user_id, manager.name, real_name=manager.name)
    fake.add_channel(BIG_CHANNEL, "everyone-digest", members=big)
    fake.add_channel(SMALL_CHANNEL, "team-digest", members=few)
    fake.add_channel(GENERAL, "general", members=[manager.user_id])
    caller = services.members.resolve(
        team_id=TEAM_ID, user_id=manager.user_id, profiles=make_client(services.settings)
    )

    def subscribe(channel_id: str, scope: DigestScope, label: str) -> Subscription:
        return services.digests.subscribe(
            caller=caller, channel_id=channel_id, scope=scope, scope_label=label,
            weekday=MOMENT.weekday(), hour=MOMENT.hour, tz="UTC",
        )  # fmt: skip

    big_one = subscribe(BIG_CHANNEL, DigestScope.CHANNEL, "#everyone-digest")
    everyone_one = subscribe(GENERAL, DigestScope.WORKSPACE, "everyone")
    few_one = subscribe(SMALL_CHANNEL, DigestScope.CHANNEL, "#team-digest")
    scopes = [
        Scope(f"channel of {len(big):,}", big_one, tuple(big)),
        Scope("workspace", everyone_one, None),
        Scope(f"channel of {len(few):,}", few_one, tuple(few)),
    ]
    return World(url, seeded, scopes)

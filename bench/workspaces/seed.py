"""The data: many installed workspaces, each with a few people, resources and assignments.

Rows go in with COPY (assign_scale's `copy_rows`); each installation goes in through the
app's own `SealedInstallationStore.save`, with its own team id and bot token (sealed as an
OAuth install would leave it), and the stand-in is told to accept that token. The DMs the
requests click are then posted by the app's own outbox sender (`deliver_pending`), each
with its workspace's token, so the stand-in holds them as Trainbot drew them.
"""

from __future__ import annotations

import os
import secrets
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.assign_scale.database import conninfo_of, copy_rows, tallies_rebuilt_after
from bench.assign_scale.interactions import ScaleFakeSlack
from bench.assign_scale.seed_rows import search_columns

TEAM = "T0WS{:06d}"
USER = "U{:06d}W{}"  # workspace number, member number (0 is the manager who installed)
OWN_RESOURCES = 3  # each workspace's own, besides the shared starter catalog
BASE_OPEN, BASE_DONE = 3, 2  # every learner's assignments that no request clicks
COUNTED = ("workspaces", "members", "training_resources", "resource_assignments", "outbox",
           "slack_installations", "slack_bots")  # fmt: skip
CLICKABLE = """
SELECT w.team_id, m.slack_user_id, a.dm_channel, a.dm_ts
FROM resource_assignments a JOIN members m ON m.id = a.member_id
JOIN workspaces w ON w.id = a.workspace_id
WHERE a.id = ANY(%s) ORDER BY a.id
"""


@dataclass
class Workspaces:
    """Who clicks where, each workspace's token, and how the data came to be."""

    teams: list[str]
    tokens: dict[str, str]  # team id -> its bot token (the calls it makes must use it)
    active: list[str]  # the workspaces `complete` clicks in, in turn
    fresh: deque[str]  # workspaces nothing was asked of yet: one `first` click each
    dms: dict[str, deque[tuple[str, str, str]]]  # team -> (user, channel, ts) to click
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def many_workspace_env(base: Mapping[str, str], fake: ScaleFakeSlack, key: str) -> dict[str, str]:
    """`trainbot serve`'s environment for many workspaces: OAuth credentials, no bot token."""
    return {
        **base,
        "SLACK_BOT_TOKEN": "",
        "SLACK_CLIENT_ID": fake.oauth.client_id,
        "SLACK_CLIENT_SECRET": fake.oauth.client_secret,
        "TRAINBOT_ENCRYPTION_KEY": key,
        "TRAINBOT_PUBLIC_URL": "https://trainbot.bench.example",
    }


def seed(
    url: str, fake: ScaleFakeSlack, env: Mapping[str, str], *, workspaces: int, members: int,
    active: int, active_dms: int, first_dms: int, now: datetime,
) -> Workspaces:  # fmt: skip
    """`workspaces` installed workspaces; the first `active` get `active_dms` DMs to click
    between them, the next `first_dms` one each."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    teams = [TEAM.format(i) for i in range(workspaces)]
    per_active = -(-active_dms // active)
    clickable_in = {i: per_active for i in range(active)} | {
        i: 1 for i in range(active, active + first_dms)
    }
    with psycopg.connect(conninfo_of(url)) as conn:
        ids = _workspaces(conn, teams, now)
        people = [[USER.format(i, j) for j in range(members)] for i in range(workspaces)]
        copy_rows(conn, "members", _members(people, ids, now))
        member_ids = {(w, u): m for m, w, u in conn.execute(
            "SELECT id, workspace_id, slack_user_id FROM members")}  # fmt: skip
        copy_rows(conn, "training_resources", _resources(ids, now))
        starter = [r for (r,) in conn.execute(
            "SELECT id FROM training_resources WHERE workspace_id IS NULL AND status = 'published'"
            " ORDER BY id")]  # fmt: skip
        own: dict[int, list[int]] = {}
        for rid, wid in conn.execute(
            "SELECT id, workspace_id FROM training_resources WHERE workspace_id IS NOT NULL"
            " ORDER BY id"
        ):
            own.setdefault(wid, []).append(rid)
        timings["workspaces, members, resources"] = time.perf_counter() - started
        mark = time.perf_counter()
        rows = list(_assignments(ids, people, member_ids, own, starter, clickable_in, now))
        with tallies_rebuilt_after(conn, url):
            copy_rows(conn, "resource_assignments", rows)
        user_of = {m: u for (_, u), m in member_ids.items()}
        copy_rows(conn, "outbox", _outbox(rows, user_of))
        for table in ("resource_assignments", "outbox"):
            conn.execute(sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), max(id)) FROM {}")
                         .format(sql.Literal(table), sql.Identifier(table)))  # fmt: skip
        conn.commit()
        timings["assignments, outbox"] = time.perf_counter() - mark
    mark = time.perf_counter()
    tokens = {team: f"xoxb-{i:06d}-{secrets.token_hex(12)}" for i, team in enumerate(teams)}
    for i, team in enumerate(teams):
        fake.oauth.accept_installed_token(tokens[team])
        for j, user in enumerate(people[i]):
            fake.add_user(user, f"person{j}", real_name=f"Person {j} of {team}", tz="Europe/Berlin")
    clicked = [r["id"] for r in rows if r["dm_ts"] is None]
    sent = _install_and_deliver(url, fake, env, teams, tokens, now)
    if sent != len(clicked):
        raise RuntimeError(f"{sent} DMs sent to the stand-in, {len(clicked)} owed")
    timings["installations (store.save) and the DMs to click (deliver_pending)"] = (
        time.perf_counter() - mark
    )
    mark = time.perf_counter()
    with psycopg.connect(conninfo_of(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        dms: dict[str, deque[tuple[str, str, str]]] = {team: deque() for team in teams}
        for team, user, channel, ts in conn.execute(CLICKABLE, (clicked,)):
            dms[team].append((user, channel, ts))
        counts = {t: int(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(
            sql.Identifier(t))).fetchone()[0]) for t in COUNTED}  # type: ignore[index]  # fmt: skip
    timings["vacuum analyze"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return Workspaces(
        teams=teams, tokens=tokens, active=teams[:active],
        fresh=deque(teams[active : active + first_dms]), dms=dms, counts=counts,
        seconds={k: round(v, 2) for k, v in timings.items()},
    )  # fmt: skip


def _workspaces(conn: psycopg.Connection[Any], teams: list[str], now: datetime) -> list[int]:
    rows = ({"team_id": t, "name": f"Workspace {t[4:]}", "settings": {}, "created_at": now,
             "updated_at": now} for t in teams)  # fmt: skip
    copy_rows(conn, "workspaces", rows)
    by_team = dict(conn.execute("SELECT team_id, id FROM workspaces").fetchall())
    return [int(by_team[t]) for t in teams]


def _members(people: list[list[str]], ids: list[int], now: datetime) -> Iterator[dict[str, Any]]:
    for users, workspace_id in zip(people, ids, strict=True):
        for j, user in enumerate(users):
            yield {
                "workspace_id": workspace_id, "slack_user_id": user, "display_name": f"person{j}",
                "real_name": f"Person {j}", "tz": "Europe/Berlin",
                "role": "manager" if j == 0 else "member", "is_slack_admin": j == 0,
                "is_bot": False, "is_deactivated": False, "profile_fetched_at": now,
                "created_at": now, "updated_at": now,
            }  # fmt: skip


def _resources(ids: list[int], now: datetime) -> Iterator[dict[str, Any]]:
    for workspace_id in ids:
        for k in range(OWN_RESOURCES):
            title = f"House rules, part {k + 1}"
            yield {
                "workspace_id": workspace_id, "external_id": f"own-{k}", "title": title,
                "description": "How we work here.", "type": "document", "access": "free",
                "url": f"https://intranet.example.com/{workspace_id}/{k}", "status": "published",
                "difficulty": "beginner", "skills": ["onboarding"], "duration_minutes": 15,
                **search_columns(title, "How we work here.", ["onboarding"]),
                "created_at": now, "updated_at": now,
            }  # fmt: skip


def _assignments(
    ids: list[int], people: list[list[str]], member_ids: Mapping[tuple[int, str], int],
    own: Mapping[int, list[int]], starter: list[int], clickable_in: Mapping[int, int],
    now: datetime,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Every learner: BASE_OPEN open and BASE_DONE completed assignments with their DMs sent
    long ago; then the workspace's clickable ones, learner by learner in turn, DM not yet
    sent (dm_ts None marks them)."""
    next_id = 1
    for i, workspace_id in enumerate(ids):
        learners = [member_ids[(workspace_id, u)] for u in people[i][1:]]
        manager = member_ids[(workspace_id, people[i][0])]
        resources = [*own[workspace_id], *starter]
        given = dict.fromkeys(learners, 0)
        plan = [(m, k < BASE_DONE, False) for m in learners for k in range(BASE_OPEN + BASE_DONE)]
        plan += [(learners[k % len(learners)], False, True) for k in range(clickable_in.get(i, 0))]
        for member_id, done, clickable in plan:
            if given[member_id] >= len(resources):
                raise SystemExit("more DMs to click per learner than resources: more --members")
            resource_id = resources[given[member_id]]
            given[member_id] += 1
            at = now - timedelta(days=3)
            yield {
                "id": next_id, "workspace_id": workspace_id, "resource_id": resource_id,
                "member_id": member_id, "assigned_by_id": manager,
                "status": "completed" if done else "assigned", "progress": 100 if done else 0,
                "priority": "normal", "due_on": (now + timedelta(days=14)).date(), "note": "",
                "assigned_at": at, "started_at": None, "updated_at": at,
                "completed_at": at if done else None,
                "dm_channel": None if clickable else f"D{next_id:09d}",
                "dm_ts": None if clickable else f"{1_700_000_000 + next_id}.000100",
            }  # fmt: skip
            next_id += 1


def _outbox(rows: list[dict[str, Any]], user_of: Mapping[int, str]) -> Iterator[dict[str, Any]]:
    """Each assignment's DM: sent long ago, or owed now (the ones to click)."""
    for r in rows:
        owed = r["dm_ts"] is None
        yield {
            "workspace_id": r["workspace_id"], "key": f"assignment:{r['id']}:dm",
            "kind": "assignment_dm", "recipient": user_of[r["member_id"]],
            "assignment_id": r["id"], "payload": {},
            "status": "pending" if owed else "sent", "attempts": 0 if owed else 1,
            "next_attempt_at": r["assigned_at"], "created_at": r["assigned_at"],
            "sent_at": None if owed else r["assigned_at"], "channel": r["dm_channel"],
            "ts": r["dm_ts"],
        }  # fmt: skip


def _install_and_deliver(
    url: str, fake: ScaleFakeSlack, env: Mapping[str, str], teams: list[str],
    tokens: Mapping[str, str], now: datetime,
) -> int:  # fmt: skip
    """Each installation saved by the app's store; the owed DMs sent by the app's sender."""
    from slack_sdk.oauth.installation_store import Installation

    from bot import db
    from bot.app import make_client
    from bot.delivery import deliver_pending
    from bot.oauth import bot_scopes
    from bot.services import build_services
    from bot.settings import Settings

    settings = Settings.load({**env, "LOG_LEVEL": "WARNING"}, env_file=Path(os.devnull))
    engine = db.make_engine(url)
    try:
        services = build_services(settings, engine=engine)
        store = services.installs.store
        assert store is not None, "not in many-workspace mode"
        ident, scopes = fake.identity, ",".join(bot_scopes())
        for i, team in enumerate(teams):
            store.save(Installation(
                app_id=ident.app_id, enterprise_id=None, team_id=team, team_name=f"Workspace {i}",
                bot_token=tokens[team], bot_id=ident.bot_id, bot_user_id=ident.bot_user_id,
                bot_scopes=scopes, user_id=USER.format(i, 0), installed_at=now.timestamp(),
            ))  # fmt: skip
        return deliver_pending(services, make_client(settings))
    finally:
        engine.dispose()

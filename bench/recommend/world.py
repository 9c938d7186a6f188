"""A workspace with hidden structure, written with plain INSERTs into a migrated database.

Roles share interests: each role has two home domains and a core list of resources in
them (beginner to advanced, with the domain's skills). A person completes mostly from
their role's core list (the likeliest first), the rest from the whole library by its
popularity, so popularity is a real, not a strawman, baseline. Most people of a role are
on their role's path, kept enrolled for a user group ("@role-3"), as Trainbot records
it. A share of each person's completions is held out: never written, to be found again.
"""

from __future__ import annotations

import functools
import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine, func, insert, select, text

from models import (
    Domain,
    EnrollmentRule,
    Member,
    PathEnrollment,
    ResourceAssignment,
    ResourceDomain,
    TrainingResource,
    Workspace,
)

TEAM_ID = "T0RECBENCH"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
LEVELS = ("beginner", "intermediate", "advanced")


@dataclass(frozen=True)
class Shape:
    people: int = 300
    roles: int = 6
    domains: int = 12
    resources: int = 800
    core: int = 40  # resources per role's core list
    per_person: int = 20  # completions per person, before holding out
    from_role: float = 0.7  # share of completions drawn from the role's core list
    held_out: float = 0.2
    in_group: float = 0.7  # share of a role's people on its path (kept for its user group)
    open_per_person: int = 2  # open assignments (what they are doing)


@dataclass
class World:
    workspace_id: int
    people: list[str]  # Slack user ids
    held: dict[str, set[int]] = field(default_factory=dict)  # user -> held-out resource ids
    taken: dict[str, set[int]] = field(default_factory=dict)  # user -> written (done or open)
    resources: list[int] = field(default_factory=list)


def _zipf_pick(rng: random.Random, items: list[int], k: int, s: float = 1.1) -> list[int]:
    """k distinct items, the earlier ones likelier (weight 1/rank^s)."""
    cumulative = _cumulative(len(items), s)
    chosen: set[int] = set()
    while len(chosen) < min(k, len(items)):
        chosen.add(rng.choices(items, cum_weights=cumulative)[0])
    return list(chosen)


@functools.cache
def _cumulative(n: int, s: float) -> list[float]:
    return list(itertools.accumulate(1 / (i + 1) ** s for i in range(n)))


def build(engine: Engine, shape: Shape, seed: int) -> World:
    rng = random.Random(seed)
    t = NOW - timedelta(days=200)
    with engine.begin() as c:
        ws = c.execute(insert(Workspace).values(
            team_id=TEAM_ID, name="Recommend bench", settings={}, created_at=t, updated_at=t
        )).inserted_primary_key[0]  # fmt: skip
        domain_ids = [c.execute(insert(Domain).values(slug=f"d{d}", name=f"Domain {d}"))
                      .inserted_primary_key[0] for d in range(shape.domains)]  # fmt: skip
        by_domain: dict[int, list[int]] = {d: [] for d in range(shape.domains)}
        first = (c.scalar(select(func.max(TrainingResource.id))) or 0) + 1
        resources = list(range(first, first + shape.resources))
        c.execute(insert(TrainingResource), [{
            "id": rid, "workspace_id": None, "title": f"Resource {i} of domain {i % shape.domains}",
            "type": "article", "status": "published", "difficulty": LEVELS[rng.randrange(3)],
            "skills": [f"skill-{i % shape.domains}-{rng.randrange(4)}"],
            "url": f"https://example.com/{i}", "created_at": t + timedelta(days=rng.randrange(200)),
            "updated_at": t} for i, rid in enumerate(resources)])  # fmt: skip
        c.execute(insert(ResourceDomain), [
            {"resource_id": rid, "domain_id": domain_ids[i % shape.domains]}
            for i, rid in enumerate(resources)])  # fmt: skip
        _catch_up(c, "training_resources")
        for i, rid in enumerate(resources):
            by_domain[i % shape.domains].append(rid)
        global_order = resources[:]
        rng.shuffle(global_order)  # the library's own popularity, the same for everyone
        roles = []
        for r in range(shape.roles):
            homes = rng.sample(range(shape.domains), 2)
            pool = [rid for d in homes for rid in by_domain[d]]
            core = rng.sample(pool, min(shape.core, len(pool)))
            path = c.execute(insert(TrainingResource).values(
                workspace_id=ws, title=f"Path of role {r}", type="path", status="published",
                skills=[], created_at=t, updated_at=t)).inserted_primary_key[0]  # fmt: skip
            c.execute(insert(EnrollmentRule).values(
                workspace_id=ws, path_id=path, source="usergroup", source_id=f"S0ROLE{r}",
                source_label=f"@role-{r}", created_at=t, updated_at=t))  # fmt: skip
            roles.append((core, path))
        world = World(ws, [], resources=resources)
        rows, enrollments = [], []
        first = (c.scalar(select(func.max(Member.id))) or 0) + 1
        c.execute(insert(Member), [{
            "id": first + p, "workspace_id": ws, "slack_user_id": f"U0P{p:05d}",
            "display_name": f"person{p}", "created_at": t, "updated_at": t}
            for p in range(shape.people)])  # fmt: skip
        _catch_up(c, "members")
        for p in range(shape.people):
            user, member = f"U0P{p:05d}", first + p
            core, path = roles[p % shape.roles]
            n_role = round(shape.per_person * shape.from_role)
            done = set(_zipf_pick(rng, core, n_role))
            while len(done) < shape.per_person:
                done.add(_zipf_pick(rng, global_order, 1, s=0.9)[0])
            ordered = sorted(done)
            rng.shuffle(ordered)
            n_held = max(1, round(len(ordered) * shape.held_out))
            held, kept = set(ordered[:n_held]), ordered[n_held:]
            doing = kept[: shape.open_per_person]
            for rid in kept:
                at = t + timedelta(days=rng.randrange(190))
                rows.append({"workspace_id": ws, "resource_id": rid, "member_id": member,
                             "assigned_at": at, "updated_at": at,
                             "completed_at": None if rid in doing else at + timedelta(days=1),
                             "status": "assigned" if rid in doing else "completed"})  # fmt: skip
            if rng.random() < shape.in_group:
                enrollments.append({"workspace_id": ws, "path_id": path, "member_id": member,
                                    "starts_on": date(2026, 6, 1), "enrolled_at": t,
                                    "updated_at": t})  # fmt: skip
            world.people.append(user)
            world.held[user] = held
            world.taken[user] = set(kept)
        c.execute(insert(ResourceAssignment), rows)
        c.execute(insert(PathEnrollment), enrollments)
    return world


def _catch_up(c: Connection, table: str) -> None:
    """PostgreSQL: move the id sequence past the ids written explicitly above."""
    if c.dialect.name == "postgresql":
        c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT max(id) FROM {table}))"))  # fmt: skip

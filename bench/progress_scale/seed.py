"""The data: assign_scale's big workspace, then one manager's large share, an admin, a group.

bench/assign_scale/seed.py writes the workspace (resources, members, assignments with their
events and DMs, 20 managers assigning in turn). This module then gives the first manager
`share` of all assignments (so their Team progress tab covers a lot), gives the third
(the lead) every assignment of a team of `team` learners (a manager of 5,000 people),
makes the second one an admin (who sees every assignment), and picks what the requests ask about: a
500-person user group of learners, one learner, one training the manager assigned, with
words that name it alone.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg

from bench.assign_scale.database import conninfo_of, tallies_rebuilt_after
from bench.assign_scale.seed import Seeded, seed
from bench.assign_scale.seed_rows import MANAGERS, Person

GROUP_ID = "S0BIGGROUP"
GROUP_HANDLE = "big"
ADMIN = Person(f"U0B{1:07d}", "person1")  # assign_scale's second manager
LEAD = Person(f"U0B{2:07d}", "person2")  # the third: the manager of a team (`--team` people)

# Per assignment: given to the big manager when its id falls in the share (ids are dense).
GIVE_SHARE = """
UPDATE resource_assignments SET assigned_by_id = %(manager)s
WHERE (id::bigint * 7919) %% 1000 < %(permille)s  -- bigint: past 271,000 ids int4 overflows
"""
# The team's assignments, all of them, given to the lead (after the big manager's share).
GIVE_TEAM = """
UPDATE resource_assignments SET assigned_by_id = %(lead)s
WHERE member_id IN (SELECT id FROM members WHERE slack_user_id = ANY(%(team)s))
"""
ACTOR_FOLLOWS = """
UPDATE assignment_events e SET actor_id = a.assigned_by_id
FROM resource_assignments a
WHERE e.assignment_id = a.id AND e.kind = 'assigned' AND e.actor_id <> a.assigned_by_id
"""
TOP_TRAININGS = """
SELECT r.id, r.title, count(*) FROM resource_assignments a
JOIN training_resources r ON r.id = a.resource_id
WHERE a.assigned_by_id = %s GROUP BY r.id, r.title ORDER BY count(*) DESC, r.id LIMIT 200
"""
COVERED = """
SELECT count(*) FILTER (WHERE a.assigned_by_id = %(manager)s),
       count(*) FILTER (WHERE a.assigned_by_id = %(manager)s AND m.slack_user_id = ANY(%(group)s)),
       count(*) FILTER (WHERE m.slack_user_id = ANY(%(group)s)),
       count(*),
       count(*) FILTER (WHERE a.assigned_by_id = %(lead)s)
FROM resource_assignments a JOIN members m ON m.id = a.member_id
WHERE a.cancelled_at IS NULL
"""


@dataclass
class ProgressData:
    """Who asks, about what, and how many assignments each report covers."""

    base: Seeded  # assign_scale's: the counts, the seeding times, the people
    manager: Person  # the big manager (assign_scale's first)
    admin: Person
    lead: Person  # the manager of the team
    team: list[Person]  # the lead's people: every assignment of theirs is the lead's
    group: list[Person]  # the user group's members
    person: Person  # the learner of `/progress @person`
    training: tuple[int, str]  # (id, title) of `/progress words`
    words: str  # the words that name it, and it alone
    covered: dict[str, int] = field(default_factory=dict)
    catalog: str = ""  # what importing the starter catalog said
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def everyone(self) -> list[Person]:
        """The people the stand-in must know: the three who ask, and the group."""
        return [self.manager, self.admin, self.lead, *self.group]


def team_of(learners: Sequence[Person], group: int, team: int) -> list[Person]:
    """The lead's people: the last `team` learners (after the group, when there are enough)."""
    return list(learners[max(group, len(learners) - team) :])


def seed_progress(
    url: str, *, resources: int, members: int, assignments: int, share: float, group: int,
    team: int,
) -> ProgressData:  # fmt: skip
    """assign_scale's workspace, then the manager's share, the lead's team, the admin and
    the group."""
    base = seed(url, resources=resources, members=members, assignments=assignments, fresh=1,
                now=datetime.now(UTC))  # fmt: skip
    manager, admin, learners = base.manager, ADMIN, base.learners[:group]
    started = time.perf_counter()
    with psycopg.connect(conninfo_of(url), autocommit=True) as conn:
        ids: dict[str, int] = dict(conn.execute("SELECT slack_user_id, id FROM members").fetchall())
        with tallies_rebuilt_after(conn, url):
            permille = round(share * 1000)
            conn.execute(GIVE_SHARE, {"manager": ids[manager.user_id], "permille": permille})
            people = [p.user_id for p in team_of(base.learners, group, team)]
            conn.execute(GIVE_TEAM, {"lead": ids[LEAD.user_id], "team": people})
        conn.execute(ACTOR_FOLLOWS)
        conn.execute("UPDATE members SET role = 'admin' WHERE slack_user_id = %s", (admin.user_id,))
        conn.execute("VACUUM ANALYZE resource_assignments, assignment_events, members")
        training, words = _named_training(conn, ids[manager.user_id])
        group_ids = [p.user_id for p in learners]
        found = conn.execute(COVERED, {"manager": ids[manager.user_id], "group": group_ids,
                                       "lead": ids[LEAD.user_id]})  # fmt: skip
        counts = found.fetchone()
    assert counts is not None
    return progress_data(base, group, team, training, words, counts, time.perf_counter() - started)


def progress_data(
    base: Seeded, group: int, team: int, training: tuple[int, str], words: str,
    counts: Sequence[Any], seconds: float,
) -> ProgressData:  # fmt: skip
    """What the requests ask about; `counts`: COVERED's row; `seconds`: after base's seed."""
    names = ("manager", "manager_group", "admin_group", "admin", "lead")
    covered = dict(zip(names, counts, strict=True))
    return ProgressData(
        base=base, manager=base.manager, admin=ADMIN, lead=LEAD,
        team=team_of(base.learners, group, team), group=base.learners[:group],
        person=base.learners[len(base.learners) // 2], training=training, words=words,
        covered={k: int(v) for k, v in covered.items()},
        seconds={**base.seconds, "share, admin, analyze": round(seconds, 2)},
    )  # fmt: skip


def _named_training(conn: psycopg.Connection[Any], manager_id: int) -> tuple[tuple[int, str], str]:
    """The manager's most assigned training whose title no other title contains."""
    titles = [str(t) for (t,) in conn.execute("SELECT title FROM training_resources")]
    return named_training(titles, conn.execute(TOP_TRAININGS, (manager_id,)))


def named_training(
    titles: Iterable[str], top: Iterable[Sequence[Any]]
) -> tuple[tuple[int, str], str]:
    """Of `top` (id, title, count: the manager's most assigned first), the first training
    whose title no other of `titles` contains, and its words.

    `/progress words` finds the training by its words (CatalogService.find_one): the whole
    title, in lower case, names it alone when no other title contains it.
    """
    lowered = [" ".join(t.lower().split()) for t in titles]
    for rid, title, _count in top:
        words = " ".join(str(title).lower().split())
        if sum(words in t for t in lowered) == 1:
            return (int(rid), str(title)), words
    raise RuntimeError("no training the manager assigned has a title of its own")


assert MANAGERS >= 3, "the admin and the lead are assign_scale's second and third managers"

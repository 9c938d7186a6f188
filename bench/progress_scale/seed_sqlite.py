"""seed.py's data in a SQLite file (`--sqlite`): the same workspace, share, admin and group.

assign_scale's workspace is written by bench/assign_scale/seed_sqlite.py (the same rows as
on PostgreSQL, executemany in one transaction, tallies rebuilt, ANALYZE); then, as
seed.py does with psycopg, the first manager is given `share` of all assignments (with
the tally triggers dropped meanwhile and the tallies rebuilt after), the second made an
admin, the statistics gathered again, and what the requests ask about is picked.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from bench.assign_scale.seed_sqlite import analyze, seed_sqlite, tallies_rebuilt_after
from bench.progress_scale.seed import (
    ADMIN,
    LEAD,
    ProgressData,
    named_training,
    progress_data,
    team_of,
)
from bot import db

# seed.py's statements, in SQLite's words (integers are 64-bit; the group as a JSON array).
GIVE_SHARE = """
UPDATE resource_assignments SET assigned_by_id = :manager
WHERE (id * 7919) % 1000 < :permille
"""
GIVE_TEAM = """
UPDATE resource_assignments SET assigned_by_id = :lead
WHERE member_id IN (SELECT id FROM members WHERE slack_user_id IN
                    (SELECT value FROM json_each(:team)))
"""
ACTOR_FOLLOWS = """
UPDATE assignment_events AS e SET actor_id = a.assigned_by_id
FROM resource_assignments AS a
WHERE e.assignment_id = a.id AND e.kind = 'assigned' AND e.actor_id <> a.assigned_by_id
"""
TOP_TRAININGS = """
SELECT r.id, r.title, count(*) FROM resource_assignments a
JOIN training_resources r ON r.id = a.resource_id
WHERE a.assigned_by_id = :manager GROUP BY r.id, r.title ORDER BY count(*) DESC, r.id LIMIT 200
"""
COVERED = """
SELECT count(*) FILTER (WHERE a.assigned_by_id = :manager),
       count(*) FILTER (WHERE a.assigned_by_id = :manager AND m.slack_user_id IN
                        (SELECT value FROM json_each(:group))),
       count(*) FILTER (WHERE m.slack_user_id IN (SELECT value FROM json_each(:group))),
       count(*),
       count(*) FILTER (WHERE a.assigned_by_id = :lead)
FROM resource_assignments a JOIN members m ON m.id = a.member_id
WHERE a.cancelled_at IS NULL
"""


def seed_progress_sqlite(
    url: str, *, resources: int, members: int, assignments: int, share: float, group: int,
    team: int,
) -> ProgressData:  # fmt: skip
    """assign_scale's workspace in the SQLite file `url`, then the manager's share, the
    admin and the group."""
    base = seed_sqlite(url, resources=resources, members=members, assignments=assignments,
                       fresh=1, now=datetime.now(UTC))  # fmt: skip
    started = time.perf_counter()
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            ids = {str(u): int(i) for u, i in conn.execute(
                sa.text("SELECT slack_user_id, id FROM members"))}  # fmt: skip
        manager = ids[base.manager.user_id]
        with tallies_rebuilt_after(engine), engine.begin() as conn:
            permille = round(share * 1000)
            conn.execute(sa.text(GIVE_SHARE), {"manager": manager, "permille": permille})
            people = json.dumps([p.user_id for p in team_of(base.learners, group, team)])
            conn.execute(sa.text(GIVE_TEAM), {"lead": ids[LEAD.user_id], "team": people})
        with engine.begin() as conn:
            conn.execute(sa.text(ACTOR_FOLLOWS))
            conn.execute(sa.text("UPDATE members SET role = 'admin' WHERE slack_user_id = :u"),
                         {"u": ADMIN.user_id})  # fmt: skip
        analyze(engine)
        with engine.connect() as conn:
            titles = conn.execute(sa.text("SELECT title FROM training_resources")).scalars().all()
            top = conn.execute(sa.text(TOP_TRAININGS), {"manager": manager}).all()
            training, words = named_training([str(t) for t in titles], top)
            learners = json.dumps([p.user_id for p in base.learners[:group]])
            counts = conn.execute(sa.text(COVERED), {"manager": manager, "group": learners,
                                                     "lead": ids[LEAD.user_id]}).one()  # fmt: skip
    finally:
        engine.dispose()
    return progress_data(base, group, team, training, words, counts,
                         time.perf_counter() - started)  # fmt: skip

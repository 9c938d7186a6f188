"""The data: assign_scale's workspace, then a 20 x 15 course and the sample path, given to
every learner through the app's own services, with the DMs of those who click sent.

bench/assign_scale/seed.py writes the workspace with COPY (resources, members, assignments
with their events and sent DMs). Then, in this process, with the app's services on the
same database (as the tests build it, tests/test_course_statements.py):
- the sample catalog of tests/data/courses_and_paths.json (the path "New support agent":
  step 1 an article, step 2 a course, step 3 a PDF) and a course of 20 sections of 15
  new items, imported by `services.catalog.import_rows`;
- the course assigned, and the path enrolled (step 1 opened), to every learner by the
  first manager: `services.assignments.assign`, one call each;
- the DMs of the learners who will click sent to the stand-in by `deliver_pending` (so
  each has a ts); everyone else's are marked sent in the outbox, so that seeding does not
  post 4,000 messages nobody reads;
- the other learners part-way through the course (course_item_done rows, progress and
  status to match), so that table is not empty either; then VACUUM ANALYZE.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from slack_sdk import WebClient

from bench.assign_scale.database import conninfo_of
from bench.assign_scale.seed import Seeded, seed
from bench.assign_scale.seed_rows import MANAGERS, Person
from bench.servers import BOT_TOKEN, ROOT, TEAM_ID, server_env
from bench.timing import StampedFakeSlack
from bot import db

SAMPLE = ROOT / "tests" / "data" / "courses_and_paths.json"
SECTIONS, ITEMS = 20, 15
COURSE_EXTERNAL_ID = "bench-big-course"
COURSE_TITLE = "Twenty by fifteen"
PATH_EXTERNAL_ID = "cp-support-path"
STEP_ONE_EXTERNAL_ID = "cp-welcome"
CLICKED_ITEM = "Part 2 item 1"  # on the modal's first page (items 1 to 60)
SEND_PER_MINUTE = "100000"  # seeding delivers as fast as the app can (the most allowed)

PART_WAY = """
INSERT INTO course_item_done (assignment_id, resource_id, done_at)
SELECT a.id, i.resource_id, %(now)s
FROM resource_assignments a
JOIN course_section_items i ON i.course_id = a.resource_id
WHERE a.resource_id = %(course)s AND NOT (a.member_id = ANY(%(clickers)s))
  AND (i.id - %(first_item)s) < (a.member_id * 37) %% %(items)s
"""
PART_WAY_PROGRESS = """
UPDATE resource_assignments a SET progress = LEAST(99, round(100.0 * d.n / %(items)s)),
       status = 'in_progress', started_at = %(now)s, updated_at = %(now)s
FROM (SELECT assignment_id, count(*) AS n FROM course_item_done GROUP BY assignment_id) d
WHERE d.assignment_id = a.id AND a.resource_id = %(course)s
"""
SENT_UNREAD = """
UPDATE outbox SET status = 'sent', attempts = 1, sent_at = %(now)s
WHERE status = 'pending' AND NOT (recipient = ANY(%(clickers)s))
"""
CLICKERS = """
SELECT m.slack_user_id, a.id, a.dm_channel, a.dm_ts
FROM resource_assignments a JOIN members m ON m.id = a.member_id
WHERE a.resource_id = %s AND m.slack_user_id = ANY(%s) AND a.cancelled_at IS NULL
"""
COUNTED = (
    "course_sections", "course_section_items", "course_item_done", "path_enrollments",
    "enrollment_steps", "resource_assignments", "outbox",
)  # fmt: skip


@dataclass(frozen=True)
class Clicker:
    """A learner who clicks once: their assignment and the DM it was sent in."""

    user_id: str
    assignment_id: int
    channel: str
    ts: str


@dataclass
class CourseData:
    """Who clicks what, and what the data was."""

    base: Seeded  # assign_scale's: the people, the counts, the seeding times
    course_id: int
    path_id: int
    course: list[Clicker]  # each clicks Done once, on CLICKED_ITEM in the course modal
    path: list[Clicker]  # each clicks Mark complete once, on step 1's DM
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    catalog: str = ""  # what importing the starter catalog said


def big_course() -> str:
    """The 20 x 15 course of tests/test_course_statements.py, as a JSON catalog file."""
    course = {
        "external_id": COURSE_EXTERNAL_ID, "title": COURSE_TITLE, "type": "course",
        "sections": [{"title": f"Part {s}", "items": [
            {"external_id": f"bench-big-{s}-{i}", "title": f"Part {s} item {i}",
             "type": "article", "url": f"https://example.com/big/{s}/{i}"}
            for i in range(1, ITEMS + 1)]} for s in range(1, SECTIONS + 1)],
    }  # fmt: skip
    return json.dumps([course])


def seed_courses(
    url: str,
    fake: StampedFakeSlack,
    *,
    resources: int,
    members: int,
    assignments: int,
    clickers: int,
) -> CourseData:
    """assign_scale's workspace, the course and the path given to every learner, the DMs
    of `clickers` learners for each kind sent to `fake` (which learns everyone)."""
    from bot.services import build_services
    from bot.services.assignments import AssignForm
    from bot.services.catalog_files import parse_catalog, read_catalog_file
    from bot.settings import Settings
    from models.enums import Priority

    now = datetime.now(UTC)
    base = seed(url, resources=resources, members=members, assignments=assignments, fresh=1,
                now=now)  # fmt: skip
    learners = base.learners
    if 2 * clickers > len(learners):
        raise SystemExit(f"{2 * clickers} clicks need as many learners; there are {len(learners)}")
    everyone = [base.manager, *(Person(f"U0B{i:07d}", f"person{i}") for i in range(1, MANAGERS)),
                *learners]  # fmt: skip
    for i, person in enumerate(everyone):
        fake.add_user(person.user_id, person.name, real_name=f"Person {i}", tz="Europe/Berlin")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    env = server_env(fake, url) | {"TRAINBOT_SEND_PER_MINUTE": SEND_PER_MINUTE,
                                   "LOG_LEVEL": "WARNING"}  # fmt: skip
    engine = db.make_engine(url)
    services = build_services(Settings.load(env, env_file=Path(os.devnull)), engine=engine)
    try:
        imported = [
            services.catalog.import_rows(rows=parse_catalog(*read_catalog_file(SAMPLE)),
                                         workspace_id=None),
            services.catalog.import_rows(rows=parse_catalog("big.json", big_course()),
                                         workspace_id=None),
        ]  # fmt: skip
        if imported[1].created != SECTIONS * ITEMS + 1 or imported[1].rejected:
            raise RuntimeError(f"the 20 x 15 course did not import: {imported[1]}")
        with psycopg.connect(conninfo_of(url)) as conn:
            wanted = [COURSE_EXTERNAL_ID, PATH_EXTERNAL_ID, STEP_ONE_EXTERNAL_ID]
            ids: dict[str, int] = dict(conn.execute(
                "SELECT external_id, id FROM training_resources WHERE external_id = ANY(%s)",
                (wanted,)).fetchall())  # fmt: skip
        client = WebClient(token=BOT_TOKEN, base_url=fake.base_url)
        manager = services.members.resolve(
            team_id=TEAM_ID, user_id=base.manager.user_id, profiles=client
        )
        timings["import course and path"] = time.perf_counter() - started
        mark = time.perf_counter()
        user_ids = tuple(p.user_id for p in learners)
        due = now.date() + timedelta(days=30)
        for resource in (COURSE_EXTERNAL_ID, PATH_EXTERNAL_ID):
            form = AssignForm(ids[resource], user_ids, due, Priority.NORMAL)
            result = services.assignments.assign(by=manager, form=form)
            if len(result.created) != len(learners):
                raise RuntimeError(f"{resource}: {len(result.created)} of {len(learners)} "
                                   f"assigned; skipped {result.skipped[:3]}")  # fmt: skip
        timings["assign course and path to every learner"] = time.perf_counter() - mark
        # The first `clickers` learners click Done, the last `clickers` complete step 1.
        course_users = [p.user_id for p in learners[:clickers]]
        path_users = [p.user_id for p in learners[-clickers:]]
        mark = time.perf_counter()
        with psycopg.connect(conninfo_of(url)) as conn:
            conn.execute(SENT_UNREAD, {"now": now, "clickers": course_users + path_users})
        fake.reset_calls()
        from bot.delivery import deliver_pending

        sent = deliver_pending(services, client)  # each clicker's course DM and step 1's
        if sent != 4 * clickers:
            raise RuntimeError(f"{sent} DMs sent to the stand-in, {4 * clickers} owed")
        fake.reset_calls()
        timings["deliver the clickers' DMs"] = time.perf_counter() - mark
    finally:
        engine.dispose()
    mark = time.perf_counter()
    with psycopg.connect(conninfo_of(url), autocommit=True) as conn:
        clicked = [r[0] for r in conn.execute(
            "SELECT id FROM members WHERE slack_user_id = ANY(%s)", (course_users,))]  # fmt: skip
        first_item = conn.execute(
            "SELECT min(id) FROM course_section_items WHERE course_id = %s",
            (ids[COURSE_EXTERNAL_ID],),
        ).fetchone()
        assert first_item is not None
        part_way = {"now": now, "course": ids[COURSE_EXTERNAL_ID], "clickers": clicked,
                    "first_item": first_item[0], "items": SECTIONS * ITEMS}  # fmt: skip
        conn.execute(PART_WAY, part_way)
        conn.execute(PART_WAY_PROGRESS, part_way)
        conn.execute("VACUUM ANALYZE")
        course = _clickers(conn, ids[COURSE_EXTERNAL_ID], course_users)
        path = _clickers(conn, ids[STEP_ONE_EXTERNAL_ID], path_users)
        counts = {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
                  for t in COUNTED}  # fmt: skip
    timings["others part-way, vacuum analyze"] = time.perf_counter() - mark
    timings["total"] = base.seconds["total"] + time.perf_counter() - started
    return CourseData(
        base=base, course_id=ids[COURSE_EXTERNAL_ID], path_id=ids[PATH_EXTERNAL_ID],
        course=course, path=path, counts=base.counts | counts,
        seconds=base.seconds | {k: round(v, 2) for k, v in timings.items()},
    )  # fmt: skip


def _clickers(conn: psycopg.Connection[Any], resource_id: int, users: list[str]) -> list[Clicker]:
    """The learners' assignments of `resource_id` with their DMs, in the order of `users`."""
    found = {
        uid: Clicker(uid, int(aid), str(channel), str(ts))
        for uid, aid, channel, ts in conn.execute(CLICKERS, (resource_id, users))
        if channel and ts
    }
    missing = [u for u in users if u not in found]
    if missing:
        raise RuntimeError(f"{len(missing)} learners have no DM for {resource_id}: {missing[:3]}")
    return [found[u] for u in users]

"""/assign at scale: acks next to a bare Bolt app, on PostgreSQL with a big workspace.

    .venv/bin/python -m bench.assign_scale [--n 200] [--database-url URL] [--time-limit 600]

Creates a database of its own (`--db-name`, default trainbot_bench) on the PostgreSQL
server of `--database-url`, migrates it (bot.db.upgrade), imports the starter catalog and
seeds it with COPY: 10,000 resources, 2,000 members and 200,000 assignments (with their
events and sent DMs in the outbox). The database is dropped at the end (`--keep-db`).

Then, like bench/ack_latency.py (whose machinery this reuses), it starts `trainbot serve`
and bare apps (bench/bare_apps.py) on gunicorn, plays Slack with signed requests against
a FakeSlack in this process, and times the ack of, one at a time:
- `command`: `/assign @someone pro git` (the modal, with the person and Pro Git filled in);
- `typeahead`: block_suggestion on the modal's resource select, as a manager types;
- `submission`: view_submission of the modal, assigning a resource nobody has yet to
  `--people` (3) people; Trainbot gets a fresh modal (/assign, not timed) before each;
- `complete`: the "Mark complete" button on one of the DMs those submissions sent
  (block_actions with the message container, as Slack sends it).
The bare apps get the very bytes Trainbot got (re-signed) and only ack. For Trainbot it
also times the effect: views.open answered; every DM and the confirmation posted; the
DM updated and Home published.

Statements per interaction: the servers run in subprocesses, so the same requests are
then sent to an in-process app (bot.app.build_app + bot.web.make_wsgi_app, as
tests/conftest.py builds it) on the same database, with a before_cursor_execute listener
on its engine; statements on the request thread are "in the ack", those on the
after-ack executor's threads "after the ack".

Prints Markdown tables and writes bench/results/assign_scale.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import sqlalchemy as sa
from psycopg import sql

import models
from bench.ack_latency import (
    BOT_TOKEN,
    FORM,
    SIGNING_SECRET,
    TEAM_ID,
    Deadline,
    Series,
    StampedFakeSlack,
    Target,
    TimedClient,
    import_starter_catalog,
    machine_info,
    raise_keyboard_interrupt,
    running_server,
    server_env,
    summary,
    targets,
)
from bot import db
from bot.fakeslack import AppResponse
from bot.ids import Action, Block

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = ROOT / "bench" / "results" / "assign_scale.json"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SCHEMES = ("postgresql+psycopg://", "postgresql://", "postgres://")

KINDS = ("command", "typeahead", "submission", "complete")
LABELS = {
    "command": "`/assign @person pro git`",
    "typeahead": "typeahead (block_suggestion)",
    "submission": "Assign (view_submission)",
    "complete": "Mark complete (DM button)",
}
EFFECTS = {
    "command": "views.open answered",
    "submission": "every DM and the confirmation posted",
    "complete": "DM updated and Home published",
}
BARE = "bolt-before-response"  # the ratio is against the bare app in Trainbot's own mode
DEFAULT_TARGETS = ("trainbot", BARE, "plain-wsgi")

# What a manager types into the resource typeahead, keystroke by keystroke or a word.
TYPED = ("sec", "securi", "python", "lead", "kube", "git", "data", "intro to", "sales", "des")
MANAGERS = 20  # members with the manager role; the first one runs /assign
EFFECT_TIMEOUT_S = 10.0
BIG_SUBMISSION = 30  # counted in process too: statements per person assigned
SEND_PER_MINUTE = "60000"  # Slack's pace is not what is measured here (see --send-per-minute)

TOPICS = (
    "Python", "Kubernetes", "Negotiation", "Security awareness", "SQL", "Leadership",
    "Git", "Onboarding", "Excel", "Design systems", "Data analysis", "Public speaking",
    "Customer success", "Sales prospecting", "Accessibility", "Incident response",
    "Product discovery", "Time management", "Terraform", "Machine learning", "React",
    "Go", "Rust", "Feedback", "Hiring", "Budgeting", "GDPR", "Cloud costs", "Testing",
    "Observability", "Writing", "Coaching", "Pricing", "UX research", "Docker",
    "Networking", "Linux", "Statistics", "Storytelling", "Conflict resolution",
)  # fmt: skip
FORMS = (
    "Introduction to", "Advanced", "Hands-on", "A field guide to", "Mastering",
    "The basics of", "Workshop:", "Deep dive:", "Everyday", "Practical",
)  # fmt: skip
TYPES = ("article", "video", "pdf", "course", "podcast", "book", "document")
DOMAINS = (
    "Engineering", "Sales", "Security", "Leadership", "Data", "Design", "Product",
    "Operations", "Finance", "Legal", "People", "Marketing", "Support", "Cloud",
    "Communication", "Compliance", "Management", "Analytics", "Quality", "Onboarding",
)  # fmt: skip


# -- the database ------------------------------------------------------------------------------


def conninfo_of(url: str) -> str:
    """The libpq URL psycopg takes, from a SQLAlchemy one."""
    scheme = next((s for s in SCHEMES if url.startswith(s)), None)
    if scheme is None:
        raise SystemExit(f"--database-url must be a PostgreSQL URL (got {url[:30]!r})")
    return "postgresql://" + url[len(scheme) :]


def with_database(url: str, name: str) -> str:
    """The same server and user, database `name`, as a SQLAlchemy URL."""
    parts = urlsplit(conninfo_of(url))
    query = f"?{parts.query}" if parts.query else ""
    return f"postgresql+psycopg://{parts.netloc}/{name}{query}"


@contextlib.contextmanager
def bench_database(admin_url: str, name: str, keep: bool) -> Iterator[str]:
    """Create database `name` (dropping one left over by an earlier run); drop it at the end."""
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    create = sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
        sql.Identifier(name)
    )
    with psycopg.connect(conninfo_of(admin_url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(drop)
        conn.execute(create)
    try:
        yield with_database(admin_url, name)
    finally:
        if not keep:
            with psycopg.connect(conninfo_of(admin_url), autocommit=True) as conn:
                conn.execute(drop)


def column_default(column: sa.Column[Any]) -> Any:
    """The value SQLAlchemy would fill in for a column a row leaves out."""
    default = column.default
    if default is None or not hasattr(default, "arg"):
        return None
    if getattr(default, "is_callable", False):
        return default.arg(None)
    return default.arg


def copy_rows(conn: psycopg.Connection[Any], table: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """COPY rows (dicts) into `table`; other NOT NULL columns get the model's default.

    Column names come from the models, so a column added by a later migration with a
    Python-side default is filled as the app would fill it.
    """
    model = models.Base.metadata.tables[table]
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    given = list(first)
    extra = {
        c.name: column_default(c)
        for c in model.columns
        if c.name not in first and not c.nullable and c.server_default is None
        and not (c.primary_key and c.autoincrement in (True, "auto"))
    }  # fmt: skip
    names = [*given, *extra]
    json_columns = {c.name for c in model.columns if isinstance(c.type, sa.JSON)}
    dump = [name in json_columns for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row in _chain(first, rows):
            values = [row[name] for name in given] + list(extra.values())
            copy.write_row([json.dumps(v) if d else v for v, d in zip(values, dump, strict=True)])
            count += 1
    return count


def _chain(first: Mapping[str, Any], rest: Iterator[Mapping[str, Any]]) -> Iterator[Any]:
    yield first
    yield from rest


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str


@dataclass
class Seeded:
    """What the requests need to know about the data, and how long seeding took."""

    manager: Person
    learners: list[Person]
    fresh: list[tuple[int, str]]  # (id, title) of published resources nobody was assigned
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def seed(
    url: str, *, resources: int, members: int, assignments: int, fresh: int, now: datetime
) -> Seeded:
    """One workspace: resources (starter catalog included), members, assignments, with COPY."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with psycopg.connect(conninfo_of(url)) as conn:
        ws = conn.execute(
            "INSERT INTO workspaces (team_id, name, settings, created_at, updated_at)"
            " VALUES (%s, 'Bench Inc', '{}', %s, %s) RETURNING id",
            (TEAM_ID, now, now),
        ).fetchone()
        assert ws is not None
        workspace_id = int(ws[0])
        starter = [int(r[0]) for r in conn.execute("SELECT id FROM training_resources ORDER BY id")]
        first_id = (max(starter) if starter else 0) + 1
        domain_ids = _domains(conn)
        generated = max(0, resources - len(starter))
        rows = list(_resources(generated, first_id, workspace_id, now))
        copy_rows(conn, "training_resources", rows)
        copy_rows(
            conn,
            "resource_domains",
            (
                {
                    "resource_id": r["id"],
                    "domain_id": domain_ids[(r["id"] + k * 7) % len(domain_ids)],
                }
                for r in rows
                for k in range(1 + r["id"] % 2)
            ),
        )
        timings["resources"] = time.perf_counter() - started

        people = [Person(f"U0B{i:07d}", f"person{i}") for i in range(members)]
        copy_rows(conn, "members", _members(people, workspace_id, now))
        member_ids = {
            uid: mid
            for mid, uid in conn.execute(
                "SELECT id, slack_user_id FROM members WHERE workspace_id = %s", (workspace_id,)
            )
        }
        timings["members"] = time.perf_counter() - started - timings["resources"]

        published = [r["id"] for r in rows if r["status"] == "published"]
        fresh_ids = published[-fresh:]
        kept = set(fresh_ids)
        assignable = starter + [r["id"] for r in rows if r["id"] not in kept]
        mark = time.perf_counter()
        created = _assignments(conn, people, member_ids, assignable, assignments, workspace_id, now)
        timings["assignments, events, outbox"] = time.perf_counter() - mark
        for table in ("training_resources", "members", "resource_assignments",
                      "assignment_events", "outbox"):  # fmt: skip
            conn.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), max(id)) FROM {}").format(
                    sql.Literal(table), sql.Identifier(table)
                )
            )
        conn.commit()
        mark = time.perf_counter()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.perf_counter() - mark
        counts = {table: _count(conn, table) for table in COUNTED}
        titles: dict[int, str] = dict(
            conn.execute(
                "SELECT id, title FROM training_resources WHERE id = ANY(%s)", (fresh_ids,)
            )
        )
    timings["total"] = time.perf_counter() - started
    assert created == counts["resource_assignments"]
    return Seeded(
        manager=people[0],
        learners=people[MANAGERS:],
        fresh=[(rid, titles[rid]) for rid in fresh_ids],
        counts=counts,
        seconds={k: round(v, 2) for k, v in timings.items()},
    )


COUNTED = (
    "training_resources", "resource_domains", "members", "resource_assignments",
    "assignment_events", "outbox",
)  # fmt: skip


def _count(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
    return int(row[0]) if row else 0


def _domains(conn: psycopg.Connection[Any]) -> list[int]:
    for name in DOMAINS:
        conn.execute(
            "INSERT INTO domains (slug, name) VALUES (%s, %s) ON CONFLICT (slug) DO NOTHING",
            (name.lower(), name),
        )
    return [int(r[0]) for r in conn.execute("SELECT id FROM domains ORDER BY id")]


def _resources(
    count: int, first_id: int, workspace_id: int, now: datetime
) -> Iterator[dict[str, Any]]:
    """Shared library mostly, a tenth the workspace's own (a few drafts and archived)."""
    for i in range(count):
        rid = first_id + i
        topic = TOPICS[i % len(TOPICS)]
        form = FORMS[(i // len(TOPICS)) % len(FORMS)]
        kind = TYPES[i % len(TYPES)]
        own = i % 10 == 0
        status = "published"
        if own and i % 70 == 0:
            status = "draft"
        elif own and i % 110 == 0:
            status = "archived"
        title = f"{form} {topic}, part {i // (len(TOPICS) * len(FORMS)) + 1}"
        description = (
            f"A {kind} on {topic.lower()} for people who want to get better at it: "
            "examples from real teams, exercises and a short quiz at the end."
        )
        skills = [topic.lower(), form.split()[0].lower().strip(":")]
        yield {
            "id": rid, "workspace_id": workspace_id if own else None,
            "external_id": f"bench-{i:06d}", "title": title, "description": description,
            "type": kind, "access": "free" if i % 5 else "premium",
            "url": f"https://learn.example.com/{kind}/{i}", "status": status,
            "difficulty": ("beginner", "intermediate", "advanced")[i % 3], "skills": skills,
            "duration_minutes": 5 + i % 120,
            "search_text": " ".join([title, description, *skills]).lower(),
            "created_at": now - timedelta(days=i % 700), "updated_at": now,
        }  # fmt: skip


def _members(
    people: Sequence[Person], workspace_id: int, now: datetime
) -> Iterator[dict[str, Any]]:
    zones = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "UTC")
    for i, person in enumerate(people):
        yield {
            "workspace_id": workspace_id, "slack_user_id": person.user_id,
            "display_name": person.name, "real_name": f"Person {i}", "tz": zones[i % len(zones)],
            "role": "manager" if i < MANAGERS else "member", "is_slack_admin": False,
            "is_bot": False, "is_deactivated": False,
            "profile_fetched_at": now, "created_at": now, "updated_at": now,
        }  # fmt: skip


def _assignments(
    conn: psycopg.Connection[Any],
    people: Sequence[Person],
    member_ids: Mapping[str, int],
    assignable: Sequence[int],
    total: int,
    workspace_id: int,
    now: datetime,
) -> int:
    """`total` assignments spread evenly over the members, one open per (resource, member)."""
    per_member = min(-(-total // len(people)), len(assignable))
    step = max(1, len(assignable) // per_member)
    managers = [member_ids[p.user_id] for p in people[:MANAGERS]]
    today = now.date()
    rows: list[dict[str, Any]] = []
    next_id = 1
    for m, person in enumerate(people):
        member_id = member_ids[person.user_id]
        for k in range(per_member):
            if len(rows) >= total:
                break
            resource_id = assignable[(m * 13 + k * step) % len(assignable)]
            state = k % 10
            assigned_at = now - timedelta(days=1 + (m + k) % 300)
            done = state < 3
            rows.append({
                "id": next_id, "workspace_id": workspace_id, "resource_id": resource_id,
                "member_id": member_id, "assigned_by_id": managers[(m + k) % len(managers)],
                "status": "completed" if done else ("in_progress" if state == 3 else "assigned"),
                "progress": 100 if done else (50 if state == 3 else 0),
                "priority": ("low", "normal", "normal", "high", "urgent")[k % 5],
                "due_on": today + timedelta(days=(m + k) % 60 - 20), "note": "",
                "assigned_at": assigned_at, "started_at": assigned_at if state <= 3 else None,
                "updated_at": assigned_at, "completed_at": assigned_at if done else None,
                "dm_channel": f"D{person.user_id[1:]}",
                "dm_ts": f"{1_700_000_000 + next_id}.000100",
            })  # fmt: skip
            next_id += 1
    copy_rows(conn, "resource_assignments", rows)
    copy_rows(
        conn,
        "assignment_events",
        (
            {"workspace_id": workspace_id, "assignment_id": r["id"], "actor_id": a,
             "kind": kind, "status": kind, "progress": 100 if kind == "completed" else 0,
             "data": {}, "occurred_at": r["assigned_at"]}
            for r in rows
            for kind, a in (("assigned", r["assigned_by_id"]), ("completed", r["member_id"]))
            if kind == "assigned" or r["completed_at"] is not None
        ),
    )  # fmt: skip
    copy_rows(
        conn,
        "outbox",
        (
            {"workspace_id": workspace_id, "key": f"assignment:{r['id']}:dm",
             "kind": "assignment_dm", "recipient": people[0].user_id, "assignment_id": r["id"],
             "payload": {}, "status": "sent", "attempts": 1, "next_attempt_at": r["assigned_at"],
             "created_at": r["assigned_at"], "sent_at": r["assigned_at"],
             "channel": r["dm_channel"], "ts": r["dm_ts"]}
            for r in rows
        ),
    )  # fmt: skip
    return len(rows)


# -- the requests ------------------------------------------------------------------------------


class ScaleFakeSlack(StampedFakeSlack):
    def last_answered(self, methods: Sequence[str]) -> float:
        """perf_counter() when the last of these methods had been answered and recorded."""
        paths = {f"/api/{m}" for m in methods}
        with self._lock:
            return max(s.answered for s in self.stamps if s.path in paths)


class AssignBench:
    """Sends one request of a kind to one target; Trainbot's effects are waited for and timed."""

    def __init__(
        self,
        fake: ScaleFakeSlack,
        data: Seeded,
        *,
        people: int,
        pause_s: float,
        first_submission: int = 0,
    ) -> None:
        self.fake = fake
        self.data = data
        self.people = people
        self._pause_s = pause_s
        self.bodies: dict[str, bytes] = {}  # what Trainbot last got, per kind: the bare apps' too
        self.effects: dict[str, Series] = {}
        self.dms: deque[tuple[str, str, str]] = deque()  # (user, channel, ts) to click on
        self._view_id: str | None = None  # the manager's open /assign modal
        self.submissions = first_submission  # which fresh resource the next one assigns
        self._typed = 0

    def send(self, kind: str, client: TimedClient, target: Target, into: Series) -> None:
        self.fake.reset_calls()
        if not target.has_effect:
            self._record(client, client.send_raw(self.bodies[kind], FORM), into)
        else:
            client.body = b""
            try:
                self._trainbot(kind, client, into)
            except (AssertionError, LookupError) as error:
                into.failures.append(f"{kind}: {str(error)[:200]}")
            if client.body:
                self.bodies[kind] = client.body
        time.sleep(self._pause_s)

    def _trainbot(self, kind: str, client: TimedClient, into: Series) -> None:
        if kind == "command":
            learner = self.data.learners[self.submissions % len(self.data.learners)]
            text = f"<@{learner.user_id}|{learner.name}> pro git"
            response = client.command("/assign", text, user=self.data.manager.user_id)
            self._record(client, response, into)
            call = self.fake.wait_for_call("views.open", timeout=EFFECT_TIMEOUT_S)
            self._view_id = str(call.response["view"]["id"])
            self._effect(kind, client, ["views.open"])
        elif kind == "typeahead":
            if self._view_id is None:
                self._open_modal(client)
            assert self._view_id is not None
            response = client.suggest(
                user=self.data.manager.user_id,
                view_id=self._view_id,
                action_id=Action.ASSIGN_RESOURCE,
                value=TYPED[self._typed % len(TYPED)],
            )
            self._typed += 1
            self._record(client, response, into)
            options = (response.json or {}).get("options")
            assert options, f"no options for {TYPED[(self._typed - 1) % len(TYPED)]!r}"
        elif kind == "submission":
            self._submit(client, into)
        else:
            user, channel, ts = self.dms.popleft()
            response = client.click(
                user=user, action_id=Action.ASSIGNMENT_COMPLETE, channel=channel, ts=ts
            )
            self._record(client, response, into)
            self.fake.wait_for_call("chat.update", timeout=EFFECT_TIMEOUT_S)
            self.fake.wait_for_call("views.publish", timeout=EFFECT_TIMEOUT_S)
            self._effect(kind, client, ["chat.update", "views.publish"])

    def _open_modal(self, client: TimedClient) -> None:
        """A fresh /assign modal for the manager (not timed)."""
        client.command("/assign", "", user=self.data.manager.user_id)
        call = self.fake.wait_for_call("views.open", timeout=EFFECT_TIMEOUT_S)
        self._view_id = str(call.response["view"]["id"])
        self.fake.reset_calls()

    def _submit(self, client: TimedClient, into: Series) -> None:
        self._open_modal(client)
        assert self._view_id is not None
        n = self.submissions
        self.submissions += 1
        resource_id, title = self.data.fresh[n % len(self.data.fresh)]
        learners = self.data.learners
        people = [
            learners[(n * self.people + j) % len(learners)].user_id for j in range(self.people)
        ]
        response = client.submit_view(
            user=self.data.manager.user_id,
            view_id=self._view_id,
            values={
                Block.RESOURCE: (str(resource_id), title[:75]),
                Block.PEOPLE: people,
                Block.DUE: (date.today() + timedelta(days=14)).isoformat(),
                Block.PRIORITY: "high",
                Block.NOTE: "Before the next release, please.",
            },
        )
        self._view_id = None
        self._record(client, response, into)
        errors = (response.json or {}).get("errors")
        assert not errors, f"the modal answered errors: {errors}"
        posted = self._wait_for_posts(len(people))
        self.dms.extend(
            (str(c.args["channel"]), str(c.response["channel"]), str(c.response["ts"]))
            for c in posted
        )
        self.fake.wait_for_call("chat.postEphemeral", timeout=EFFECT_TIMEOUT_S)
        self._effect("submission", client, ["chat.postMessage", "chat.postEphemeral"])

    def _wait_for_posts(self, count: int) -> list[Any]:
        deadline = time.monotonic() + EFFECT_TIMEOUT_S
        while True:
            posted = [c for c in self.fake.calls_to("chat.postMessage") if c.response.get("ok")]
            if len(posted) >= count:
                return posted
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(posted)} of {count} DMs after {EFFECT_TIMEOUT_S} s")
            time.sleep(0.002)

    def _record(self, client: TimedClient, response: AppResponse, into: Series) -> None:
        into.body_bytes.append(len(client.body))
        if response.status != 200:
            into.failures.append(f"HTTP {response.status}: {response.body[:80]}")
        else:
            into.samples.append(response.elapsed_ms)

    def _effect(self, kind: str, client: TimedClient, methods: Sequence[str]) -> None:
        """From sending the request to the stand-in's stamp on the last of `methods`."""
        last = self.fake.last_answered(methods)
        self.effects.setdefault(kind, Series()).samples.append((last - client.sent_perf) * 1000)


def run_kind(
    kind: str,
    bench: AssignBench,
    clients: Mapping[str, TimedClient],
    all_targets: Sequence[Target],
    n: int,
    block: int,
    deadline: Deadline,
) -> dict[str, Series]:
    """n requests of `kind` per target, in blocks that rotate the target order (Trainbot first
    in the first block, so the bare apps have its bytes to replay)."""
    results = {t.key: Series() for t in all_targets}
    for block_no, start in enumerate(range(0, n, block)):
        shift = block_no % len(all_targets)
        for target in [*all_targets[shift:], *all_targets[:shift]]:
            series = results[target.key]
            for _ in range(start, min(n, start + block)):
                if deadline.passed():
                    series.truncated = True
                    break
                if kind not in bench.bodies and not target.has_effect:
                    continue  # nothing to replay yet: Trainbot failed every one so far
                bench.send(kind, clients[target.key], target, series)
    return results


# -- statements, in process ----------------------------------------------------------------------


class StatementLog:
    """Statements on an engine, split by thread: the request's (in the ack) or the executor's."""

    def __init__(self, engine: sa.Engine, after_ack_prefix: str) -> None:
        self._engine = engine
        self._prefix = after_ack_prefix
        self._lock = threading.Lock()
        self.in_ack: list[str] = []
        self.after_ack: list[str] = []

    def __enter__(self) -> StatementLog:
        sa.event.listen(self._engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *_exc: object) -> None:
        sa.event.remove(self._engine, "before_cursor_execute", self._note)

    def _note(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        after = threading.current_thread().name.startswith(self._prefix)
        shape = " ".join(statement.split())[:100]
        with self._lock:
            (self.after_ack if after else self.in_ack).append(shape)

    def clear(self) -> None:
        with self._lock:
            self.in_ack.clear()
            self.after_ack.clear()


def count_statements(
    fake: ScaleFakeSlack,
    url: str,
    data: Seeded,
    dms: Iterable[tuple[str, str, str]],
    *,
    first_submission: int,
    people: int,
    big_people: int,
    repeats: int,
) -> dict[str, Any]:
    """The same requests against an in-process app on the same database, counted."""
    from bot.app import build_app
    from bot.services import build_services
    from bot.settings import Settings
    from bot.web import make_wsgi_app
    from tests.support.executor import SettlingExecutor
    from tests.support.wsgi import serve_wsgi

    settings = Settings.load(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.base_url,
            "DATABASE_URL": url,
            "TRAINBOT_SEND_PER_MINUTE": SEND_PER_MINUTE,
            "LOG_LEVEL": "WARNING",
        },
        env_file=Path(os.devnull),
    )
    executor = SettlingExecutor()  # its threads are named lazy_N
    engine = db.make_engine(url)
    services = build_services(settings, engine=engine, background=executor)
    wsgi = make_wsgi_app(build_app(services), services)
    found: dict[str, Any] = {}
    try:
        with serve_wsgi(wsgi) as base, StatementLog(engine, "lazy") as log:
            client = TimedClient(f"{base}/slack/events", SIGNING_SECRET, fake, timeout=30)
            in_process = Target("in-process", "in-process app", (), has_effect=True)
            # Fresh resources after the HTTP run's, so every submission creates assignments.
            bench = AssignBench(
                fake, data, people=people, pause_s=0, first_submission=first_submission
            )
            bench.dms.extend(dms)
            plan = [*((k, people) for k in KINDS), ("submission", big_people)]
            for kind, size in plan:
                bench.people = size
                label = kind if size == people else f"{kind}, {size} people"
                runs = []
                acks: list[float] = []
                for turn in range(repeats + 1):  # the first one warms up
                    executor.settle(timeout=60)
                    log.clear()
                    series = Series()
                    bench.send(kind, client, in_process, series)
                    executor.settle(timeout=60)
                    if series.failures:
                        raise RuntimeError(f"in-process {label}: {series.failures}")
                    if turn:
                        runs.append((list(log.in_ack), list(log.after_ack)))
                        acks.extend(series.samples)
                found[label] = {
                    "people": size if kind == "submission" else None,
                    "in_ack": [len(a) for a, _ in runs],
                    "after_ack": [len(b) for _, b in runs],
                    "total": [len(a) + len(b) for a, b in runs],
                    "ack_ms_in_process": [round(ms, 2) for ms in acks],
                    "statements_in_ack": _tally(runs[-1][0]),
                    "statements_after_ack": _tally(runs[-1][1]),
                }
    finally:
        executor.shutdown(wait=True)
        engine.dispose()
    return found


def _tally(statements: Sequence[str]) -> list[str]:
    """Each statement shape once, with how often it ran, in order of first appearance."""
    counts = Counter(statements)
    return [f"{counts[s]} x {s}" for s in dict.fromkeys(statements)]


# -- report ------------------------------------------------------------------------------------


def _ms(row: Mapping[str, Any] | None, key: str) -> str:
    value = (row or {}).get(key)
    return f"{value:.2f}" if isinstance(value, float) else "-"


def tables(
    rows: Mapping[tuple[str, str], dict[str, Any]],
    effects: Mapping[str, dict[str, Any]],
    statements: Mapping[str, Any],
    all_targets: Sequence[Target],
) -> str:
    keys = [t.key for t in all_targets]
    head = ["| interaction | requests | Trainbot median ms | p99 ms |"]
    line = ["| --- | ---: | ---: | ---: |"]
    for key in keys[1:]:
        head.append(f" {key} median | p99 |")
        line.append(" ---: | ---: |")
    head.append(f" ratio median (vs {BARE}) | ratio p99 | statements (in ack + after) |")
    line.append(" ---: | ---: | --- |")
    out = ["".join(head), "".join(line)]
    for kind in KINDS:
        trainbot = rows.get(("trainbot", kind))
        cells = [LABELS[kind], str((trainbot or {}).get("requests", 0))]
        cells += [_ms(trainbot, "median_ms"), _ms(trainbot, "p99_ms")]
        for key in keys[1:]:
            cells += [_ms(rows.get((key, kind)), "median_ms"), _ms(rows.get((key, kind)), "p99_ms")]
        bare = rows.get((BARE, kind))
        for p in ("median_ms", "p99_ms"):
            a, b = (trainbot or {}).get(p), (bare or {}).get(p)
            cells.append(f"{a / b:.2f}x" if a and b else "-")
        counted = statements.get(kind)
        cells.append(
            f"{_spread(counted['in_ack'])} + {_spread(counted['after_ack'])}" if counted else "-"
        )
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "| Trainbot effect | requests | median ms | p90 ms | p99 ms |",
            "| --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for kind, what in EFFECTS.items():
        row = effects.get(kind)
        if row:
            out.append(
                f"| {LABELS[kind]}: {what} | {row['requests']} | {_ms(row, 'median_ms')} | "
                f"{_ms(row, 'p90_ms')} | {_ms(row, 'p99_ms')} |"
            )
    return "\n".join(out)


def _spread(values: Sequence[int]) -> str:
    return str(values[0]) if len(set(values)) == 1 else f"{min(values)}-{max(values)}"


# -- main --------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.assign_scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    default_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    parser.add_argument(
        "--database-url",
        default=default_url,
        help="a PostgreSQL server to create the bench database on, as postgresql+psycopg://"
        f"USER@HOST:PORT/DB (DB is only connected to); BENCH_DATABASE_URL, else {DEFAULT_URL}",
    )
    parser.add_argument("--db-name", default="trainbot_bench", help="database to create and drop")
    parser.add_argument("--keep-db", action="store_true", help="leave the database in place")
    parser.add_argument("--n", type=int, default=200, help="requests per measurement (200)")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up requests per kind (10)")
    parser.add_argument("--block", type=int, default=25, help="requests per interleaved block")
    parser.add_argument("--pause-ms", type=float, default=50.0, help="think time (50 ms)")
    parser.add_argument("--people", type=int, default=3, help="people per submission (3)")
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--assignments", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument(
        "--targets",
        nargs="+",
        default=list(DEFAULT_TARGETS),
        help=f"targets besides trainbot (default: {' '.join(DEFAULT_TARGETS[1:])}; "
        "bolt-default also possible)",
    )
    parser.add_argument(
        "--send-per-minute",
        default=SEND_PER_MINUTE,
        help="TRAINBOT_SEND_PER_MINUTE for Trainbot (60000: DMs go out as fast as the app can)",
    )
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=KINDS,
        default=list(KINDS),
        help="interactions to time (all; `complete` clicks the DMs `submission` sent)",
    )
    parser.add_argument("--count-repeats", type=int, default=5, help="counted runs per kind (5)")
    parser.add_argument(
        "--time-limit", type=float, default=600.0, help="stop measuring after this many s (600)"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--keep-logs", action="store_true", help="keep the server logs")
    args = parser.parse_args(argv)
    if args.n < 1 or args.block < 1 or args.warmup < 1 or args.people < 1:
        parser.error("--n, --block, --warmup and --people must be at least 1")
    return args


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = {"trainbot", *args.targets}
    all_targets = [t for t in targets(args.workers, args.threads) if t.key in wanted]
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, raise_keyboard_interrupt)
    info = machine_info()
    info["source"] = source_state()
    # Submissions each assign a resource nobody has: the HTTP run's, then the counted ones.
    fresh = args.n + args.warmup + 2 * (args.count_repeats + 1) + 10
    with contextlib.ExitStack() as stack:
        workdir = Path(
            tempfile.mkdtemp(prefix="trainbot-bench-")
            if args.keep_logs
            else stack.enter_context(tempfile.TemporaryDirectory(prefix="trainbot-bench-"))
        )
        fake = ScaleFakeSlack(team_id=TEAM_ID, bot_token=BOT_TOKEN)
        stack.enter_context(fake)  # started now, stopped after the servers
        url = stack.enter_context(bench_database(args.database_url, args.db_name, args.keep_db))
        progress(f"database {args.db_name} created; migrating")
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        env = server_env(fake, url)
        env["TRAINBOT_SEND_PER_MINUTE"] = str(args.send_per_minute)
        catalog = import_starter_catalog(env, workdir)
        progress(f"starter catalog: {catalog}; seeding")
        data = seed(
            url,
            resources=args.resources,
            members=args.members,
            assignments=args.assignments,
            fresh=min(fresh, args.resources // 2),
            now=datetime.now(UTC),
        )
        progress(f"seeded {data.counts} in {data.seconds['total']} s")
        for i, person in enumerate([data.manager, *data.learners]):
            fake.add_user(person.user_id, person.name, real_name=f"Person {i}", tz="Europe/Berlin")
        fake.add_channel("C0GENERAL1", "general", members=[data.manager.user_id])

        bench = AssignBench(fake, data, people=args.people, pause_s=args.pause_ms / 1000)
        results: dict[tuple[str, str], Series] = {}
        effects: dict[str, Series] = {}
        with contextlib.ExitStack() as servers:  # each one stopped, even on Ctrl-C
            clients: dict[str, TimedClient] = {}
            for target in all_targets:
                base, _ = servers.enter_context(running_server(target, env, workdir))
                clients[target.key] = TimedClient(
                    f"{base}/slack/events", SIGNING_SECRET, fake, timeout=EFFECT_TIMEOUT_S
                )
                progress(f"{target.key} up at {base}")
            if args.keep_logs:
                progress(f"server logs in {workdir}")
            deadline = Deadline(args.time_limit)
            for kind in (k for k in KINDS if k in args.kinds):
                run_kind(kind, bench, clients, all_targets, args.warmup, args.warmup, deadline)
                bench.effects.clear()
                progress(f"{kind}: warmed up; measuring {args.n} per target")
                measured = run_kind(kind, bench, clients, all_targets, args.n, args.block, deadline)
                results.update({(key, kind): series for key, series in measured.items()})
                effects.update(bench.effects)
        progress("servers stopped; counting statements in process")
        statements = count_statements(
            fake,
            url,
            data,
            list(bench.dms),
            first_submission=bench.submissions,
            people=args.people,
            big_people=BIG_SUBMISSION,
            repeats=args.count_repeats,
        )
        violations = list(fake.limit_violations)
        database = "PostgreSQL " + _server_version(args.database_url)

    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    rows = {key: summary(series) for key, series in results.items()}
    effect_rows = {kind: summary(series) for kind, series in effects.items()}
    ratios = {
        kind: {
            p: round(rows[("trainbot", kind)][p] / rows[(BARE, kind)][p], 3)
            for p in ("median_ms", "p99_ms")
            if p in rows.get(("trainbot", kind), {}) and p in rows.get((BARE, kind), {})
        }
        for kind in KINDS
        if ("trainbot", kind) in rows and (BARE, kind) in rows
    }
    report = {
        "benchmark": "assign_scale",
        "machine": info,
        "settings": {
            "n": args.n,
            "warmup": args.warmup,
            "block": args.block,
            "pause_ms": args.pause_ms,
            "people_per_submission": args.people,
            "workers": args.workers,
            "threads": args.threads,
            "worker_class": "gthread",
            "send_per_minute": args.send_per_minute,
            "typed": list(TYPED),
            "database": database,
            "ratio_against": BARE,
        },
        "data": {"rows": data.counts, "seed_seconds": data.seconds, "catalog_import": catalog},
        "stand_in_limit_violations": violations,
        "targets": {t.key: t.label for t in all_targets},
        "results": [
            {"target": target, "measurement": kind, **row}
            for (target, kind), row in sorted(rows.items())
        ],
        "effects": [{"target": "trainbot", "measurement": k, **v} for k, v in effect_rows.items()],
        "ratios": ratios,
        "statements": {
            "how": "in-process app (build_app + make_wsgi_app) on the same database, "
            "before_cursor_execute on its engine; request thread = in the ack, "
            "after-ack executor threads = after the ack",
            "per_interaction": statements,
        },
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(
        f"{info['date']}, nproc {info['nproc']}, {info['cpu']}, Python {info['python']}, "
        f"{database}, {args.workers} workers x {args.threads} threads "
        f"(gthread), N={args.n}, {data.counts['training_resources']} resources, "
        f"{data.counts['members']} members, {data.counts['resource_assignments']} assignments\n"
    )
    print(tables(rows, effect_rows, statements, all_targets))
    print(f"\nJSON: {args.json}", file=sys.stderr)
    failed = any(s.failures for s in [*results.values(), *effects.values()])
    return 1 if violations or failed else 0


def source_state() -> dict[str, Any]:
    """The commit measured, and whether the work tree had changes on top of it."""
    state: dict[str, Any] = {}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "-C", str(ROOT)]
        state["commit"] = subprocess.run(
            [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            [*git, "status", "--porcelain"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        state["uncommitted_changes"] = sorted(line[3:] for line in changed)
    return state


def _server_version(url: str) -> str:
    with (
        contextlib.suppress(psycopg.Error),
        psycopg.connect(conninfo_of(url), connect_timeout=5) as conn,
    ):
        return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    return "?"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; servers stopped, database dropped", file=sys.stderr)
        sys.exit(130)

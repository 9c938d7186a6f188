"""The rows of the big workspace: resources, members, assignments with their events and DMs.

Generated, not random: the same sizes give the same data on every run, so runs compare.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg

from bench.assign_scale.database import copy_rows
from models.search import search_fields

MANAGERS = 20  # members with the manager role; the first one runs /assign

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


def search_columns(
    title: str, description: str, skills: Sequence[str], domains: Sequence[str] = ()
) -> dict[str, str]:
    """What the library's full-text index reads, as the app would write it."""
    fields = search_fields(
        title=title, description=description, skills=skills, domains=domains, partner=None
    )
    return fields.columns()


@dataclass(frozen=True)
class Person:
    """A member as Slack knows them."""

    user_id: str
    name: str


def add_domains(conn: psycopg.Connection[Any]) -> list[int]:
    """The 20 domains (some may exist already); the ids of all of them."""
    for name in DOMAINS:
        conn.execute(
            "INSERT INTO domains (slug, name) VALUES (%s, %s) ON CONFLICT (slug) DO NOTHING",
            (name.lower(), name),
        )
    return [int(r[0]) for r in conn.execute("SELECT id FROM domains ORDER BY id")]


def ownership(i: int) -> tuple[bool, str]:
    """The i-th generated resource: the workspace's own (one in ten) or shared, and its
    status (a few of the own ones drafts or archived, the rest published)."""
    own = i % 10 == 0
    if own and i % 70 == 0:
        return own, "draft"
    if own and i % 110 == 0:
        return own, "archived"
    return own, "published"


def resource_rows(
    count: int, first_id: int, workspace_id: int, now: datetime
) -> Iterator[dict[str, Any]]:
    """Shared library mostly, a tenth the workspace's own (a few drafts and archived)."""
    for i in range(count):
        rid = first_id + i
        topic = TOPICS[i % len(TOPICS)]
        form = FORMS[(i // len(TOPICS)) % len(FORMS)]
        kind = TYPES[i % len(TYPES)]
        own, status = ownership(i)
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
            **search_columns(title, description, skills),
            "created_at": now - timedelta(days=i % 700), "updated_at": now,
        }  # fmt: skip


def domain_rows(
    resources: Sequence[Mapping[str, Any]], domain_ids: Sequence[int]
) -> Iterator[dict[str, Any]]:
    """Each generated resource in 1 or 2 of the domains."""
    return (
        {"resource_id": r["id"], "domain_id": domain_ids[(r["id"] + k * 7) % len(domain_ids)]}
        for r in resources
        for k in range(1 + r["id"] % 2)
    )


def member_rows(
    people: Sequence[Person], workspace_id: int, now: datetime
) -> Iterator[dict[str, Any]]:
    """The first MANAGERS of `people` are managers, the rest plain members."""
    zones = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "UTC")
    for i, person in enumerate(people):
        yield {
            "workspace_id": workspace_id, "slack_user_id": person.user_id,
            "display_name": person.name, "real_name": f"Person {i}", "tz": zones[i % len(zones)],
            "role": "manager" if i < MANAGERS else "member", "is_slack_admin": False,
            "is_bot": False, "is_deactivated": False,
            "profile_fetched_at": now, "created_at": now, "updated_at": now,
        }  # fmt: skip


def add_assignments(
    conn: psycopg.Connection[Any],
    people: Sequence[Person],
    member_ids: Mapping[str, int],
    assignable: Sequence[int],
    total: int,
    workspace_id: int,
    now: datetime,
) -> int:
    """`total` assignments spread evenly over the members, with their events and DMs (COPY)."""
    rows = assignment_rows(people, member_ids, assignable, total, workspace_id, now)
    copy_rows(conn, "resource_assignments", rows)
    copy_rows(conn, "assignment_events", event_rows(rows, workspace_id))
    copy_rows(conn, "outbox", outbox_rows(rows, people, workspace_id))
    return len(rows)


def assignment_rows(
    people: Sequence[Person],
    member_ids: Mapping[str, int],
    assignable: Sequence[int],
    total: int,
    workspace_id: int,
    now: datetime,
) -> list[dict[str, Any]]:
    """`total` assignments spread evenly over the members, one open per (resource, member);
    ids from 1 (the table is empty)."""
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
    return rows


def event_rows(rows: Sequence[Mapping[str, Any]], workspace_id: int) -> Iterator[dict[str, Any]]:
    """Each assignment's 'assigned' event, and its 'completed' one when it is."""
    return (
        {"workspace_id": workspace_id, "assignment_id": r["id"], "actor_id": a,
         "kind": kind, "status": kind, "progress": 100 if kind == "completed" else 0,
         "data": {}, "occurred_at": r["assigned_at"]}
        for r in rows
        for kind, a in (("assigned", r["assigned_by_id"]), ("completed", r["member_id"]))
        if kind == "assigned" or r["completed_at"] is not None
    )  # fmt: skip


def outbox_rows(
    rows: Sequence[Mapping[str, Any]], people: Sequence[Person], workspace_id: int
) -> Iterator[dict[str, Any]]:
    """Each assignment's DM, sent."""
    return (
        {"workspace_id": workspace_id, "key": f"assignment:{r['id']}:dm",
         "kind": "assignment_dm", "recipient": people[0].user_id, "assignment_id": r["id"],
         "payload": {}, "status": "sent", "attempts": 1, "next_attempt_at": r["assigned_at"],
         "created_at": r["assigned_at"], "sent_at": r["assigned_at"],
         "channel": r["dm_channel"], "ts": r["dm_ts"]}
        for r in rows
    )  # fmt: skip

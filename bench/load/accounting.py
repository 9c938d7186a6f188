"""The accounting after a load run: the database against what the stand-in saw land.

Every message the outbox sends is tagged with its row's id (bot.posting.TAG), so the
stand-in's conversations say how many times each row landed. Checked, once the replicas
have stopped:
- nothing is still owed, nothing failed for good;
- no row landed twice, and every row recorded as sent landed once (ephemeral notes,
  which carry no tag, are matched on recipient, channel and text);
- every assignment has its DM, landed once;
- every reminded learner got one reminder today, every digest subscription one digest;
- what acked requests wrote is there: each submission's people are assigned, each Mark
  complete is recorded (or the person was told to try again).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from bench.load.seed import ADMIN, GENERAL, Team
from bench.load.workload import Owed
from bot.fakeslack import FakeSlack
from bot.posting import TAG
from handlers.unavailable import TRY_AGAIN
from models import DigestSubscription, Member, OutboxMessage, ResourceAssignment

TAGGED_KINDS = {"assignment_dm", "reminder", "digest", "assignment_notice", "path_notice"}


@dataclass
class Accounting:
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str, examples: list[Any]) -> None:
        if examples:
            self.failures.append(f"{what}: {len(examples)} ({examples[:5]})")


def account(engine: Engine, fake: FakeSlack, team: Team, owed: Owed) -> Accounting:
    result = Accounting()
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage)).all()
        assignments = conn.execute(
            select(
                ResourceAssignment.id,
                ResourceAssignment.resource_id,
                Member.slack_user_id,
                ResourceAssignment.completed_at,
            ).join(Member, Member.id == ResourceAssignment.member_id)
        ).all()
        subscriptions = conn.scalars(select(DigestSubscription.id)).all()
    landed = _landed(fake, team)
    by_status = Counter(r.status for r in rows)
    result.counts.update({f"outbox {s}": n for s, n in sorted(by_status.items())})
    result.counts["messages landed (tagged)"] = sum(landed.values())
    result.fail(
        "still owed after the drain", [(r.id, r.kind) for r in rows if r.status == "pending"]
    )
    result.fail(
        "failed for good", [(r.id, r.kind, r.last_error) for r in rows if r.status == "failed"]
    )
    result.fail("landed more than once", [(i, n) for i, n in landed.items() if n > 1])
    known = {r.id for r in rows}
    result.fail("landed for no outbox row", [i for i in landed if i not in known])
    tagged = [r for r in rows if r.status == "sent" and (r.kind in TAGGED_KINDS or r.id in landed)]
    result.fail(
        "recorded sent, never landed", [(r.id, r.kind) for r in tagged if landed.get(r.id, 0) == 0]
    )
    result.fail(
        "landed, not recorded sent",
        [(r.id, r.kind, r.status) for r in rows if landed.get(r.id) and r.status != "sent"],
    )
    _ephemerals(
        result,
        fake,
        [
            r
            for r in rows
            if r.status == "sent" and r.id not in landed and r.kind not in TAGGED_KINDS
        ],
    )
    # every assignment its one DM
    dms = {r.assignment_id: r for r in rows if r.kind == "assignment_dm"}
    result.counts["assignments"] = len(assignments)
    result.fail("assignments never owed a DM", [a.id for a in assignments if a.id not in dms])
    result.fail(
        "assignments whose DM did not land once",
        [
            (a.id, dms[a.id].status)
            for a in assignments
            if a.id in dms and not (dms[a.id].status == "skipped" or landed.get(dms[a.id].id) == 1)
        ],
    )
    # reminders and digests
    reminders = Counter(r.recipient for r in rows if r.kind == "reminder" and r.status == "sent")
    expected = set(team.learners[: team.reminded])
    result.counts["reminders sent"] = sum(reminders.values())
    result.fail("reminded learners without their reminder", sorted(expected - set(reminders)))
    result.fail("reminders sent more than once a day", [u for u, n in reminders.items() if n > 1])
    result.fail("reminders to people not due", sorted(set(reminders) - expected))
    digests = Counter(
        r.key.split(":")[1] for r in rows if r.kind == "digest" and r.status == "sent"
    )
    result.counts["digest subscriptions"] = len(subscriptions)
    result.counts["digests sent"] = sum(digests.values())
    result.fail(
        "subscriptions without their digest", [s for s in subscriptions if str(s) not in digests]
    )
    result.fail("digests sent more than once", [s for s, n in digests.items() if n > 1])
    _writes(result, fake, owed, assignments)
    return result


def _landed(fake: FakeSlack, team: Team) -> Counter[int]:
    """Outbox row id -> how many messages in the stand-in's conversations carry its tag."""
    people = [ADMIN, *team.managers, *team.learners]
    channels = [fake.dm_channel(p) for p in people] + [GENERAL, *team.digest_channels]
    channels += [c for c, _ in team.channels]
    found: Counter[int] = Counter()
    for channel in channels:
        for message in fake.messages(channel):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == TAG:
                found[int((metadata.get("event_payload") or {})["outbox_id"])] += 1
    return found


def _ephemerals(result: Accounting, fake: FakeSlack, rows: list[Any]) -> None:
    """Ephemeral notes (confirmations) carry no tag: each sent once, matched on its text."""
    shown = Counter((m["recipient"], m["channel"], m.get("text")) for m in fake.ephemerals())
    owed = Counter((r.recipient, r.channel, (r.payload or {}).get("text")) for r in rows)
    result.counts["ephemeral notes sent"] = sum(owed.values())
    result.fail(
        "ephemeral notes recorded sent, never shown", [k for k, n in owed.items() if shown[k] < n]
    )
    result.fail(
        "ephemeral notes shown more often than sent", [k for k, n in owed.items() if shown[k] > n]
    )


def _writes(result: Accounting, fake: FakeSlack, owed: Owed, assignments: list[Any]) -> None:
    """What acked requests wrote is in the database."""
    pairs = {(a.resource_id, a.slack_user_id) for a in assignments}
    result.counts["submissions acked"] = owed.submissions
    result.fail(
        "assigned by an acked submission, not in the database",
        sorted({(r, u) for r, u, _ in owed.assigned if (r, u) not in pairs}),
    )
    done = {a.id for a in assignments if a.completed_at is not None}
    told = {m["recipient"] for m in fake.ephemerals() if TRY_AGAIN in str(m.get("text"))}
    told |= {
        u
        for _, u, _, _ in owed.completed
        if any(TRY_AGAIN in str(m.get("text")) for m in fake.messages(fake.dm_channel(u)))
    }
    missing = [(a, u, round(t, 1), r) for a, u, t, r in owed.completed if a not in done]
    result.counts["Mark complete acked"] = len(owed.completed)
    result.counts["Mark complete told to try again"] = sum(1 for m in missing if m[1] in told)
    result.fail(
        "Mark complete acked, not recorded, nobody told", [m for m in missing if m[1] not in told]
    )

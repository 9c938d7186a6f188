"""Each person's recommendations kept as computed, so Home reads one row instead of ranking.

The sweep (every 10 minutes) stores them, and so does the person's own completion or
"Not for me" (RecommendationService.refresh_for, after the ack). Home uses a stored list
while it is younger than KEEP_FOR and than the person's latest change (an assignment, a
completion, a cancellation, a path enrollment, a "Not for me"), and while all it names is
still published and visible; otherwise Home computes the list (and writes nothing: a
write would queue Home behind other writers) until the sweep stores it again. So Home
shows what computing it now would give for the person's own history; what other people
completed since counts once the sweep (or KEEP_FOR) has the list computed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.services.library import visible_to
from bot.services.recommend_signals import Person
from models import (
    Member,
    PathEnrollment,
    RecommendationDismissal,
    RecommendationList,
    ResourceAssignment,
    TrainingResource,
    Workspace,
)
from models.enums import ResourceStatus
from models.recommend_rules import Reason
from models.workspace import still_installed

STORED = 10  # entries kept per person: Home shows 5, `trainbot recommend` 10 by default
KEEP_FOR = timedelta(days=1)  # older than this, a stored list is computed again
SWEEP_AFTER = timedelta(hours=6)  # the sweep computes again lists older than this


@dataclass(frozen=True)
class Recommendation:
    resource_id: int
    title: str
    type: str
    url: str | None
    reason: Reason  # a few words naming the signal (`reason.text` as plain text)
    score: float


def read(s: Session, p: Person, *, now: datetime, limit: int) -> list[Recommendation] | None:
    """The stored list's first `limit`, or None when it must be computed again."""
    row = s.execute(
        select(RecommendationList.items, RecommendationList.computed_at).where(
            RecommendationList.member_id == p.member_id
        )
    ).first()
    if row is None or limit > STORED:
        return None
    items: list[dict[str, Any]] = row[0]
    computed_at: datetime = row[1]
    if computed_at <= now - KEEP_FOR:
        return None
    # A change at the very moment the list was computed is in it: refresh_for computes
    # right after the change committed, at the same instant on a fixed clock.
    changed = last_change(s, p)
    if changed is not None and changed > computed_at:
        return None
    shown = items[:limit]
    if not shown:
        return []
    r = TrainingResource
    found = {
        rid: (title, kind, url)
        for rid, title, kind, url in s.execute(
            select(r.id, r.title, r.type, r.url).where(
                r.id.in_([item["id"] for item in shown]),
                visible_to(p.workspace_id),
                r.status == ResourceStatus.PUBLISHED.value,
            )
        )
    }
    if len(found) < len(shown):  # unpublished or gone since: the rest would move up
        return None
    return [
        Recommendation(item["id"], *found[item["id"]], Reason(*item["reason"]), item["score"])
        for item in shown
    ]


def last_change(s: Session, p: Person) -> datetime | None:
    """When this person's assignments, enrollments or "Not for me" last changed."""
    a, e, d = ResourceAssignment, PathEnrollment, RecommendationDismissal
    mine_a = (a.workspace_id == p.workspace_id, a.member_id == p.member_id)
    mine_e = (e.workspace_id == p.workspace_id, e.member_id == p.member_id)
    moments = s.execute(
        select(
            select(func.max(a.assigned_at)).where(*mine_a).scalar_subquery(),
            select(func.max(a.completed_at)).where(*mine_a).scalar_subquery(),
            select(func.max(a.cancelled_at)).where(*mine_a).scalar_subquery(),
            select(func.max(e.enrolled_at)).where(*mine_e).scalar_subquery(),
            select(func.max(e.completed_at)).where(*mine_e).scalar_subquery(),
            select(func.max(e.cancelled_at)).where(*mine_e).scalar_subquery(),
            select(func.max(d.dismissed_at))
            .where(d.workspace_id == p.workspace_id, d.member_id == p.member_id)
            .scalar_subquery(),
        )
    ).one()
    return max((m for m in moments if m is not None), default=None)


def store(s: Session, p: Person, entries: Sequence[Recommendation], *, now: datetime) -> None:
    """Keep this list (its first STORED) as the person's, computed `now`."""
    items = [
        {"id": e.resource_id, "score": e.score,
         "reason": [e.reason.lead, e.reason.name, e.reason.tail]}
        for e in entries[:STORED]
    ]  # fmt: skip
    s.execute(
        insert_for(s, RecommendationList)
        .values(member_id=p.member_id, workspace_id=p.workspace_id, items=items, computed_at=now)
        .on_conflict_do_update(
            index_elements=["member_id"], set_={"items": items, "computed_at": now}
        )
    )


def due(s: Session, *, now: datetime, batch: int) -> list[Person]:
    """People of workspaces with recommendations on whose list is missing, older than
    SWEEP_AFTER or older than their latest change, oldest first (missing first); bots,
    deactivated people and uninstalled workspaces are left out."""
    m, rl = Member, RecommendationList
    rows = s.execute(
        select(m.workspace_id, m.id)
        .join(Workspace, Workspace.id == m.workspace_id)
        .outerjoin(rl, rl.member_id == m.id)
        .where(Workspace.recommendations, still_installed(m.workspace_id),
               m.is_bot.is_(False), m.is_deactivated.is_(False),
               rl.computed_at.is_(None) | (rl.computed_at <= now - SWEEP_AFTER)
               | _changed_since(m, rl))
        .order_by(rl.computed_at.is_not(None), rl.computed_at, m.id)
        .limit(batch)
    ).all()  # fmt: skip
    return [Person(workspace_id, member_id) for workspace_id, member_id in rows]


def _changed_since(m: type[Member], rl: type[RecommendationList]) -> ColumnElement[bool]:
    """The person's assignments, enrollments or "Not for me" changed since the list."""
    a, e, d = ResourceAssignment, PathEnrollment, RecommendationDismissal
    at = rl.computed_at
    return (
        exists().where(a.workspace_id == m.workspace_id, a.member_id == m.id,
                       (a.assigned_at > at) | (a.completed_at > at) | (a.cancelled_at > at))
        | exists().where(e.workspace_id == m.workspace_id, e.member_id == m.id,
                         (e.enrolled_at > at) | (e.completed_at > at) | (e.cancelled_at > at))
        | exists().where(d.workspace_id == m.workspace_id, d.member_id == m.id,
                         d.dismissed_at > at)
    )  # fmt: skip

"""Suggested for a team: what a user group has not done that people who learn like them have.

A manager looking at @support-team on the Team tab sees a few trainings to assign next.
"Peers" are the people outside the group who completed the most of what the group
completed (Trainbot knows no job titles: what people finished is the role it can see);
what those peers completed and the group has not is put forward, most peers first. With
no peers yet, what the rest of the workspace completed most stands in, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.services.catalog import require_manager
from bot.services.library import visible_to
from bot.services.members import Caller
from models import Member, ResourceAssignment, TrainingResource
from models.enums import ResourceStatus
from models.one_of import one_of

PEERS = 50  # people outside the group who share the most completions with it
SHOWN = 3


@dataclass(frozen=True)
class TeamSuggestion:
    resource_id: int
    title: str
    type: str
    reason: str  # a few words naming the signal, plain text


class TeamSuggestionService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def for_group(
        self, *, caller: Caller, people: Sequence[str], label: str, limit: int = SHOWN
    ) -> tuple[TeamSuggestion, ...]:
        """Up to `limit` trainings for the people of `label` (Slack user ids, as Slack
        listed them), each with why; none when the group is empty or nothing fits."""
        require_manager(caller, "see suggestions for a team")
        with self._sessions.begin() as s:
            group = _members(s, caller.workspace_id, people)
            if not group:
                return ()
            had = _had_by_half(s, caller.workspace_id, group)
            peers = _peers(s, caller.workspace_id, group)
            counted = _completed_by(s, caller.workspace_id, peers or None, group, had, limit)
            titles = _titles(s, caller.workspace_id, [rid for rid, _ in counted])
            return tuple(
                TeamSuggestion(rid, *titles[rid], _reason(n, label, peers=bool(peers)))
                for rid, n in counted
                if rid in titles
            )


def _reason(n: int, label: str, *, peers: bool) -> str:
    people = "1 person" if n == 1 else f"{n} people"
    if peers:
        return f"{people} who completed what {label} did also completed it"
    return f"Completed by {people} here, not yet by {label}"


def _members(s: Session, workspace_id: int, people: Sequence[str]) -> list[int]:
    m = Member
    return list(
        s.scalars(
            select(m.id).where(
                m.workspace_id == workspace_id,
                one_of(m.slack_user_id, list(people)),
                m.is_bot.is_(False),
                m.is_deactivated.is_(False),
            )
        )
    )


def _had_by_half(s: Session, workspace_id: int, group: list[int]) -> set[int]:
    """Trainings half the group or more completed or has open: nothing to suggest there."""
    a = ResourceAssignment
    had = func.count(func.distinct(a.member_id))
    return set(
        s.scalars(
            select(a.resource_id)
            .where(a.workspace_id == workspace_id, a.member_id.in_(group), a.cancelled_at.is_(None))
            .group_by(a.resource_id)
            .having(had * 2 >= len(group))
        )
    )


def _peers(s: Session, workspace_id: int, group: list[int]) -> list[int]:
    a, theirs = ResourceAssignment, ResourceAssignment.__table__.alias("theirs")
    done_by_group = (
        select(a.resource_id)
        .where(a.workspace_id == workspace_id, a.member_id.in_(group), a.completed_at.is_not(None))
        .distinct()
    )
    shared = func.count()
    return list(
        s.scalars(
            select(theirs.c.member_id)
            .where(
                theirs.c.workspace_id == workspace_id,
                theirs.c.completed_at.is_not(None),
                theirs.c.resource_id.in_(done_by_group),
                theirs.c.member_id.not_in(group),
            )
            .group_by(theirs.c.member_id)
            .order_by(shared.desc(), theirs.c.member_id)
            .limit(PEERS)
        )
    )


def _completed_by(
    s: Session, workspace_id: int, peers: list[int] | None, group: list[int], had: set[int],
    limit: int,
) -> list[tuple[int, int]]:  # fmt: skip
    """(resource id, how many completed it) among `peers` (None: everyone outside the group)."""
    a, r = ResourceAssignment, TrainingResource
    who = a.member_id.in_(peers) if peers is not None else a.member_id.not_in(group)
    n = func.count(func.distinct(a.member_id))
    rows = s.execute(
        select(a.resource_id, n)
        .join(r, r.id == a.resource_id)
        .where(a.workspace_id == workspace_id, a.completed_at.is_not(None), who)
        .where(r.status == ResourceStatus.PUBLISHED.value, visible_to(workspace_id))
        .where(a.resource_id.not_in(had) if had else a.resource_id.is_not(None))
        .group_by(a.resource_id)
        .order_by(n.desc(), a.resource_id)
        .limit(limit)
    ).all()
    return [(rid, int(count)) for rid, count in rows]


def _titles(s: Session, workspace_id: int, ids: list[int]) -> dict[int, tuple[str, str]]:
    r = TrainingResource
    rows = s.execute(select(r.id, r.title, r.type).where(r.id.in_(ids), visible_to(workspace_id)))
    return {rid: (title, kind) for rid, title, kind in rows}

"""The read side of assignments: what App Home shows a person (and a manager)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.services.cards import AssignmentCard, card_of, card_rows, enrich
from bot.services.managing import managed_by, open_only
from bot.services.members import Caller
from models import Member, ResourceAssignment, TrainingResource

OPEN_SHOWN = 15  # 3 blocks each: with the rest of Home, well inside Slack's 100
DONE_SHOWN = 5
RESOURCES_SHOWN = 8  # a manager's assigned resources, each with a Manage button

PRIORITY_RANK = case(
    (ResourceAssignment.priority == "urgent", 0),
    (ResourceAssignment.priority == "high", 1),
    (ResourceAssignment.priority == "normal", 2),
    else_=3,
)


@dataclass(frozen=True)
class AssignedResource:
    resource_id: int
    title: str
    open: int
    overdue: int


@dataclass(frozen=True)
class TeamSummary:
    open: int
    overdue: int
    completed: int
    resources: tuple[AssignedResource, ...]  # what they have open out there, most overdue first
    completion_dms: bool  # they asked for a DM when someone completes


@dataclass(frozen=True)
class Dashboard:
    open: tuple[AssignmentCard, ...]  # the most pressing first
    open_total: int
    overdue: int
    done: tuple[AssignmentCard, ...]  # most recently completed first
    done_total: int
    team: TeamSummary | None  # for managers: what they assigned

    @property
    def completion_rate(self) -> int:
        total = self.open_total + self.done_total
        return round(100 * self.done_total / total) if total else 0

    @property
    def open_not_shown(self) -> int:
        return self.open_total - len(self.open)


class DashboardService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def for_person(self, *, caller: Caller, today: date) -> Dashboard:
        a = ResourceAssignment
        mine = (a.workspace_id == caller.workspace_id, a.member_id == caller.member_id)
        is_open = (a.completed_at.is_(None), a.cancelled_at.is_(None))
        with self._sessions.begin() as s:
            overdue_first = case((a.due_on < today, 0), else_=1)
            # "Done" first: an assignment completed between the two reads (they need not
            # share a snapshot) then shows in neither list, rather than twice with one
            # block_id, which Slack refuses; the completing click redraws Home anyway.
            done_rows = s.execute(
                card_rows()
                .where(*mine, a.completed_at.is_not(None))
                .order_by(a.completed_at.desc())
                .limit(DONE_SHOWN)
            ).all()
            open_rows = s.execute(
                card_rows()
                .where(*mine, *is_open)
                .order_by(overdue_first, a.due_on.is_(None), a.due_on, PRIORITY_RANK, a.id)
                .limit(OPEN_SHOWN)
            ).all()
            counts = s.execute(
                select(
                    func.count().filter(a.completed_at.is_(None)),
                    func.count().filter(a.completed_at.is_(None), a.due_on < today),
                    func.count().filter(a.completed_at.is_not(None)),
                ).where(*mine, a.cancelled_at.is_(None))
            ).one()
            team = _team(s, caller, today) if caller.can_manage else None
            done_ids = {row[0].id for row in done_rows}
            open_rows = [row for row in open_rows if row[0].id not in done_ids]
            cards = enrich(s, [card_of(*row) for row in [*open_rows, *done_rows]])
        return Dashboard(
            open=tuple(cards[: len(open_rows)]),
            open_total=counts[0],
            overdue=counts[1],
            done=tuple(cards[len(open_rows) :]),
            done_total=counts[2],
            team=team,
        )


def _team(s: Session, caller: Caller, today: date) -> TeamSummary:
    """What a manager assigned (an admin: everything in the workspace)."""
    a = ResourceAssignment
    row = s.execute(
        select(
            func.count().filter(a.completed_at.is_(None)),
            func.count().filter(a.completed_at.is_(None), a.due_on < today),
            func.count().filter(a.completed_at.is_not(None)),
        ).where(*managed_by(caller), a.cancelled_at.is_(None))
    ).one()
    overdue = func.count().filter(a.due_on < today)
    resources = s.execute(
        select(a.resource_id, TrainingResource.title, func.count(), overdue)
        .join(TrainingResource, TrainingResource.id == a.resource_id)
        .where(*managed_by(caller), *open_only())
        .group_by(a.resource_id, TrainingResource.title)
        .order_by(overdue.desc(), func.count().desc(), a.resource_id)
        .limit(RESOURCES_SHOWN)
    ).all()
    return TeamSummary(
        open=row[0], overdue=row[1], completed=row[2],
        resources=tuple(AssignedResource(*r) for r in resources),
        completion_dms=bool(s.scalar(
            select(Member.notify_completions).where(Member.id == caller.member_id)
        )),
    )  # fmt: skip

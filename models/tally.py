"""Running totals of assignments, kept by the database in the writing transaction.

A report over a whole workspace (an admin's) or over everything one manager assigned
would otherwise count a million assignments on every view. Triggers on
resource_assignments (migration 0018) add each row's share to four tallies when it is
written and take it back when it changes: per training and per person, each for the
workspace (`manager_id` 0) and for the manager who assigned it. Reports read them
(bot/services/tallies.py) wherever their scope is one of those.

"Overdue" depends on the day. A tally counts what was overdue on `TallyDate.as_of` (one
row); a report adds what fell due between that day and its own, read from the open
assignments by due date, and the scheduler moves `as_of` to today once a day (moving
what fell due into the tallies), so that correction stays a day or two of due dates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Float, ForeignKey, Index, cast
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

EVERYONE = 0  # the `manager_id` of a workspace's tallies: every assignment in it


class _Counts:
    """What a tally counts of its assignments (a mixin: both tables have the same)."""

    live: Mapped[int] = mapped_column(default=0)  # not cancelled
    completed: Mapped[int] = mapped_column(default=0)  # not cancelled, completed
    in_progress: Mapped[int] = mapped_column(default=0)  # not cancelled, status in_progress
    overdue: Mapped[int] = mapped_column(default=0)  # open, due before TallyDate.as_of
    completed_any: Mapped[int] = mapped_column(default=0)  # completed, cancelled since or not


class ResourceTally(_Counts, Base):
    __tablename__ = "resource_tallies"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    manager_id: Mapped[int] = mapped_column(primary_key=True)  # EVERYONE, or who assigned
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("training_resources.id", ondelete="CASCADE"), primary_key=True
    )


class MemberTally(_Counts, Base):
    __tablename__ = "member_tallies"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    manager_id: Mapped[int] = mapped_column(primary_key=True)  # EVERYONE, or who assigned
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )


def completion_rate(t: Any) -> ColumnElement[float]:
    """A tally's completed share (rows with live > 0 only), as the rank indexes hold it:
    reports must write it this very way for the database to read it from them."""
    # A plain `/`: SQLAlchemy's true division adds casts of its own to the divisor.
    rate: ColumnElement[float] = cast(t.completed, Float).op("/", return_type=Float)(t.live)
    return rate


# A report's rows in its order (most overdue, then least complete) for one workspace or
# manager: a page and its ties are read from the front of the index, not ranked from all
# of the scope's tallies (migration 0019); rows with nothing live are never shown.
for _tally in (ResourceTally, MemberTally):
    Index(
        f"ix_{_tally.__tablename__}_rank",
        _tally.workspace_id,
        _tally.manager_id,
        _tally.overdue.desc(),
        completion_rate(_tally),
        postgresql_where=_tally.live > 0,
        sqlite_where=_tally.live > 0,
    )


class TallyDate(Base):
    """The day the tallies' `overdue` counts are as of (one row, id 1)."""

    __tablename__ = "tally_date"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date]

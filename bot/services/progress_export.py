"""A progress report's assignments as CSV, streamed a thousand rows at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from bot.services.analytics import joined
from bot.services.quiz_reports import attempts_csv_rows
from models import EnrollmentStep, Member, PathEnrollment, ResourceAssignment, TrainingResource

CSV_HEADER = ("person", "resource", "status", "progress", "priority", "assigned_on", "due_on",
              "completed_on", "path", "path_step")  # fmt: skip


def csv_lines(s: Session, where: Sequence[ColumnElement[bool]]) -> Iterator[str]:
    """The header, then a line per assignment; a path's step says which path and step."""
    a, st = ResourceAssignment, EnrollmentStep
    path = aliased(TrainingResource)
    counted = aliased(EnrollmentStep)
    steps = select(func.count(counted.id)).where(counted.enrollment_id == st.enrollment_id)
    # An assignment carries at most one line: its first path step, if it is one.
    first = aliased(EnrollmentStep)
    first_step = select(func.min(first.id)).where(first.assignment_id == a.id).scalar_subquery()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    query = (
        joined(select(Member.slack_user_id, TrainingResource.title, a.status, a.progress,
                      a.priority, a.assigned_at, a.due_on, a.completed_at, path.title,
                      st.position, steps.scalar_subquery()))
        .outerjoin(st, st.id == first_step)
        .outerjoin(PathEnrollment, PathEnrollment.id == st.enrollment_id)
        .outerjoin(path, path.id == PathEnrollment.path_id)
        .where(*where)
        .order_by(Member.slack_user_id, TrainingResource.title, a.id)
    )  # fmt: skip
    # yield_per as an execution option: a server-side cursor on PostgreSQL, so rows come
    # from the database a thousand at a time (Result.yield_per after the fact would only
    # page through rows psycopg had already fetched, all of them).
    for row in s.execute(query, execution_options={"yield_per": 1000}):
        step = f"{row[9]}/{row[10]}" if row[9] is not None else ""
        writer.writerow([row[0], row[1], row[2], row[3], row[4], _day(row[5]), _day(row[6]),
                         _day(row[7]), row[8] or "", step])  # fmt: skip
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return (value.date() if isinstance(value, datetime) else value).isoformat()


ATTEMPTS_HEADER = ("person", "resource", "quiz", "attempt", "started_at", "submitted_at",
                   "score", "passed")  # fmt: skip


def attempt_lines(s: Session, where: Sequence[ColumnElement[bool]]) -> Iterator[str]:
    """The header, then a line per quiz attempt under these assignments (UTC timestamps;
    an attempt not submitted has no score)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ATTEMPTS_HEADER)
    for user, training, quiz, number, started, submitted, score, passed in attempts_csv_rows(
        s, where
    ):
        writer.writerow([user, training, quiz, number, _stamp(started), _stamp(submitted),
                         "" if score is None else score,
                         "" if passed is None else ("yes" if passed else "no")])  # fmt: skip
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _stamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""

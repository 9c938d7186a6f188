"""Certificates in reports: per training, who is current, who is due for renewal (it
expires within RENEW_DAYS) and who has lapsed (expired, or revoked), from each person's
latest certificate for it. One statement, over the report's assignments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from bot.services.analytics import joined
from bot.services.renewals import RENEW_DAYS
from models import Certificate, Member, PathEnrollment, ResourceAssignment

NAMED = 10  # people named per list; the rest are counted


@dataclass(frozen=True)
class CertificateStanding:
    title: str
    current: int
    due: tuple[str, ...]  # user ids whose certificate expires within RENEW_DAYS
    lapsed: tuple[str, ...]  # expired or revoked, and not renewed


def certificate_standing(
    s: Session,
    where: Sequence[ColumnElement[bool]],
    today: date,
    enrolled: Sequence[ColumnElement[bool]] | None = None,
) -> tuple[CertificateStanding, ...]:
    """`where`: the report's assignments; `enrolled`: its path enrollments, if it has any
    (a path's certificate comes from an enrollment, not from an assignment of the path)."""
    c, a, e = Certificate, ResourceAssignment, PathEnrollment
    in_report: ColumnElement[bool] = (
        joined(select(a.id))
        .where(*where, a.member_id == c.member_id, a.resource_id == c.resource_id)
        .exists()
    )
    if enrolled is not None:
        on_path = (
            select(e.id).join(Member, Member.id == e.member_id)
            .where(*enrolled, e.member_id == c.member_id, e.path_id == c.resource_id)
            .correlate(c).exists()
        )  # fmt: skip
        in_report = or_(in_report, on_path)
    latest = (
        select(func.max(c.id)).where(in_report).group_by(c.member_id, c.resource_id)
        .scalar_subquery()
    )  # fmt: skip
    rows = s.execute(
        select(c.training_title, c.resource_id, Member.slack_user_id, c.expires_on, c.revoked_at)
        .join(Member, Member.id == c.member_id)
        .where(c.id.in_(latest))
        .order_by(c.training_title, Member.slack_user_id)
    ).all()  # fmt: skip
    soon = today + timedelta(days=RENEW_DAYS)
    found: dict[int, tuple[str, list[int], list[str], list[str]]] = {}
    for title, resource_id, user, expires_on, revoked_at in rows:
        _, current, due, lapsed = found.setdefault(resource_id, (title, [0], [], []))
        if revoked_at is not None or (expires_on is not None and expires_on <= today):
            lapsed.append(user)
        elif expires_on is not None and expires_on <= soon:
            due.append(user)
        else:
            current[0] += 1
    grouped = defaultdict(list)
    for title, current, due, lapsed in found.values():
        grouped[title].append(CertificateStanding(title, current[0], tuple(due), tuple(lapsed)))
    return tuple(x for items in grouped.values() for x in items)

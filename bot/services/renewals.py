"""Recertification: a certificate that expires is renewed before it does.

RENEW_DAYS before a certificate's expiry its training is assigned again, due on the expiry
date, and whoever assigned it the first time is told. A path is enrolled again from step 1,
and its steps count only when done again (`counts_since`): a renewal is not a formality.
Each certificate is renewed once (`renewal_assigned_at`), also with replicas sweeping
together (rows are claimed under a lock). Completing the renewal issues the next certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, local_today
from bot.render import mrkdwn
from bot.services.assignment_rows import Grant, enqueue_dms, insert_open, record_event
from bot.services.enrollment import Enrolment, enroll, opened_steps
from bot.services.outbox import enqueue_message
from models import Certificate, Member, PathEnrollment, ResourceAssignment, TrainingResource
from models.enums import EventKind, Priority, ResourceStatus, ResourceType
from models.workspace import still_installed

RENEW_DAYS = 30


@dataclass(frozen=True)
class Renewal:
    user_id: str
    title: str
    expires_on: date
    told: str | None  # the manager told of it


class RenewalService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tz = default_tz

    def plan(self, *, dry_run: bool = False) -> list[Renewal]:
        """Assign again what expires within RENEW_DAYS; returns what was (or would be)."""
        now = self._clock.now()
        c = Certificate
        with self._sessions.begin() as s:
            due = s.scalars(
                select(c).where(c.revoked_at.is_(None), c.renewal_assigned_at.is_(None),
                                c.expires_on.is_not(None),
                                c.expires_on <= now.date() + timedelta(days=RENEW_DAYS),
                                still_installed(c.workspace_id))
                .order_by(c.expires_on, c.id)
                .with_for_update(skip_locked=True)
            ).all()  # fmt: skip
            renewed = [_renew(s, cert, now, self._tz, dry_run) for cert in due]
            if dry_run:
                s.rollback()
            return [r for r in renewed if r is not None]


def _renew(
    s: Session, cert: Certificate, now: datetime, default_tz: str, dry_run: bool
) -> Renewal | None:
    cert.renewal_assigned_at = now
    member = s.get_one(Member, cert.member_id)
    resource = s.get_one(TrainingResource, cert.resource_id)
    if member.is_deactivated or resource.status == ResourceStatus.ARCHIVED.value:
        return None  # nobody to renew, or nothing to renew with: it lapses
    assert cert.expires_on is not None
    by = _first_assigner(s, cert)
    note = f"Renewal: your certificate expires on {cert.expires_on:%d %B %Y}."
    is_path = resource.type == ResourceType.PATH.value
    if dry_run:
        pass
    elif is_path:
        starts_on = local_today(now, member.tz or default_tz)
        terms = Enrolment(resource.id, by.id if by else None, Priority.HIGH, note, starts_on,
                          counts_since=now)  # fmt: skip
        enrolled = enroll(s, member.workspace_id, terms, [member], now, default_tz)
        first_steps = opened_steps(s, tuple(enrolled))
        enqueue_dms(s, member.workspace_id, dict.fromkeys(first_steps, member), now)
    else:
        grant = Grant(resource.id, cert.expires_on, Priority.HIGH, note)
        created = insert_open(s, member.workspace_id, by.id if by else None, grant, [member], now)
        for assignment_id in created:
            record_event(s, member.workspace_id, assignment_id, by.id if by else None,
                         EventKind.ASSIGNED, now, data={"renewal": cert.id})  # fmt: skip
        enqueue_dms(s, member.workspace_id, created, now)
    if by is not None and by.id != member.id and not dry_run:
        done = "I have enrolled them on it again" if is_path else "I have assigned it to them again"
        text = (f"<@{member.slack_user_id}>'s certificate for *{mrkdwn(resource.title)}* "
                f"expires on {cert.expires_on:%d %B %Y}: {done}.")  # fmt: skip
        enqueue_message(s, workspace_id=member.workspace_id, key=f"renewal:{cert.id}",
                        recipient=by.slack_user_id, payload={"text": text}, now=now)  # fmt: skip
    return Renewal(member.slack_user_id, resource.title, cert.expires_on,
                   by.slack_user_id if by else None)  # fmt: skip


def _first_assigner(s: Session, cert: Certificate) -> Member | None:
    """Whoever assigned (or enrolled) the training the certificate came from."""
    kind, _, raw = cert.source.partition(":")
    row: ResourceAssignment | PathEnrollment | None = (
        s.get(ResourceAssignment, int(raw)) if kind == "assignment"
        else s.get(PathEnrollment, int(raw))
    )  # fmt: skip
    by = row.assigned_by_id if row is not None else None
    return s.get(Member, by) if by else None

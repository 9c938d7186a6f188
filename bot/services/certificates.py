"""Certificates: issued once per completion in the completion's own transaction, delivered
by the outbox, verified by anyone with the code, revoked by admins.

The code is 16 characters of Crockford's base32 (80 random bits), shown in four groups;
reading it back forgives case, dashes, spaces and the letters O, I and L.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.certificate_facts import CertificateFacts
from bot.clock import Clock
from bot.db import insert_for
from bot.errors import BotError, NotAllowed
from bot.render import mrkdwn
from bot.services.audit import Subject, operator, record
from bot.services.members import Caller
from bot.services.outbox import enqueue_message
from models import AuditAction as Act
from models import Certificate, CourseSection, Member, TrainingResource, Workspace
from models.certificate import CODE_LENGTH, REASON_MAX
from models.enums import ResourceType, Role

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
KIND_WORDS = {ResourceType.COURSE.value: "course", ResourceType.PATH.value: "learning path"}


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalized(text: str) -> str | None:
    """The code a person typed or read aloud, or None if it cannot be one."""
    code = "".join(text.split()).replace("-", "").upper()
    code = code.translate(str.maketrans("OIL", "011"))
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31,
            30, 31, 31, 30, 31, 30, 31][month - 1]  # fmt: skip
    return date(year, month, min(day.day, last))


def certifies(s: Session, resource: TrainingResource) -> bool:
    """A course with sections and a path do, unless told not to; a resource if it opts in."""
    if resource.certificate is not None:
        return resource.certificate
    if resource.type == ResourceType.PATH.value:
        return True
    if resource.type != ResourceType.COURSE.value:
        return False
    return bool(s.scalar(select(exists().where(CourseSection.course_id == resource.id))))


def issue(
    s: Session, *, member_id: int, resource_id: int, source: str, now: datetime, default_tz: str
) -> None:
    """Owe a certificate for this completion (the caller's transaction), unless the person
    holds a current one for the same training: a re-completion issues no second one (a
    renewal, assigned because the current one expires soon, does)."""
    resource = s.get_one(TrainingResource, resource_id)
    if not certifies(s, resource):
        return
    member = s.get_one(Member, member_id)
    today = now.astimezone(ZoneInfo(member.tz or default_tz)).date()
    c = Certificate
    current = select(exists().where(
        c.member_id == member.id, c.resource_id == resource.id, c.revoked_at.is_(None),
        c.renewal_assigned_at.is_(None), or_(c.expires_on.is_(None), c.expires_on > today),
    ))  # fmt: skip
    if s.scalar(current):
        return
    months = resource.certificate_months
    inserted = s.execute(
        insert_for(s, c).values(
            workspace_id=member.workspace_id, member_id=member.id, resource_id=resource.id,
            source=source, code=new_code(), training_title=resource.title,
            person_name=member.real_name or member.display_name or member.slack_user_id,
            workspace_name=s.get_one(Workspace, member.workspace_id).name,
            completed_at=now, completed_on=today, issued_at=now, revoked_reason="",
            revoked_by="", expires_on=add_months(today, months) if months else None,
        ).on_conflict_do_nothing(index_elements=["source"]).returning(c.id)
    ).scalar()  # fmt: skip
    if inserted is not None:
        enqueue_message(s, workspace_id=member.workspace_id, key=f"certificate:{inserted}",
                        recipient=member.slack_user_id, payload={"certificate": inserted},
                        now=now, kind="certificate")  # fmt: skip


def _tell_holder_revoked(s: Session, row: Certificate, *, now: datetime) -> None:
    """The holder hears it from us, once, not from someone checking their certificate."""
    holder = s.get_one(Member, row.member_id)
    enqueue_message(s, workspace_id=row.workspace_id, key=f"certificate-revoked:{row.id}",
                    recipient=holder.slack_user_id, now=now, payload={"text": (
                        f":no_entry: Your certificate for *{mrkdwn(row.training_title)}* "
                        f"(`{grouped(row.code)}`) was revoked by an administrator: "
                        f"{mrkdwn(row.revoked_reason)}")})  # fmt: skip


@dataclass(frozen=True)
class Verified:
    """What the public may know of a certificate: no more than its holder shows them."""

    code: str  # grouped
    person_name: str
    training_title: str
    kind: str
    workspace_name: str
    completed_on: date
    expires_on: date | None
    revoked_on: date | None
    revoked_reason: str

    def status(self, today: date) -> str:
        if self.revoked_on is not None:
            return "revoked"
        if self.expires_on is not None and self.expires_on <= today:
            return "expired"
        return "valid"


@dataclass(frozen=True)
class Revocation:
    certificate: Verified
    newly: bool  # False: it was revoked already, and stays as it was


@dataclass(frozen=True)
class HeldCertificate:
    code: str
    title: str
    completed_on: date
    expires_on: date | None
    revoked: bool


class CertificateService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def verify(self, *, code: str) -> Verified | None:
        """The certificate with this code (typed in any way), or None."""
        found = normalized(code)
        if found is None:
            return None
        with self._sessions.begin() as s:
            row = s.scalars(select(Certificate).where(Certificate.code == found)).first()
            if row is None:
                return None
            kind = s.get_one(TrainingResource, row.resource_id).type
            return Verified(
                grouped(row.code), row.person_name, row.training_title,
                KIND_WORDS.get(kind, "training"), row.workspace_name, row.completed_on,
                row.expires_on, row.revoked_at.date() if row.revoked_at else None,
                row.revoked_reason,
            )  # fmt: skip

    def revoke(
        self, *, code: str, reason: str, by: str, caller: Caller | None = None
    ) -> Revocation:
        """Revoke with a reason (an admin of its workspace, or an operator: `caller` None).
        Revoking it again changes nothing: the first reason stays, the holder is told once."""
        reason = " ".join(reason.split())
        if not reason:
            raise BotError("Say why the certificate is revoked: the reason is shown with it.")
        if len(reason) > REASON_MAX:
            raise BotError(f"Keep the reason under {REASON_MAX} characters.")
        if caller is not None and caller.role is not Role.ADMIN:
            raise NotAllowed("Only Trainbot admins can revoke a certificate.")
        found = normalized(code)
        with self._sessions.begin() as s:
            row = s.scalars(select(Certificate).where(Certificate.code == (found or ""))).first()
            if row is None or (caller is not None and row.workspace_id != caller.workspace_id):
                where = "" if caller is None else " in this workspace"
                raise BotError(f"No certificate{where} has the code `{mrkdwn(code)}`.")
            newly = row.revoked_at is None
            if newly:
                now = self._clock.now()
                row.revoked_at, row.revoked_reason, row.revoked_by = now, reason, by
                _tell_holder_revoked(s, row, now=now)
                who = caller or operator(s, row.workspace_id, f"CLI ({by})")
                held = Subject("certificate", grouped(row.code), row.training_title,
                               s.get_one(Member, row.member_id).slack_user_id)  # fmt: skip
                record(s, who, Act.CERTIFICATE_REVOKED, held, at=now, before={"revoked": False},
                       after={"revoked": True, "reason": reason})  # fmt: skip
        verified = self.verify(code=row.code)
        assert verified is not None
        return Revocation(verified, newly)

    def held_by(self, *, caller: Caller) -> list[HeldCertificate]:
        """One's own certificates, newest first (Home)."""
        c = Certificate
        with self._sessions.begin() as s:
            rows = s.scalars(select(c).where(c.member_id == caller.member_id)
                             .order_by(c.completed_at.desc(), c.id.desc()).limit(20))  # fmt: skip
            return [
                HeldCertificate(grouped(r.code), r.training_title, r.completed_on, r.expires_on,
                                r.revoked_at is not None)
                for r in rows
            ]  # fmt: skip


@dataclass(frozen=True)
class ToDeliver:
    """A certificate as its delivery needs it."""

    id: int
    facts: CertificateFacts
    pdf_file_id: str | None
    png_file_id: str | None
    revoked: bool
    delivered: bool


class CertificateDelivery:
    """What the outbox sender reads and records while delivering a certificate."""

    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, public_url: str | None):
        self._sessions = sessions
        self._clock = clock
        self._public_url = public_url

    def to_deliver(self, *, certificate_id: int, workspace_name: str | None = None) -> ToDeliver:
        """The certificate; `workspace_name` fills in one that was unknown at issue."""
        with self._sessions.begin() as s:
            row = s.get_one(Certificate, certificate_id)
            if workspace_name and not row.workspace_name:
                row.workspace_name = workspace_name[:255]
                workspace = s.get_one(Workspace, row.workspace_id)
                workspace.name = workspace.name or workspace_name[:255]
            kind = s.get_one(TrainingResource, row.resource_id).type
            url = f"{self._public_url}/certificates/{row.code}" if self._public_url else None
            facts = CertificateFacts(
                grouped(row.code), row.person_name, row.training_title,
                KIND_WORDS.get(kind, "training"), row.workspace_name, row.completed_on,
                row.expires_on, url,
            )  # fmt: skip
            return ToDeliver(row.id, facts, row.pdf_file_id, row.png_file_id,
                             row.revoked_at is not None, row.delivered_at is not None)  # fmt: skip

    def uploaded(self, *, certificate_id: int, pdf_file_id: str, png_file_id: str) -> None:
        with self._sessions.begin() as s:
            row = s.get_one(Certificate, certificate_id)
            row.pdf_file_id, row.png_file_id = pdf_file_id, png_file_id

    def delivered(self, *, certificate_id: int) -> None:
        with self._sessions.begin() as s:
            s.get_one(Certificate, certificate_id).delivered_at = self._clock.now()

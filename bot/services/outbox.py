"""Claiming and settling outbox rows: a lease and a claim token per sender."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import insert_ignoring
from models import OutboxMessage, OutboxStatus, Workspace

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Claimed:
    id: int
    workspace_id: int
    kind: str
    recipient: str
    assignment_id: int | None
    attempts: int
    token: str
    maybe_sent: bool  # an earlier sender may have reached Slack and died before recording it
    since: datetime | None  # when that earlier attempt began


@dataclass(frozen=True)
class OutboxStatusReport:
    counts: dict[str, int]  # by OutboxStatus value
    next_attempt: datetime | None  # of the pending ones
    failed: tuple[tuple[str, str, str | None, datetime], ...]  # kind, recipient, error, when
    paused: tuple[tuple[str, datetime | None], ...]  # team id, until


class OutboxService:
    def __init__(
        self, *, sessions: sessionmaker[Session], clock: Clock, lease: timedelta = LEASE
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._lease = lease  # how long a claim holds: what a sender that died leaves waiting

    def claim(self, *, limit: int = 50) -> list[Claimed]:
        """Take up to `limit` due rows for this sender; others skip them until the lease ends."""
        now = self._clock.now()
        token = secrets.token_hex(8)
        o, w = OutboxMessage, Workspace
        with self._sessions.begin() as s:
            due = (
                select(o.id)
                .join(w, w.id == o.workspace_id)
                .where(
                    o.status == OutboxStatus.PENDING.value,
                    o.next_attempt_at <= now,
                    or_(o.lease_until.is_(None), o.lease_until < now),
                    or_(w.send_paused_until.is_(None), w.send_paused_until <= now),
                    w.uninstalled_at.is_(None),  # held while uninstalled, never lost
                )
                .order_by(o.id)
                .limit(limit)
            )
            if s.get_bind().dialect.name == "postgresql":
                due = due.with_for_update(of=o, skip_locked=True)
            # A manager waiting for their confirmation should not wait behind the thousand
            # DMs it confirms: notes to one person are taken first. Two reads in id order
            # (which the primary key serves) rather than one sorted on kind.
            ids = list(s.scalars(due.where(o.kind == "message")))
            if len(ids) < limit:
                ids += s.scalars(due.where(o.kind != "message").limit(limit - len(ids))).all()
            if not ids:
                return []
            s.execute(
                update(o)
                .where(o.id.in_(ids))
                .values(claim_token=token, lease_until=now + self._lease)
            )
            order = case((o.kind == "message", 0), else_=1)
            rows = s.scalars(select(o).where(o.id.in_(ids)).order_by(order, o.id)).all()
            return [
                Claimed(
                    r.id, r.workspace_id, r.kind, r.recipient, r.assignment_id, r.attempts, token,
                    maybe_sent=r.sending_since is not None, since=r.sending_since,
                )
                for r in rows
            ]  # fmt: skip

    def status(self, *, failures: int = 10) -> OutboxStatusReport:
        """How many messages are in each state, and the latest that failed, with why."""
        o = OutboxMessage
        with self._sessions.begin() as s:
            counts = dict(s.execute(select(o.status, func.count()).group_by(o.status)).all())
            next_attempt = s.scalar(
                select(func.min(o.next_attempt_at)).where(o.status == OutboxStatus.PENDING.value)
            )
            failed = s.execute(
                select(o.kind, o.recipient, o.last_error, o.created_at)
                .where(o.status == OutboxStatus.FAILED.value)
                .order_by(o.id.desc())
                .limit(failures)
            ).all()
            paused = s.execute(
                select(Workspace.team_id, Workspace.send_paused_until).where(
                    Workspace.send_paused_until > self._clock.now()
                )
            ).all()
        return OutboxStatusReport(counts, next_attempt, tuple(failed), tuple(paused))

    def begin_send(self, claimed: Claimed) -> bool:
        """Mark the row as being sent now; False if another sender holds it meanwhile."""
        o = OutboxMessage
        with self._sessions.begin() as s:
            done = s.execute(
                update(o)
                .where(o.id == claimed.id, o.claim_token == claimed.token)
                .values(sending_since=self._clock.now())
                .returning(o.id)
            ).first()
            return done is not None

    def pause_workspace(self, *, workspace_id: int, seconds: int) -> datetime:
        """Slack said 429: no sender posts to this workspace until Retry-After has passed."""
        until = self._clock.now() + timedelta(seconds=seconds)
        with self._sessions.begin() as s:
            s.execute(
                update(Workspace)
                .where(
                    Workspace.id == workspace_id,
                    or_(Workspace.send_paused_until.is_(None), Workspace.send_paused_until < until),
                )
                .values(send_paused_until=until)
            )
        return until

    def release(self, claimed: Claimed, *, at: datetime) -> bool:
        """Hand the row back untouched (no attempt spent), due again at `at`."""
        return self._settle(claimed, next_attempt_at=at, sending_since=claimed.since)

    def enqueue(
        self, *, workspace_id: int, key: str, recipient: str, payload: dict[str, object]
    ) -> None:
        """Owe one message, rendered already (confirmations and notices)."""
        with self._sessions.begin() as s:
            enqueue_message(
                s, workspace_id=workspace_id, key=key, recipient=recipient,
                payload=payload, now=self._clock.now(),
            )  # fmt: skip

    def payload(self, claimed: Claimed) -> dict[str, object]:
        with self._sessions.begin() as s:
            return dict(s.get_one(OutboxMessage, claimed.id).payload)

    def sent(self, claimed: Claimed, *, channel: str, ts: str) -> bool:
        """Record delivery; False if the lease was lost to another sender meanwhile."""
        return self._settle(
            claimed, status=OutboxStatus.SENT, channel=channel, ts=ts, sent_at=self._clock.now()
        )

    def failed(self, claimed: Claimed, *, error: str) -> bool:
        """A permanent error for this recipient: recorded, never retried."""
        return self._settle(claimed, status=OutboxStatus.FAILED, last_error=error[:255])

    def skipped(self, claimed: Claimed, *, why: str) -> bool:
        return self._settle(claimed, status=OutboxStatus.SKIPPED, last_error=why[:255])

    def retry_later(self, claimed: Claimed, *, error: str, landed_maybe: bool = True) -> bool:
        """A passing failure: back off exponentially.

        `landed_maybe`: the failed call may have been carried out all the same (a timeout,
        a 5xx), so the next attempt looks before it posts. A clear "no" from Slack is not.
        """
        attempts = claimed.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            return self.failed(claimed, error=f"gave up after {attempts} attempts: {error}")
        doubt = {} if landed_maybe else {"sending_since": claimed.since}
        return self._settle(
            claimed,
            status=OutboxStatus.PENDING,
            attempts=attempts,
            next_attempt_at=self._clock.now() + timedelta(seconds=min(2**attempts * 5, 3600)),
            last_error=error[:255],
            **doubt,
        )

    def _settle(self, claimed: Claimed, **values: object) -> bool:
        o = OutboxMessage
        unclaimed: dict[str, object] = {"claim_token": None, "lease_until": None}
        if "sending_since" not in values and values.get("status") != OutboxStatus.PENDING.value:
            unclaimed["sending_since"] = None  # settled for good; nothing is in doubt
        with self._sessions.begin() as s:
            done = s.execute(
                update(o)
                .where(o.id == claimed.id, o.claim_token == claimed.token)
                .values(**{**unclaimed, **values})
                .returning(o.id)
            ).first()
            return done is not None


def enqueue_message(
    s: Session,
    *,
    workspace_id: int,
    key: str,
    recipient: str,
    payload: dict[str, object],
    now: datetime,
    assignment_id: int | None = None,
    kind: str = "message",
) -> None:
    """Owe a message (insert-or-ignore on its key: the same message is never owed twice)."""
    message = owed(
        workspace_id=workspace_id, key=key, recipient=recipient, payload=payload,
        assignment_id=assignment_id, kind=kind,
    )  # fmt: skip
    enqueue_many(s, [message], now=now)


def owed(
    *,
    workspace_id: int,
    key: str,
    recipient: str,
    payload: dict[str, object],
    assignment_id: int | None = None,
    kind: str = "message",
) -> dict[str, object]:
    """One message owed, as enqueue_many takes it."""
    return {"workspace_id": workspace_id, "key": key, "recipient": recipient,
            "payload": payload, "assignment_id": assignment_id, "kind": kind}  # fmt: skip


def enqueue_many(s: Session, messages: list[dict[str, object]], *, now: datetime) -> list[str]:
    """Owe many messages at once; returns the keys that were new (a key owed already is
    left as it is)."""
    # Every row has the same keys (one statement for all): what a message may override
    # (a digest recorded as skipped sets status and last_error) is given for all.
    pending = {"status": OutboxStatus.PENDING.value, "last_error": None, "attempts": 0,
               "next_attempt_at": now, "created_at": now}  # fmt: skip
    table = OutboxMessage.__table__
    rows = [{**pending, **m} for m in messages]
    return [key for (key,) in insert_ignoring(
        s, table, rows, unique=["key"], returning=[table.c.key]
    )]  # fmt: skip

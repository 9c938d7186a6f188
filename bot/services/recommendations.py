"""Recommended for you: what to learn next, each with the reason it was picked.

The signals are read by `recommend_signals`, ranked by `models.recommend_rules`; this
service owns the transactions: the list for one person (Home and `trainbot recommend`
show the same), "Not for me", and the per-workspace switch.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import insert_for
from bot.errors import BotError, NotFound
from bot.services.audit import Operator, Subject, record
from bot.services.library import LibraryPage, LibraryQuery, search, visible_to
from bot.services.members import Caller
from bot.services.recommend_signals import Person, gather, most_completed
from bot.services.recommend_store import STORED, Recommendation, due, read, store
from models import AuditAction as Act
from models import Member, RecommendationDismissal, TrainingResource, Workspace
from models.recommend_rules import rank

HOME_SHOWN = 5  # 1 block each, with a header and a note: well inside Home's 100
MAX_LIMIT = 50
POPULAR_TTL_S = 300.0


@dataclass(frozen=True)
class Recommended:
    items: tuple[Recommendation, ...]
    enabled: bool  # the workspace has recommendations on


class RecommendationService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._lock = threading.Lock()
        self._popular: dict[int, tuple[float, dict[int, int]]] = {}  # workspace -> (when, counts)

    def for_person(self, *, caller: Caller, limit: int = HOME_SHOWN) -> Recommended:
        """Home's list for the person asking."""
        with self._sessions.begin() as s:
            return self._list(s, Person(caller.workspace_id, caller.member_id), limit)

    def for_user(self, *, team_id: str, user_id: str, limit: int) -> Recommended:
        """The same list for anyone, by Slack ids (the CLI)."""
        with self._sessions.begin() as s:
            workspace_id = s.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
            if workspace_id is None:
                raise NotFound(f"no workspace {team_id} here")
            member_id = s.scalar(
                select(Member.id).where(
                    Member.workspace_id == workspace_id, Member.slack_user_id == user_id
                )
            )
            if member_id is None:
                raise NotFound(f"no person {user_id} in workspace {team_id}")
            return self._list(s, Person(workspace_id, member_id), limit)

    def browse(self, *, caller: Caller, query: LibraryQuery) -> LibraryPage:
        """The library's "For you": the person's recommendations, best first, each with its
        reason, narrowed by the query's words and filters and paged like any search."""
        with self._sessions.begin() as s:
            found = self._list(s, Person(caller.workspace_id, caller.member_id), MAX_LIMIT)
            ranking = [item.resource_id for item in found.items]
            page = search(s, workspace_id=caller.workspace_id, query=query, ranking=ranking)
            reasons = {item.resource_id: item.reason.text for item in found.items}
            return replace(page, reasons=reasons, for_me_off=not found.enabled)

    def _list(self, s: Session, person: Person, limit: int) -> Recommended:
        if not 1 <= limit <= MAX_LIMIT:
            raise BotError(f"the limit is 1 to {MAX_LIMIT}")
        if not s.scalar(
            select(Workspace.recommendations).where(Workspace.id == person.workspace_id)
        ):
            return Recommended((), enabled=False)
        now = self._clock.now()
        kept = read(s, person, now=now, limit=limit)
        if kept is not None:
            return Recommended(tuple(kept), enabled=True)
        # Computed, not stored: Home only reads (a write here would queue Home behind
        # other writers); the sweep stores it within the hour.
        return Recommended(tuple(self._compute(s, person, limit, now=now)), enabled=True)

    def _compute(
        self, s: Session, person: Person, limit: int, *, now: datetime
    ) -> list[Recommendation]:
        popular = self._most_completed(s, person.workspace_id)
        candidates, signals = gather(s, person, now=now, popular=popular)
        return [
            Recommendation(r.candidate.resource_id, r.candidate.title, r.candidate.type,
                           r.candidate.url, r.reason, r.score)
            for r in rank(candidates, signals, limit=limit)
        ]  # fmt: skip

    def refresh_for(self, *, caller: Caller) -> None:
        """After the person's own change (a completion, "Not for me"): their list computed
        and stored now, off the ack, so that the Home drawn next reads it."""
        person = Person(caller.workspace_id, caller.member_id)
        with self._sessions.begin() as s:
            if not s.scalar(
                select(Workspace.recommendations).where(Workspace.id == person.workspace_id)
            ):
                return
            now = self._clock.now()
            if read(s, person, now=now, limit=STORED) is None:
                store(s, person, self._compute(s, person, STORED, now=now), now=now)

    def refresh(self, *, batch: int = 100) -> int:
        """The sweep: compute again the lists missing, older than a few hours, or older
        than the person's latest change (each person in a transaction of their own), so
        Home finds them ready. How many."""
        done: set[int] = set()
        while True:
            with self._sessions.begin() as s:
                people = [p for p in due(s, now=self._clock.now(), batch=batch)
                          if p.member_id not in done]  # fmt: skip
            if not people:
                return len(done)
            for person in people:
                with self._sessions.begin() as s:
                    now = self._clock.now()
                    store(s, person, self._compute(s, person, STORED, now=now), now=now)
                done.add(person.member_id)

    def _most_completed(self, s: Session, workspace_id: int) -> dict[int, int]:
        """Which resources are most completed here, read again after POPULAR_TTL_S.

        The aggregate reads every completion of the workspace. A few minutes old, the
        counts of the most completed differ by a few at most: they only weigh popularity.
        """
        with self._lock:
            cached = self._popular.get(workspace_id)
        if cached is not None and time.monotonic() - cached[0] < POPULAR_TTL_S:
            return cached[1]
        ids = most_completed(s, workspace_id)
        with self._lock:
            self._popular[workspace_id] = (time.monotonic(), ids)
        return ids

    def dismiss(self, *, caller: Caller, resource_id: int) -> None:
        """ "Not for me": never recommend it to them again (a second click changes nothing)."""
        with self._sessions.begin() as s:
            r = TrainingResource
            visible = s.scalar(
                select(r.id).where(r.id == resource_id, visible_to(caller.workspace_id))
            )
            if visible is None:  # another workspace's own, or gone
                raise NotFound("That training is no longer in the library.")
            s.execute(
                insert_for(s, RecommendationDismissal)
                .values(workspace_id=caller.workspace_id, member_id=caller.member_id,
                        resource_id=resource_id, dismissed_at=self._clock.now())
                .on_conflict_do_nothing(index_elements=["member_id", "resource_id"])
            )  # fmt: skip

    def set_enabled(self, *, team_id: str, on: bool) -> None:
        """An admin's switch: recommendations on or off for the whole workspace (written
        to its audit log when it changes something)."""
        with self._sessions.begin() as s:
            workspace = s.scalar(select(Workspace).where(Workspace.team_id == team_id))
            if workspace is None:
                raise NotFound(f"no workspace {team_id} here")
            now = self._clock.now()
            record(
                s, Operator(workspace.id, team_id), Act.RECOMMENDATIONS_SWITCHED,
                Subject("workspace", team_id, workspace.name or team_id), at=now,
                before={"recommendations": workspace.recommendations},
                after={"recommendations": on},
            )  # fmt: skip
            workspace.recommendations = on
            workspace.updated_at = now

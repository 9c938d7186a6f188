"""The mixed workload: one request of a kind at a time, as the people of seed.Team would.

Managers open /assign, type in its typeahead and submit it to a user group or a channel;
the admin asks /progress; learners open /library and Home, click Mark complete in their
DMs, and join channels (an event callback). Each request goes through the cluster's
round robin (BalancedClient) and is recorded with its ack and outcome; what it should
have written (assignments, completions) is noted for the accounting.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bench.assign_scale.interactions import TYPED
from bench.load.cluster import BalancedClient, Cluster, Cut
from bench.load.seed import ADMIN, Team
from bot.fakeslack import AppResponse, FakeSlack, find_action_ids
from bot.ids import Action, Block, Callback
from bot.usergroups import BUSY
from handlers.unavailable import TRY_AGAIN

WEIGHTS = {
    "/assign": 2,
    "typeahead": 4,
    "submit:group": 1,
    "submit:channel": 1,
    "/library": 1,
    "/progress": 1,
    "complete": 2,
    "home": 2,
    "event": 1,
}
KINDS = tuple(WEIGHTS)


@dataclass(frozen=True)
class Record:
    kind: str
    at: float  # seconds since the load began
    replica: int  # -1: none answered
    status: int  # HTTP status; 0: no answer
    ack_ms: float | None
    outcome: str  # ok, try-again, error
    detail: str = ""


@dataclass
class Owed:
    """What acked requests should have written, for the accounting."""

    assigned: list[tuple[int, str, float]] = field(default_factory=list)  # resource, user, at
    completed: list[tuple[int, str, float, int]] = field(default_factory=list)  # +replica
    submissions: int = 0


class Workload:
    def __init__(self, fake: FakeSlack, cluster: Cluster, team: Team, *, seed: int) -> None:
        self.fake, self.cluster, self.team = fake, cluster, team
        self.records: list[Record] = []
        self.owed = Owed()
        self._lock = threading.Lock()
        self._busy: set[str] = set()  # people with a request of theirs in flight
        self._rng = random.Random(seed)
        self._counter = 0
        self.started = time.monotonic()

    # the schedule -------------------------------------------------------------------------

    def kinds(self) -> Iterator[str]:
        """Kinds in proportion to WEIGHTS, shuffled in rounds (seeded)."""
        deck = [kind for kind, weight in WEIGHTS.items() for _ in range(weight)]
        while True:
            self._rng.shuffle(deck)
            yield from deck

    def send(self, kind: str) -> None:
        """One request of `kind` (or the nearest one its people can do now)."""
        try:
            {
                "/assign": self._assign_command,
                "typeahead": self._typeahead,
                "submit:group": self._submit,
                "submit:channel": self._submit,
                "/library": self._library,
                "/progress": self._progress,
                "complete": self._complete,
                "home": self._home,
                "event": self._event,
            }[kind](kind)
        except Exception as error:  # a broken request of ours is still recorded, never lost
            self._record(kind, None, -1, "error", f"load client: {type(error).__name__}: {error}")

    # the kinds ----------------------------------------------------------------------------

    def _assign_command(self, kind: str) -> None:
        with self._person(None, self.team.managers) as who:
            if who is None:
                return self._progress("/progress")
            self._assign_for(kind, who)

    def _assign_for(self, kind: str, manager: str) -> None:
        self._request(kind, lambda c: c.command("/assign", "", user=manager))

    def _typeahead(self, kind: str) -> None:
        with self._person(None, self._with_modal()) as who:
            if who is None:
                return self._assign_command("/assign")
            view_id = self._modal(who)
            if not view_id:  # closed meanwhile: they open a new one
                return self._assign_for("/assign", who)
            typed = TYPED[self._next() % len(TYPED)]
            self._request(
                kind,
                lambda c: c.suggest(
                    user=who, view_id=view_id, action_id=Action.ASSIGN_RESOURCE, value=typed
                ),
            )

    def _submit(self, kind: str) -> None:
        with self._person(None, self._with_modal()) as who:
            if who is None:
                return self._assign_command("/assign")
            view_id = self._modal(who)
            if not view_id:
                return self._assign_for("/assign", who)
            n = self._next()
            resource_id, title = self.team.resources[n % len(self.team.resources)]
            values: dict[str, Any] = {
                Block.RESOURCE: (str(resource_id), title[:75]),
                Block.DUE: (date.today() + timedelta(days=21)).isoformat(),
                Block.PRIORITY: "normal",
            }
            if kind == "submit:group":
                group_id, handle, people = self.team.groups[n % len(self.team.groups)]
                values[Block.GROUPS] = [(group_id, handle)]
            else:
                channel_id, people = self.team.channels[n % len(self.team.channels)]
                values[Block.CHANNELS] = [channel_id]
            answer = self._request(
                kind, lambda c: c.submit_view(user=who, view_id=view_id, values=values)
            )
            if answer is not None and answer.status == 200 and not _errors(answer):
                at = time.monotonic() - self.started
                with self._lock:
                    self.owed.submissions += 1
                    self.owed.assigned += [(resource_id, person, at) for person in people]

    def _library(self, kind: str) -> None:
        learner = self._rng.choice(self.team.active)
        self._request(kind, lambda c: c.command("/library", "", user=learner))

    def _progress(self, kind: str) -> None:
        self._request(kind, lambda c: c.command("/progress", "", user=ADMIN))

    def _complete(self, kind: str) -> None:
        learners = list(self.team.active)
        self._rng.shuffle(learners)
        for learner in learners[:20]:
            with self._person(learner, (learner,)) as who:
                found = self._open_dm(who) if who is not None else None
                if who is not None and found is not None:
                    return self._click(kind, who, *found)
        return self._home("home")

    def _click(self, kind: str, who: str, ts: str, assignment_id: int) -> None:
        """Mark complete in the DM `ts`; noted as owed once acked."""
        channel = self.fake.dm_channel(who)
        client = BalancedClient(self.cluster, self.fake)
        answer = self._request(
            kind,
            lambda c: c.click(
                user=who, action_id=Action.ASSIGNMENT_COMPLETE, channel=channel, ts=ts
            ),
            client=client,
        )
        if answer is not None and answer.status == 200:
            at = time.monotonic() - self.started
            with self._lock:
                self.owed.completed.append((assignment_id, who, at, client.replica))

    def _home(self, kind: str) -> None:
        learner = self._rng.choice(self.team.active)
        self._request(kind, lambda c: c.app_home_opened(learner))

    def _event(self, kind: str) -> None:
        learner = self._rng.choice(self.team.active)
        channel_id, _ = self._rng.choice(self.team.channels)
        event = {
            "type": "member_joined_channel",
            "user": learner,
            "channel": channel_id,
            "channel_type": "C",
            "team": self.fake.identity.team_id,
        }
        self._request(kind, lambda c: c.event(event))

    # helpers ------------------------------------------------------------------------------

    def _request(
        self,
        kind: str,
        send: Callable[[BalancedClient], AppResponse],
        client: BalancedClient | None = None,
    ) -> AppResponse | None:
        client = client or BalancedClient(self.cluster, self.fake)
        try:
            answer = send(client)
        except Cut as cut:
            self._record(kind, None, client.replica, "error", f"cut: {cut}")
            return None
        outcome, detail = _outcome(kind, answer)
        self._record(kind, answer, client.replica, outcome, detail)
        return answer

    def _record(
        self, kind: str, answer: AppResponse | None, replica: int, outcome: str, detail: str
    ) -> None:
        record = Record(
            kind,
            round(time.monotonic() - self.started, 3),
            replica,
            answer.status if answer else 0,
            answer.elapsed_ms if answer else None,
            outcome,
            detail[:200],
        )
        with self._lock:
            self.records.append(record)

    def _next(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def _with_modal(self) -> tuple[str, ...]:
        return tuple(m for m in self.team.managers if self._modal(m))

    def _modal(self, manager: str) -> str:
        """The id of the manager's open /assign modal ("" when none is on top)."""
        stack = self.fake.open_views(manager)
        top = stack[-1] if stack else {}
        return str(top.get("id") or "") if top.get("callback_id") == Callback.ASSIGN else ""

    def _open_dm(self, learner: str) -> tuple[str, int] | None:
        """A DM of the learner's whose Mark complete is still there: (ts, assignment id)."""
        for message in reversed(self.fake.messages(self.fake.dm_channel(learner))):
            if Action.ASSIGNMENT_COMPLETE not in find_action_ids(message):
                continue
            for block in message.get("blocks") or []:
                for element in block.get("elements") or []:
                    if element.get("action_id") == Action.ASSIGNMENT_COMPLETE:
                        return str(message["ts"]), int(element["value"])
        return None

    def _person(self, wanted: str | None, among: tuple[str, ...]) -> _Held:
        """Hold one of `among` (or `wanted`) not busy with another request, else None."""
        with self._lock:
            free = [p for p in among if p not in self._busy and (wanted in (None, p))]
            who = self._rng.choice(free) if free else None
            if who is not None:
                self._busy.add(who)
        return _Held(self, who)


class _Held:
    def __init__(self, load: Workload, who: str | None) -> None:
        self._load, self.who = load, who

    def __enter__(self) -> str | None:
        return self.who

    def __exit__(self, *_: object) -> None:
        if self.who is not None:
            with self._load._lock:
                self._load._busy.discard(self.who)


def _errors(answer: AppResponse) -> dict[str, Any]:
    body = answer.json if isinstance(answer.json, dict) else {}
    return dict(body.get("errors") or {}) if body.get("response_action") == "errors" else {}


def _outcome(kind: str, answer: AppResponse) -> tuple[str, str]:
    """ok, try-again (the database was down and the answer said so) or error, and why."""
    if "Traceback" in answer.body:
        return "error", "a traceback in the answer"
    if TRY_AGAIN in answer.body and answer.status in (200, 503):
        return "try-again", ""
    if answer.status != 200:
        return "error", f"HTTP {answer.status}: {answer.body[:80]}"
    if kind == "typeahead" and not (answer.json or {}).get("options"):
        return "try-again", "no options (as the database-down answer gives)"
    if kind.startswith("submit") and (errors := _errors(answer)):
        if set(errors.values()) <= {BUSY, TRY_AGAIN}:
            return "try-again", "Slack busy" if BUSY in errors.values() else ""
        return "error", f"modal errors: {errors}"
    return "ok", ""

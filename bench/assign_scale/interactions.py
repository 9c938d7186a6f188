"""The four interactions, sent to each server in turn and timed (with Trainbot's effects).

Trainbot gets real requests built from what it rendered (its modal, its DMs); the bare apps
get the very bytes Trainbot last got, re-signed, and only ack.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Protocol

from bench.assign_scale.seed import Seeded
from bench.servers import Target
from bench.timing import (
    FORM,
    Deadline,
    Series,
    StampedFakeSlack,
    TimedClient,
    interleaved,
    record_ack,
)
from bot.ids import Action, Block

KINDS = ("command", "typeahead", "submission", "complete", "home")
# What a manager types into the resource typeahead, keystroke by keystroke or a word.
TYPED = ("sec", "securi", "python", "lead", "kube", "git", "data", "intro to", "sales", "des")
EFFECT_TIMEOUT_S = 10.0
SEND_PER_MINUTE = "60000"  # Slack's pace is not what is measured here (see --send-per-minute)


class ScaleFakeSlack(StampedFakeSlack):
    """The stand-in, able to say when the last of several calls was answered."""

    def last_answered(self, methods: Sequence[str]) -> float:
        """perf_counter() when the last of these methods had been answered and recorded."""
        paths = {f"/api/{m}" for m in methods}
        with self._lock:
            return max(s.answered for s in self.stamps if s.path in paths)


class AssignBench:
    """Sends one request of a kind to one target; Trainbot's effects are waited for and timed."""

    def __init__(
        self,
        fake: ScaleFakeSlack,
        data: Seeded,
        *,
        people: int,
        pause_s: float,
        first_submission: int = 0,
    ) -> None:
        self.fake = fake
        self.data = data
        self.people = people
        self._pause_s = pause_s
        self.bodies: dict[str, bytes] = {}  # what Trainbot last got, per kind: the bare apps' too
        self.effects: dict[str, Series] = {}
        self.dms: deque[tuple[str, str, str]] = deque()  # (user, channel, ts) to click on
        self._view_id: str | None = None  # the manager's open /assign modal
        self.submissions = first_submission  # which fresh resource the next one assigns
        self._typed = 0
        self._homes = 0  # which learner opens Home next

    def send(self, kind: str, client: TimedClient, target: Target, into: Series) -> None:
        self.fake.reset_calls()
        if not target.has_effect:
            record_ack(into, client, client.send_raw(self.bodies[kind], FORM))
        else:
            client.body = b""
            try:
                self._trainbot(kind, client, into)
            except (AssertionError, LookupError) as error:
                into.failures.append(f"{kind}: {str(error)[:200]}")
            if client.body:
                self.bodies[kind] = client.body
        time.sleep(self._pause_s)

    def _trainbot(self, kind: str, client: TimedClient, into: Series) -> None:
        if kind == "command":
            learner = self.data.learners[self.submissions % len(self.data.learners)]
            text = f"<@{learner.user_id}|{learner.name}> pro git"
            response = client.command("/assign", text, user=self.data.manager.user_id)
            record_ack(into, client, response)
            call = self.fake.wait_for_call("views.open", timeout=EFFECT_TIMEOUT_S)
            self._view_id = str(call.response["view"]["id"])
            self._effect(kind, client, ["views.open"])
        elif kind == "typeahead":
            if self._view_id is None:
                self._open_modal(client)
            assert self._view_id is not None
            response = client.suggest(
                user=self.data.manager.user_id,
                view_id=self._view_id,
                action_id=Action.ASSIGN_RESOURCE,
                value=TYPED[self._typed % len(TYPED)],
            )
            self._typed += 1
            record_ack(into, client, response)
            options = (response.json or {}).get("options")
            assert options, f"no options for {TYPED[(self._typed - 1) % len(TYPED)]!r}"
        elif kind == "submission":
            self._submit(client, into)
        elif kind == "home":  # a learner opens App Home: My learning, recommendations and all
            learner = self.data.learners[(self._homes * 7) % len(self.data.learners)]
            self._homes += 1
            record_ack(into, client, client.app_home_opened(learner.user_id))
            self.fake.wait_for_call("views.publish", timeout=EFFECT_TIMEOUT_S)
            self._effect(kind, client, ["views.publish"])
        else:
            user, channel, ts = self.dms.popleft()
            response = client.click(
                user=user, action_id=Action.ASSIGNMENT_COMPLETE, channel=channel, ts=ts
            )
            record_ack(into, client, response)
            self.fake.wait_for_call("chat.update", timeout=EFFECT_TIMEOUT_S)
            self.fake.wait_for_call("views.publish", timeout=EFFECT_TIMEOUT_S)
            self._effect(kind, client, ["chat.update", "views.publish"])

    def _open_modal(self, client: TimedClient) -> None:
        """A fresh /assign modal for the manager (not timed)."""
        client.command("/assign", "", user=self.data.manager.user_id)
        call = self.fake.wait_for_call("views.open", timeout=EFFECT_TIMEOUT_S)
        self._view_id = str(call.response["view"]["id"])
        self.fake.reset_calls()

    def _submit(self, client: TimedClient, into: Series) -> None:
        self._open_modal(client)
        assert self._view_id is not None
        n = self.submissions
        self.submissions += 1
        resource_id, title = self.data.fresh[n % len(self.data.fresh)]
        learners = self.data.learners
        people = [
            learners[(n * self.people + j) % len(learners)].user_id for j in range(self.people)
        ]
        response = client.submit_view(
            user=self.data.manager.user_id,
            view_id=self._view_id,
            values={
                Block.RESOURCE: (str(resource_id), title[:75]),
                Block.PEOPLE: people,
                Block.DUE: (date.today() + timedelta(days=14)).isoformat(),
                Block.PRIORITY: "high",
                Block.NOTE: "Before the next release, please.",
            },
        )
        self._view_id = None
        record_ack(into, client, response)
        errors = (response.json or {}).get("errors")
        assert not errors, f"the modal answered errors: {errors}"
        posted = self._wait_for_posts(len(people))
        self.dms.extend(
            (str(c.args["channel"]), str(c.response["channel"]), str(c.response["ts"]))
            for c in posted
        )
        self.fake.wait_for_call("chat.postEphemeral", timeout=EFFECT_TIMEOUT_S)
        self._effect("submission", client, ["chat.postMessage", "chat.postEphemeral"])

    def _wait_for_posts(self, count: int) -> list[Any]:
        deadline = time.monotonic() + EFFECT_TIMEOUT_S
        while True:
            posted = [c for c in self.fake.calls_to("chat.postMessage") if c.response.get("ok")]
            if len(posted) >= count:
                return posted
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(posted)} of {count} DMs after {EFFECT_TIMEOUT_S} s")
            time.sleep(0.002)

    def _effect(self, kind: str, client: TimedClient, methods: Sequence[str]) -> None:
        """From sending the request to the stand-in's stamp on the last of `methods`."""
        last = self.fake.last_answered(methods)
        self.effects.setdefault(kind, Series()).samples.append((last - client.sent_perf) * 1000)


class Sends(Protocol):
    """A bench that sends one request of a kind to a target (AssignBench and its kin)."""

    bodies: dict[str, bytes]

    def send(self, kind: str, client: Any, target: Target, into: Series) -> None: ...


def run_kind(
    kind: str,
    bench: Sends,
    clients: Mapping[str, TimedClient],
    all_targets: Sequence[Target],
    n: int,
    block: int,
    deadline: Deadline,
) -> dict[str, Series]:
    """n requests of `kind` per target, in blocks that rotate the target order (Trainbot first
    in the first block, so the bare apps have its bytes to replay)."""
    results = {t.key: Series() for t in all_targets}
    for target, _, series in interleaved(all_targets, results, n, block, deadline):
        if kind not in bench.bodies and not target.has_effect:
            continue  # nothing to replay yet: Trainbot failed every one so far
        bench.send(kind, clients[target.key], target, series)
    return results

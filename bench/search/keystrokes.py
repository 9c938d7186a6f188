"""The typeahead requests: block_suggestion on the /assign modal's resource select, timed.

Trainbot gets requests built by the SlackClient from the modal it opened; the bare app gets
the very bytes Trainbot got for the same typed value, re-signed. Every request is timed
into the target's series and into its query class's.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.search.data import every_query, typed
from bench.search.database import MANAGER
from bench.servers import Target
from bench.timing import (
    FORM,
    Deadline,
    Series,
    StampedFakeSlack,
    TimedClient,
    interleaved,
    record_ack,
    start_clients,
)
from bot.ids import Action

OPEN_TIMEOUT_S = 10.0


@dataclass
class Measured:
    """One library's figures: per target, and per (target, query class)."""

    overall: dict[str, Series] = field(default_factory=dict)
    by_class: dict[tuple[str, str], Series] = field(default_factory=dict)
    options: dict[str, list[int]] = field(default_factory=dict)  # Trainbot's, per class


class Typeahead:
    """Sends one typed value to one target and records its ack."""

    def __init__(self, fake: StampedFakeSlack, view_id: str, pause_s: float) -> None:
        self.fake = fake
        self.view_id = view_id
        self.pause_s = pause_s
        self.bodies: dict[str, bytes] = {}  # Trainbot's last request per value: the bare app's

    def send(self, client: TimedClient, target: Target, value: str, into: Sequence[Series]) -> int:
        """The ack's options (Trainbot's; 0 for the bare app), timed into every series given."""
        if target.has_effect:
            response = client.suggest(
                user=MANAGER.user_id,
                view_id=self.view_id,
                action_id=Action.ASSIGN_RESOURCE,
                value=value,
            )
            self.bodies[value] = client.body
        else:
            response = client.send_raw(self.bodies[value], FORM)
        for series in into:
            record_ack(series, client, response)
        options = len((response.json or {}).get("options") or [])
        if target.has_effect and response.status == 200 and not options:
            for series in into:  # an answer with nothing to pick is not a working typeahead
                series.samples.pop()
                series.failures.append(f"no options for {value!r}")
        time.sleep(self.pause_s)
        return options


def open_modal(fake: StampedFakeSlack, trainbot: TimedClient) -> str:
    """The manager's /assign modal, whose resource select every request types into."""
    fake.reset_calls()
    response = trainbot.command("/assign", "", user=MANAGER.user_id)
    if response.status != 200:
        raise RuntimeError(f"/assign answered {response.status}: {response.body[:200]}")
    call = fake.wait_for_call("views.open", timeout=OPEN_TIMEOUT_S)
    fake.reset_calls()
    return str(call.response["view"]["id"])


def measure(
    fake: StampedFakeSlack,
    all_targets: Sequence[Target],
    env: Mapping[str, str],
    workdir: Path,
    *,
    n: int,
    warmup: int,
    block: int,
    pause_s: float,
    deadline: Deadline,
    say: Callable[[str], None],
) -> Measured:
    """Start the servers on `env`'s database, warm up, send n requests per target, stop."""
    with contextlib.ExitStack() as running:  # each server stopped, even on Ctrl-C
        clients = start_clients(
            running, all_targets, env, workdir, fake, timeout=OPEN_TIMEOUT_S, say=say
        )
        bench = Typeahead(fake, open_modal(fake, clients["trainbot"]), pause_s)
        for _ in range(warmup):  # Trainbot first: the bare app replays its bytes
            for target in all_targets:
                for _kind, value in every_query():
                    bench.send(clients[target.key], target, value, [Series()])
        found = Measured(overall={t.key: Series() for t in all_targets})
        for target, turn, into in interleaved(all_targets, found.overall, n, block, deadline):
            kind, value = typed(turn)
            per_class = found.by_class.setdefault((target.key, kind), Series())
            options = bench.send(clients[target.key], target, value, [into, per_class])
            if target.has_effect:
                found.options.setdefault(kind, []).append(options)
        return found

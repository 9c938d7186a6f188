"""The requests bench/ack_latency.py times: `/library`, and a click on the type filter.

The click is a block_actions from the library modal's `library.filter.type`. For Trainbot
each one's effect is timed too (views.open / views.update answered). The bare apps get the
very bytes Trainbot last got for a click (re-signed), so every target parses the same
payload.
"""

from __future__ import annotations

import time

from bench.servers import Target
from bench.timing import (
    FORM,
    Series,
    StampedFakeSlack,
    TimedClient,
    record_ack,
)
from bot.fakeslack import AppResponse, FakeSlack
from bot.ids import Action

CLICKER, COMMANDER = "U0AMY00001", "U0BOB00001"  # commands replace the caller's modal stack
FILTER_VALUES = ("video", "any")  # alternated: a filtered page, then the first page of all

EFFECT_TIMEOUT_S = 5.0


class Bench:
    """Sends one request to one target and records its ack (and Trainbot's effect)."""

    def __init__(self, fake: StampedFakeSlack, clicker_view_id: str, pause_s: float) -> None:
        self.fake = fake
        self._view_id = clicker_view_id
        # Think time after each request (and its effect): the app finishes the work
        # after the ack (reading Slack's answer, logging) before the next request comes.
        self._pause_s = pause_s
        # The exact click bodies last sent to Trainbot, by filter value: the bare apps
        # get the same bytes (re-signed), so every target parses the same payload.
        self._click_bodies: dict[str, bytes] = {}
        # (target, "views.update" | "stand-in views.update" | "app views.update" | ...)
        self.effects: dict[tuple[str, str], Series] = {}

    def clear_effects(self) -> None:
        self.effects = {}

    def command(self, client: TimedClient, target: Target, into: Series) -> None:
        self.fake.reset_calls()
        response = client.command("/library", "", user=COMMANDER)
        self._record(client, target, response, into, "views.open")
        time.sleep(self._pause_s)

    def click(self, client: TimedClient, target: Target, into: Series, turn: int) -> None:
        self.fake.reset_calls()
        value = FILTER_VALUES[turn % len(FILTER_VALUES)]
        replay = None if target.has_effect else self._click_bodies.get(value)
        if replay is not None:
            response: AppResponse | None = client.send_raw(replay, FORM)
        else:
            response = client.select(
                user=CLICKER,
                view_id=self._view_id,
                action_id=Action.LIBRARY_FILTER_TYPE,
                value=value,
            )
        if response is None:
            raise RuntimeError("the type filter sent nothing: is it still in an actions block?")
        if target.has_effect:
            self._click_bodies[value] = client.body
        self._record(client, target, response, into, "views.update")
        time.sleep(self._pause_s)

    def _record(
        self,
        client: TimedClient,
        target: Target,
        response: AppResponse,
        into: Series,
        effect_method: str,
    ) -> None:
        record_ack(into, client, response)
        if not target.has_effect:
            return
        effects = self.effects.setdefault((target.key, effect_method), Series())
        try:
            call = self.fake.wait_for_call(effect_method, timeout=EFFECT_TIMEOUT_S)
        except AssertionError as error:
            effects.failures.append(str(error)[:300])
            return
        if call.response.get("ok") is not True:
            effects.failures.append(f"{effect_method}: {call.response.get('error')}")
            return
        stamp = self.fake.last_stamp(effect_method)
        effects.samples.append((stamp.answered - client.sent_perf) * 1000)
        # Cross-check on the wall clock: ApiCall.at against the wall-clock send time.
        effects.wall_samples.append((call.at - client.sent_wall) * 1000)
        stand_in_ms = (stamp.answered - stamp.started) * 1000
        own = self.effects.setdefault((target.key, f"stand-in {effect_method}"), Series())
        own.samples.append(stand_in_ms)
        net = self.effects.setdefault((target.key, f"app {effect_method}"), Series())
        net.samples.append(effects.samples[-1] - stand_in_ms)


def open_clicker_modal(fake: FakeSlack, trainbot: TimedClient) -> str:
    """The view every click acts on: the library modal Trainbot opens for the clicker."""
    fake.reset_calls()
    response = trainbot.command("/library", "", user=CLICKER)
    if response.status != 200:
        raise RuntimeError(f"/library answered {response.status}: {response.body}")
    call = fake.wait_for_call("views.open", timeout=EFFECT_TIMEOUT_S)
    return str(call.response["view"]["id"])

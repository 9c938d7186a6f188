"""Mark complete on a DM, sent to each server in turn and timed, as if from many workspaces.

Trainbot gets a real click on one of the DMs it sent (the seed's); the bare apps get the very
bytes Trainbot last got, re-signed, and only ack. The stand-in plays one team, so the client
rewrites its team id in each request to the workspace the DM belongs to.
"""

from __future__ import annotations

import time
from typing import Any

from bench.assign_scale.interactions import ScaleFakeSlack
from bench.servers import Target
from bench.timing import FORM, Series, TimedClient, record_ack
from bench.workspaces.seed import Workspaces
from bot.fakeslack import AppResponse
from bot.ids import Action

KINDS = ("complete", "first")
EFFECT = ("chat.update", "views.publish")  # the DM shows Completed; Home is redrawn
EFFECT_TIMEOUT_S = 10.0


class TeamClient(TimedClient):
    """A TimedClient whose requests come from workspace `team_id`.

    The stand-in plays one team and builds every payload with its team id; Slack would send
    the clicking person's team. So that id is replaced in the body before it is signed
    (team ids are letters and digits: they read the same URL-encoded).
    """

    team_id: str = ""
    stand_in_team: str = ""

    def send_raw(self, body: bytes, content_type: str, **kwargs: Any) -> AppResponse:
        if self.team_id and self.stand_in_team:
            body = body.replace(self.stand_in_team.encode(), self.team_id.encode())
        return super().send_raw(body, content_type, **kwargs)


class ClickBench:
    """Sends one Mark complete of a kind to one target; Trainbot's effect waited for and timed.

    `complete`: in the active workspaces in turn (each asked again within seconds: what the
    installation cache serves); `first`: each in a workspace nothing was asked of before.
    """

    def __init__(self, fake: ScaleFakeSlack, data: Workspaces, *, pause_s: float) -> None:
        self.fake = fake
        self.data = data
        self._pause_s = pause_s
        self._turn = 0
        self.bodies: dict[str, bytes] = {}  # what Trainbot last got, per kind: the bare apps' too
        self.effects: dict[str, Series] = {}
        self.auth_tests: dict[str, list[int]] = {}  # auth.test calls per Trainbot request
        self.wrong_tokens: list[str] = []  # a call made with another workspace's token

    def next_team(self, kind: str) -> str:
        if kind == "first":
            return self.data.fresh.popleft()
        team = self.data.active[self._turn % len(self.data.active)]
        self._turn += 1
        return team

    def send(
        self, kind: str, client: TeamClient, target: Target, into: Series, team: str = ""
    ) -> None:
        """One request; Trainbot's in `team`, or the next workspace of `kind`."""
        self.fake.reset_calls()
        if not target.has_effect:
            record_ack(into, client, client.send_raw(self.bodies[kind], FORM))
        else:
            client.body = b""
            team = team or self.next_team(kind)
            try:
                self._trainbot(kind, team, client, into)
            except (AssertionError, LookupError) as error:
                into.failures.append(f"{kind} in {team}: {str(error)[:200]}")
            if client.body:
                self.bodies[kind] = client.body
        time.sleep(self._pause_s)

    def _trainbot(self, kind: str, team: str, client: TeamClient, into: Series) -> None:
        user, channel, ts = self.data.dms[team].popleft()
        client.team_id = team
        try:
            response = client.click(
                user=user, action_id=Action.ASSIGNMENT_COMPLETE, channel=channel, ts=ts
            )
        finally:
            client.team_id = ""
        record_ack(into, client, response)
        calls = [self.fake.wait_for_call(m, timeout=EFFECT_TIMEOUT_S) for m in EFFECT]
        last = self.fake.last_answered(EFFECT)
        self.effects.setdefault(kind, Series()).samples.append((last - client.sent_perf) * 1000)
        for call in calls:
            assert call.response.get("ok"), f"{call.method}: {call.response.get('error')}"
            if call.token != self.data.tokens[team]:
                self.wrong_tokens.append(f"{call.method} for {team}")
        self.auth_tests.setdefault(kind, []).append(len(self.fake.calls_to("auth.test")))

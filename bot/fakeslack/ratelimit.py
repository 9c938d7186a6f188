"""Slack's rate tiers, and failures at random: an opt-in mode of the stand-in.

Off by default (FakeSlack.rate_limit turns it on), so a test that does not ask never
meets a 429. With it on, each Web API method is held to its tier (NOTES.md: T1 1+/min,
T2 20+/min, T3 50+/min, T4 100+/min, per method and workspace) over a sliding minute,
chat.postMessage to about one message a second per channel (with a small burst) under a
workspace-wide cap, and a call past its allowance is answered 429 with the Retry-After
Slack would give. On top of that, `random_429` and `random_5xx` fail that share of calls
at random (seeded): a 5xx, like Slack's, is answered either before the call is carried
out or, `landed_5xx` of the time, after (the message exists; the caller is told 503).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
METHOD_TIERS = {
    "chat.postEphemeral": 4, "chat.update": 3, "chat.delete": 3, "chat.scheduleMessage": 3,
    "chat.getPermalink": 4, "conversations.history": 3, "conversations.open": 3,
    "conversations.info": 3, "conversations.members": 4, "views.open": 4, "views.update": 4,
    "views.push": 4, "views.publish": 4, "users.info": 4, "users.list": 2, "team.info": 3,
    "usergroups.list": 2, "usergroups.users.list": 2, "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4, "files.info": 4,
}  # fmt: skip
UNLIMITED = {"auth.test", "oauth.v2.access"}  # not what a workspace's traffic is held to
POST = "chat.postMessage"
WINDOW_S = 60.0


@dataclass(frozen=True)
class Verdict:
    """What the mode decided for one call: pass, 429 (with Retry-After), or a 5xx."""

    status: int = 200
    retry_after: int = 0
    after_landing: bool = False  # a 5xx answered once the call was carried out
    why: str = ""  # "tier", "channel", "workspace", "random"


PASS = Verdict()


@dataclass
class RateLimits:
    """The allowances and the calls counted against them (callers hold the fake's lock)."""

    clock: Callable[[], float]
    random_429: float = 0.0
    random_5xx: float = 0.0
    landed_5xx: float = 0.5
    post_per_channel_s: float = 1.0
    post_burst: int = 3
    post_per_minute: int = 600  # Slack's workspace-wide cap: "several hundred per minute"
    seed: int = 16
    _rng: random.Random = field(init=False)
    _seen: dict[tuple[str, str], deque[float]] = field(init=False)
    counts: dict[str, int] = field(init=False)  # why -> how many calls were failed

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._seen = defaultdict(deque)
        self.counts = defaultdict(int)

    def check(self, method: str, team_id: str, channel: str | None) -> Verdict:
        """Count this call, or say why it is refused (a refused call is not counted)."""
        if method in UNLIMITED:
            return PASS
        now = self.clock()
        roll = self._rng.random()
        if roll < self.random_429:
            return self._failed(Verdict(429, 1 + self._rng.randrange(2), why="random"))
        if roll < self.random_429 + self.random_5xx:
            landed = method == POST and self._rng.random() < self.landed_5xx
            return self._failed(Verdict(self._rng.choice((500, 502, 503)), after_landing=landed,
                                        why="random"))  # fmt: skip
        if method == POST:
            verdict = self._post(team_id, channel or "", now)
        else:
            tier = METHOD_TIERS.get(method, 3)
            verdict = self._allow((team_id, method), TIER_PER_MINUTE[tier], WINDOW_S, now, "tier")
        return self._failed(verdict) if verdict.status != 200 else verdict

    def _post(self, team_id: str, channel: str, now: float) -> Verdict:
        """About one message a second per channel (a burst of a few), under the workspace cap."""
        span = self.post_per_channel_s * self.post_burst
        per_channel = self._allow((team_id, f"{POST} {channel}"), self.post_burst, span, now,
                                  "channel", count=False)  # fmt: skip
        if per_channel.status != 200:
            return per_channel
        overall = self._allow((team_id, POST), self.post_per_minute, WINDOW_S, now, "workspace")
        if overall.status == 200:
            self._seen[(team_id, f"{POST} {channel}")].append(now)
        return overall

    def _allow(
        self, key: tuple[str, str], limit: int, window: float, now: float, why: str,
        *, count: bool = True,
    ) -> Verdict:  # fmt: skip
        seen = self._seen[key]
        while seen and seen[0] <= now - window:
            seen.popleft()
        if len(seen) >= limit:
            return Verdict(429, max(1, math.ceil(seen[0] + window - now)), why=why)
        if count:
            seen.append(now)
        return PASS

    def _failed(self, verdict: Verdict) -> Verdict:
        self.counts[f"{verdict.status} {verdict.why}"] += 1
        return verdict

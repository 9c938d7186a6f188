"""Sending signed requests and timing them: the client, the stamping stand-in, the figures.

Shared by bench/ack_latency.py and bench/assign_scale: a timed client per started target,
the interleaved blocks and the time limit, the series and their summary, the machine they
were measured on, and the JSON file. The client times with time.perf_counter(); the
stand-in stamps each Web API call with the same clock, so an effect can be measured from
the send to the call being answered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.servers import SIGNING_SECRET, Target, running_server
from bot.fakeslack import AppResponse, FakeSlack, SlackClient
from bot.fakeslack.recording import Reply
from bot.fakeslack.transport import Incoming

FORM = "application/x-www-form-urlencoded"


class TimedClient(SlackClient):
    """A SlackClient that notes when each request left (both clocks), and its bytes."""

    sent_perf: float = 0.0
    sent_wall: float = 0.0
    body: bytes = b""

    def send_raw(self, body: bytes, content_type: str, **kwargs: Any) -> AppResponse:
        self.body = body
        self.sent_wall = time.time()
        self.sent_perf = time.perf_counter()
        return super().send_raw(body, content_type, **kwargs)


@dataclass(frozen=True)
class Stamp:
    path: str
    started: float  # time.perf_counter() when the stand-in began routing the request
    answered: float  # ... when it had answered and recorded it (ApiCall.at is wall clock)


class StampedFakeSlack(FakeSlack):
    """FakeSlack that also stamps each request with the monotonic perf_counter.

    ApiCall.at is time.time(); the client times with perf_counter. The stamp is taken
    under the fake's (re-entrant) lock, so it exists by the time wait_for_call returns.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stamps: list[Stamp] = []

    def _route(self, incoming: Incoming) -> Reply:
        started = time.perf_counter()
        with self._lock:
            reply = super()._route(incoming)
            self.stamps.append(Stamp(incoming.path, started, time.perf_counter()))
        return reply

    def reset_calls(self) -> None:
        with self._lock:
            super().reset_calls()
            self.stamps.clear()

    def last_stamp(self, method: str) -> Stamp:
        with self._lock:
            return next(s for s in reversed(self.stamps) if s.path == f"/api/{method}")


@dataclass
class Series:
    """One measurement of one target: latencies in ms, failures, request sizes."""

    samples: list[float] = field(default_factory=list)
    wall_samples: list[float] = field(default_factory=list)  # effect from ApiCall.at
    body_bytes: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def requests(self) -> int:
        return len(self.samples) + len(self.failures)


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summary(series: Series) -> dict[str, Any]:
    values = sorted(series.samples)
    result: dict[str, Any] = {
        "requests": series.requests,
        "ok": len(values),
        "failures": len(series.failures),
        "failure_examples": sorted(set(series.failures))[:5],
        "truncated": series.truncated,
    }
    if values:
        result.update(
            {
                "median_ms": round(percentile(values, 50), 3),
                "p90_ms": round(percentile(values, 90), 3),
                "p99_ms": round(percentile(values, 99), 3),
                "min_ms": round(values[0], 3),
                "max_ms": round(values[-1], 3),
                "mean_ms": round(sum(values) / len(values), 3),
            }
        )
    if series.wall_samples:
        result["median_ms_from_call_at"] = round(percentile(sorted(series.wall_samples), 50), 3)
    if series.body_bytes:
        result["request_bytes_mean"] = round(sum(series.body_bytes) / len(series.body_bytes))
    return result


def record_ack(into: Series, client: TimedClient, response: AppResponse) -> None:
    """The request's size, and its round trip or why it failed."""
    into.body_bytes.append(len(client.body))
    if response.status != 200:
        into.failures.append(f"HTTP {response.status}: {response.body[:80]}")
    else:
        into.samples.append(response.elapsed_ms)


class Deadline:
    """The run's time limit: measuring stops there, and what was cut short says so."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self._end


def interleaved(
    all_targets: Sequence[Target],
    series: Mapping[str, Series],
    n: int,
    block: int,
    deadline: Deadline,
) -> Iterator[tuple[Target, int, Series]]:
    """(target, turn, its series) n times per target, in blocks of `block` per target.

    Each block starts one target further on, so whatever else the machine does hits every
    target alike. Once the deadline has passed, each series left is marked truncated.
    """
    for block_no, start in enumerate(range(0, n, block)):
        shift = block_no % len(all_targets)
        for target in [*all_targets[shift:], *all_targets[:shift]]:
            into = series[target.key]
            for turn in range(start, min(n, start + block)):
                if deadline.passed():
                    into.truncated = True
                    break
                yield target, turn, into


def start_clients(
    stack: contextlib.ExitStack,
    all_targets: Sequence[Target],
    env: Mapping[str, str],
    workdir: Path,
    fake: FakeSlack,
    *,
    timeout: float,
    say: Callable[[str], None],
) -> dict[str, TimedClient]:
    """Start every target, each stopped by `stack` (even on Ctrl-C); a timed client for each."""
    clients: dict[str, TimedClient] = {}
    for target in all_targets:
        base, _ = stack.enter_context(running_server(target, env, workdir))
        clients[target.key] = TimedClient(
            f"{base}/slack/events", SIGNING_SECRET, fake, timeout=timeout
        )
        say(f"{target.key} up at {base}")
    return clients


def write_results(path: Path, report: Mapping[str, Any]) -> None:
    """The JSON result file (its folder made if need be); str() for dates and the like."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")


def finish_run(path: Path, report: Mapping[str, Any], text: str, problems: Sequence[str]) -> int:
    """Write the JSON result, print the text (headline and tables) and the problems; the
    exit status: 1 when there are problems."""
    write_results(path, report)
    print(text)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    print(f"\nJSON: {path}", file=sys.stderr)
    return 1 if problems else 0


def cpu_count() -> int:
    """CPUs this process may run on (what `nproc` prints)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine_info() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = {}
    for package in ("slack_bolt", "slack_sdk", "gunicorn", "SQLAlchemy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return {
        "nproc": cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "packages": versions,
    }


def progress(message: str) -> None:
    """A line on stderr, with the time of day: what a long benchmark is doing now."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

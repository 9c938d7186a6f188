"""Ack latency: Trainbot against bare apps, in one run, over loopback HTTP.

    .venv/bin/python -m bench.ack_latency [--n 300] [--warmup 30] [--time-limit 900]

Starts four gunicorn servers (gthread, 2 workers x 4 threads, like `trainbot serve`):
Trainbot itself, a bare Bolt app with Bolt's defaults, the same with
process_before_response=True, and a plain WSGI endpoint answering 200 (bench/bare_apps.py).
A FakeSlack in this process plays the Web API; a SlackClient sends correctly signed
requests the way Slack does, one at a time, and times each round trip.

Measured per target, after a warm-up, interleaved in blocks so that drift on the
machine hits every target alike, with a short think time after each request:
- `command`: the ack of `/library`;
- `click`: the ack of a block_actions from the library modal's type filter
  (`library.filter.type`), with the modal as Trainbot rendered it in the payload
  (the bare apps get the very bytes Trainbot got, re-signed);
- Trainbot only, `command effect` / `click effect`: from sending the request until the
  stand-in has answered and recorded the resulting views.open / views.update, with
  the stand-in's own share of that time, and the rest (Trainbot's share).

Prints a Markdown table and writes bench/results/ack_latency.json.
Every loop has a count and the whole run a time limit; all servers are stopped at the
end, also on Ctrl-C, SIGTERM or an error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

from bot.fakeslack import AppResponse, FakeSlack, SlackClient
from bot.fakeslack.recording import Reply
from bot.fakeslack.transport import Incoming
from bot.ids import Action

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = ROOT / "bench" / "results" / "ack_latency.json"

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-token"
TEAM_ID = "T0BENCH001"
CLICKER, COMMANDER = "U0AMY00001", "U0BOB00001"  # commands replace the caller's modal stack
FILTER_VALUES = ("video", "any")  # alternated: a filtered page, then the first page of all

STARTUP_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
EFFECT_TIMEOUT_S = 5.0
REQUEST_TIMEOUT_S = 10.0


# -- servers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    argv: tuple[str, ...]  # after `python`; {port} is filled in
    has_effect: bool = False  # the app calls views.open / views.update after the ack


def targets(workers: int, threads: int) -> list[Target]:
    sizing = ("--workers", str(workers), "--threads", str(threads), "--port", "{port}")
    bare = ("-m", "bench.bare_apps", *sizing, "--kind")
    return [
        Target(
            "trainbot",
            "Trainbot (`trainbot serve`)",
            ("-m", "bot", "serve", *sizing, "--no-scheduler"),
            has_effect=True,
        ),
        Target("bolt-default", "bare Bolt, defaults", (*bare, "bolt-default")),
        Target(
            "bolt-before-response",
            "bare Bolt, process_before_response=True",
            (*bare, "bolt-before-response"),
        ),
        Target("plain-wsgi", "plain WSGI 200 (floor)", (*bare, "plain-wsgi")),
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(base_url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{base_url}/healthz", timeout=1) as response:
            return int(response.status) == 200
    except OSError:
        return False


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the gunicorn master we started (it stops its workers), then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # Its own session (start_new_session): the group id is the master's pid.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)


@contextlib.contextmanager
def running_server(
    target: Target, env: Mapping[str, str], workdir: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start `target` on a free loopback port; yield (base URL, process) once healthy."""
    port = free_port()
    argv = [sys.executable, *(a.format(port=port) for a in target.argv)]
    log_path = workdir / f"{target.key}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            env=dict(env),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches only us; we stop it in order
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not healthy(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target.key} did not start:\n{tail(log_path)}")
            time.sleep(0.1)
        yield base_url, process
    finally:
        stop_process(process)


def server_env(fake: FakeSlack, database_url: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.base_url,
            "DATABASE_URL": database_url,
        }
    )
    return env


def import_starter_catalog(env: Mapping[str, str], workdir: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "catalog", "import", "--starter"],
        env=dict(env),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"catalog import failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


# -- sending and timing ----------------------------------------------------------------------

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


class Deadline:
    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self._end


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
        into.body_bytes.append(len(client.body))
        if response.status != 200:
            into.failures.append(f"HTTP {response.status}: {response.body[:80]}")
        else:
            into.samples.append(response.elapsed_ms)
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


def run_blocks(
    kinds: Sequence[str],
    clients: Mapping[str, TimedClient],
    all_targets: Sequence[Target],
    bench: Bench,
    n: int,
    block: int,
    deadline: Deadline,
) -> dict[tuple[str, str], Series]:
    """n requests of each kind per target, in blocks of `block`, rotating the target order."""
    results = {(t.key, kind): Series() for t in all_targets for kind in kinds}
    for kind in kinds:
        for block_no, start in enumerate(range(0, n, block)):
            order = [
                *all_targets[block_no % len(all_targets) :],
                *all_targets[: block_no % len(all_targets)],
            ]
            for target in order:
                series = results[(target.key, kind)]
                for i in range(start, min(n, start + block)):
                    if deadline.passed():
                        series.truncated = True
                        break
                    if kind == "command":
                        bench.command(clients[target.key], target, series)
                    else:
                        bench.click(clients[target.key], target, series, i)
    return results


# -- report ----------------------------------------------------------------------------------


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


MEASUREMENTS = (
    ("command", "`/library` ack"),
    ("click", "type filter click ack"),
    ("views.open", "`/library` effect (views.open answered)"),
    ("views.update", "click effect (views.update answered)"),
    ("stand-in views.open", "… of which the stand-in answering views.open"),
    ("stand-in views.update", "… of which the stand-in answering views.update"),
    ("app views.open", "`/library` effect without the stand-in's time"),
    ("app views.update", "click effect without the stand-in's time"),
)


def table(rows: Mapping[tuple[str, str], dict[str, Any]], all_targets: Sequence[Target]) -> str:
    lines = [
        "| target | measurement | requests | median ms | p90 ms | p99 ms | bytes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, label in MEASUREMENTS:
        for target in all_targets:
            row = rows.get((target.key, key))
            if row is None:
                continue
            numbers = [row.get(f"{p}_ms") for p in ("median", "p90", "p99")]
            cells = [f"{v:.2f}" if isinstance(v, float) else "-" for v in numbers]
            note = f" ({row['failures']} failed)" if row["failures"] else ""
            note += " (time limit)" if row["truncated"] else ""
            size = row.get("request_bytes_mean", "")
            lines.append(
                f"| {target.label} | {label} | {row['requests']}{note} | "
                f"{' | '.join(cells)} | {size} |"
            )
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------------


def raise_keyboard_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ack_latency", description=__doc__)
    parser.add_argument("--n", type=int, default=300, help="requests per measurement (300)")
    parser.add_argument("--warmup", type=int, default=30, help="warm-up requests per kind (30)")
    parser.add_argument("--block", type=int, default=25, help="requests per interleaved block")
    parser.add_argument(
        "--pause-ms",
        type=float,
        default=50.0,
        help="think time after each request and its effect (50; 0 = back to back)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument(
        "--time-limit", type=float, default=900.0, help="stop measuring after this many s (900)"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="KEY",
        help="run only these targets besides trainbot (bolt-default, bolt-before-response, "
        "plain-wsgi); trainbot always runs, its modal is what the clicks act on",
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="print where the server logs are and keep them"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.block < 1 or args.warmup < 0 or args.pause_ms < 0:
        parser.error("--n and --block must be at least 1, --warmup and --pause-ms not negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    all_targets = [
        t
        for t in targets(args.workers, args.threads)
        if not args.only or t.key in (*args.only, "trainbot")
    ]
    # Even where SIGINT was ignored (a background job), Ctrl-C and SIGTERM stop the servers.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, raise_keyboard_interrupt)
    deadline = Deadline(args.time_limit)
    info = machine_info()
    with contextlib.ExitStack() as stack:
        workdir = Path(
            tempfile.mkdtemp(prefix="trainbot-bench-")
            if args.keep_logs
            else stack.enter_context(tempfile.TemporaryDirectory(prefix="trainbot-bench-"))
        )
        fake = StampedFakeSlack(team_id=TEAM_ID, bot_token=BOT_TOKEN)
        stack.enter_context(fake)  # started now, stopped after the servers
        fake.add_user(CLICKER, "amy", real_name="Amy Learner", tz="Europe/Berlin")
        fake.add_user(COMMANDER, "bob", real_name="Bob Learner", tz="Asia/Tokyo")
        fake.add_channel("C0GENERAL1", "general", members=[CLICKER, COMMANDER])
        env = server_env(fake, f"sqlite:///{workdir / 'trainbot.sqlite3'}")
        catalog = import_starter_catalog(env, workdir)
        print(f"starter catalog: {catalog}", file=sys.stderr)

        clients: dict[str, TimedClient] = {}
        for target in all_targets:  # each one is stopped by the ExitStack, even on Ctrl-C
            url, _ = stack.enter_context(running_server(target, env, workdir))
            clients[target.key] = TimedClient(
                f"{url}/slack/events", SIGNING_SECRET, fake, timeout=REQUEST_TIMEOUT_S
            )
            print(f"{target.key} up at {url}", file=sys.stderr)
        if args.keep_logs:
            print(f"server logs in {workdir}", file=sys.stderr)

        view_id = open_clicker_modal(fake, clients["trainbot"])
        bench = Bench(fake, view_id, args.pause_ms / 1000)
        kinds = ("command", "click")
        warmup = max(1, args.warmup)
        run_blocks(kinds, clients, all_targets, bench, warmup, warmup, deadline)
        bench.clear_effects()
        print(f"warmed up; measuring {args.n} of each", file=sys.stderr)
        results = run_blocks(kinds, clients, all_targets, bench, args.n, args.block, deadline)
        results.update(bench.effects)
        violations = list(fake.limit_violations)

    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    rows = {key: summary(series) for key, series in results.items()}
    report = {
        "benchmark": "ack_latency",
        "machine": info,
        "settings": {
            "n": args.n,
            "warmup": args.warmup,
            "block": args.block,
            "pause_ms": args.pause_ms,
            "workers": args.workers,
            "threads": args.threads,
            "worker_class": "gthread",
            "filter_values": list(FILTER_VALUES),
            "clock": (
                "time.perf_counter: acks around the HTTP exchange in the client; effects from "
                "the send to the stand-in's stamp after it recorded the call"
            ),
        },
        "catalog_import": catalog,
        "stand_in_limit_violations": violations,
        "targets": {t.key: t.label for t in all_targets},
        "results": [
            {"target": target, "measurement": measurement, **row}
            for (target, measurement), row in sorted(rows.items())
        ],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"{info['date']}, nproc {info['nproc']}, Python {info['python']}, "
        f"{args.workers} workers x {args.threads} threads (gthread), N={args.n}\n"
    )
    print(table(rows, all_targets))
    print(f"\nJSON: {args.json}", file=sys.stderr)
    failed = any(series.failures for series in results.values())
    return 1 if violations or failed else 0


def open_clicker_modal(fake: FakeSlack, trainbot: TimedClient) -> str:
    """The view every click acts on: the library modal Trainbot opens for the clicker."""
    fake.reset_calls()
    response = trainbot.command("/library", "", user=CLICKER)
    if response.status != 200:
        raise RuntimeError(f"/library answered {response.status}: {response.body}")
    call = fake.wait_for_call("views.open", timeout=EFFECT_TIMEOUT_S)
    return str(call.response["view"]["id"])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        sys.exit(130)

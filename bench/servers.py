"""The servers a benchmark compares: started on free loopback ports, always stopped.

Shared by bench/ack_latency.py and bench/assign_scale: the targets (`trainbot serve` and
the bare apps of bench/bare_apps.py, with the same gunicorn settings), their environment
pointing at the FakeSlack in the benchmark process, and the run's lifecycle (work folder,
Ctrl-C and SIGTERM, exit status).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import NoReturn

from bot.fakeslack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-token"
TEAM_ID = "T0BENCH001"

STARTUP_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


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


def chosen_targets(workers: int, threads: int, extra: Sequence[str]) -> list[Target]:
    """Trainbot and the targets named by a benchmark's --targets, in the usual order."""
    wanted = {"trainbot", *extra}
    return [t for t in targets(workers, threads) if t.key in wanted]


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


@dataclass
class Started:
    """A server started by start_server: its address, process and log (kept across restarts)."""

    target: Target
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_server(
    target: Target, env: Mapping[str, str], workdir: Path, *, port: int | None = None
) -> Started:
    """Start `target` (on `port`, else a free one) and wait until it answers /healthz;
    its output is appended to workdir/<key>.log. Stop it with stop_process."""
    port = port or free_port()
    argv = [sys.executable, *(a.format(port=port) for a in target.argv)]
    log_path = workdir / f"{target.key}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            argv,
            env=dict(env),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches only us; we stop it in order
        )
    started = Started(target, port, process, log_path)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not healthy(started.base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target.key} did not start:\n{tail(log_path)}")
            time.sleep(0.1)
    except BaseException:
        stop_process(process)
        raise
    return started


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the server and everything it started (its workers, its scheduler) at once,
    as when a container dies: its session's group id is the master's pid."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT_S)


@contextlib.contextmanager
def running_server(
    target: Target, env: Mapping[str, str], workdir: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start `target` on a free loopback port; yield (base URL, process) once healthy."""
    started = start_server(target, env, workdir)
    try:
        yield started.base_url, started.process
    finally:
        stop_process(started.process)


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


def run_cli(env: Mapping[str, str], workdir: Path, *args: str) -> str:
    """`trainbot ARGS` against the bench's database: its last line of output."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=dict(env), cwd=workdir, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"trainbot {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def bench_workdir(stack: contextlib.ExitStack, *, keep: bool) -> Path:
    """The servers' working folder (their logs, SQLite file); removed with `stack` unless kept."""
    if keep:
        return Path(tempfile.mkdtemp(prefix="trainbot-bench-"))
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="trainbot-bench-")))


def stop_on_signals() -> None:
    """Ctrl-C and SIGTERM raise KeyboardInterrupt, so every `with` stops what it started.

    Even where SIGINT was ignored (a background job).
    """
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_keyboard_interrupt)


def _raise_keyboard_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def run_main(main: Callable[[], int], interrupted: str) -> NoReturn:
    """Exit with main()'s status; on Ctrl-C or SIGTERM (cleaned up by then) say so, exit 130."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print(interrupted, file=sys.stderr)
        sys.exit(130)

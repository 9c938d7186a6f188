"""One load run: PostgreSQL, the stand-in, the replicas, the load with its faults, the drain,
then the accounting. Shared by `python -m bench.load` and tests/test_load.py."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import servers
from bench.load import seed
from bench.load.accounting import Accounting, account
from bench.load.cluster import Cluster
from bench.load.procs import ProcSample, sample
from bench.load.workload import Record, Workload
from bot import db
from bot.fakeslack import FakeSlack
from models import OutboxMessage, OutboxStatus
from tests.support.postgres import throwaway_postgres


@dataclass(frozen=True)
class LoadConfig:
    seconds: float = 300.0  # the load's length
    rate: float = 5.0  # requests per second, every kind together
    replicas: int = 3
    workers: int = 2
    threads: int = 4
    learners: int = 120
    managers: int = 6
    reminded: int = 24  # learners kept aside, owed reminders
    kill_at: float = 0.25  # share of the run when a replica is killed...
    down_s: float = 5.0  # ...and left down this long before it is started again
    postgres_at: float | None = 0.6  # share of the run when PostgreSQL restarts (None: never)
    postgres_down_s: float = 3.0
    random_429: float = 0.01
    random_5xx: float = 0.01
    lease_s: int = 120  # TRAINBOT_OUTBOX_LEASE_S
    send_per_minute: int = 240  # TRAINBOT_SEND_PER_MINUTE
    drain_s: float = 240.0  # at most this long, after the load, for the outbox to empty
    due_during_load: bool = True  # half the reminders and digests fall due after 0.5 s
    sample_every_s: float = 0.0  # processes sampled this often during the load (0: at the end)
    seed: int = 16
    # Another database instead of a throwaway PostgreSQL (which only the run can restart):
    # SQLite, or a server of one's own; then postgres_at must be None.
    database_url: str | None = None


@dataclass
class Outcome:
    config: LoadConfig
    records: list[Record]
    accounting: Accounting
    faults: list[tuple[float, str]]  # (seconds since the load began, what happened)
    samples: list[tuple[float, list[ProcSample]]]  # (seconds since the load began, processes)
    rerouted: dict[int, int]
    slack_refusals: dict[str, int]  # the stand-in's 429s and 5xx, by why
    drained_s: float
    log_lines: dict[str, int] = field(default_factory=dict)  # tracebacks & co in replica logs
    workdir: str = ""

    @property
    def failures(self) -> list[str]:
        return self.accounting.failures


Say = Callable[[str], None]


def run_load(config: LoadConfig, workdir: Path, say: Say) -> Outcome:
    with contextlib.ExitStack() as stack:
        fake = stack.enter_context(FakeSlack(team_id=servers.TEAM_ID, bot_token=servers.BOT_TOKEN))
        pg = None if config.database_url else stack.enter_context(throwaway_postgres(workdir))
        url = config.database_url or (pg.url if pg else "")
        say(f"database {url}; migrating")
        engine = db.make_engine(url)
        db.upgrade(engine)
        env = servers.server_env(fake, url)
        env.update(
            {
                "TRAINBOT_OUTBOX_LEASE_S": str(config.lease_s),
                "TRAINBOT_SEND_PER_MINUTE": str(config.send_per_minute),
            }
        )
        team = seed.directory(
            fake, learners=config.learners, managers=config.managers, reminded=config.reminded
        )
        services = seed.app_services(env)
        team = seed.seed(services, team, servers.TEAM_ID)
        half = config.reminded // 2 if config.due_during_load else config.reminded
        # Due before the replicas start: all three planners find them at once.
        seed.make_due(
            services, team, servers.TEAM_ID, learners=slice(0, half), channels=slice(0, 2)
        )
        cluster = Cluster(
            env, workdir, replicas=config.replicas, workers=config.workers, threads=config.threads
        )
        stack.callback(cluster.stop)
        cluster.start()
        say(f"{config.replicas} replicas up: {[s.base_url for s in cluster.started]}")
        limits = fake.rate_limit(
            random_429=config.random_429, random_5xx=config.random_5xx, seed=config.seed
        )
        load = Workload(fake, cluster, team, seed=config.seed)
        faults: list[tuple[float, str]] = []
        samples: list[tuple[float, list[ProcSample]]] = []

        def note(what: str) -> None:
            faults.append((round(time.monotonic() - load.started, 2), what))
            say(what)

        def due_later() -> None:  # due during the load: planned on a tick amid the faults
            made = seed.make_due(
                services, team, servers.TEAM_ID, learners=slice(half, None), channels=slice(2, None)
            )
            note(f"{made} more reminders and 2 digests due")

        def take_sample() -> None:
            at = round(time.monotonic() - load.started, 1)
            samples.append(
                (
                    at,
                    [
                        p
                        for n, s in enumerate(cluster.started)
                        for p in sample(n, s.process.pid, pg.port if pg else 0)
                    ],
                )
            )

        plan = _fault_plan(config, cluster, pg, note, due_later)
        say(f"load: {config.rate}/s for {config.seconds:.0f} s; faults at {[t for t, _ in plan]}")
        _drive(load, config, plan, take_sample)
        say(f"load done: {len(load.records)} requests; draining the outbox")
        drained = _drain(
            engine,
            config.drain_s,
            reminders=config.reminded,
            digests=len(team.digest_channels) if config.due_during_load else 2,
            say=say,
        )
        say(f"outbox drained in {drained:.0f} s" if drained >= 0 else "outbox NOT drained")
        take_sample()
        refusals = dict(limits.counts)
        cluster.stop()
        accounting = account(engine, fake, team, load.owed)
        engine.dispose()
        services.engine.dispose()
        return Outcome(
            config,
            load.records,
            accounting,
            faults,
            samples,
            dict(cluster.rerouted),
            refusals,
            drained,
            _log_lines(workdir),
            str(workdir),
        )
    raise AssertionError("unreachable")


def _fault_plan(
    config: LoadConfig,
    cluster: Cluster,
    pg: Any,
    note: Callable[[str], None],
    due_later: Callable[[], None],
) -> list[tuple[float, Callable[[], None]]]:
    """(seconds into the load, what to do), in order."""

    def kill() -> None:
        cluster.kill(1)
        note("replica 2 killed (SIGKILL, its workers and scheduler with it)")
        time.sleep(config.down_s)
        cluster.restart(1)
        note("replica 2 started again and healthy")

    def restart_postgres() -> None:
        note("PostgreSQL stopping (fast: sessions cut)")
        pg.restart(down_s=config.postgres_down_s)
        note("PostgreSQL up again")

    plan = [(config.kill_at * config.seconds, kill)]
    if config.due_during_load:
        plan.append((0.5, due_later))
    if config.postgres_at is not None:
        if pg is None:
            raise ValueError("PostgreSQL restarts only in a throwaway server (no database_url)")
        plan.append((config.postgres_at * config.seconds, restart_postgres))
    return sorted(plan, key=lambda p: p[0])


def _drive(
    load: Workload,
    config: LoadConfig,
    plan: list[tuple[float, Callable[[], None]]],
    take_sample: Callable[[], None],
) -> None:
    """Send at the fixed rate until the time is up; the faults run beside, on their own thread."""
    load.started = time.monotonic()
    faults = threading.Thread(target=_run_plan, args=(load.started, plan), name="faults")
    faults.start()
    kinds = load.kinds()
    interval = 1.0 / config.rate
    next_sample = config.sample_every_s or float("inf")
    with ThreadPoolExecutor(max_workers=32, thread_name_prefix="load") as pool:
        for i in range(int(config.seconds * config.rate)):
            wait = load.started + i * interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            pool.submit(load.send, next(kinds))
            if time.monotonic() - load.started >= next_sample:
                take_sample()
                next_sample += config.sample_every_s
    faults.join()


def _run_plan(started: float, plan: list[tuple[float, Callable[[], None]]]) -> None:
    for at, action in plan:
        wait = started + at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        action()


def _drain(engine: Any, limit_s: float, *, reminders: int, digests: int, say: Say) -> float:
    """Wait until every due reminder and digest is owed (planned on some replica's tick)
    and nothing is owed any more; seconds it took, or -1 when it did not."""
    o = OutboxMessage
    started = next_word = time.monotonic()
    while time.monotonic() - started < limit_s:
        with contextlib.suppress(Exception), engine.connect() as conn:
            pending = conn.execute(
                select(o.kind, o.attempts, o.last_error, o.lease_until, o.next_attempt_at).where(
                    o.status == OutboxStatus.PENDING.value
                )
            ).all()
            planned = dict(conn.execute(select(o.kind, func.count()).group_by(o.kind)).all())
            if (
                not pending
                and planned.get("reminder", 0) >= reminders
                and planned.get("digest", 0) >= digests
            ):
                return time.monotonic() - started
            if time.monotonic() >= next_word:
                next_word += 10
                say(f"still owed: {len(pending)} (e.g. {[tuple(r) for r in pending[:3]]})")
        time.sleep(1.0)
    return -1.0


def _log_lines(workdir: Path) -> dict[str, int]:
    """How often the replicas' logs say what the run should never see."""
    counts = {"Traceback": 0, "unexpected error": 0, "database unavailable": 0,
              "Slack refused": 0}  # fmt: skip
    for log in workdir.glob("replica-*.log"):
        text = log.read_text(errors="replace")
        for needle in counts:
            counts[needle] += text.count(needle)
    return counts

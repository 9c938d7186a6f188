"""Three `trainbot serve` replicas under a short load (bench/load, small): one replica is
SIGKILLed and started again and PostgreSQL restarts, and still every message lands once,
every acked write is there, and nobody is shown a traceback. The figures are bench's."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bench.load.report import request_failures
from bench.load.run import LoadConfig, run_load
from tests.support.postgres import PostgresUnavailable

# 12 s at 4 requests a second; replica 2 killed at 3 s, PostgreSQL restarted at 7 s. Slack's
# pace is the bench's business: here DMs go out as fast as the replicas send them. The
# drain waits as long as the outbox needs (a message failed twice waits 10 s, then 20 s).
SMALL = LoadConfig(
    seconds=12, rate=4, workers=1, threads=2, learners=40, managers=3, reminded=6,
    kill_at=0.25, down_s=1.0, postgres_at=0.6, postgres_down_s=1.0, lease_s=10, drain_s=180,
    due_during_load=False, send_per_minute=6000,
)  # fmt: skip
log = logging.getLogger("tests.load")


def test_three_replicas_lose_nothing_through_a_kill_and_a_database_restart(
    tmp_path: Path,
) -> None:
    try:
        outcome = run_load(SMALL, tmp_path, log.info)
    except PostgresUnavailable as error:  # it needs a server of its own, to restart it
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"PostgreSQL server binaries are required in CI: {error}")
        pytest.skip(f"no PostgreSQL server binaries: {error}")
    assert request_failures(outcome, ack_limit=False) == []
    assert outcome.failures == []
    assert outcome.accounting.counts["assignments"] > 0
    assert outcome.accounting.counts["reminders sent"] == SMALL.reminded
    assert outcome.accounting.counts["digests sent"] == 2
    faults = [what for _, what in outcome.faults]
    assert any("killed" in f for f in faults) and any("PostgreSQL up again" in f for f in faults)
    # and the replicas went on answering after the last fault
    assert any(r.outcome == "ok" and r.at > outcome.faults[-1][0] for r in outcome.records)


def test_replicas_on_one_sqlite_file_lose_nothing_through_a_kill(tmp_path: Path) -> None:
    config = LoadConfig(**{**SMALL.__dict__, "postgres_at": None,
                           "database_url": f"sqlite:///{tmp_path / 'load.db'}"})  # fmt: skip
    outcome = run_load(config, tmp_path, log.info)
    assert request_failures(outcome, ack_limit=False) == []
    assert outcome.failures == []
    assert outcome.accounting.counts["reminders sent"] == SMALL.reminded

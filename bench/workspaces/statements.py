"""Statements per Mark complete, counted on an in-process app in many-workspace mode.

The servers run in gunicorn subprocesses; so the same clicks go to bot.app.build_app +
bot.web.make_wsgi_app served on loopback in this process (as tests/test_install.py builds
it), on the same database, with assign_scale's StatementLog on its engine: statements on
the request thread ran before the ack (Bolt's authorize among them), those on the after-ack
executor's threads after it. Those reading the installation tables are counted apart, and
so are the auth.test calls the stand-in answered.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.assign_scale.interactions import SEND_PER_MINUTE, ScaleFakeSlack
from bench.assign_scale.statements import StatementLog, _tally
from bench.servers import SIGNING_SECRET, Target
from bench.timing import Series
from bench.workspaces.interactions import ClickBench, TeamClient
from bench.workspaces.seed import Workspaces
from bot import db

INSTALLATION_TABLES = ("slack_installations", "slack_bots")
SETTLE_S = 60


def count_statements(
    fake: ScaleFakeSlack, url: str, data: Workspaces, env: Mapping[str, str], *, repeats: int
) -> dict[str, Any]:
    """`first`: a click in a workspace this app was never asked about; `complete`: a second
    click in a workspace it answered a moment before. Each `repeats` times after one
    warm-up of each."""
    from bot.app import build_app
    from bot.services import build_services
    from bot.settings import Settings
    from bot.settling import SettlingExecutor
    from bot.web import make_wsgi_app
    from tests.support.executor import settle
    from tests.support.wsgi import serve_wsgi

    values = {**env, "TRAINBOT_SEND_PER_MINUTE": SEND_PER_MINUTE, "LOG_LEVEL": "WARNING"}
    settings = Settings.load(values, env_file=Path(os.devnull))
    executor = SettlingExecutor(thread_name_prefix="lazy")  # StatementLog tells them by it
    engine = db.make_engine(url)
    services = build_services(settings, engine=engine, background=executor)
    wsgi = make_wsgi_app(build_app(services), services)
    in_process = Target("in-process", "in-process app", (), has_effect=True)
    bench = ClickBench(fake, data, pause_s=0)
    found: dict[str, Any] = {}
    try:
        with serve_wsgi(wsgi) as base, StatementLog(engine, "lazy") as log:
            client = TeamClient(f"{base}/slack/events", SIGNING_SECRET, fake, timeout=30)
            client.stand_in_team = fake.identity.team_id
            for kind in ("first", "complete"):
                runs: list[dict[str, Any]] = []
                for turn in range(repeats + 1):  # the first one warms up
                    team = bench.next_team(kind)
                    if kind == "complete":  # asked once already: what the cache holds
                        warm = Series()
                        bench.send(kind, client, in_process, warm, team)
                        if warm.failures:
                            raise RuntimeError(f"in-process {kind} in {team}: {warm.failures}")
                    settle(executor, SETTLE_S)
                    log.clear()
                    series = Series()
                    bench.send(kind, client, in_process, series, team)
                    settle(executor, SETTLE_S)
                    if series.failures:
                        raise RuntimeError(f"in-process {kind} in {team}: {series.failures}")
                    if turn:
                        runs.append(_counted(log, bench, kind, series))
                found[kind] = {
                    "in_ack": [r["in_ack"] for r in runs],
                    "after_ack": [r["after_ack"] for r in runs],
                    "installation_tables": [r["installation_tables"] for r in runs],
                    "auth_test_calls": [r["auth_test_calls"] for r in runs],
                    "ack_ms_in_process": [r["ack_ms"] for r in runs],
                    "statements_in_ack": _tally(runs[-1]["statements_in_ack"]),
                    "statements_after_ack": _tally(runs[-1]["statements_after_ack"]),
                }
    finally:
        executor.shutdown(wait=True)
        engine.dispose()
    return found


def _counted(log: StatementLog, bench: ClickBench, kind: str, series: Series) -> dict[str, Any]:
    everything = [*log.in_ack, *log.after_ack]
    return {
        "in_ack": len(log.in_ack),
        "after_ack": len(log.after_ack),
        "installation_tables": sum(any(t in s for t in INSTALLATION_TABLES) for s in everything),
        "auth_test_calls": bench.auth_tests[kind][-1],
        "ack_ms": round(series.samples[-1], 2),
        "statements_in_ack": list(log.in_ack),
        "statements_after_ack": list(log.after_ack),
    }

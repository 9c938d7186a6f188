"""`python -m bench.workspaces`: the options, and one run from database to results.

The run: a database of its own (dropped at the end), the seed, then `--runs` rounds of fresh
servers and timed clicks, the statements counted in process, then report.finish.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet

from bench import servers
from bench.assign_scale.database import DEFAULT_URL, bench_database, server_version
from bench.assign_scale.interactions import SEND_PER_MINUTE, ScaleFakeSlack, run_kind
from bench.assign_scale.report import BARE, source_state
from bench.timing import Deadline, machine_info, progress
from bench.workspaces import __doc__ as DESCRIPTION
from bench.workspaces.interactions import EFFECT_TIMEOUT_S, KINDS, ClickBench, TeamClient
from bench.workspaces.report import Report, RunResult, finish
from bench.workspaces.seed import Workspaces, many_workspace_env, seed
from bench.workspaces.statements import count_statements
from bot import db

DEFAULT_JSON = servers.ROOT / "bench" / "results" / "workspaces.json"
DEFAULT_TARGETS = ("trainbot", BARE, "plain-wsgi")
SPARE = 10  # clicks beyond those planned (a failed request uses one up)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.workspaces", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    option = parser.add_argument
    option("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL,
           help="a PostgreSQL server to create the bench database on, only connected to "
                f"(BENCH_DATABASE_URL, else {DEFAULT_URL})")  # fmt: skip
    option("--db-name", default="trainbot_workspaces", help="database to create and drop")
    option("--keep-db", action="store_true", help="leave the database in place")
    option("--runs", type=int, default=3, help="rounds of fresh servers and timing (3)")
    option("--n", type=int, default=200, help="requests per kind, target and run (200)")
    option("--warmup", type=int, default=10, help="warm-up requests of `first` per run (10)")
    option("--block", type=int, default=25, help="requests per interleaved block (25)")
    option("--pause-ms", type=float, default=50.0, help="think time (50 ms)")
    option("--workspaces", type=int, default=1000, help="installed workspaces (1,000)")
    option("--members", type=int, default=4, help="people per workspace (4: a manager, 3 learners)")
    option("--active", type=int, default=20, help="workspaces `complete` clicks in (20)")
    option("--count-repeats", type=int, default=5, help="counted in-process clicks per kind (5)")
    option("--workers", type=int, default=2, help="gunicorn workers (2)")
    option("--threads", type=int, default=4, help="threads per worker (4)")
    others = " ".join(DEFAULT_TARGETS[1:])
    option("--targets", nargs="+", default=list(DEFAULT_TARGETS[1:]),
           help=f"targets besides trainbot ({others}; bolt-default too)")  # fmt: skip
    option("--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="what to time (all)")
    option("--time-limit", type=float, default=600.0, help="stop timing a run after this many s")
    option("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    option("--keep-logs", action="store_true", help="keep the server logs")
    args = parser.parse_args(argv)
    if min(args.runs, args.n, args.block, args.warmup, args.count_repeats, args.active) < 1:
        parser.error("--runs, --n, --block, --warmup, --count-repeats and --active must be >= 1")
    if args.members < 2:
        parser.error("--members must be at least 2 (a manager and a learner)")
    first = first_clicks(args)
    if args.active + first > args.workspaces:
        parser.error(f"{args.active} active workspaces and {first} first clicks need as many "
                     f"workspaces; there are {args.workspaces} (fewer --runs or --n)")  # fmt: skip
    return args


def first_clicks(args: argparse.Namespace) -> int:
    """Workspaces clicked once: every run's `first` clicks, the counted ones, spares."""
    return args.runs * (args.warmup + args.n) + args.count_repeats + 1 + SPARE


def active_clicks(args: argparse.Namespace) -> int:
    """Clicks in the active workspaces: every run's warm-up (each twice) and `complete`
    clicks, two per counted one in process (a warm-up click first), spares."""
    per_run = 2 * args.active + args.n
    return args.runs * per_run + 2 * (args.count_repeats + 1) + SPARE * args.active


def one_run(
    args: argparse.Namespace, fake: ScaleFakeSlack, data: Workspaces,
    envs: Mapping[str, Mapping[str, str]], workdir: Path, number: int,
) -> tuple[RunResult, list[str]]:  # fmt: skip
    """Fresh servers (nothing cached), each kind warmed up and timed, the servers stopped."""
    all_targets = servers.chosen_targets(args.workers, args.threads, args.targets)
    load = {"start": [round(x, 2) for x in os.getloadavg()]}
    bench = ClickBench(fake, data, pause_s=args.pause_ms / 1000)
    result = RunResult(results={}, effects={}, auth_tests={}, load=load)
    with contextlib.ExitStack() as running:  # each one stopped, even on Ctrl-C
        clients: dict[str, TeamClient] = {}
        for target in all_targets:
            env = envs["trainbot" if target.key == "trainbot" else "bare"]
            base, _ = running.enter_context(servers.running_server(target, env, workdir))
            clients[target.key] = TeamClient(f"{base}/slack/events", servers.SIGNING_SECRET,
                                             fake, timeout=EFFECT_TIMEOUT_S)  # fmt: skip
            clients[target.key].stand_in_team = fake.identity.team_id
        progress(f"run {number}: servers up")
        deadline = Deadline(args.time_limit)
        for kind in (k for k in KINDS if k in args.kinds):
            warmup = 2 * args.active if kind == "complete" else args.warmup
            run_kind(kind, bench, clients, all_targets, warmup, warmup, deadline)
            bench.effects.clear()
            bench.auth_tests.clear()
            measured = run_kind(kind, bench, clients, all_targets, args.n, args.block, deadline)
            result.results.update({(key, kind): series for key, series in measured.items()})
            result.effects.update(bench.effects)
            result.auth_tests.update(bench.auth_tests)
            failures = sum(len(s.failures) for s in measured.values())
            progress(f"run {number}: {kind} done" + (f", {failures} failed" if failures else ""))
    load["end"] = [round(x, 2) for x in os.getloadavg()]
    return result, bench.wrong_tokens


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    servers.stop_on_signals()
    info = machine_info() | {"source": source_state()}
    key = Fernet.generate_key().decode()
    with contextlib.ExitStack() as stack:
        workdir = servers.bench_workdir(stack, keep=args.keep_logs)
        fake = ScaleFakeSlack(team_id=servers.TEAM_ID, bot_token=servers.BOT_TOKEN)
        stack.enter_context(fake)  # started now, stopped after the servers
        url = stack.enter_context(bench_database(args.database_url, args.db_name, args.keep_db))
        progress(f"database {args.db_name} created; migrating")
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        bare_env = servers.server_env(fake, url) | {"TRAINBOT_SEND_PER_MINUTE": SEND_PER_MINUTE}
        env = many_workspace_env(bare_env, fake, key)
        catalog = servers.import_starter_catalog(bare_env, workdir)
        progress(f"starter catalog: {catalog}; seeding")
        data = seed(url, fake, env, workspaces=args.workspaces, members=args.members,
                    active=args.active, active_dms=active_clicks(args),
                    first_dms=first_clicks(args), now=datetime.now(UTC))  # fmt: skip
        progress(f"seeded {data.counts} in {data.seconds['total']} s")
        fake.reset_calls()
        runs: list[RunResult] = []
        wrong: list[str] = []
        for number in range(1, args.runs + 1):
            found, wrong_tokens = one_run(args, fake, data, {"trainbot": env, "bare": bare_env},
                                          workdir, number)  # fmt: skip
            runs.append(found)
            wrong += wrong_tokens
        progress("servers stopped; counting statements in process")
        statements = count_statements(fake, url, data, env, repeats=args.count_repeats)
        violations = list(fake.limit_violations)
        database = "PostgreSQL " + server_version(args.database_url)
        all_targets = [t for t in servers.targets(args.workers, args.threads)
                       if t.key in {"trainbot", *args.targets}]  # fmt: skip
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    info["catalog_import"] = catalog
    return finish(Report(args=args, info=info, database=database, data=data,
                         all_targets=all_targets, runs=runs, statements=statements,
                         violations=violations, wrong_tokens=wrong))  # fmt: skip


if __name__ == "__main__":
    servers.run_main(main, "interrupted; servers stopped, database dropped")

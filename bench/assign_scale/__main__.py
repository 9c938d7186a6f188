"""`python -m bench.assign_scale`: the options, and one run from database to results.

The run: a database of its own (dropped at the end), the seed, the servers and the timed
interactions, the statements counted in process, then report.finish.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench import servers
from bench.assign_scale import __doc__ as DESCRIPTION
from bench.assign_scale.database import DEFAULT_URL, bench_database, server_version
from bench.assign_scale.interactions import (
    EFFECT_TIMEOUT_S,
    KINDS,
    SEND_PER_MINUTE,
    AssignBench,
    ScaleFakeSlack,
    run_kind,
)
from bench.assign_scale.report import BARE, Run, finish, source_state
from bench.assign_scale.seed import seed
from bench.assign_scale.statements import count_statements
from bench.timing import Deadline, Series, machine_info, progress, start_clients
from bot import db

DEFAULT_JSON = servers.ROOT / "bench" / "results" / "assign_scale.json"
DEFAULT_TARGETS = ("trainbot", BARE, "plain-wsgi")
BIG_SUBMISSION = 30  # counted in process too: statements per person assigned


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.assign_scale",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    default_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    parser.add_argument(
        "--database-url",
        default=default_url,
        help="a PostgreSQL server to create the bench database on, as postgresql+psycopg://"
        f"USER@HOST:PORT/DB (DB is only connected to); BENCH_DATABASE_URL, else {DEFAULT_URL}",
    )
    parser.add_argument("--db-name", default="trainbot_bench", help="database to create and drop")
    parser.add_argument("--keep-db", action="store_true", help="leave the database in place")
    parser.add_argument("--n", type=int, default=200, help="requests per measurement (200)")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up requests per kind (10)")
    parser.add_argument("--block", type=int, default=25, help="requests per interleaved block")
    parser.add_argument("--pause-ms", type=float, default=50.0, help="think time (50 ms)")
    parser.add_argument("--people", type=int, default=3, help="people per submission (3)")
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--assignments", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument(
        "--targets",
        nargs="+",
        default=list(DEFAULT_TARGETS),
        help=f"targets besides trainbot (default: {' '.join(DEFAULT_TARGETS[1:])}; "
        "bolt-default also possible)",
    )
    parser.add_argument(
        "--send-per-minute",
        default=SEND_PER_MINUTE,
        help="TRAINBOT_SEND_PER_MINUTE for Trainbot (60000: DMs go out as fast as the app can)",
    )
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=KINDS,
        default=list(KINDS),
        help="interactions to time (all; `complete` clicks the DMs `submission` sent)",
    )
    parser.add_argument("--count-repeats", type=int, default=5, help="counted runs per kind (5)")
    parser.add_argument(
        "--time-limit", type=float, default=600.0, help="stop measuring after this many s (600)"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--keep-logs", action="store_true", help="keep the server logs")
    parser.add_argument(
        "--cold-home", action="store_true",
        help="home: skip the recommendations sweep, so every Home computes its list",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.n < 1 or args.block < 1 or args.warmup < 1 or args.people < 1:
        parser.error("--n, --block, --warmup and --people must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    all_targets = servers.chosen_targets(args.workers, args.threads, args.targets)
    servers.stop_on_signals()
    info = machine_info()
    info["source"] = source_state()
    # Submissions each assign a resource nobody has: the HTTP run's, then the counted ones.
    fresh = args.n + args.warmup + 2 * (args.count_repeats + 1) + 10
    with contextlib.ExitStack() as stack:
        workdir = servers.bench_workdir(stack, keep=args.keep_logs)
        fake = ScaleFakeSlack(team_id=servers.TEAM_ID, bot_token=servers.BOT_TOKEN)
        stack.enter_context(fake)  # started now, stopped after the servers
        url = stack.enter_context(bench_database(args.database_url, args.db_name, args.keep_db))
        progress(f"database {args.db_name} created; migrating")
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        env = servers.server_env(fake, url)
        env["TRAINBOT_SEND_PER_MINUTE"] = str(args.send_per_minute)
        catalog = servers.import_starter_catalog(env, workdir)
        progress(f"starter catalog: {catalog}; seeding")
        data = seed(
            url,
            resources=args.resources,
            members=args.members,
            assignments=args.assignments,
            fresh=min(fresh, args.resources // 2),
            now=datetime.now(UTC),
        )
        progress(f"seeded {data.counts} in {data.seconds['total']} s")
        if "home" in args.kinds and not args.cold_home:  # as the hourly sweep would have
            mark = time.perf_counter()
            swept = servers.run_cli(env, workdir, "jobs", "run", "recommendations")
            progress(f"{swept} in {time.perf_counter() - mark:.0f} s")
        for i, person in enumerate([data.manager, *data.learners]):
            fake.add_user(person.user_id, person.name, real_name=f"Person {i}", tz="Europe/Berlin")
        fake.add_channel("C0GENERAL1", "general", members=[data.manager.user_id])

        bench = AssignBench(fake, data, people=args.people, pause_s=args.pause_ms / 1000)
        results: dict[tuple[str, str], Series] = {}
        effects: dict[str, Series] = {}
        with contextlib.ExitStack() as running:  # each one stopped, even on Ctrl-C
            clients = start_clients(
                running, all_targets, env, workdir, fake, timeout=EFFECT_TIMEOUT_S, say=progress
            )
            if args.keep_logs:
                progress(f"server logs in {workdir}")
            deadline = Deadline(args.time_limit)
            for kind in (k for k in KINDS if k in args.kinds):
                run_kind(kind, bench, clients, all_targets, args.warmup, args.warmup, deadline)
                bench.effects.clear()
                progress(f"{kind}: warmed up; measuring {args.n} per target")
                measured = run_kind(kind, bench, clients, all_targets, args.n, args.block, deadline)
                results.update({(key, kind): series for key, series in measured.items()})
                effects.update(bench.effects)
        progress("servers stopped; counting statements in process")
        statements = count_statements(
            fake,
            url,
            data,
            list(bench.dms),
            first_submission=bench.submissions,
            people=args.people,
            big_people=BIG_SUBMISSION,
            repeats=args.count_repeats,
        )
        violations = list(fake.limit_violations)
        database = "PostgreSQL " + server_version(args.database_url)

    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return finish(
        Run(
            args=args,
            info=info,
            database=database,
            data=data,
            catalog=catalog,
            all_targets=all_targets,
            results=results,
            effects=effects,
            statements=statements,
            violations=violations,
        )
    )


if __name__ == "__main__":
    servers.run_main(main, "interrupted; servers stopped, database dropped")

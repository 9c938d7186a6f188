"""`python -m bench.progress_scale`: the options, and one run from databases to results.

The run: the small database (seeded, statements counted in process, dropped), then the big
one (seeded, the servers timed, statements counted in process), then report.finish. With
`--sqlite` the two databases are SQLite files in the run's work folder instead
(bench/assign_scale/seed_sqlite.py, progress_scale/seed_sqlite.py); the rest is the same.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Sequence
from pathlib import Path
from statistics import median

from bench import servers
from bench.assign_scale.database import DEFAULT_URL, bench_database, server_version
from bench.assign_scale.interactions import run_kind
from bench.assign_scale.report import BARE, source_state
from bench.assign_scale.seed_sqlite import sqlite_database
from bench.assign_scale.seed_sqlite import version as sqlite_version
from bench.progress_scale import __doc__ as DESCRIPTION
from bench.progress_scale.bare import with_progress_listeners
from bench.progress_scale.interactions import KINDS, ProgressBench, ProgressFakeSlack
from bench.progress_scale.report import Run, finish
from bench.progress_scale.seed import GROUP_HANDLE, GROUP_ID, ProgressData, seed_progress
from bench.progress_scale.seed_sqlite import seed_progress_sqlite
from bench.progress_scale.statements import count_statements
from bench.timing import Deadline, Series, machine_info, progress, start_clients
from bot import db

DEFAULT_JSON = servers.ROOT / "bench" / "results" / "progress_scale.json"
DEFAULT_SQLITE_JSON = servers.ROOT / "bench" / "results" / "progress_scale_sqlite.json"
DEFAULT_TARGETS = ("trainbot", BARE, "plain-wsgi")
EXPLAINED = (
    "group",
    "team",
    "team_admin",
    "team_lead",
    "export",
)  # their slowest statement, at full size
SIZES = {  # option: default, what it counts
    "resources": (10_000, "resources in the library"),
    "members": (2_000, "people"),
    "assignments": (200_000, "assignments in the big database (timed and counted)"),
    "small_assignments": (20_000, "assignments in the small one (counted only; 0: none)"),
    "group": (500, "learners in the user group @big"),
    "team": (5_000, "learners whose every assignment is the lead's (a manager of 5,000)"),
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.progress_scale",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    option = parser.add_argument
    option("--n", type=int, default=100, help="requests per measurement (100)")
    option("--warmup", type=int, default=5, help="warm-up requests per kind (5)")
    option("--block", type=int, default=25, help="requests per interleaved block (25)")
    option("--pause-ms", type=float, default=50.0, help="think time (50 ms)")
    for name, (default, what) in SIZES.items():
        flag = "--" + name.replace("_", "-")
        option(flag, type=int, default=default, help=f"{what} ({default:,})")
    option("--share", type=float, default=0.5, help="of all assignments given to the big "
           "manager (0.5; they keep their 1/20 of the rest too)")  # fmt: skip
    option("--workers", type=int, default=2, help="gunicorn workers (2)")
    option("--threads", type=int, default=4, help="threads per worker (4)")
    option(
        "--targets",
        nargs="+",
        default=list(DEFAULT_TARGETS[1:]),
        help=f"targets besides trainbot ({' '.join(DEFAULT_TARGETS[1:])}; bolt-default too)",
    )
    option("--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="what to time (all)")
    option("--count-repeats", type=int, default=3, help="counted runs per kind and size (3)")
    option("--time-limit", type=float, default=480.0, help="stop timing after this many s (480)")
    option("--sqlite", action="store_true", help="on SQLite: the databases are two files "
           "(--db-name.sqlite3, --db-name_small.sqlite3) in the run's work folder, "
           "not on a PostgreSQL server")  # fmt: skip
    option("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL,
           help="a PostgreSQL server to create the databases on, only connected to "
                f"(BENCH_DATABASE_URL, else {DEFAULT_URL}; not used with --sqlite)")  # fmt: skip
    option("--db-name", default="trainbot_progress_bench", help="created, dropped at the end")
    option("--keep-db", action="store_true", help="leave the databases in place (with "
           "--sqlite: the files, and the work folder they are in)")  # fmt: skip
    option("--json", type=Path, default=None, help="where to write the results "
           f"({DEFAULT_JSON.relative_to(servers.ROOT)}; with --sqlite "
           f"{DEFAULT_SQLITE_JSON.relative_to(servers.ROOT)})")  # fmt: skip
    option("--keep-logs", action="store_true", help="keep the server logs")
    args = parser.parse_args(argv)
    if min(args.n, args.block, args.warmup, args.count_repeats, args.group) < 1:
        parser.error("--n, --block, --warmup, --count-repeats and --group must be at least 1")
    if not 0 < args.share <= 1:
        parser.error("--share is a fraction: more than 0, at most 1")
    if args.json is None:
        args.json = DEFAULT_SQLITE_JSON if args.sqlite else DEFAULT_JSON
    return args


def prepared(
    stack: contextlib.ExitStack, args: argparse.Namespace, fake: ProgressFakeSlack,
    workdir: Path, name: str, assignments: int,
) -> tuple[str, ProgressData, dict[str, str]]:  # fmt: skip
    """A database `name` (dropped with `stack`), migrated, seeded; the stand-in told of it.

    On PostgreSQL a database on `--database-url`'s server, on SQLite a file in `workdir`."""
    if args.sqlite:
        url = stack.enter_context(sqlite_database(workdir, name, args.keep_db))
    else:
        url = stack.enter_context(bench_database(args.database_url, name, args.keep_db))
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    env = servers.server_env(fake, url)
    catalog = servers.import_starter_catalog(env, workdir)
    seeding = seed_progress_sqlite if args.sqlite else seed_progress
    data = seeding(url, resources=args.resources, members=args.members,
                   assignments=assignments, share=args.share, group=args.group,
                   team=args.team)  # fmt: skip
    data.catalog = catalog
    for person in data.everyone:
        fake.add_user(person.user_id, person.name, real_name=person.name, tz="Europe/Berlin")
    fake.add_usergroup(GROUP_ID, GROUP_HANDLE, name="Big group",
                       members=[p.user_id for p in data.group])  # fmt: skip
    fake.add_channel("C0GENERAL1", "general", members=[data.manager.user_id])
    progress(f"{name}: seeded {data.base.counts['resource_assignments']:,} assignments in "
             f"{data.seconds['total']} s; reports cover {data.covered}")  # fmt: skip
    return url, data, env


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    all_targets = [
        with_progress_listeners(t)
        for t in servers.chosen_targets(args.workers, args.threads, args.targets)
    ]
    kinds = [k for k in KINDS if k in args.kinds]
    servers.stop_on_signals()
    begun = time.perf_counter()
    info = machine_info() | {"source": source_state()}
    data: dict[int, ProgressData] = {}
    statements: dict[int, dict[str, object]] = {}
    with contextlib.ExitStack() as stack:
        kept = args.keep_logs or (args.sqlite and args.keep_db)  # the SQLite files are in it
        workdir = servers.bench_workdir(stack, keep=kept)
        fake = ProgressFakeSlack(team_id=servers.TEAM_ID, bot_token=servers.BOT_TOKEN)
        stack.enter_context(fake)  # started now, stopped after the servers
        if args.small_assignments:
            with contextlib.ExitStack() as small:  # dropped before the big one is made
                url, found, _ = prepared(small, args, fake, workdir, f"{args.db_name}_small",
                                         args.small_assignments)  # fmt: skip
                data[args.small_assignments] = found
                statements[args.small_assignments] = count_statements(
                    fake, url, found, kinds, repeats=args.count_repeats
                )
        url, found, env = prepared(stack, args, fake, workdir, args.db_name, args.assignments)
        data[args.assignments] = found
        bench = ProgressBench(fake, found, pause_s=args.pause_ms / 1000)
        results: dict[tuple[str, str], Series] = {}
        effects: dict[str, Series] = {}
        stand_in: dict[str, Series] = {}
        csv: dict[str, object] = {}
        with contextlib.ExitStack() as running:  # each one stopped, even on Ctrl-C
            clients = start_clients(running, all_targets, env, workdir, fake, timeout=60,
                                    say=progress)  # fmt: skip
            deadline = Deadline(args.time_limit)
            for kind in kinds:
                run_kind(kind, bench, clients, all_targets, args.warmup, args.warmup, deadline)
                bench.effects.clear()
                bench.stand_in.clear()
                bench.csv_bytes.clear()  # only Export CSV adds to it
                progress(f"{kind}: warmed up; timing {args.n} per target")
                measured = run_kind(kind, bench, clients, all_targets, args.n, args.block, deadline)
                results.update({(key, kind): series for key, series in measured.items()})
                effects.update(bench.effects)
                stand_in.update(bench.stand_in)
                if kind == "export" and bench.csv_bytes:
                    csv = {"bytes_median": int(median(bench.csv_bytes)), "rows": bench.csv_rows,
                           "rows_in_database": found.covered["manager_group"] + 1,
                           "exports": len(bench.csv_bytes)}  # fmt: skip
        progress("servers stopped; counting statements in process")
        statements[args.assignments] = count_statements(
            fake, url, found, kinds, repeats=args.count_repeats,
            explained=[k for k in EXPLAINED if k in kinds],
        )  # fmt: skip
        violations = list(fake.limit_violations)
        if args.sqlite:
            database = sqlite_version()
        else:
            database = "PostgreSQL " + server_version(args.database_url)
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.sqlite and args.keep_db:
        progress(f"SQLite files kept in {workdir}")
    return finish(Run(
        args=args, info=info, database=database, data=data, all_targets=all_targets,
        results=results, effects=effects, stand_in=stand_in, csv=csv, statements=statements,
        violations=violations, seconds=time.perf_counter() - begun,
    ))  # fmt: skip


if __name__ == "__main__":
    servers.run_main(main, "interrupted; servers stopped, databases dropped")

"""`python -m bench.quiz_scale`: the options, and one run from databases to results.

The run: the small database (seeded, statements counted in process, dropped), then the
large one (seeded, the servers timed, statements counted in process, EXPLAIN), then
report.finish. course_scale's run, with the quiz's data, requests and report.
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
from bench.assign_scale.interactions import SEND_PER_MINUTE, run_kind
from bench.assign_scale.report import BARE, source_state
from bench.course_scale.interactions import CourseFakeSlack
from bench.quiz_scale import __doc__ as DESCRIPTION
from bench.quiz_scale.bare import with_quiz_listeners
from bench.quiz_scale.interactions import KINDS, QuizBench
from bench.quiz_scale.report import Run, finish
from bench.quiz_scale.seed import QuizData, seed_quiz
from bench.quiz_scale.statements import count_statements
from bench.timing import Deadline, Series, machine_info, progress, start_clients
from bot import db

DEFAULT_JSON = servers.ROOT / "bench" / "results" / "quiz_scale.json"
DEFAULT_TARGETS = ("trainbot", BARE, "plain-wsgi")
EXPLAINED = 3  # the slowest SELECTs of each request at the large size, under EXPLAIN ANALYZE
SPARE_TAKERS = 5  # learners beyond those the run uses (a failed request uses one up)
# option: (default, --quick's, what it counts)
COUNTS = {
    "n": (200, 20, "requests per measurement and target"),
    "warmup": (5, 3, "warm-up requests per kind and target"),
    "count_repeats": (3, 2, "counted requests per kind and size"),
}
SIZES = {
    "resources": (10_000, 2_000, "resources in the large database"),
    "members": (2_000, 400, "people in the large database"),
    "assignments": (200_000, 20_000, "assignments in the large one, before course, path, quiz"),
    "small_resources": (1_000, 1_000, "resources in the small one (counted only)"),
    "small_members": (200, 200, "people in the small one"),
    "small_assignments": (2_000, 2_000, "assignments in the small one"),
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.quiz_scale",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    option = parser.add_argument
    option("--quick", action="store_true",
           help="a small fast run: N=20, 3 warm-up, 2 counted, a large database of "
                "2,000 / 400 / 20,000 (what is given beside it wins)")  # fmt: skip
    for name, (default, quick, what) in (COUNTS | SIZES).items():
        option("--" + name.replace("_", "-"), type=int, default=None,
               help=f"{what} ({default:,}; --quick {quick:,})")  # fmt: skip
    option("--block", type=int, default=25, help="requests per interleaved block (25)")
    option("--pause-ms", type=float, default=50.0, help="think time (50 ms)")
    option("--workers", type=int, default=2, help="gunicorn workers (2)")
    option("--threads", type=int, default=4, help="threads per worker (4)")
    option(
        "--targets",
        nargs="+",
        default=list(DEFAULT_TARGETS[1:]),
        help=f"targets besides trainbot ({' '.join(DEFAULT_TARGETS[1:])}; bolt-default too)",
    )
    option("--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="what to time (all)")
    option("--time-limit", type=float, default=600.0, help="stop timing after this many s (600)")
    option("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL,
           help="a PostgreSQL server to create the databases on, only connected to "
                f"(BENCH_DATABASE_URL, else {DEFAULT_URL})")  # fmt: skip
    option("--db-name", default="bench_quiz", help="created, dropped at the end")
    option("--keep-db", action="store_true", help="leave the databases in place")
    option("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    option("--keep-logs", action="store_true", help="keep the server logs")
    args = parser.parse_args(argv)
    for name, (default, quick, _) in (COUNTS | SIZES).items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else default)
    if min(args.n, args.block, args.warmup, args.count_repeats) < 1:
        parser.error("--n, --block, --warmup and --count-repeats must be at least 1")
    return args


def prepared(
    stack: contextlib.ExitStack, args: argparse.Namespace, fake: CourseFakeSlack, workdir: Path,
    name: str, sizes: tuple[int, int, int], takers: int,
) -> tuple[str, QuizData, dict[str, str]]:  # fmt: skip
    """A database `name` (dropped with `stack`), migrated, seeded; the stand-in told of it."""
    url = stack.enter_context(bench_database(args.database_url, name, args.keep_db))
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    env = servers.server_env(fake, url)
    catalog = servers.import_starter_catalog(env, workdir)
    resources, members, assignments = sizes
    data = seed_quiz(url, fake, resources=resources, members=members, assignments=assignments,
                     takers=takers)  # fmt: skip
    data.catalog = catalog
    fake.add_channel("C0GENERAL1", "general", members=[data.course.base.manager.user_id])
    progress(f"{name}: seeded in {data.seconds['total']} s: " + ", ".join(
        f"{n:,} {table}" for table, n in data.counts.items()))  # fmt: skip
    return url, data, env


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    all_targets = [
        with_quiz_listeners(t)
        for t in servers.chosen_targets(args.workers, args.threads, args.targets)
    ]
    kinds = [k for k in KINDS if k in args.kinds]
    servers.stop_on_signals()
    begun = time.perf_counter()
    seconds: dict[str, float] = {}
    info = machine_info() | {"source": source_state()}
    data: dict[str, QuizData] = {}
    statements: dict[str, dict[str, object]] = {}
    counted = args.count_repeats + 1  # per size, the first of each kind warms up
    with contextlib.ExitStack() as stack:
        workdir = servers.bench_workdir(stack, keep=args.keep_logs)
        fake = CourseFakeSlack(team_id=servers.TEAM_ID, bot_token=servers.BOT_TOKEN)
        stack.enter_context(fake)  # started now, stopped after the servers
        with contextlib.ExitStack() as small:  # dropped before the large one is made
            sizes = (args.small_resources, args.small_members, args.small_assignments)
            url, found, _ = prepared(small, args, fake, workdir, f"{args.db_name}_small", sizes,
                                     counted + SPARE_TAKERS)  # fmt: skip
            data["small"] = found
            statements["small"] = count_statements(fake, url, found, kinds,
                                                   repeats=args.count_repeats)  # fmt: skip
        seconds["small database: seed and count"] = time.perf_counter() - begun
        mark = time.perf_counter()
        takers = args.n + args.warmup + counted + SPARE_TAKERS
        sizes = (args.resources, args.members, args.assignments)
        url, found, env = prepared(stack, args, fake, workdir, args.db_name, sizes, takers)
        env["TRAINBOT_SEND_PER_MINUTE"] = SEND_PER_MINUTE  # Slack's pace is not what is timed
        data["large"] = found
        seconds["large database: seed"] = time.perf_counter() - mark
        mark = time.perf_counter()
        bench = QuizBench(fake, found, pause_s=args.pause_ms / 1000)
        results: dict[tuple[str, str], Series] = {}
        request_bytes: dict[str, int] = {}
        with contextlib.ExitStack() as running:  # each one stopped, even on Ctrl-C
            clients = start_clients(running, all_targets, env, workdir, fake, timeout=60,
                                    say=progress)  # fmt: skip
            if args.keep_logs:
                progress(f"server logs in {workdir}")
            deadline = Deadline(args.time_limit)
            effects: dict[str, Series] = {}
            stand_in: dict[str, Series] = {}
            answer_bytes: dict[str, int] = {}  # Trainbot's acks, median, where they carry a view
            for kind in kinds:
                run_kind(kind, bench, clients, all_targets, args.warmup, args.warmup, deadline)
                bench.effects.clear()
                bench.stand_in.clear()
                bench.answer_bytes.clear()
                progress(f"{kind}: warmed up; timing {args.n} per target")
                measured = run_kind(kind, bench, clients, all_targets, args.n, args.block, deadline)
                results.update({(key, kind): series for key, series in measured.items()})
                effects.update(bench.effects)
                stand_in.update(bench.stand_in)
                answer_bytes.update({k: int(median(v)) for k, v in bench.answer_bytes.items() if v})
                sizes_seen = measured["trainbot"].body_bytes
                request_bytes[kind] = int(median(sizes_seen)) if sizes_seen else 0
                failures = sum(len(s.failures) for s in measured.values())
                progress(f"{kind}: done" + (f", {failures} failed" if failures else ""))
        seconds["large database: servers and timing"] = time.perf_counter() - mark
        mark = time.perf_counter()
        progress("servers stopped; counting statements in process")
        statements["large"] = count_statements(
            fake, url, found, kinds, repeats=args.count_repeats, explained=EXPLAINED, after=bench
        )
        seconds["large database: count and explain"] = time.perf_counter() - mark
        violations = list(fake.limit_violations)
        database = "PostgreSQL " + server_version(args.database_url)
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    seconds["total"] = time.perf_counter() - begun
    return finish(Run(
        args=args, info=info, database=database, data=data, all_targets=all_targets,
        results=results, effects=effects, stand_in=stand_in, request_bytes=request_bytes,
        answer_bytes=answer_bytes, statements=statements, violations=violations,
        seconds=seconds,
    ))  # fmt: skip


if __name__ == "__main__":
    servers.run_main(main, "interrupted; servers stopped, databases dropped")

"""`python -m bench.search`: the options, and the run, database by database, size by size.

Each library is seeded once; each run then starts the servers afresh on it, warms them
up and measures. The figures quoted are the median across runs (report.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import servers
from bench.assign_scale.database import DEFAULT_URL
from bench.assign_scale.report import source_state
from bench.search import __doc__ as DESCRIPTION
from bench.search.data import QUERIES
from bench.search.database import DATABASES, MANAGER, library
from bench.search.keystrokes import measure
from bench.search.report import BARE, Cell, result_json, tables, verdicts
from bench.timing import Deadline, StampedFakeSlack, machine_info, progress, write_results

DEFAULT_JSON = servers.ROOT / "bench" / "results" / "search.json"
SIZES = (1_000, 10_000, 100_000)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    default_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    parser.add_argument(
        "--database-url",
        default=default_url,
        help=f"a PostgreSQL server to create the bench databases on; BENCH_DATABASE_URL, "
        f"else {DEFAULT_URL}",
    )
    parser.add_argument("--db-name", default="trainbot_search_bench", help="prefix (+ _SIZE)")
    parser.add_argument("--keep-db", action="store_true", help="leave the databases in place")
    parser.add_argument("--databases", nargs="+", choices=DATABASES, default=list(DATABASES))
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES))
    parser.add_argument("--n", type=int, default=300, help="requests per target per run (300)")
    parser.add_argument("--runs", type=int, default=3, help="runs per library (3)")
    parser.add_argument("--warmup", type=int, default=2, help="passes over every query (2)")
    parser.add_argument("--block", type=int, default=25, help="requests per interleaved block")
    parser.add_argument("--pause-ms", type=float, default=50.0, help="think time (50 ms)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument(
        "--targets", nargs="+", default=[BARE], help=f"besides trainbot (default {BARE})"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a look: --n 50 --runs 1 --warmup 1 --sizes 1000 10000"
    )
    parser.add_argument("--time-limit", type=float, default=3600.0, help="stop measuring (s)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--keep-logs", action="store_true", help="keep the server logs")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.runs, args.warmup, args.sizes = 50, 1, 1, [1_000, 10_000]
    if min(args.n, args.runs, args.block, args.warmup) < 1:
        parser.error("--n, --runs, --block and --warmup must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    all_targets = servers.chosen_targets(args.workers, args.threads, args.targets)
    servers.stop_on_signals()
    info = machine_info()
    info["source"] = source_state()
    deadline = Deadline(args.time_limit)
    cells: dict[tuple[str, int], Cell] = {}
    with contextlib.ExitStack() as stack:
        workdir = servers.bench_workdir(stack, keep=args.keep_logs)
        fake = StampedFakeSlack(team_id=servers.TEAM_ID, bot_token=servers.BOT_TOKEN)
        stack.enter_context(fake)
        fake.add_user(MANAGER.user_id, MANAGER.name, real_name="Maya Manager", tz="Europe/Berlin")
        for kind in args.databases:
            for size in sorted(args.sizes):
                with library(
                    kind, size, admin_url=args.database_url, db_name=args.db_name,
                    workdir=workdir, keep=args.keep_db,
                ) as lib:  # fmt: skip
                    progress(f"{kind} {size:,}: {lib.visible:,} published; {lib.seconds} s")
                    cell = cells[(kind, size)] = Cell(lib)
                    env = servers.server_env(fake, lib.url)
                    for run in range(args.runs):
                        found = measure(
                            fake, all_targets, env, workdir, n=args.n, warmup=args.warmup,
                            block=args.block, pause_s=args.pause_ms / 1000,
                            deadline=deadline, say=progress,
                        )  # fmt: skip
                        cell.runs.append(found)
                        ours = found.overall["trainbot"]
                        progress(
                            f"{kind} {size:,} run {run + 1}: {len(ours.samples)} ok, "
                            f"{len(ours.failures)} failed"
                        )
        violations = list(fake.limit_violations)
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    settings = {
        "n_per_run": args.n, "runs": args.runs, "warmup_passes": args.warmup,
        "block": args.block, "pause_ms": args.pause_ms, "workers": args.workers,
        "threads": args.threads, "worker_class": "gthread", "queries": QUERIES,
        "targets": {t.key: t.label for t in all_targets},
    }  # fmt: skip
    write_results(args.json, result_json(cells, info, settings))
    print(
        f"{info['date']}, nproc {info['nproc']}, {info['cpu']}, Python {info['python']}, "
        f"{', '.join(sorted({c.library.version for c in cells.values()}))}, "
        f"{args.workers} workers x {args.threads} threads (gthread), N={args.n} per run, "
        f"{args.runs} runs, load average {info['load_average_at_start']} at start, "
        f"{info['load_average_at_end']} at end, commit {info['source'].get('commit', '?')[:7]}\n"
    )
    print(tables(cells))
    print(f"\nJSON: {args.json}", file=sys.stderr)
    failed = any(s.failures for c in cells.values() for m in c.runs for s in m.overall.values())
    missed = not all(v["p99_under_target_at_every_size"] and v["flat"]
                     for v in verdicts(cells).values())  # fmt: skip
    return 1 if violations or failed else (2 if missed else 0)


if __name__ == "__main__":
    servers.run_main(main, "interrupted; servers stopped, databases dropped")

"""`python -m bench.load`: the options, one run, the report and the exit status."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

from bench import servers
from bench.assign_scale.report import source_state
from bench.load import __doc__ as DESCRIPTION
from bench.load.report import as_json, markdown, request_failures
from bench.load.run import LoadConfig, run_load
from bench.timing import machine_info, progress, write_results

DEFAULT_JSON = servers.ROOT / "bench" / "results" / "load.json"
QUICK = {"seconds": 90.0, "lease_s": 30, "drain_s": 150.0}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="90 s, a 30 s lease (under 5 min)")
    parser.add_argument("--soak", type=float, metavar="MINUTES", help="a long run at 2/s")
    parser.add_argument("--seconds", type=float, help="the load's length (300)")
    parser.add_argument("--rate", type=float, help="requests per second (5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per replica")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--lease", type=int, help="TRAINBOT_OUTBOX_LEASE_S (120; --quick 30)")
    parser.add_argument("--no-postgres-restart", action="store_true")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--keep-logs", action="store_true", help="keep the replicas' logs")
    return parser.parse_args(argv)


def config_of(args: argparse.Namespace) -> LoadConfig:
    config = LoadConfig()
    if args.quick:
        config = dataclasses.replace(config, **QUICK)  # type: ignore[arg-type]
    if args.soak:
        config = dataclasses.replace(config, seconds=args.soak * 60, rate=2.0, sample_every_s=30.0)
    changes = {"seconds": args.seconds, "rate": args.rate, "lease_s": args.lease}
    config = dataclasses.replace(
        config,
        workers=args.workers,
        threads=args.threads,
        **{k: v for k, v in changes.items() if v is not None},
    )
    if args.no_postgres_restart:
        config = dataclasses.replace(config, postgres_at=None)
    return config


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = config_of(args)
    servers.stop_on_signals()
    info = machine_info()
    info["source"] = source_state()
    with contextlib.ExitStack() as stack:
        workdir = servers.bench_workdir(stack, keep=args.keep_logs)
        if args.keep_logs:
            progress(f"logs in {workdir}")
        outcome = run_load(config, workdir, progress)
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    failures = request_failures(outcome) + outcome.failures
    print(markdown(outcome, failures))
    write_results(args.json, as_json(outcome, failures, info))
    return 1 if failures else 0


if __name__ == "__main__":
    servers.run_main(main, "interrupted; replicas and PostgreSQL stopped")

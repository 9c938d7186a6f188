"""`python -m bench.digest_scale`: the options, and one run (small database, then the big one)."""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

from bench import servers
from bench.assign_scale.database import DEFAULT_URL, bench_database, server_version
from bench.assign_scale.report import source_state
from bench.digest_scale import __doc__ as DESCRIPTION
from bench.digest_scale.report import Result, Size, finish
from bench.digest_scale.runs import chart_ms, measure_scope, summary
from bench.digest_scale.world import MOMENT, build
from bench.timing import StampedFakeSlack, machine_info, progress
from bot import db
from bot.app import make_client
from bot.clock import FixedClock
from bot.services import build_services
from bot.settings import Settings

DEFAULT_JSON = servers.ROOT / "bench" / "results" / "digest_scale.json"
MOST_PER_MINUTE = "100000"  # the highest TRAINBOT_SEND_PER_MINUTE: the pacer never waits

SIZES = {  # option: default, what it counts
    "resources": (50_000, "resources in the library"),
    "members": (20_000, "people"),
    "assignments": (1_000_000, "assignments in the large database"),
    "small_assignments": (100_000, "assignments in the small database (0: no small run)"),
    "channel": (20_000, "people in the big channel (at most --members)"),
    "small_channel": (50, "people in the small channel"),
    "n": (10, "timed digests per subscription, large database (after a cold one)"),
    "small_n": (3, "timed digests per subscription, small database"),
    "target_ms": (2_000, "issue 16's target for the big channel's digest"),
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        "python -m bench.digest_scale",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    option = parser.add_argument
    option("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL,
           help="the PostgreSQL server to create --db-name on, only connected to "
                f"(BENCH_DATABASE_URL, else {DEFAULT_URL})")  # fmt: skip
    option(
        "--db-name",
        default="trainbot_digest_bench",
        help="created, then dropped at the end (the small one: the same name + _small)",
    )
    option("--keep-db", action="store_true", help="do not drop the databases at the end")
    for name, (default, what) in SIZES.items():
        option(f"--{name.replace('_', '-')}", type=int, default=default,
               help=f"{what} ({default:,})")  # fmt: skip
    option("--json", type=Path, default=DEFAULT_JSON, help=f"results ({DEFAULT_JSON.name})")
    args = parser.parse_args(argv)
    if min(args.resources, args.members, args.assignments, args.n, args.small_channel) < 1:
        parser.error("sizes and --n must be positive")
    if args.small_assignments < 0 or args.small_n < 1:
        parser.error("--small-assignments must be 0 or more, --small-n positive")
    args.channel = min(args.channel, args.members)
    args.small_channel = min(args.small_channel, args.members)
    return args


def measure_size(
    args: argparse.Namespace, name: str, db_name: str, assignments: int, n: int
) -> tuple[Size, list[str]]:
    """A database of `assignments`, seeded and subscribed; each digest `n` times (+ a cold
    one); the slowest statements EXPLAINed on the large one. Dropped at the end."""
    with contextlib.ExitStack() as stack:
        fake = StampedFakeSlack(team_id=servers.TEAM_ID, bot_token=servers.BOT_TOKEN)
        stack.enter_context(fake)  # started now, stopped last
        url = stack.enter_context(bench_database(args.database_url, db_name, args.keep_db))
        engine = db.make_engine(url)
        stack.callback(engine.dispose)
        db.upgrade(engine)
        env = servers.server_env(fake, url) | {
            "TRAINBOT_SEND_PER_MINUTE": MOST_PER_MINUTE, "LOG_LEVEL": "WARNING"
        }  # fmt: skip
        services = build_services(Settings.load(env, env_file=Path(os.devnull)),
                                  clock=FixedClock(MOMENT), engine=engine)  # fmt: skip
        stack.callback(services.background.shutdown)
        progress(f"{db_name}: seeding {assignments:,} assignments")
        world = build(url, fake, services, resources=args.resources, members=args.members,
                      assignments=assignments, channel=args.channel,
                      small_channel=args.small_channel)  # fmt: skip
        progress(f"{db_name}: seeded {world.seeded.counts} in {world.seeded.seconds['total']} s")
        client = make_client(services.settings)
        scopes = []
        for scope in world.scopes:
            found = measure_scope(services, client, fake, url, scope, n, plan=name == "large")
            scopes.append(summary(found))
            progress(f"{db_name}: {scope.name}: median {scopes[-1].get('median_ms')} ms, "
                     f"statements {scopes[-1].get('statements')}")  # fmt: skip
        problems = [p for s in scopes for p in s["problems"]]
        problems += [f"stand-in: {v}" for v in fake.limit_violations]
        size = Size(name, world.seeded.counts, world.seeded.seconds["total"], scopes, chart_ms())
    return size, problems


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    servers.stop_on_signals()
    begun = time.perf_counter()
    info = machine_info() | {"source": source_state()}
    plan = [("large", args.db_name, args.assignments, args.n)]
    if args.small_assignments:
        plan.insert(0, ("small", f"{args.db_name}_small", args.small_assignments, args.small_n))
    sizes, problems = [], []
    for name, db_name, assignments, n in plan:
        size, found = measure_size(args, name, db_name, assignments, n)
        sizes.append(size)
        problems += [f"{name}: {p}" for p in found]
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    database = "PostgreSQL " + server_version(args.database_url)
    return finish(Result(args, info, database, sizes, problems, time.perf_counter() - begun))


if __name__ == "__main__":
    servers.run_main(main, "interrupted; database dropped")

"""`python -m bench.sweep_scale`: the options, and one run from database to results."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import servers
from bench.assign_scale.database import DEFAULT_URL, bench_database, server_version
from bench.assign_scale.report import source_state
from bench.sweep_scale import __doc__ as DESCRIPTION
from bench.sweep_scale.measure import Measured
from bench.sweep_scale.phases import deliver, floor, owed_in_outbox, sweeps
from bench.sweep_scale.report import Run, finish
from bench.sweep_scale.seed import MOMENT, ZONES, seed
from bench.timing import StampedFakeSlack, machine_info
from bot import db
from bot.clock import FixedClock
from bot.services import Services, build_services
from bot.settings import Settings

DEFAULT_JSON = servers.ROOT / "bench" / "results" / "sweep_scale.json"
MOST_PER_MINUTE = "100000"  # the highest TRAINBOT_SEND_PER_MINUTE the settings accept


SIZES = {  # the data's sizes: option, default, what it counts
    "assignments": (1_000_000, "assignments in all"),
    "due": (20_000, "of them owed a reminder at the sweep moment"),
    "waiting": (8_000, "of them due later today, in New York and Los Angeles"),
    "members": (50_000, "people"),
    "resources": (2_000, "resources in the library"),
}
log = logging.getLogger("bench.sweep_scale")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        "python -m bench.sweep_scale",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    option = parser.add_argument
    option("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL,
           help="the PostgreSQL server to create --db-name on, only connected to "
                f"(BENCH_DATABASE_URL, else {DEFAULT_URL})")  # fmt: skip
    option("--db-name", default="trainbot_sweep_bench", help="created, then dropped at the end")
    option("--keep-db", action="store_true", help="do not drop --db-name at the end")
    for name, (default, what) in SIZES.items():
        option(f"--{name}", type=int, default=default, help=f"{what} ({default:,})")
    option("--send-per-minute", default=MOST_PER_MINUTE, help=f"({MOST_PER_MINUTE}: the most)")
    option("--plan-only", action="store_true",
           help="the sweeps only: no deliver_pending, no floor (at large sizes)")  # fmt: skip
    option("--floor-rounds", type=int, default=3, help="rounds of bare posts (3; the median)")
    option("--json", type=Path, default=DEFAULT_JSON, help=f"results ({DEFAULT_JSON.name})")
    args = parser.parse_args(argv)
    if min(args.assignments, args.members, args.resources) < 1 or min(args.due, args.waiting) < 0:
        parser.error("sizes must be positive (--due and --waiting may be 0)")
    if args.due + args.waiting > args.assignments:
        parser.error("--due and --waiting are part of --assignments")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(format="[%(asctime)s] %(message)s", datefmt="%H:%M:%S")
    log.setLevel(logging.INFO)
    servers.stop_on_signals()
    begun = time.perf_counter()
    info = machine_info() | {"source": source_state()}
    with contextlib.ExitStack() as stack:
        fake = StampedFakeSlack(team_id=servers.TEAM_ID, bot_token=servers.BOT_TOKEN)
        stack.enter_context(fake)  # started now, stopped last
        url = stack.enter_context(bench_database(args.database_url, args.db_name, args.keep_db))
        engine = db.make_engine(url)
        stack.callback(engine.dispose)
        db.upgrade(engine)
        log.info(f"database {args.db_name} created and migrated; seeding")
        data = seed(url, **{size: getattr(args, size) for size in SIZES})
        log.info(f"seeded {data.counts} in {data.seconds['total']} s")
        for n, person in data.due_people:
            fake.add_user(person.user_id, person.name, tz=ZONES[n % len(ZONES)])
        env = servers.server_env(fake, url) | {
            "TRAINBOT_SEND_PER_MINUTE": args.send_per_minute, "LOG_LEVEL": "WARNING"
        }  # fmt: skip
        clock = FixedClock(MOMENT)
        services = build_services(Settings.load(env, env_file=Path(os.devnull)), clock=clock,
                                  engine=engine)  # fmt: skip
        stack.callback(services.background.shutdown)
        log.info(f"{len(data.due_people):,} people owed a reminder; sweeping")
        swept = sweeps(services, clock, url)
        for step in swept["steps"]:
            log.info(f"{step.name}: {step.result:,} owed in {step.seconds:.2f} s")
        users = [person.user_id for _, person in data.due_people]
        delivery, stand_in, bare = None, None, None
        if args.plan_only:
            swept["reminders_in_outbox"] = owed_in_outbox(url, users)
            log.info(f"delivery and floor skipped; outbox: {swept['reminders_in_outbox']}")
        else:
            delivery, stand_in, bare = deliver_and_floor(services, fake, users, args.floor_rounds)
        problems = problems_of(fake, swept, delivery, users)
        database = "PostgreSQL " + server_version(args.database_url)
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    seconds = time.perf_counter() - begun
    run = Run(args, data, swept, delivery, stand_in, bare, info, database, problems, seconds)
    return finish(run)


def deliver_and_floor(
    services: Services, fake: StampedFakeSlack, users: list[str], rounds: int
) -> tuple[Measured, dict[str, Any], dict[str, Any]]:
    """deliver_pending for everything owed, then the floor."""
    delivery, stand_in = deliver(services, fake)
    log.info(f"deliver_pending: {delivery.result:,} sent in {delivery.seconds:.1f} s; floor")
    bare = floor(fake, users, max(1, rounds))
    log.info(f"floor: {bare['posts']:,} posts, median round {bare['seconds']:.1f} s")
    return delivery, stand_in, bare


def problems_of(
    fake: StampedFakeSlack, swept: dict[str, Any], delivery: Measured | None, users: list[str]
) -> list[str]:
    """Payloads over Slack's limits; a sweep that owed other than one reminder to each
    person due; a sweep a minute later that read any row (nobody new is at their reminder
    time); a delivery that sent other than that (--plan-only: the outbox's rows)."""
    problems = [f"stand-in: {v}" for v in fake.limit_violations]
    owed = {step.name: step.result for step in swept["steps"][::2]}
    problems += [f"{k}: {v} owed, {len(users)} expected" for k, v in owed.items()
                 if v != len(users)]  # fmt: skip
    if swept["rows_read_a_minute_later"]:
        problems.append(f"the sweep a minute later read {swept['rows_read_a_minute_later']} rows")
    if delivery is None:
        problems += outbox_problems(swept["reminders_in_outbox"], len(users))
    elif delivery.result != len(users):
        problems.append(f"deliver_pending sent {delivery.result}, {len(users)} were owed")
    return problems


def outbox_problems(found: dict[str, int], due: int) -> list[str]:
    """Each person due owed exactly one reminder row, nobody else any."""
    wrong = {k: v for k, v in found.items() if k != "people_owed" and v}
    if found["people_owed"] != due:
        wrong["people_owed"] = found["people_owed"]
    return [f"outbox reminders: {k.replace('_', ' ')} {v} ({due} due)" for k, v in wrong.items()]


if __name__ == "__main__":
    servers.run_main(main, "interrupted; database dropped")

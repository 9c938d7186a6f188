"""`python -m bench.recommend`: hit rate at 5 and 10, Trainbot against two baselines."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.recommend import __doc__ as DESCRIPTION
from bench.recommend.world import NOW, TEAM_ID, Shape, build
from bench.timing import machine_info
from bot import db
from bot.clock import FixedClock
from bot.services.recommendations import RecommendationService
from models import ResourceAssignment

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_JSON = ROOT / "bench" / "results" / "recommend.json"
METHODS = ("trainbot", "popularity", "random")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.recommend", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    d = Shape()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--people", type=int, default=d.people)
    parser.add_argument("--roles", type=int, default=d.roles)
    parser.add_argument("--resources", type=int, default=d.resources)
    parser.add_argument("--per-person", type=int, default=d.per_person)
    parser.add_argument("--from-role", type=float, default=d.from_role)
    parser.add_argument("--held-out", type=float, default=d.held_out)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where the figures go")
    parser.add_argument(
        "--speed", action="store_true",
        help="instead: time one person's list at 10k resources / 2k people / 200k assignments",
    )  # fmt: skip
    parser.add_argument("--database-url", help="--speed on this (empty) database, else SQLite")
    return parser.parse_args(argv)


def one_run(shape: Shape, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="recommend-bench-") as folder:
        engine = db.make_engine(f"sqlite:///{folder}/bench.db")
        db.upgrade(engine)
        world = build(engine, shape, seed)
        service = RecommendationService(sessions=db.make_sessions(engine), clock=FixedClock(NOW))
        with engine.connect() as c:
            counted = c.execute(
                select(ResourceAssignment.resource_id, func.count())
                .where(ResourceAssignment.completed_at.is_not(None))
                .group_by(ResourceAssignment.resource_id)
            ).all()
        popular = Counter({rid: n for rid, n in counted})
        by_popularity = sorted(world.resources, key=lambda r: (-popular[r], r))
        rng = random.Random(seed * 7919)
        hits = {m: {5: 0, 10: 0} for m in METHODS}
        ms: list[float] = []
        for user in world.people:
            started = time.perf_counter()
            found = service.for_user(team_id=TEAM_ID, user_id=user, limit=10)
            ms.append((time.perf_counter() - started) * 1000)
            lists = {
                "trainbot": [r.resource_id for r in found.items],
                "popularity": [r for r in by_popularity if r not in world.taken[user]][:10],
                "random": rng.sample(
                    [r for r in world.resources if r not in world.taken[user]], 10
                ),
            }
            for method, ranked in lists.items():
                for k in (5, 10):
                    hits[method][k] += bool(set(ranked[:k]) & world.held[user])
        engine.dispose()
    people = len(world.people)
    rates = {m: {f"hit@{k}": hits[m][k] / people for k in (5, 10)} for m in METHODS}
    ms.sort()
    return {"seed": seed, "people": people, "rates": rates, "ms_median": statistics.median(ms),
            "ms_p99": ms[min(len(ms) - 1, int(len(ms) * 0.99))]}  # fmt: skip


def table(runs: list[dict[str, Any]]) -> str:
    lines = ["| seed | method | hit@5 | hit@10 |", "| ---: | --- | ---: | ---: |"]
    for run in runs:
        for m in METHODS:
            r = run["rates"][m]
            lines.append(f"| {run['seed']} | {m} | {r['hit@5']:.3f} | {r['hit@10']:.3f} |")
    for m in METHODS:
        med = [statistics.median(run["rates"][m][f"hit@{k}"] for run in runs) for k in (5, 10)]
        lines.append(f"| median of {len(runs)} | {m} | {med[0]:.3f} | {med[1]:.3f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.speed:
        return speed(args.database_url)
    shape = Shape(people=args.people, roles=args.roles, resources=args.resources,
                  per_person=args.per_person, from_role=args.from_role,
                  held_out=args.held_out)  # fmt: skip
    runs = []
    for seed in args.seeds:
        print(f"seed {seed}...", file=sys.stderr)
        runs.append(one_run(shape, seed))
    print(table(runs))
    ratio = {
        k: statistics.median(run["rates"]["trainbot"][k] for run in runs)
        / max(statistics.median(run["rates"]["popularity"][k] for run in runs), 1e-9)
        for k in ("hit@5", "hit@10")
    }
    timing = statistics.median(run["ms_median"] for run in runs)
    print(f"\nTrainbot / popularity (medians): hit@5 x{ratio['hit@5']:.2f}, "
          f"hit@10 x{ratio['hit@10']:.2f}; one person's list: median {timing:.1f} ms")  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(
        {"machine": machine_info(), "shape": vars(shape), "runs": runs, "ratio": ratio},
        indent=1, default=str))  # fmt: skip
    return 0


SCALE = Shape(people=2000, roles=20, domains=40, resources=10_000, core=300, per_person=125)


def speed(url: str | None, sample: int = 200) -> int:
    """One person's list (Home's 5) timed for `sample` people, the popular list warm."""
    with tempfile.TemporaryDirectory(prefix="recommend-speed-") as folder:
        engine = db.make_engine(url or f"sqlite:///{folder}/speed.db")
        db.upgrade(engine)
        started = time.perf_counter()
        world = build(engine, SCALE, 1)
        with engine.connect() as c:
            assignments = c.scalar(select(func.count()).select_from(ResourceAssignment))
        print(f"{engine.dialect.name}: {SCALE.resources} resources, {SCALE.people} people, "
              f"{assignments} assignments, seeded in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)  # fmt: skip
        service = RecommendationService(sessions=db.make_sessions(engine), clock=FixedClock(NOW))
        if engine.dialect.name == "postgresql":  # as autovacuum would have by then
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("ANALYZE")
        service.for_user(team_id=TEAM_ID, user_id=world.people[-1], limit=5)
        users = world.people[:: max(1, len(world.people) // sample)][:sample]
        computed = _timed(service, users)  # nothing stored yet: each list computed
        started = time.perf_counter()
        swept = service.refresh()
        print(f"sweep: {swept} lists in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        stored = _timed(service, users)  # what Home does once the sweep has run
        engine.dispose()
    for label, ms in (("computed", computed), ("stored", stored)):
        ms.sort()
        p90, p99 = ms[int(len(ms) * 0.9)], ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        median = statistics.median(ms)
        print(f"| {engine.dialect.name}, {label} | {len(ms)} | {median:.1f} | {p90:.1f} "
              f"| {p99:.1f} |")  # fmt: skip
    return 0


def _timed(service: RecommendationService, users: list[str]) -> list[float]:
    ms = []
    for user in users:
        t = time.perf_counter()
        service.for_user(team_id=TEAM_ID, user_id=user, limit=5)
        ms.append((time.perf_counter() - t) * 1000)
    return ms


if __name__ == "__main__":
    sys.exit(main())

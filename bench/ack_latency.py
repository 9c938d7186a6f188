"""Ack latency: Trainbot against bare apps, in one run, over loopback HTTP.

    .venv/bin/python -m bench.ack_latency [--n 300] [--warmup 30] [--time-limit 900]

Starts four gunicorn servers (gthread, 2 workers x 4 threads, like `trainbot serve`):
Trainbot itself, a bare Bolt app with Bolt's defaults, the same with
process_before_response=True, and a plain WSGI endpoint answering 200 (bench/bare_apps.py).
A FakeSlack in this process plays the Web API; a SlackClient sends correctly signed
requests the way Slack does, one at a time, and times each round trip.

Measured per target, after a warm-up, interleaved in blocks so that drift on the
machine hits every target alike, with a short think time after each request:
- `command`: the ack of `/library`;
- `click`: the ack of a block_actions from the library modal's type filter
  (`library.filter.type`), with the modal as Trainbot rendered it in the payload
  (the bare apps get the very bytes Trainbot got, re-signed);
- Trainbot only, `command effect` / `click effect`: from sending the request until the
  stand-in has answered and recorded the resulting views.open / views.update, with
  the stand-in's own share of that time, and the rest (Trainbot's share).

Prints a Markdown table and writes bench/results/ack_latency.json.
Every loop has a count and the whole run a time limit; all servers are stopped at the
end, also on Ctrl-C, SIGTERM or an error.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.library_requests import (
    CLICKER,
    COMMANDER,
    FILTER_VALUES,
    Bench,
    open_clicker_modal,
)
from bench.servers import (
    BOT_TOKEN,
    ROOT,
    TEAM_ID,
    Target,
    bench_workdir,
    import_starter_catalog,
    run_main,
    server_env,
    stop_on_signals,
    targets,
)
from bench.timing import (
    Deadline,
    Series,
    StampedFakeSlack,
    TimedClient,
    interleaved,
    machine_info,
    start_clients,
    summary,
    write_results,
)

DEFAULT_JSON = ROOT / "bench" / "results" / "ack_latency.json"

REQUEST_TIMEOUT_S = 10.0


def run_blocks(
    kinds: Sequence[str],
    clients: Mapping[str, TimedClient],
    all_targets: Sequence[Target],
    bench: Bench,
    n: int,
    block: int,
    deadline: Deadline,
) -> dict[tuple[str, str], Series]:
    """n requests of each kind per target, in blocks of `block`, rotating the target order."""
    results = {(t.key, kind): Series() for t in all_targets for kind in kinds}
    for kind in kinds:
        of_kind = {t.key: results[(t.key, kind)] for t in all_targets}
        for target, i, series in interleaved(all_targets, of_kind, n, block, deadline):
            if kind == "command":
                bench.command(clients[target.key], target, series)
            else:
                bench.click(clients[target.key], target, series, i)
    return results


MEASUREMENTS = (
    ("command", "`/library` ack"),
    ("click", "type filter click ack"),
    ("views.open", "`/library` effect (views.open answered)"),
    ("views.update", "click effect (views.update answered)"),
    ("stand-in views.open", "… of which the stand-in answering views.open"),
    ("stand-in views.update", "… of which the stand-in answering views.update"),
    ("app views.open", "`/library` effect without the stand-in's time"),
    ("app views.update", "click effect without the stand-in's time"),
)


def table(rows: Mapping[tuple[str, str], dict[str, Any]], all_targets: Sequence[Target]) -> str:
    lines = [
        "| target | measurement | requests | median ms | p90 ms | p99 ms | bytes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, label in MEASUREMENTS:
        for target in all_targets:
            row = rows.get((target.key, key))
            if row is None:
                continue
            numbers = [row.get(f"{p}_ms") for p in ("median", "p90", "p99")]
            cells = [f"{v:.2f}" if isinstance(v, float) else "-" for v in numbers]
            note = f" ({row['failures']} failed)" if row["failures"] else ""
            note += " (time limit)" if row["truncated"] else ""
            size = row.get("request_bytes_mean", "")
            lines.append(
                f"| {target.label} | {label} | {row['requests']}{note} | "
                f"{' | '.join(cells)} | {size} |"
            )
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ack_latency", description=__doc__)
    parser.add_argument("--n", type=int, default=300, help="requests per measurement (300)")
    parser.add_argument("--warmup", type=int, default=30, help="warm-up requests per kind (30)")
    parser.add_argument("--block", type=int, default=25, help="requests per interleaved block")
    parser.add_argument(
        "--pause-ms",
        type=float,
        default=50.0,
        help="think time after each request and its effect (50; 0 = back to back)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument(
        "--time-limit", type=float, default=900.0, help="stop measuring after this many s (900)"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="KEY",
        help="run only these targets besides trainbot (bolt-default, bolt-before-response, "
        "plain-wsgi); trainbot always runs, its modal is what the clicks act on",
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="print where the server logs are and keep them"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.block < 1 or args.warmup < 0 or args.pause_ms < 0:
        parser.error("--n and --block must be at least 1, --warmup and --pause-ms not negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    all_targets = [
        t
        for t in targets(args.workers, args.threads)
        if not args.only or t.key in (*args.only, "trainbot")
    ]
    stop_on_signals()
    deadline = Deadline(args.time_limit)
    info = machine_info()
    with contextlib.ExitStack() as stack:
        workdir = bench_workdir(stack, keep=args.keep_logs)
        fake = StampedFakeSlack(team_id=TEAM_ID, bot_token=BOT_TOKEN)
        stack.enter_context(fake)  # started now, stopped after the servers
        fake.add_user(CLICKER, "amy", real_name="Amy Learner", tz="Europe/Berlin")
        fake.add_user(COMMANDER, "bob", real_name="Bob Learner", tz="Asia/Tokyo")
        fake.add_channel("C0GENERAL1", "general", members=[CLICKER, COMMANDER])
        env = server_env(fake, f"sqlite:///{workdir / 'trainbot.sqlite3'}")
        catalog = import_starter_catalog(env, workdir)
        print(f"starter catalog: {catalog}", file=sys.stderr)

        say = functools.partial(print, file=sys.stderr)
        clients = start_clients(
            stack, all_targets, env, workdir, fake, timeout=REQUEST_TIMEOUT_S, say=say
        )
        if args.keep_logs:
            print(f"server logs in {workdir}", file=sys.stderr)

        view_id = open_clicker_modal(fake, clients["trainbot"])
        bench = Bench(fake, view_id, args.pause_ms / 1000)
        kinds = ("command", "click")
        warmup = max(1, args.warmup)
        run_blocks(kinds, clients, all_targets, bench, warmup, warmup, deadline)
        bench.clear_effects()
        print(f"warmed up; measuring {args.n} of each", file=sys.stderr)
        results = run_blocks(kinds, clients, all_targets, bench, args.n, args.block, deadline)
        results.update(bench.effects)
        violations = list(fake.limit_violations)

    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    rows = {key: summary(series) for key, series in results.items()}
    report = {
        "benchmark": "ack_latency",
        "machine": info,
        "settings": {
            "n": args.n,
            "warmup": args.warmup,
            "block": args.block,
            "pause_ms": args.pause_ms,
            "workers": args.workers,
            "threads": args.threads,
            "worker_class": "gthread",
            "filter_values": list(FILTER_VALUES),
            "clock": (
                "time.perf_counter: acks around the HTTP exchange in the client; effects from "
                "the send to the stand-in's stamp after it recorded the call"
            ),
        },
        "catalog_import": catalog,
        "stand_in_limit_violations": violations,
        "targets": {t.key: t.label for t in all_targets},
        "results": [
            {"target": target, "measurement": measurement, **row}
            for (target, measurement), row in sorted(rows.items())
        ],
    }
    write_results(args.json, report)
    print(
        f"{info['date']}, nproc {info['nproc']}, Python {info['python']}, "
        f"{args.workers} workers x {args.threads} threads (gthread), N={args.n}\n"
    )
    print(table(rows, all_targets))
    print(f"\nJSON: {args.json}", file=sys.stderr)
    failed = any(series.failures for series in results.values())
    return 1 if violations or failed else 0


if __name__ == "__main__":
    run_main(main, "interrupted; servers stopped")

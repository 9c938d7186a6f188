"""`python -m bench.export_memory`: the progress CSV of a million assignments, and the memory
it takes.

Issue 16: "the CSV export of a million rows streamed with flat memory (under 100 MB RSS for
the whole export)". Seeds one workspace on PostgreSQL as `assign_scale` does (COPY), then
runs `trainbot report export --workspace TEAM_ID` (the same ProgressService.export that
Slack's *Export CSV* runs: there into a file on disk, then sent from disk in blocks by
bot/uploads.py) as a child process writing to a file, which reports its own peak RSS
(VmHWM) as it exits. The same command for a person with no assignments (0 rows) is the
floor: the interpreter, the app's imports and a database connection. The export's own
memory is the difference.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import servers
from bench.assign_scale.database import DEFAULT_URL, bench_database
from bench.assign_scale.report import source_state
from bench.assign_scale.seed import seed
from bench.timing import machine_info, progress, write_results
from bot import db

DEFAULT_JSON = servers.ROOT / "bench" / "results" / "export_memory.json"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.export_memory", description=__doc__)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    )
    parser.add_argument("--db-name", default="trainbot_export_bench")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--resources", type=int, default=50_000)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--assignments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="exports timed (3)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    return parser.parse_args(argv)


# The CLI, run so that it reports its own peak RSS as it exits: VmHWM, which starts afresh
# at exec (the kernel's ru_maxrss would count the benchmark's own memory, forked before it).
WRAPPER = """
import runpy, sys
sys.argv = ["bot", *sys.argv[1:]]
try:
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
finally:
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM"))
    print("peak-kb", peak.split()[1], file=sys.stderr)
"""


def export(env: dict[str, str], into: Path, *extra: str) -> tuple[float, int]:
    """(seconds, peak RSS in MB) of one `trainbot report export` writing into `into`."""
    command = [sys.executable, "-c", WRAPPER, "report", "export", "--workspace", servers.TEAM_ID]
    started = time.perf_counter()
    with into.open("wb") as out:
        done = subprocess.run([*command, *extra], env=env, stdout=out, stderr=subprocess.PIPE,
                              check=False, timeout=3600)  # fmt: skip
    seconds = time.perf_counter() - started
    said = done.stderr.decode()
    if done.returncode != 0:
        raise RuntimeError(f"export failed: {said}")
    return seconds, int(said.split("peak-kb")[-1].split()[0]) // 1024


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    servers.stop_on_signals()
    info: dict[str, Any] = {**machine_info(), "source": source_state()}
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(bench_database(args.database_url, args.db_name, args.keep_db))
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        progress(f"seeding {args.assignments:,} assignments")
        seeded = seed(url, resources=args.resources, members=args.members,
                      assignments=args.assignments, fresh=0, now=datetime.now(UTC))  # fmt: skip
        progress(f"seeded {seeded.counts} in {sum(seeded.seconds.values()):.0f} s")
        env = {**os.environ, "PYTHONPATH": str(servers.ROOT), "DATABASE_URL": url}
        floor = export(env, folder / "none.csv", "--person", "U0NOBODY00")
        runs = [export(env, folder / "all.csv") for _ in range(args.runs)]
        rows = sum(1 for _ in (folder / "all.csv").open("rb")) - 1
        size_mb = (folder / "all.csv").stat().st_size / 1e6
    seconds = sorted(s for s, _ in runs)[len(runs) // 2]
    peak = sorted(m for _, m in runs)[len(runs) // 2]
    print(
        f"{rows:,} rows, {size_mb:.1f} MB of CSV: {seconds:.1f} s, peak RSS {peak} MB (medians "
        f"of {len(runs)}); 0 rows: {floor[1]} MB; the export's own: {peak - floor[1]} MB"
    )
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    write_results(args.json, {
        "machine": info, "rows": rows, "csv_mb": round(size_mb, 1), "floor_rss_mb": floor[1],
        "runs": [{"seconds": round(s, 2), "peak_rss_mb": m} for s, m in runs],
        "counts": seeded.counts,
    })  # fmt: skip
    return 0


if __name__ == "__main__":
    servers.run_main(main, "interrupted; database dropped")

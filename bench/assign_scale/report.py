"""The results of a run: Markdown tables on stdout, the JSON file, and the exit status.

The JSON keeps the shape of bench/results/assign_scale.json, which earlier runs wrote.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.assign_scale.interactions import KINDS, TYPED
from bench.assign_scale.seed import Seeded
from bench.servers import ROOT, Target
from bench.timing import Series, summary, write_results

LABELS = {
    "command": "`/assign @person pro git`",
    "typeahead": "typeahead (block_suggestion)",
    "submission": "Assign (view_submission)",
    "complete": "Mark complete (DM button)",
    "home": "App Home opened (event)",
}
EFFECTS = {
    "command": "views.open answered",
    "submission": "every DM and the confirmation posted",
    "complete": "DM updated and Home published",
    "home": "Home published (My learning, recommendations)",
}
BARE = "bolt-before-response"  # the ratio is against the bare app in Trainbot's own mode


@dataclass
class Run:
    """What main gathered: the options, the machine, the data, and every measurement."""

    args: argparse.Namespace
    info: dict[str, Any]
    database: str
    data: Seeded
    catalog: str
    all_targets: Sequence[Target]
    results: Mapping[tuple[str, str], Series]
    effects: Mapping[str, Series]
    statements: dict[str, Any]
    violations: list[Any]


def finish(run: Run) -> int:
    """Write the JSON, print the tables; 1 if a request failed or a payload broke a limit."""
    args, info, data, database = run.args, run.info, run.data, run.database
    rows = {key: summary(series) for key, series in run.results.items()}
    effect_rows = {kind: summary(series) for kind, series in run.effects.items()}
    write_results(args.json, result_json(run, rows, effect_rows))
    print(
        f"{info['date']}, nproc {info['nproc']}, {info['cpu']}, Python {info['python']}, "
        f"{database}, {args.workers} workers x {args.threads} threads "
        f"(gthread), N={args.n}, {data.counts['training_resources']} resources, "
        f"{data.counts['members']} members, {data.counts['resource_assignments']} assignments\n"
    )
    print(tables(rows, effect_rows, run.statements, run.all_targets))
    print(f"\nJSON: {args.json}", file=sys.stderr)
    failed = any(s.failures for s in [*run.results.values(), *run.effects.values()])
    return 1 if run.violations or failed else 0


def result_json(
    run: Run,
    rows: Mapping[tuple[str, str], dict[str, Any]],
    effect_rows: Mapping[str, dict[str, Any]],
) -> dict[str, Any]:
    """The JSON result, key by key in the order earlier runs wrote it."""
    args, data = run.args, run.data
    return {
        "benchmark": "assign_scale",
        "machine": run.info,
        "settings": {
            "n": args.n,
            "warmup": args.warmup,
            "block": args.block,
            "pause_ms": args.pause_ms,
            "people_per_submission": args.people,
            "workers": args.workers,
            "threads": args.threads,
            "worker_class": "gthread",
            "send_per_minute": args.send_per_minute,
            "typed": list(TYPED),
            "database": run.database,
            "ratio_against": BARE,
        },
        "data": {"rows": data.counts, "seed_seconds": data.seconds, "catalog_import": run.catalog},
        "stand_in_limit_violations": run.violations,
        "targets": {t.key: t.label for t in run.all_targets},
        "results": [
            {"target": target, "measurement": kind, **row}
            for (target, kind), row in sorted(rows.items())
        ],
        "effects": [{"target": "trainbot", "measurement": k, **v} for k, v in effect_rows.items()],
        "ratios": ratios(rows),
        "statements": {
            "how": "in-process app (build_app + make_wsgi_app) on the same database, "
            "before_cursor_execute on its engine; request thread = in the ack, "
            "after-ack executor threads = after the ack",
            "per_interaction": run.statements,
        },
    }


def ratios(rows: Mapping[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Trainbot's median and p99 over the bare app's, per interaction measured on both."""
    return {
        kind: {
            p: round(rows[("trainbot", kind)][p] / rows[(BARE, kind)][p], 3)
            for p in ("median_ms", "p99_ms")
            if p in rows.get(("trainbot", kind), {}) and p in rows.get((BARE, kind), {})
        }
        for kind in KINDS
        if ("trainbot", kind) in rows and (BARE, kind) in rows
    }


def _ms(row: Mapping[str, Any] | None, key: str) -> str:
    """A figure in ms with two decimals, or "-" where it was not measured."""
    value = (row or {}).get(key)
    return f"{value:.2f}" if isinstance(value, float) else "-"


def tables(
    rows: Mapping[tuple[str, str], dict[str, Any]],
    effects: Mapping[str, dict[str, Any]],
    statements: Mapping[str, Any],
    all_targets: Sequence[Target],
) -> str:
    """The acks next to the other targets', with ratios and statements; Trainbot's effects."""
    keys = [t.key for t in all_targets]
    head = ["| interaction | requests | Trainbot median ms | p99 ms |"]
    line = ["| --- | ---: | ---: | ---: |"]
    for key in keys[1:]:
        head.append(f" {key} median | p99 |")
        line.append(" ---: | ---: |")
    head.append(f" ratio median (vs {BARE}) | ratio p99 | statements (in ack + after) |")
    line.append(" ---: | ---: | --- |")
    out = ["".join(head), "".join(line)]
    for kind in KINDS:
        trainbot = rows.get(("trainbot", kind))
        cells = [LABELS[kind], str((trainbot or {}).get("requests", 0))]
        cells += [_ms(trainbot, "median_ms"), _ms(trainbot, "p99_ms")]
        for key in keys[1:]:
            cells += [_ms(rows.get((key, kind)), "median_ms"), _ms(rows.get((key, kind)), "p99_ms")]
        bare = rows.get((BARE, kind))
        for p in ("median_ms", "p99_ms"):
            a, b = (trainbot or {}).get(p), (bare or {}).get(p)
            cells.append(f"{a / b:.2f}x" if a and b else "-")
        counted = statements.get(kind)
        cells.append(
            f"{_spread(counted['in_ack'])} + {_spread(counted['after_ack'])}" if counted else "-"
        )
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "| Trainbot effect | requests | median ms | p90 ms | p99 ms |",
            "| --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for kind, what in EFFECTS.items():
        row = effects.get(kind)
        if row:
            out.append(
                f"| {LABELS[kind]}: {what} | {row['requests']} | {_ms(row, 'median_ms')} | "
                f"{_ms(row, 'p90_ms')} | {_ms(row, 'p99_ms')} |"
            )
    return "\n".join(out)


def _spread(values: Sequence[int]) -> str:
    """One count, or its range where the counted runs differed."""
    return str(values[0]) if len(set(values)) == 1 else f"{min(values)}-{max(values)}"


def source_state() -> dict[str, Any]:
    """The commit measured, and whether the work tree had changes on top of it."""
    state: dict[str, Any] = {}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "-C", str(ROOT)]
        state["commit"] = subprocess.run(
            [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            [*git, "status", "--porcelain"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        state["uncommitted_changes"] = sorted(line[3:] for line in changed)
    return state

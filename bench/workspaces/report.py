"""The results of a run: Markdown tables on stdout, the JSON file, and the exit status.

Each run's samples are pooled for the medians and p99s; the per-run medians are shown too,
so the spread between runs can be seen. Cells are formatted as in assign_scale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.assign_scale.report import BARE, _ms, _spread
from bench.servers import Target
from bench.timing import Series, summary, write_results
from bench.workspaces.interactions import KINDS
from bench.workspaces.seed import Workspaces

LABELS = {
    "complete": "Mark complete, workspace asked again within seconds",
    "first": "Mark complete, first request from its workspace",
}


@dataclass
class RunResult:
    """One run: fresh servers, every kind timed."""

    results: dict[tuple[str, str], Series]
    effects: dict[str, Series]
    auth_tests: dict[str, list[int]]
    load: dict[str, list[float]]  # the load average when it started and ended


@dataclass
class Report:
    args: argparse.Namespace
    info: dict[str, Any]
    database: str
    data: Workspaces
    all_targets: Sequence[Target]
    runs: list[RunResult]
    statements: dict[str, Any]
    violations: list[Any]
    wrong_tokens: list[str]


def pooled(series: Sequence[Series]) -> Series:
    """Every run's samples and failures in one series."""
    out = Series()
    for s in series:
        out.samples += s.samples
        out.failures += s.failures
        out.body_bytes += s.body_bytes
        out.truncated = out.truncated or s.truncated
    return out


def finish(report: Report) -> int:
    """Write the JSON, print the tables; 1 if a request failed, a payload broke a limit, or a
    call used another workspace's token."""
    args, info, counts = report.args, report.info, report.data.counts
    keys = {k for run in report.runs for k in run.results}
    rows = {k: summary(pooled([run.results[k] for run in report.runs if k in run.results]))
            for k in keys}  # fmt: skip
    effects = {kind: summary(pooled([r.effects[kind] for r in report.runs if kind in r.effects]))
               for kind in KINDS}  # fmt: skip
    auth = {kind: [n for r in report.runs for n in r.auth_tests.get(kind, [])] for kind in KINDS}
    write_results(args.json, {
        "benchmark": "workspaces", "machine": info,
        "settings": {k: v for k, v in vars(args).items() if k != "json"}
        | {"database": report.database, "worker_class": "gthread", "ratio_against": BARE},
        "data": {"rows": counts, "seed_seconds": report.data.seconds},
        "stand_in_limit_violations": report.violations, "wrong_tokens": report.wrong_tokens,
        "targets": {t.key: t.label for t in report.all_targets},
        "pooled": [{"target": t, "measurement": k, **row} for (t, k), row in sorted(rows.items())],
        "effects": [{"target": "trainbot", "measurement": k, **v} for k, v in effects.items()],
        "auth_test_calls_per_request": {k: _mean(v) for k, v in auth.items()},
        "runs": [{
            "load_average": run.load,
            "results": [{"target": t, "measurement": k, **summary(s)}
                        for (t, k), s in sorted(run.results.items())],
            "effects": {k: summary(s) for k, s in run.effects.items()},
        } for run in report.runs],
        "statements": {
            "how": "in-process app (build_app + make_wsgi_app, many-workspace mode) on the same "
            "database, before_cursor_execute on its engine; request thread = in the ack, "
            "after-ack executor threads = after the ack",
            "per_kind": report.statements,
        },
    })  # fmt: skip
    loads = [x for run in report.runs for pair in run.load.values() for x in pair[:1]]
    print(
        f"{info['date']}, commit {info['source'].get('commit', '?')[:7]}, nproc {info['nproc']}, "
        f"{info['cpu']}, Python {info['python']}, {report.database}, {args.workers} workers x "
        f"{args.threads} threads (gthread), {args.runs} runs x N={args.n}, "
        f"{counts['slack_installations']} installed workspaces ({counts['members']} members, "
        f"{counts['training_resources']} resources, {counts['resource_assignments']} "
        f"assignments), load average (1 min) {min(loads):.2f} to {max(loads):.2f}\n"
    )
    print(tables(rows, effects, auth, report))
    print(f"\nJSON: {args.json}", file=sys.stderr)
    failed = any(s.failures for run in report.runs
                 for s in [*run.results.values(), *run.effects.values()])  # fmt: skip
    return 1 if report.violations or report.wrong_tokens or failed else 0


def tables(
    rows: Mapping[tuple[str, str], dict[str, Any]],
    effects: Mapping[str, dict[str, Any]],
    auth: Mapping[str, list[int]],
    report: Report,
) -> str:
    keys = [t.key for t in report.all_targets][1:]
    head = "| interaction | requests | Trainbot median ms | p99 ms |" + "".join(
        f" {k} median | p99 |" for k in keys
    ) + f" ratio median (vs {BARE}) | ratio p99 | auth.test per request | statements in ack + " \
        "after (installation tables) |"  # fmt: skip
    out = [head, "| --- | ---: | ---: | ---: |" + " ---: | ---: |" * len(keys)
           + " ---: | ---: | ---: | --- |"]  # fmt: skip
    for kind in KINDS:
        ours = rows.get(("trainbot", kind)) or {}
        cells = [LABELS[kind], str(ours.get("requests", 0)), _ms(ours, "median_ms"),
                 _ms(ours, "p99_ms")]  # fmt: skip
        for key in keys:
            cells += [_ms(rows.get((key, kind)), "median_ms"), _ms(rows.get((key, kind)), "p99_ms")]
        bare = rows.get((BARE, kind)) or {}
        for p in ("median_ms", "p99_ms"):
            a, b = ours.get(p), bare.get(p)
            cells.append(f"{a / b:.2f}x" if a and b else "-")
        cells.append(f"{_mean(auth.get(kind, [])):.2f}")
        counted = report.statements.get(kind)
        cells.append(
            f"{_spread(counted['in_ack'])} + {_spread(counted['after_ack'])} "
            f"({_spread(counted['installation_tables'])})"
            if counted
            else "-"
        )
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "| Trainbot effect (DM updated and Home published) | requests | median ms | "
            "p90 ms | p99 ms |", "| --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for kind in KINDS:
        row = effects.get(kind) or {}
        out.append(f"| {LABELS[kind]} | {row.get('requests', 0)} | {_ms(row, 'median_ms')} | "
                   f"{_ms(row, 'p90_ms')} | {_ms(row, 'p99_ms')} |")  # fmt: skip
    out += ["", "| run | load at start | interaction | Trainbot ack median / p99 | "
            f"{BARE} median / p99 | effect median / p99 |",
            "| ---: | --- | --- | ---: | ---: | ---: |"]  # fmt: skip
    for i, run in enumerate(report.runs, 1):
        for kind in KINDS:
            ours, bare = (summary(run.results[(t, kind)]) if (t, kind) in run.results else {}
                          for t in ("trainbot", BARE))  # fmt: skip
            effect = summary(run.effects[kind]) if kind in run.effects else {}
            load = ", ".join(f"{x:.2f}" for x in run.load.get("start", []))
            out.append(f"| {i} | {load} | {kind} | {_ms(ours, 'median_ms')} / {_ms(ours, 'p99_ms')}"
                       f" | {_ms(bare, 'median_ms')} / {_ms(bare, 'p99_ms')} | "
                       f"{_ms(effect, 'median_ms')} / {_ms(effect, 'p99_ms')} |")  # fmt: skip
    return "\n".join(out)


def _mean(values: Sequence[int]) -> float:
    return sum(values) / len(values) if values else 0.0

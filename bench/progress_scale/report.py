"""The results of a run: Markdown tables on stdout, the JSON file, and the exit status.

Figures are summarised by bench/timing.py (`summary`), cells by bench/assign_scale/report.py
(`_ms`, `_spread`); what is new here is the layout: acks next to the bare app, effects
next to the statement counts at both data sizes, the slowest statements with their plans.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.assign_scale.report import BARE, _ms, _spread
from bench.progress_scale.interactions import KINDS
from bench.progress_scale.seed import ProgressData
from bench.servers import Target
from bench.timing import Series, percentile, summary, write_results

LABELS = {
    "group": "`/progress @big` (the user group)",
    "person": "`/progress @person`",
    "training": "`/progress words` (a training)",
    "team": "Team progress tab (manager)",
    "team_domain": "Team tab, domain filter (manager)",
    "team_admin": "Team progress tab (admin)",
    "team_lead": "Team progress tab (manager of a team)",
    "export": "Export CSV of @big",
}
EFFECTS = {
    "group": "report POSTed to response_url", "person": "report POSTed to response_url",
    "training": "report POSTed to response_url", "team": "views.publish recorded",
    "team_domain": "views.publish recorded", "team_admin": "views.publish recorded",
    "team_lead": "views.publish recorded",
    "export": "files.completeUploadExternal recorded",
}  # fmt: skip
PS = ("median_ms", "p99_ms")
PLAN_LINES = 14  # of each EXPLAIN shown on stdout (the JSON has them all)


@dataclass
class Run:
    """What main gathered: the options, the machine, the data, and every measurement."""

    args: argparse.Namespace
    info: dict[str, Any]
    database: str
    data: dict[int, ProgressData]  # by number of assignments
    all_targets: Sequence[Target]
    results: Mapping[tuple[str, str], Series]
    effects: Mapping[str, Series]
    stand_in: Mapping[str, Series]
    csv: dict[str, Any]
    statements: dict[int, dict[str, Any]]  # by number of assignments
    violations: list[Any]
    seconds: float


def finish(run: Run) -> int:
    """Write the JSON, print the tables; 1 if a request failed or a payload broke a limit."""
    rows = {key: summary(series) for key, series in run.results.items()}
    write_results(run.args.json, result_json(run, rows))
    info = run.info
    print(f"On {run.database} ({_where(run)}):")
    print(f"{info['date']}, nproc {info['nproc']}, {info['cpu']}, Python {info['python']}, "
          f"{run.database}, {run.args.workers} workers x {run.args.threads} threads (gthread), "
          f"N={run.args.n}, {run.seconds:.0f} s in all\n")  # fmt: skip
    print(tables(run, rows))
    print(f"\nJSON: {run.args.json}", file=sys.stderr)
    failed = any(s.failures for s in [*run.results.values(), *run.effects.values()])
    return 1 if run.violations or failed else 0


def _sqlite(run: Run) -> bool:
    return bool(getattr(run.args, "sqlite", False))


def _where(run: Run) -> str:
    """Where the databases were, in a few words."""
    if _sqlite(run):
        return "two SQLite files in the run's work folder, WAL, as bot/db.py opens them"
    return "two databases on the server of --database-url"


def _data(data: ProgressData) -> dict[str, Any]:
    return {
        "rows": data.base.counts, "covered": data.covered, "seed_seconds": data.seconds,
        "group_members": len(data.group), "training": list(data.training), "words": data.words,
        "catalog_import": data.catalog,
    }  # fmt: skip


def result_json(run: Run, rows: Mapping[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    """The JSON result: settings, data, every figure, statements at each size."""
    settings = {k: v for k, v in vars(run.args).items() if k not in ("database_url", "json")}
    effects = [
        {"target": "trainbot", "measurement": kind, "until": EFFECTS[kind], **summary(series),
         "stand_in_median_ms": _median(run.stand_in.get(kind))}
        for kind, series in run.effects.items()
    ]  # fmt: skip
    explained = ("EXPLAIN QUERY PLAN, then that statement run again, timed" if _sqlite(run)
                 else "EXPLAIN (ANALYZE, BUFFERS)")  # fmt: skip
    ratios = {
        kind: {p: round(rows[("trainbot", kind)][p] / rows[(BARE, kind)][p], 3) for p in PS}
        for kind in KINDS
        if _both(rows, kind)
    }
    return {
        "benchmark": "progress_scale",
        "machine": run.info,
        "seconds": round(run.seconds, 1),
        "database": run.database,
        "database_kind": "sqlite" if _sqlite(run) else "postgresql",
        "settings": settings | {"database": run.database, "ratio_against": BARE},
        "data": {str(n): _data(d) for n, d in run.data.items()},
        "stand_in_limit_violations": run.violations,
        "targets": {t.key: t.label for t in run.all_targets},
        "results": [{"target": t, "measurement": k, **row} for (t, k), row in sorted(rows.items())],
        "effects": effects,
        "ratios": ratios,
        "csv": run.csv,
        "statements": {
            "how": "in-process app (build_app + make_wsgi_app) on a database of each size, "
            "before_cursor_execute on its engine; request thread = in the ack, after-ack "
            "executor threads = after it; counted --count-repeats times after a warm-up; "
            f"the slowest statement's {explained}",
            "by_assignments": {str(n): run.statements[n] for n in sorted(run.statements)},
            "constant_across_sizes": constant(run.statements),
        },
    }


def constant(statements: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """Per interaction: whether every counted run at every size ran as many statements, and
    else which kinds of statement ran a different number of times at each size."""
    verdict: dict[str, Any] = {}
    for kind in (k for k in KINDS if statements and all(k in at for at in statements.values())):
        totals = {n: sorted(set(at[kind]["total"])) for n, at in statements.items()}
        runs = {n: _runs(at[kind]["by_statement"]) for n, at in statements.items()}
        named = {s for counted in runs.values() for s in counted}
        differing = {s for s in named if len({counted.get(s, 0) for counted in runs.values()}) > 1}
        verdict[kind] = {
            "constant": len({t for ts in totals.values() for t in ts}) == 1,
            "totals": {str(n): t for n, t in totals.items()},
            "differing": {s: {str(n): runs[n].get(s, 0) for n in runs} for s in sorted(differing)},
        }
    return verdict


def _runs(by_statement: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How often each kind of statement ran (its first 100 characters name it)."""
    return {row["statement"][:100]: int(row["count"]) for row in by_statement}


def _both(rows: Mapping[tuple[str, str], dict[str, Any]], kind: str) -> bool:
    return all("median_ms" in rows.get((t, kind), {}) for t in ("trainbot", BARE))


def _median(series: Series | None) -> float | None:
    return _mid(series.samples) if series and series.samples else None


def _mid(values: Sequence[float]) -> float:
    return round(percentile(sorted(values), 50), 3)


def tables(run: Run, rows: Mapping[tuple[str, str], dict[str, Any]]) -> str:
    """Acks with ratios; effects with statements at each size; the slowest statements."""
    others = [t.key for t in run.all_targets if t.key != "trainbot"]
    out = [
        "| interaction | requests | Trainbot median ms | p99 ms |"
        + "".join(f" {k} median | p99 |" for k in others)
        + f" ratio median (vs {BARE}) | ratio p99 |",
        "| --- | ---: | ---: | ---: |" + " ---: | ---: |" * len(others) + " ---: | ---: |",
    ]
    for kind in (k for k in KINDS if ("trainbot", k) in rows):
        mine = rows[("trainbot", kind)]
        cells = [LABELS[kind], str(mine["requests"]), _ms(mine, "median_ms"), _ms(mine, "p99_ms")]
        for key in others:
            cells += [_ms(rows.get((key, kind)), "median_ms"), _ms(rows.get((key, kind)), "p99_ms")]
        bare = rows.get((BARE, kind)) or {}
        cells += [f"{mine[p] / bare[p]:.2f}x" if _both(rows, kind) else "-" for p in PS]
        out.append("| " + " | ".join(cells) + " |")
    sizes = sorted(run.statements)
    out += [
        "",
        "| Trainbot effect | until | median ms | p90 ms | p99 ms | stand-in's share ms |"
        + "".join(
            f" statements in ack + after, {n:,} | in-process effect ms, {n:,} |" for n in sizes
        ),
        "| --- | --- | ---: | ---: | ---: | ---: |" + " ---: | ---: |" * len(sizes),
    ]
    for kind, series in run.effects.items():
        row = summary(series)
        cells = [LABELS[kind], EFFECTS[kind], _ms(row, "median_ms"), _ms(row, "p90_ms"),
                 _ms(row, "p99_ms"), f"{_median(run.stand_in.get(kind)) or 0:.2f}"]  # fmt: skip
        for n in sizes:
            counted = run.statements[n].get(kind)
            if counted is None:
                cells += ["-", "-"]
                continue
            cells.append(f"{_spread(counted['in_ack'])} + {_spread(counted['after_ack'])}")
            cells.append(f"{_mid(counted['effect_ms_in_process']):.1f}")
        out.append("| " + " | ".join(cells) + " |")
    for kind, found in constant(run.statements).items():
        for statement, counts in found["differing"].items():
            times = ", ".join(f"{c} at {int(n):,}" for n, c in counts.items())
            out.append(f"\n{LABELS[kind]}: `{statement[:80]}` ran {times} (the rest the same)")
    if run.csv:
        csv = run.csv
        out.append(f"\nExport CSV: {csv['bytes_median']:,} bytes, {csv['rows']:,} lines with the "
                   f"header (the database has {csv['rows_in_database'] - 1:,} rows)")  # fmt: skip
    explained = "EXPLAIN QUERY PLAN" if _sqlite(run) else "EXPLAIN ANALYZE"
    return "\n".join(out + slowest(run.statements.get(max(sizes)) if sizes else None, explained))


def slowest(found: Mapping[str, Any] | None, explained: str = "EXPLAIN ANALYZE") -> list[str]:
    """The slowest kinds of statement per interaction at the biggest size, and the plans."""
    if not found:
        return []
    out = ["", "| interaction | statement | count | ms |", "| --- | --- | ---: | ---: |"]
    for kind, counted in found.items():
        out += [f"| {LABELS[kind]} | `{row['statement'][:90]}` | {row['count']} | "
                f"{row['total_ms']:.1f} |" for row in counted["by_statement"][:2]]  # fmt: skip
    for kind, counted in found.items():
        if counted.get("explain_slowest"):
            out += ["", f"{explained}, slowest statement of {LABELS[kind]}:"]
            out += [f"    {line}" for line in counted["explain_slowest"][:PLAN_LINES]]
    return out

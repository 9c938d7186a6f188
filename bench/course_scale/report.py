"""The results of a run: Markdown tables on stdout, the JSON file, and the exit status.

Figures are summarised by bench/timing.py (`summary`), cells by bench/assign_scale/report.py
(`_ms`, `_spread`); the layout is progress_scale's: acks next to the bare app, effects
next to the statement counts at both sizes, then where the effect's time goes and the
slowest statements with a plan.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from bench.assign_scale.report import BARE, _ms, _spread
from bench.course_scale.interactions import EFFECTS, KINDS
from bench.course_scale.seed import CourseData
from bench.servers import Target
from bench.timing import Series, percentile, summary, write_results

LABELS = {
    "done": "Done on an item of a 20 x 15 course (in its modal)",
    "step": "Mark complete on step 1 of 3 of a path",
}
UNTIL = {
    "done_modal": "the modal's views.update answered",
    "done": "views.update, the DM's chat.update and Home's views.publish answered",
    "step_dm_updated": "step 1's DM updated (chat.update answered)",
    "step": "step 2's DM posted to the learner (chat.postMessage answered)",
}
PS = ("median_ms", "p99_ms")
PLAN_LINES = 16  # of each EXPLAIN shown on stdout (the JSON has them all)
SLOWEST = 6  # kinds of statement per click shown with their time at both sizes


@dataclass
class Run:
    """What main gathered: the options, the machine, the data, and every measurement."""

    args: argparse.Namespace
    info: dict[str, Any]
    database: str
    data: dict[str, CourseData]  # "small", "large"
    all_targets: Sequence[Target]
    results: Mapping[tuple[str, str], Series]
    effects: Mapping[str, Series]
    stand_in: Mapping[str, Series]
    request_bytes: dict[str, int]
    statements: dict[str, dict[str, Any]]  # "small", "large" -> kind -> counted
    violations: list[Any]
    seconds: dict[str, float]


def finish(run: Run) -> int:
    """Write the JSON, print the tables; 1 if a request failed or a payload broke a limit,
    or a click's statements were not the same at both sizes."""
    rows = {key: summary(series) for key, series in run.results.items()}
    write_results(run.args.json, result_json(run, rows))
    info = run.info
    print(f"{info['date']}, nproc {info['nproc']}, {info['cpu']}, Python {info['python']}, "
          f"{run.database}, {run.args.workers} workers x {run.args.threads} threads (gthread), "
          f"N={run.args.n}, load average {info['load_average_at_start']} at the start, "
          f"{info.get('load_average_at_end')} at the end, "
          f"{run.seconds['total']:.0f} s in all\n")  # fmt: skip
    print(tables(run, rows))
    print(f"\nJSON: {run.args.json}", file=sys.stderr)
    failed = any(s.failures for s in [*run.results.values(), *run.effects.values()])
    unequal = not all(v["constant"] for v in constant(run.statements).values())
    return 1 if run.violations or failed or unequal else 0


def _data(data: CourseData) -> dict[str, Any]:
    return {"rows": data.counts, "seed_seconds": data.seconds, "catalog_import": data.catalog,
            "course_id": data.course_id, "path_id": data.path_id}  # fmt: skip


def result_json(run: Run, rows: Mapping[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    """The JSON result: settings, data, every figure, statements at each size."""
    settings = {k: v for k, v in vars(run.args).items() if k not in ("database_url", "json")}
    effects = [
        {"target": "trainbot", "measurement": name, "until": UNTIL[name], **summary(series),
         "stand_in_median_ms": _median(run.stand_in.get(name))}
        for name, series in run.effects.items()
    ]  # fmt: skip
    ratios = {
        kind: {p: round(rows[("trainbot", kind)][p] / rows[(BARE, kind)][p], 3) for p in PS}
        for kind in KINDS
        if _both(rows, kind)
    }
    return {
        "benchmark": "course_scale",
        "machine": run.info,
        "seconds": {k: round(v, 1) for k, v in run.seconds.items()},
        "settings": settings | {"database": run.database, "ratio_against": BARE},
        "data": {size: _data(d) for size, d in run.data.items()},
        "stand_in_limit_violations": run.violations,
        "targets": {t.key: t.label for t in run.all_targets},
        "request_bytes": run.request_bytes,
        "results": [{"target": t, "measurement": k, **row} for (t, k), row in sorted(rows.items())],
        "effects": effects,
        "ratios": ratios,
        "statements": {
            "how": "in-process app (build_app + make_wsgi_app) on a database of each size, "
            "before_cursor_execute on its engine; request thread = in the ack, after-ack "
            "executor threads = after it; counted --count-repeats times after a warm-up, "
            "each click by a learner who had not clicked",
            "by_size": run.statements,
            "constant_across_sizes": constant(run.statements),
        },
        "breakdown": {size: breakdown(found) for size, found in run.statements.items()},
    }


def constant(statements: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Per kind: whether every counted click at every size ran as many statements, and which
    statements ran a different number of times at each size (from the last counted run)."""
    verdict: dict[str, Any] = {}
    for kind in (k for k in KINDS if statements and all(k in at for at in statements.values())):
        totals = {size: sorted(set(at[kind]["total"])) for size, at in statements.items()}
        runs = {size: Counter(at[kind]["runs"][-1]["statements_in_ack"]
                              + at[kind]["runs"][-1]["statements_after_ack"])
                for size, at in statements.items()}  # fmt: skip
        named = {s for counted in runs.values() for s in counted}
        differing = {s for s in named if len({counted.get(s, 0) for counted in runs.values()}) > 1}
        verdict[kind] = {
            "constant": len({t for ts in totals.values() for t in ts}) == 1,
            "totals": totals,
            "differing": {s: {size: runs[size].get(s, 0) for size in runs} for s in differing},
        }
    return verdict


def breakdown(found: Mapping[str, Any]) -> dict[str, Any]:
    """Per kind, the median over the counted clicks of each part of the in-process effect."""
    parts = (
        "ack_ms", "effect_ms", "without_stand_in_ms", "statement_ms", "checkouts_and_commits_ms",
        "slack_calls_ms_app_side",
        "stand_in_ms", "render_ms", "rest_ms", "transactions", "pool_checkouts", "renders",
        "slack_calls_app_side",
    )  # fmt: skip
    out: dict[str, Any] = {}
    for kind, counted in found.items():
        runs = counted["runs"]
        out[kind] = {p: round(median(r[p] for r in runs), 2) for p in parts}
        out[kind]["statements"] = round(median(r["in_ack"] + r["after_ack"] for r in runs), 1)
        out[kind]["slack_calls"] = runs[-1]["slack_calls"]
        out[kind]["rendered"] = runs[-1]["rendered"]
    return out


def _both(rows: Mapping[tuple[str, str], dict[str, Any]], kind: str) -> bool:
    return all("median_ms" in rows.get((t, kind), {}) for t in ("trainbot", BARE))


def _median(series: Series | None) -> float | None:
    return round(percentile(sorted(series.samples), 50), 3) if series and series.samples else None


def tables(run: Run, rows: Mapping[tuple[str, str], dict[str, Any]]) -> str:
    """Acks with ratios; effects with statements at each size; the breakdown; slowest."""
    others = [t.key for t in run.all_targets if t.key != "trainbot"]
    out = [
        "| interaction | requests | bytes | Trainbot median ms | p99 ms |"
        + "".join(f" {k} median | p99 |" for k in others)
        + f" ratio median (vs {BARE}) | ratio p99 |",
        "| --- | ---: | ---: | ---: | ---: |" + " ---: | ---: |" * len(others) + " ---: | ---: |",
    ]
    for kind in (k for k in KINDS if ("trainbot", k) in rows):
        mine = rows[("trainbot", kind)]
        cells = [LABELS[kind], str(mine["requests"]), f"{run.request_bytes.get(kind, 0):,}",
                 _ms(mine, "median_ms"), _ms(mine, "p99_ms")]  # fmt: skip
        for key in others:
            cells += [_ms(rows.get((key, kind)), "median_ms"), _ms(rows.get((key, kind)), "p99_ms")]
        bare = rows.get((BARE, kind)) or {}
        cells += [f"{mine[p] / bare[p]:.2f}x" if _both(rows, kind) else "-" for p in PS]
        out.append("| " + " | ".join(cells) + " |")
    sizes = list(run.statements)
    out += [
        "",
        "| Trainbot effect | until | requests | median ms | p90 ms | p99 ms | stand-in's share ms |"
        + "".join(f" statements in ack + after, {_size(run, s)} |" for s in sizes),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |" + " ---: |" * len(sizes),
    ]
    for kind in KINDS:
        for name, _ in EFFECTS[kind]:
            series = run.effects.get(name)
            if series is None:
                continue
            row = summary(series)
            cells = [f"{LABELS[kind]}", UNTIL[name], str(row["requests"]),
                     _ms(row, "median_ms"), _ms(row, "p90_ms"), _ms(row, "p99_ms"),
                     f"{_median(run.stand_in.get(kind)) or 0:.2f}"]  # fmt: skip
            for size in sizes:
                counted = run.statements[size].get(kind)
                cells.append(f"{_spread(counted['in_ack'])} + {_spread(counted['after_ack'])}"
                             if counted else "-")  # fmt: skip
            out.append("| " + " | ".join(cells) + " |")
    for kind, verdict in constant(run.statements).items():
        for statement, counts in verdict["differing"].items():
            times = ", ".join(f"{c} at {size}" for size, c in counts.items())
            out.append(f"\n{LABELS[kind]}: `{statement[:90]}` ran {times}")
        if not verdict["constant"]:
            out.append(f"\n**{LABELS[kind]}: statements not constant**: {verdict['totals']}")
    out += _breakdown_table(run)
    return "\n".join(out + slowest(run.statements))


def _size(run: Run, size: str) -> str:
    rows = run.data[size].counts
    return f"{rows['resource_assignments']:,} assignments"


def _breakdown_table(run: Run) -> list[str]:
    out = ["", "In process (the median of the counted clicks; Web API time is the app's side of "
           "each call, the stand-in's answer included):", "",
           "| click | size | ack ms | effect ms | without the stand-in | statements "
           "| in statements ms | transactions | checkouts and commits ms | Web API calls "
           "| their ms | of which the stand-in | templates rendered | render ms | the rest ms |",
           "| --- | --- |" + " ---: |" * 7 + " --- |" + " ---: |" * 5]  # fmt: skip
    for size, found in run.statements.items():
        for kind, b in breakdown(found).items():
            calls = ", ".join(f"{n} {m}" for m, n in b["slack_calls"].items())
            out.append(
                f"| {kind} | {_size(run, size)} | {b['ack_ms']:.1f} | {b['effect_ms']:.1f} | "
                f"{b['without_stand_in_ms']:.1f} | "
                f"{b['statements']:g} | {b['statement_ms']:.1f} | {b['transactions']:g} | "
                f"{b['checkouts_and_commits_ms']:.1f} | "
                f"{calls} | {b['slack_calls_ms_app_side']:.1f} | {b['stand_in_ms']:.1f} | "
                f"{b['renders']:g} | {b['render_ms']:.1f} | {b['rest_ms']:.1f} |"
            )
    return out


def slowest(statements: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The slowest kinds of statement per click at the large size, with their time at the
    small size (the last counted click at each), and the plans of the slowest SELECTs."""
    large = statements.get("large")
    if not large:
        return []
    small = statements.get("small") or {}
    out = ["", "| click | statement (the last counted click) | count | ms, large | ms, small |",
           "| --- | --- | ---: | ---: | ---: |"]  # fmt: skip
    for kind, counted in large.items():
        before = {r["statement"]: r for r in (small.get(kind) or {}).get("by_statement", [])}
        for row in counted["by_statement"][:SLOWEST]:
            was = before.get(row["statement"])
            out.append(f"| {kind} | `{row['statement'][:100]}` | {row['count']} | "
                       f"{row['total_ms']:.2f} | {was['total_ms'] if was else '-'} |")  # fmt: skip
    for kind, counted in large.items():
        for plan in counted.get("explained", []):
            out += ["", f"EXPLAIN ANALYZE ({kind}, {plan['ms']} ms at the driver): "
                    f"`{plan['statement'][:160]}`"]  # fmt: skip
            out += [f"    {line}" for line in plan["plan"][:PLAN_LINES]]
    return out

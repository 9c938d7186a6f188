"""The results of a run: Markdown tables on stdout, the JSON file, and the exit status.

course_scale's layout and helpers: figures summarised by bench/timing.py (`summary`),
cells by bench/assign_scale/report.py (`_ms`, `_spread`), the slowest statements with their
plans by course_scale's `slowest`. The acks come with the statements at both sizes (the
quiz's pages do their work in the ack), then Trainbot's effects, then where the time goes.
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
from bench.course_scale.report import PS, _median, slowest
from bench.quiz_scale.interactions import EFFECTS, KINDS
from bench.quiz_scale.seed import QuizData
from bench.servers import Target
from bench.timing import Series, summary, write_results

LABELS = {
    "take": "Take quiz on the DM (block_actions)",
    "next": "Next on page 1 of 2 (view_submission)",
    "submit": "Submit on page 2 of 2, passing (view_submission)",
}
ACK_CARRIES = {
    "take": "",
    "next": "page 2 (response_action update)",
    "submit": "the result (response_action update)",
}
UNTIL = {
    "take": "page 1's views.open answered",
    "submit_dm": "the DM's chat.update (Completed) answered",
    "submit": "the DM's chat.update and Home's views.publish answered",
}
PARTS = (
    "ack_ms", "effect_ms", "settled_ms", "without_stand_in_ms", "statement_ms",
    "checkouts_and_commits_ms", "slack_calls_ms_app_side", "stand_in_ms", "render_ms",
    "rest_ms", "transactions", "pool_checkouts", "renders", "slack_calls_app_side",
)  # fmt: skip


@dataclass
class Run:
    """What main gathered: the options, the machine, the data, and every measurement."""

    args: argparse.Namespace
    info: dict[str, Any]
    database: str
    data: dict[str, QuizData]  # "small", "large"
    all_targets: Sequence[Target]
    results: Mapping[tuple[str, str], Series]
    effects: Mapping[str, Series]
    stand_in: Mapping[str, Series]
    request_bytes: dict[str, int]
    answer_bytes: dict[str, int]
    statements: dict[str, dict[str, Any]]  # "small", "large" -> kind -> counted
    violations: list[Any]
    seconds: dict[str, float]


def finish(run: Run) -> int:
    """Write the JSON, print the tables; 1 if a request failed or a payload broke a limit,
    or a request's statements were not the same at both sizes."""
    rows = {key: summary(series) for key, series in run.results.items()}
    write_results(run.args.json, result_json(run, rows))
    info = run.info
    print(f"{info['date']}, nproc {info['nproc']}, {info['cpu']}, Python {info['python']}, "
          f"{run.database}, {run.args.workers} workers x {run.args.threads} threads (gthread), "
          f"N={run.args.n}{' (--quick)' if run.args.quick else ''}, load average "
          f"{info['load_average_at_start']} at the start, {info.get('load_average_at_end')} "
          f"at the end, {run.seconds['total']:.0f} s in all\n")  # fmt: skip
    print(tables(run, rows))
    print(f"\nJSON: {run.args.json}", file=sys.stderr)
    failed = any(s.failures for s in [*run.results.values(), *run.effects.values()])
    unequal = not all(v["constant"] for v in constant(run.statements).values())
    return 1 if run.violations or failed or unequal else 0


def _data(data: QuizData) -> dict[str, Any]:
    return {"rows": data.counts, "seed_seconds": data.seconds, "catalog_import": data.catalog,
            "quiz_resource_id": data.resource_id, "quiz_id": data.quiz_id,
            "takers": len(data.takers)}  # fmt: skip


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
        "benchmark": "quiz_scale",
        "machine": run.info,
        "seconds": {k: round(v, 1) for k, v in run.seconds.items()},
        "settings": settings | {"database": run.database, "ratio_against": BARE},
        "data": {size: _data(d) for size, d in run.data.items()},
        "stand_in_limit_violations": run.violations,
        "targets": {t.key: t.label for t in run.all_targets},
        "request_bytes": run.request_bytes,
        "trainbot_answer_bytes": run.answer_bytes,
        "results": [{"target": t, "measurement": k, **row} for (t, k), row in sorted(rows.items())],
        "effects": effects,
        "ratios": ratios,
        "statements": {
            "how": "in-process app (build_app + make_wsgi_app) on a database of each size, "
            "before_cursor_execute on its engine; request thread = in the ack, after-ack "
            "executor threads = after it; counted --count-repeats times after a warm-up, "
            "each by a learner on their first attempt",
            "by_size": run.statements,
            "constant_across_sizes": constant(run.statements),
        },
        "breakdown": {size: breakdown(found) for size, found in run.statements.items()},
    }


def constant(statements: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Per kind: whether every counted request at every size ran as many statements, and
    which statements ran a different number of times at each size (the last counted run)."""
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
    """Per kind, the median over the counted requests of each part of the in-process work."""
    out: dict[str, Any] = {}
    for kind, counted in found.items():
        runs = counted["runs"]
        out[kind] = {p: round(median(r[p] for r in runs), 2) for p in PARTS}
        out[kind]["statements"] = round(median(r["in_ack"] + r["after_ack"] for r in runs), 1)
        out[kind]["slack_calls"] = runs[-1]["slack_calls"]
        out[kind]["rendered"] = runs[-1]["rendered"]
    return out


def _both(rows: Mapping[tuple[str, str], dict[str, Any]], kind: str) -> bool:
    return all("median_ms" in rows.get((t, kind), {}) for t in ("trainbot", BARE))


def _size(run: Run, size: str) -> str:
    return f"{run.data[size].counts['resource_assignments']:,} assignments"


def tables(run: Run, rows: Mapping[tuple[str, str], dict[str, Any]]) -> str:
    """Acks with ratios and statements at each size; effects; the breakdown; slowest."""
    others = [t.key for t in run.all_targets if t.key != "trainbot"]
    sizes = list(run.statements)
    out = [
        "| request | requests | bytes | Trainbot median ms | p99 ms |"
        + "".join(f" {k} median | p99 |" for k in others)
        + f" ratio median (vs {BARE}) | ratio p99 |"
        + "".join(f" statements in ack + after, {_size(run, s)} |" for s in sizes),
        "| --- | ---: | ---: | ---: | ---: |" + " ---: | ---: |" * (len(others) + 1)
        + " ---: |" * len(sizes),
    ]  # fmt: skip
    for kind in (k for k in KINDS if ("trainbot", k) in rows):
        mine = rows[("trainbot", kind)]
        cells = [LABELS[kind], str(mine["requests"]), f"{run.request_bytes.get(kind, 0):,}",
                 _ms(mine, "median_ms"), _ms(mine, "p99_ms")]  # fmt: skip
        for key in others:
            cells += [_ms(rows.get((key, kind)), "median_ms"), _ms(rows.get((key, kind)), "p99_ms")]
        bare = rows.get((BARE, kind)) or {}
        cells += [f"{mine[p] / bare[p]:.2f}x" if _both(rows, kind) else "-" for p in PS]
        for size in sizes:
            counted = run.statements[size].get(kind)
            cells.append(f"{_spread(counted['in_ack'])} + {_spread(counted['after_ack'])}"
                         if counted else "-")  # fmt: skip
        out.append("| " + " | ".join(cells) + " |")
    carried = [f"{LABELS[k]}: {ACK_CARRIES[k]}, {run.answer_bytes[k]:,} bytes"
               for k in KINDS if ACK_CARRIES[k] and k in run.answer_bytes]  # fmt: skip
    if carried:
        out += ["", "Trainbot's acks carry a view (median size): " + "; ".join(carried) + "."]
    out += [
        "",
        "| Trainbot effect | until | requests | median ms | p90 ms | p99 ms | stand-in's share |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in KINDS:
        for name, _ in EFFECTS[kind]:
            series = run.effects.get(name)
            if series is None:
                continue
            row = summary(series)
            share = _median(run.stand_in.get(kind)) if name == kind else None
            cells = [LABELS[kind], UNTIL[name], str(row["requests"]), _ms(row, "median_ms"),
                     _ms(row, "p90_ms"), _ms(row, "p99_ms"),
                     f"{share:.2f}" if share is not None else ""]  # fmt: skip
            out.append("| " + " | ".join(cells) + " |")
    for kind, verdict in constant(run.statements).items():
        for statement, counts in verdict["differing"].items():
            times = ", ".join(f"{c} at {size}" for size, c in counts.items())
            out.append(f"\n{LABELS[kind]}: `{statement[:90]}` ran {times}")
        if not verdict["constant"]:
            out.append(f"\n**{LABELS[kind]}: statements not constant**: {verdict['totals']}")
    out += _breakdown_table(run)
    return "\n".join(out + slowest(run.statements))


def _breakdown_table(run: Run) -> list[str]:
    out = ["", "In process (the median of the counted requests; \"done\" is until the work after "
           "the ack finished, the ack where there is none; Web API time is the app's side of "
           "each call, the stand-in's answer included; the rest is Python):", "",
           "| request | size | ack ms | effect ms | done ms | without the stand-in | statements "
           "| in statements ms | transactions | checkouts and commits ms | Web API calls "
           "| their ms | of which the stand-in | templates rendered | render ms | the rest ms |",
           "| --- | --- |" + " ---: |" * 8 + " --- |" + " ---: |" * 5]  # fmt: skip
    for size, found in run.statements.items():
        for kind, b in breakdown(found).items():
            calls = ", ".join(f"{n} {m}" for m, n in b["slack_calls"].items()) or "none"
            out.append(
                f"| {kind} | {_size(run, size)} | {b['ack_ms']:.1f} | {b['effect_ms']:.1f} | "
                f"{b['settled_ms']:.1f} | {b['without_stand_in_ms']:.1f} | "
                f"{b['statements']:g} | {b['statement_ms']:.1f} | {b['transactions']:g} | "
                f"{b['checkouts_and_commits_ms']:.1f} | "
                f"{calls} | {b['slack_calls_ms_app_side']:.1f} | {b['stand_in_ms']:.1f} | "
                f"{b['renders']:g} | {b['render_ms']:.1f} | {b['rest_ms']:.1f} |"
            )
    return out

"""The results of a run: Markdown tables on stdout, the JSON file, and the exit status."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from bench.digest_scale.world import MOMENT
from bench.timing import finish_run

SLOWEST = 5  # statements listed per subscription in the tables (all of them in the JSON)
EXPLAIN_LINES = 30  # of the plan, in the tables (all of it in the JSON)


@dataclass
class Size:
    """One database: its data and each subscription's summary (runs.summary)."""

    name: str  # "small" or "large"
    counts: dict[str, int]
    seed_seconds: float
    scopes: list[dict[str, Any]]
    chart_ms: float


@dataclass
class Result:
    args: argparse.Namespace
    info: dict[str, Any]  # the machine, the source, the time
    database: str
    sizes: list[Size]
    problems: list[str]
    seconds: float


def finish(result: Result) -> int:
    """Write the JSON, print the tables; 1 if a digest was wrong, doubled or missing."""
    text = headline(result) + "\n\n" + tables(result)
    return finish_run(result.args.json, as_json(result), text, result.problems)


def headline(result: Result) -> str:
    info = result.info
    sizes = "; ".join(
        f"{s.name}: {s.counts['resource_assignments']:,} assignments, {s.counts['members']:,} "
        f"members, {s.counts['training_resources']:,} resources" for s in result.sizes
    )  # fmt: skip
    return (
        f"{info['date']}, nproc {info['nproc']}, {info['cpu']}, Python {info['python']}, "
        f"{result.database}; digests due {MOMENT:%a %Y-%m-%d %H:%M} UTC; {sizes}; "
        f"run {result.seconds:.0f} s"
    )


def as_json(result: Result) -> dict[str, Any]:
    return {
        "benchmark": "digest_scale",
        "machine": result.info,
        "database": result.database,
        "settings": {k: str(v) if k == "json" else v for k, v in vars(result.args).items()},
        "target_ms": result.args.target_ms,
        "sizes": [s.__dict__ for s in result.sizes],
        "problems": result.problems,
        "seconds": round(result.seconds, 1),
    }


def _ms(value: Any) -> str:
    return "-" if value is None else f"{float(value):,.1f}"


def _counts(values: list[int] | None) -> str:
    return "-" if not values else " or ".join(str(v) for v in values)


def tables(result: Result) -> str:
    out = [
        "| data | scope | runs | first (cold) ms | median ms | p90 ms | p99 ms | max ms "
        "| statements | in statements ms | stand-in ms | figures checked |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for size in result.sizes:
        for s in size.scopes:
            stand_in = sum((s.get("stand_in_ms_median") or {}).values())
            ok = "agree" if not s["problems"] else f"{len(s['problems'])} problems"
            out.append(
                f"| {size.name} ({size.counts['resource_assignments']:,}) | {s['scope']} "
                f"| {s['runs']} | {_ms(s['cold_ms'])} | {_ms(s.get('median_ms'))} "
                f"| {_ms(s.get('p90_ms'))} | {_ms(s.get('p99_ms'))} | {_ms(s.get('max_ms'))} "
                f"| {_counts(s.get('statements'))} | {_ms(s.get('statement_ms_median'))} "
                f"| {stand_in:.1f} | {ok} |"
            )
    charts = ", ".join(f"{s.name} {s.chart_ms:.1f} ms" for s in result.sizes)
    out += ["", f"Drawing the chart alone (bot.charts, median of 3): {charts}.", ""]
    large = result.sizes[-1]
    out += [*_target(result), "", *_stand_in(large), "", *_slowest(large), ""]
    out += [*_figures(large), "", *_plans(large)]
    return "\n".join(out)


def _target(result: Result) -> list[str]:
    big = result.sizes[-1].scopes[0]
    if "median_ms" not in big:
        return ["Target: no timed run of the big channel."]
    target = result.args.target_ms
    held = "holds" if big["p99_ms"] <= target else "does not hold"
    return [
        f"Target (issue 16): the digest of the {big['scope']} posted within {target:,} ms: "
        f"{held} on this data ({big['runs']} runs: median {big['median_ms']:,.1f} ms, "
        f"p99 {big['p99_ms']:,.1f} ms)."
    ]


def _stand_in(size: Size) -> list[str]:
    out = [f"The stand-in's own time per digest, by method ({size.name}; median ms):", "",
           "| scope | method | ms |", "| --- | --- | ---: |"]  # fmt: skip
    for s in size.scopes:
        for method, ms in (s.get("stand_in_ms_median") or {}).items():
            out.append(f"| {s['scope']} | {method} | {ms:,.2f} |")
    return out


def _slowest(size: Size) -> list[str]:
    out = [
        f"The slowest statements per digest ({size.name}):",
        "",
        "| scope | statement | per digest | parameters | median ms | max ms |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for s in size.scopes:
        for row in (s.get("by_statement") or [])[:SLOWEST]:
            text = row["statement"][:110].replace("|", "\\|")
            out.append(
                f"| {s['scope']} | `{text}` | {row['per_digest']:g} | {row['parameters']:,} "
                f"| {row['median_ms']:,.2f} | {row['max_ms']:,.2f} |"
            )
    return out


def _figures(size: Size) -> list[str]:
    out = [
        f"What was posted ({size.name}), each figure checked against the benchmark's own counts:",
        "",
        "| scope | total | rate % | change pts | completed this week | in progress | overdue "
        "| overdue listed | agrees |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for s in size.scopes:
        f = s["figures"]
        if not f:
            out.append(f"| {s['scope']} | - | - | - | - | - | - | - | nothing posted |")
            continue
        agrees = "yes" if not s["problems"] else "; ".join(s["problems"])[:200]
        out.append(
            f"| {s['scope']} | {f['total']:,} | {f['rate']} | {f['change']} "
            f"| {f['completed_this_week']:,} | {f['in_progress']:,} | {f['overdue_total']:,} "
            f"| {len(f['overdue'])} | {agrees} |"
        )
    return out


def _plans(size: Size) -> list[str]:
    out: list[str] = []
    for s in size.scopes:
        if s["explain"]:
            slowest = (s.get("by_statement") or [{}])[0].get("statement", "")[:100]
            out += [f"EXPLAIN (ANALYZE, BUFFERS) of the slowest statement, {s['scope']} "
                    f"({size.name}): `{slowest}`", "", "```",
                    *s["explain"][:EXPLAIN_LINES], "```", ""]  # fmt: skip
    return out

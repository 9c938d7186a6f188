"""The results: per size and per query class, the median across runs; the verdicts; JSON.

Each figure in the tables is the median, across the runs, of that run's statistic (a run's
p99 is the nearest-rank 99th percentile of its requests).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.search.data import CLASSES
from bench.search.database import Library
from bench.search.keystrokes import Measured
from bench.timing import summary

TARGET_MS = 20.0  # the p99
FLAT = 1.5  # "flat": the largest size's p99 (and median) at most this times the smallest's
STATS = ("median_ms", "p90_ms", "p99_ms", "max_ms")
BARE = "bolt-before-response"


@dataclass
class Cell:
    """One (database, size): the library and each run's figures."""

    library: Library
    runs: list[Measured] = field(default_factory=list)


def across(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The median across runs of each statistic; requests and failures summed."""
    out: dict[str, Any] = {
        "runs": len(rows),
        "requests": sum(r["requests"] for r in rows),
        "failures": sum(r["failures"] for r in rows),
    }
    for stat in STATS:
        values = [r[stat] for r in rows if stat in r]
        if values:
            out[stat] = round(statistics.median(values), 3)
            out[f"{stat}_runs"] = values
    return out


def aggregate(cell: Cell, target: str, kind: str | None = None) -> dict[str, Any]:
    if kind is None:
        rows = [summary(m.overall[target]) for m in cell.runs if target in m.overall]
    else:
        rows = [summary(m.by_class[(target, kind)]) for m in cell.runs
                if (target, kind) in m.by_class]  # fmt: skip
    return across(rows)


def verdicts(cells: Mapping[tuple[str, int], Cell]) -> dict[str, dict[str, Any]]:
    """Per database: p99 under TARGET_MS at every size, and flat from smallest to largest."""
    out: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(k for k, _ in cells):
        sizes = sorted(size for k, size in cells if k == kind)
        rows = {size: aggregate(cells[(kind, size)], "trainbot") for size in sizes}
        small, large = rows[sizes[0]], rows[sizes[-1]]
        p99_ratio = large["p99_ms"] / small["p99_ms"]
        median_ratio = large["median_ms"] / small["median_ms"]
        out[kind] = {
            "p99_ms_by_size": {size: rows[size]["p99_ms"] for size in sizes},
            "median_ms_by_size": {size: rows[size]["median_ms"] for size in sizes},
            "p99_under_target_at_every_size": all(r["p99_ms"] < TARGET_MS for r in rows.values()),
            "p99_ratio_largest_to_smallest": round(p99_ratio, 2),
            "median_ratio_largest_to_smallest": round(median_ratio, 2),
            "flat": p99_ratio <= FLAT and median_ratio <= FLAT,
        }
    return out


def _ms(row: Mapping[str, Any], stat: str) -> str:
    value = row.get(stat)
    return f"{value:.2f}" if isinstance(value, float | int) else "-"


def tables(cells: Mapping[tuple[str, int], Cell]) -> str:
    out = [
        "| database | resources | Trainbot median ms | p90 | p99 | max | bare Bolt median ms "
        "| p90 | p99 | max | p99 < 20 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for (kind, size), cell in cells.items():
        ours, bare = aggregate(cell, "trainbot"), aggregate(cell, BARE)
        cells_ = [_ms(ours, s) for s in STATS] + [_ms(bare, s) for s in STATS]
        ok = "yes" if ours.get("p99_ms", TARGET_MS) < TARGET_MS else "**no**"
        out.append(f"| {kind} | {size:,} | " + " | ".join(cells_) + f" | {ok} |")
    out += [
        "",
        "| database | resources | query class | Trainbot median ms | p90 | p99 | max "
        "| bare Bolt median ms | p99 | options |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (kind, size), cell in cells.items():
        for query in CLASSES:
            ours, bare = aggregate(cell, "trainbot", query), aggregate(cell, BARE, query)
            counts = [c for m in cell.runs for c in m.options.get(query, [])]
            shown = f"{min(counts)}-{max(counts)}" if counts else "-"
            out.append(
                f"| {kind} | {size:,} | {query} | "
                + " | ".join(_ms(ours, s) for s in STATS)
                + f" | {_ms(bare, 'median_ms')} | {_ms(bare, 'p99_ms')} | {shown} |"
            )
    out += [
        "",
        "| database | p99 ms by size | median ms by size | p99 largest/smallest "
        "| median largest/smallest | p99 < 20 ms everywhere | flat (both ≤ 1.5x) |",
        "| --- | --- | --- | ---: | ---: | --- | --- |",
    ]
    for kind, v in verdicts(cells).items():
        p99 = " / ".join(f"{x:.2f}" for x in v["p99_ms_by_size"].values())
        med = " / ".join(f"{x:.2f}" for x in v["median_ms_by_size"].values())
        out.append(
            f"| {kind} | {p99} | {med} | {v['p99_ratio_largest_to_smallest']:.2f}x | "
            f"{v['median_ratio_largest_to_smallest']:.2f}x | "
            f"{'yes' if v['p99_under_target_at_every_size'] else '**no**'} | "
            f"{'yes' if v['flat'] else '**no**'} |"
        )
    return "\n".join(out)


def result_json(
    cells: Mapping[tuple[str, int], Cell], info: Mapping[str, Any], settings: Mapping[str, Any]
) -> dict[str, Any]:
    results = []
    for (kind, size), cell in cells.items():
        lib = cell.library
        results.append(
            {
                "database": kind, "version": lib.version, "resources": size,
                "published": lib.visible, "seconds": lib.seconds,
                "targets": {t: aggregate(cell, t) for t in cell.runs[0].overall},
                "by_class": {
                    q: {t: aggregate(cell, t, q) for t in cell.runs[0].overall} for q in CLASSES
                },
                "options_by_class": {
                    q: sorted({c for m in cell.runs for c in m.options.get(q, [])})
                    for q in CLASSES
                },
                "each_run": [
                    {t: summary(s) for t, s in m.overall.items()} for m in cell.runs
                ],
            }
        )  # fmt: skip
    return {
        "benchmark": "search",
        "machine": dict(info),
        "settings": dict(settings),
        "results": results,
        "verdicts": verdicts(cells),
    }

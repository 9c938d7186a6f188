"""The results of a run: Markdown tables on stdout, the JSON file, and the exit status."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from bench.sweep_scale.measure import Measured
from bench.sweep_scale.seed import MOMENT, Seeded
from bench.timing import finish_run
from bot.services.reminders import PAGE

SLOWEST = 4  # statements listed per step in the tables (all of them in the JSON)
READ = (  # what the sweeps read (the planner's page queries), and what the old rule read
    "rows_read_by_the_sweep", "pages_read", "rows_read_a_minute_later",
    "pages_read_a_minute_later", "rows_the_old_rule_read", "rows_the_old_rule_read_a_minute_later",
)  # fmt: skip
EXPLAIN_LINES = 16  # of each plan, in the tables (all of it in the JSON)
EXPLAIN_WIDTH = 240  # characters of a line of a plan (a page's member ids run to thousands)


@dataclass
class Run:
    """One run: its options and machine, the data swept, the measurements, what went wrong."""

    args: argparse.Namespace
    data: Seeded
    sweeps: dict[str, Any]  # rows read, EXPLAIN, and the three planner runs ("steps")
    delivery: Measured | None  # None: --plan-only (so are the next two)
    delivery_stand_in: dict[str, Any] | None  # what the stand-in spent answering deliver_pending
    floor: dict[str, Any] | None
    info: dict[str, Any]  # the machine, the source, the time
    database: str
    problems: list[str]
    seconds: float


def finish(run: Run) -> int:
    """Write the JSON, print the tables; 1 if anything owed was not sent as it should be."""
    text = headline(run) + "\n\n" + tables(run)
    return finish_run(run.args.json, result_json(run), text, run.problems)


def headline(run: Run) -> str:
    info, data = run.info, run.data
    return (
        f"{info['date']}, nproc {info['nproc']}, {info['cpu']}, Python {info['python']}, "
        f"{run.database}; {data.counts['resource_assignments']:,} assignments, "
        f"{data.counts['members']:,} members, {data.due:,} due at {MOMENT:%a %Y-%m-%d %H:%M} UTC "
        f"({len(data.due_people):,} people), {data.waiting:,} due later today; "
        f"run {run.seconds:.0f} s" + ("; plan only, delivery skipped" if run.args.plan_only else "")
    )


def per_message(run: Run) -> dict[str, Any]:
    """deliver_pending's cost per reminder sent, beside the stand-in's floor."""
    assert run.delivery is not None and run.floor is not None  # not with --plan-only
    sent = max(1, run.delivery.result)
    ms = run.delivery.seconds * 1000 / sent
    floor_ms = float(run.floor["ms_per_post"])
    return {
        "messages": run.delivery.result,
        "ms_per_message": round(ms, 3),
        "messages_per_second": round(sent / run.delivery.seconds, 1),
        "floor_ms_per_post": floor_ms,
        "floor_posts_per_second": run.floor["posts_per_second"],
        "ratio_to_floor": round(ms / floor_ms, 2) if floor_ms else None,
        "ms_above_floor": round(ms - floor_ms, 3),
        **run.delivery.tally.summary(sent)["per_message"],
    }


def result_json(run: Run) -> dict[str, Any]:
    args, data = run.args, run.data
    steps: list[Measured] = run.sweeps["steps"]
    return {
        "benchmark": "sweep_scale",
        "machine": run.info,
        "settings": {
            "database": run.database,
            "moment": MOMENT.isoformat(),
            "send_per_minute": args.send_per_minute,
            "plan_only": args.plan_only,
            "page": PAGE,
            "sizes": {
                k: getattr(args, k)
                for k in ("assignments", "due", "waiting", "members", "resources")
            },
        },
        "data": {
            "rows": data.counts,
            "seed_seconds": data.seconds,
            "due_assignments": data.due,
            "due_people": len(data.due_people),
            "due_later_today": data.waiting,
            **{key: run.sweeps[key] for key in READ},
        },
        "sweeps": [step.summary() for step in steps],
        "explain_page_query": run.sweeps["explain_page_query"],
        "explain_people_query": run.sweeps["explain_people_query"],
        **sending_json(run),
        "problems": run.problems,
        "run_seconds": round(run.seconds, 1),
    }


def sending_json(run: Run) -> dict[str, Any]:
    """The delivery and the floor; with --plan-only, that they were skipped and the
    outbox's reminder rows as checked instead."""
    if run.delivery is None:
        return {
            "skipped": ["deliver_pending", "floor"],
            "reminders_in_outbox": run.sweeps["reminders_in_outbox"],
        }
    return {
        "delivery": run.delivery.summary(max(1, run.delivery.result)),
        "delivery_stand_in": run.delivery_stand_in,
        "floor": run.floor,
        "per_message": per_message(run),
    }


def _mb(memory: dict[str, float], key: str) -> str:
    return f"{memory[key]:.1f}" if key in memory else "-"


def tables(run: Run) -> str:
    steps: list[Measured] = [
        *run.sweeps["steps"],
        *([run.delivery] if run.delivery is not None else []),
    ]
    out = [
        "| step | owed / sent | seconds | statements | executemany sets | commits | "
        "pool checkouts | statement ms | RSS MB before -> after | max RSS delta MB | "
        "tracemalloc peak MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in steps:
        t, m = step.tally.summary(), step.memory
        out.append(
            f"| {step.name} | {step.result:,} | {step.seconds:.2f} | {t['statements']:,} | "
            f"{t['executemany_parameter_sets']:,} | {t['commits']:,} | {t['pool_checkouts']:,} | "
            f"{t['statement_ms']:,.0f} | {_mb(m, 'rss_before')} -> {_mb(m, 'rss_after')} | "
            f"{_mb(m, 'max_rss_delta')} | {_mb(m, 'tracemalloc_peak')} |"
        )
    s = run.sweeps
    out += [
        "",
        f"Rows read (the page queries' rows): {s['rows_read_by_the_sweep']:,} by the sweep "
        f"({s['pages_read']:,} pages), {s['rows_read_a_minute_later']:,} a minute later "
        f"({s['pages_read_a_minute_later']:,} pages). The old rule (due somewhere on Earth) "
        f"read {s['rows_the_old_rule_read']:,} and "
        f"{s['rows_the_old_rule_read_a_minute_later']:,}.",
        "", *sending_table(run), "", *statements_table(steps),
    ]  # fmt: skip
    explained = {
        "people due": s["explain_people_query"],
        "page of due rows": s["explain_page_query"],
    }
    for what, plans in explained.items():
        for which, lines in plans.items():
            timing = [line.strip() for line in lines if "Execution Time" in line]
            out += ["", f"EXPLAIN ANALYZE, {which} {what} query ({', '.join(timing)}):"]
            out += [f"    {line[:EXPLAIN_WIDTH]}" for line in lines[:EXPLAIN_LINES]]
    return "\n".join(out)


def sending_table(run: Run) -> list[str]:
    """deliver_pending per reminder beside the floor; with --plan-only, that they were
    skipped, and what the outbox holds."""
    if run.delivery is None or run.floor is None or run.delivery_stand_in is None:
        found = run.sweeps["reminders_in_outbox"]
        return [
            "deliver_pending and the floor were skipped (--plan-only). The outbox's reminder "
            f"rows (the replay's): {found['people_owed']:,} people owed, "
            f"{found['owed_more_than_one']:,} of them more than one, "
            f"{found['due_but_owed_none']:,} due but owed none, "
            f"{found['owed_but_not_due']:,} owed but not due."
        ]
    p = per_message(run)
    return [
        "| per reminder | ms | messages/s | statements | commits | pool checkouts | "
        "round trips (est.) | statement ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| deliver_pending | {p['ms_per_message']:.2f} | {p['messages_per_second']:,.0f} | "
        f"{p['statements']:.2f} | {p['commits']:.2f} | {p['pool_checkouts']:.2f} | "
        f"{p['round_trips_estimated']:.2f} | {p['statement_ms']:.2f} |",
        f"| floor: bare chat.postMessage (median of {len(run.floor['rounds'])} rounds: "
        f"{', '.join(str(r['ms_per_post']) for r in run.floor['rounds'])} ms) | "
        f"{p['floor_ms_per_post']:.2f} | "
        f"{run.floor['posts_per_second']:,.0f} | 0 | 0 | 0 | 0 | 0 |",
        f"| ratio / above the floor | {p['ratio_to_floor']}x / +{p['ms_above_floor']:.2f} ms | "
        f"| | | | | |",
        "",
        f"The stand-in's own time per post: {run.delivery_stand_in['stand_in_ms_per_post']} ms "
        f"in deliver_pending, {run.floor['stand_in_ms_per_post']} ms in the floor.",
    ]


def statements_table(steps: list[Measured]) -> list[str]:
    """Each step's slowest kinds of statement."""
    out = [
        "| step | statement | count | total ms | first ms | last ms | max ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in steps:
        for row in step.tally.summary()["by_statement"][:SLOWEST]:
            out.append(
                f"| {step.name} | `{row['statement'][:70]}` | {row['count']:,} | "
                f"{row['total_ms']:,.0f} | {row['first_ms']:.2f} | {row['last_ms']:.2f} | "
                f"{row['max_ms']:.2f} |"
            )
    return out

"""The load run's figures as Markdown and JSON, and the checks that decide the exit status."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict
from typing import Any

from bench.load.run import Outcome
from bench.load.workload import KINDS, Record
from bench.timing import percentile

ACK_LIMIT_MS = 3000.0  # Slack shows the person an error past this
CUT_MARGIN_S = 2.0  # a request cut this close to the kill was in flight on the killed replica


def ack_table(records: list[Record]) -> list[dict[str, Any]]:
    """Per kind: requests, outcomes, ack p50 / p99 / max (of every answered request)."""
    rows = []
    for kind in KINDS:
        mine = [r for r in records if r.kind == kind]
        if not mine:
            continue
        acks = sorted(r.ack_ms for r in mine if r.ack_ms is not None)
        outcomes = Counter(r.outcome for r in mine)
        row: dict[str, Any] = {
            "kind": kind,
            "requests": len(mine),
            "ok": outcomes["ok"],
            "try_again": outcomes["try-again"],
            "errors": outcomes["error"],
        }
        if acks:
            row.update(
                {
                    "p50_ms": round(percentile(acks, 50), 1),
                    "p99_ms": round(percentile(acks, 99), 1),
                    "max_ms": round(acks[-1], 1),
                }
            )
        rows.append(row)
    return rows


def errors_by_kind(records: list[Record]) -> dict[str, dict[str, int]]:
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        if r.outcome == "error":
            found[r.kind][r.detail.split(" (")[0][:90]] += 1
    return {kind: dict(c) for kind, c in found.items()}


def request_failures(outcome: Outcome, *, ack_limit: bool = True) -> list[str]:
    """Acks at or past Slack's 3 s (unless not `ack_limit`: the test suite times nothing);
    errors other than requests cut by the kill; an unexpected error logged; no drain."""
    kills = [at for at, what in outcome.faults if "killed" in what]
    slow = [
        (r.kind, r.at, round(r.ack_ms))
        for r in outcome.records
        if r.ack_ms is not None and r.ack_ms >= ACK_LIMIT_MS
    ]
    unexplained = [
        (r.kind, r.at, r.detail)
        for r in outcome.records
        if r.outcome == "error"
        and not (r.detail.startswith("cut:") and any(abs(r.at - k) <= CUT_MARGIN_S for k in kills))
    ]
    failures = []
    if slow and ack_limit:
        failures.append(f"acks at or past 3 s: {len(slow)} ({slow[:5]})")
    if unexplained:
        failures.append(
            f"requests failed (not cut by the kill): {len(unexplained)} ({unexplained[:5]})"
        )
    if outcome.log_lines.get("unexpected error"):
        failures.append(
            f"'unexpected error' in the replicas' logs: {outcome.log_lines['unexpected error']}"
        )
    if outcome.drained_s < 0:
        failures.append(f"the outbox did not empty within {outcome.config.drain_s:.0f} s")
    return failures


def memory_table(outcome: Outcome) -> list[dict[str, Any]]:
    """Per process alive at the end: RSS, threads, database connections at its first sample
    and its last, and the most it had in between."""
    if not outcome.samples:
        return []
    seen: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for _, procs in outcome.samples:
        for p in procs:
            seen[(p.replica, p.pid)].append(p)
    rows = []
    for p in sorted(outcome.samples[-1][1], key=lambda p: (p.replica, p.pid)):
        mine = seen[(p.replica, p.pid)]
        first = mine[0]
        rows.append({
            "replica": p.replica + 1, "pid": p.pid, "role": p.role, "samples": len(mine),
            "rss_mb_first": first.rss_mb, "rss_mb": p.rss_mb,
            "rss_mb_max": max(x.rss_mb for x in mine),
            "threads_first": first.threads, "threads": p.threads,
            "threads_max": max(x.threads for x in mine),
            "db_connections_first": first.db_connections, "db_connections": p.db_connections,
            "db_connections_max": max(x.db_connections for x in mine),
        })  # fmt: skip
    return rows


def markdown(outcome: Outcome, failures: list[str]) -> str:
    records = outcome.records
    seconds = outcome.config.seconds
    answered = sum(1 for r in records if r.status)
    lines = [
        f"requests: {len(records)} in {seconds:.0f} s ({len(records) / seconds:.1f}/s sent, "
        f"{answered / seconds:.1f}/s answered); rerouted after a refused connection: "
        f"{sum(outcome.rerouted.values())}",
        "",
        "| kind | requests | ok | try again | errors | ack p50 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in ack_table(records):
        lines.append(
            f"| {row['kind']} | {row['requests']} | {row['ok']} | {row['try_again']} | "
            f"{row['errors']} | {row.get('p50_ms', '-')} | {row.get('p99_ms', '-')} | "
            f"{row.get('max_ms', '-')} |"
        )
    lines += ["", "faults:"] + [f"- {at:7.1f} s  {what}" for at, what in outcome.faults]
    lines += [
        "",
        f"errors by kind: {errors_by_kind(records) or 'none'}",
        f"the stand-in refused (429 / 5xx, by why): {outcome.slack_refusals or 'none'}",
        f"replica logs: {outcome.log_lines}",
        "",
        "accounting:",
    ]
    lines += [f"- {name}: {n}" for name, n in outcome.accounting.counts.items()]
    mem = memory_table(outcome)
    if mem:
        lines += [
            "",
            "| replica | role | samples | RSS MB first → last (max) | threads | DB connections |",
            "| --- | --- | ---: | --- | --- | --- |",
        ]
        lines += [
            f"| {m['replica']} | {m['role']} | {m['samples']} | "
            f"{m['rss_mb_first']} → {m['rss_mb']} ({m['rss_mb_max']}) | "
            f"{m['threads_first']} → {m['threads']} ({m['threads_max']}) | "
            f"{m['db_connections_first']} → {m['db_connections']} ({m['db_connections_max']}) |"
            for m in mem
        ]
    lines += ["", "FAILED:" if failures else "PASSED: every check held"]
    lines += [f"- {f}" for f in failures]
    return "\n".join(lines)


def as_json(outcome: Outcome, failures: list[str], info: dict[str, Any]) -> dict[str, Any]:
    return {
        "machine": info,
        "config": asdict(outcome.config),
        "acks": ack_table(outcome.records),
        "errors_by_kind": errors_by_kind(outcome.records),
        "faults": outcome.faults,
        "rerouted": outcome.rerouted,
        "slack_refusals": outcome.slack_refusals,
        "accounting": outcome.accounting.counts,
        "drained_s": round(outcome.drained_s, 1),
        "log_lines": outcome.log_lines,
        "memory": memory_table(outcome),
        "samples": [(at, [p.as_dict() for p in procs]) for at, procs in outcome.samples],
        "failures": failures,
    }

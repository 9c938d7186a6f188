"""`trainbot jobs`: run the scheduler's sweeps by hand, and see what the outbox holds."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from bot.clock import Clock, FixedClock, SystemClock
from bot.services import Services
from bot.settings import Settings, SettingsError

SCHEDULE = (
    "deliver-outbox every 10 s, plan-reminders-and-digests every minute, "
    "enrollments and certificate renewals every hour (each kept group or channel compared "
    "daily), recommendations every 10 minutes (lists missing, changed or older than 6 h), "
    "roll-tallies every hour (report tallies' overdue counts moved to today), "
    "forget-old-event-ids every 6 h (in each `trainbot serve`, unless --no-scheduler)"
)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    jobs = commands.add_parser("jobs", help="scheduler sweeps and the outbox")
    actions = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    run = actions.add_parser("run", help="run a sweep now and print what it sent")
    run.add_argument(
        "sweep", choices=("reminders", "digests", "enrollments", "renewals", "recommendations")
    )
    run.add_argument(
        "--as-of", type=moment, metavar="ISO-8601",
        help="run as if it were this moment (e.g. 2026-12-01T09:00:00+01:00; no offset: UTC)",
    )  # fmt: skip
    run.add_argument("--dry-run", action="store_true", help="send nothing, record nothing")
    actions.add_parser("status", help="the schedule, planned reminders and the outbox")


def run_jobs(settings: Settings, args: argparse.Namespace) -> int:
    from bot import db
    from bot.services import build_services

    clock: Clock = FixedClock(args.as_of) if getattr(args, "as_of", None) else SystemClock()
    services = build_services(settings, clock=clock)
    db.upgrade(services.engine)
    if args.jobs_command == "status":
        return _status(services)
    if args.sweep == "recommendations":  # nothing is sent: no token needed
        if not args.dry_run:
            print(f"{services.recommendations.refresh()} recommendation list(s) computed")
        return 0
    if (not args.dry_run or args.sweep == "enrollments") and not settings.bot_token:
        raise SettingsError(f"SLACK_BOT_TOKEN is not set: {args.sweep} needs the bot token")
    if args.sweep == "enrollments":
        return _enrollments(services, settings, args.dry_run)
    sweeps = {"reminders": _reminders, "digests": _digests, "renewals": _renewals}
    lines = sweeps[args.sweep](services, args.dry_run)
    for line in lines:
        print(line)
    if args.dry_run:
        return 0
    from bot.app import make_client
    from bot.delivery import deliver_pending

    sent = deliver_pending(services, make_client(settings))
    print(f"{len(lines)} {args.sweep[:-1]}(s) done, {sent} message(s) sent")
    return 0


def _reminders(services: Services, dry_run: bool) -> list[str]:
    verb = "would remind" if dry_run else "reminder owed to"
    return [
        f"{verb} {r.user_id} ({r.day}): {len(r.assignment_ids)} assignment(s)"
        for r in services.reminders.plan(dry_run=dry_run)
    ]


def _digests(services: Services, dry_run: bool) -> list[str]:
    verb = "would post" if dry_run else "digest owed to"
    return [
        f"{verb} {sub.channel_id} ({week}): {sub.scope.value} {sub.scope_label}"
        for sub, week in services.digests.plan(dry_run=dry_run)
    ]


def _renewals(services: Services, dry_run: bool) -> list[str]:
    verb = "would renew" if dry_run else "renewed"
    return [
        f"{verb} {r.title} for {r.user_id} (expires {r.expires_on})"
        + (f", {r.told} told" if r.told else "")
        for r in services.renewals.plan(dry_run=dry_run)
    ]


def _enrollments(services: Services, settings: Settings, dry_run: bool) -> int:
    """Paths started today and every kept group or channel compared now (Slack is asked who
    is in them even in a dry run; nothing is written or sent then)."""
    from bot.app import make_client
    from bot.delivery import deliver_pending

    client = make_client(settings)
    opened = 0 if dry_run else services.paths.open_due_starts()
    print(f"{opened} path(s) whose start date came: step 1 opened")
    found = services.keep_enrolled.reconcile(client=client, force=True, dry_run=dry_run)
    verb = "would enroll" if dry_run else "enrolled"
    for joined in found:
        people = ", ".join(joined.enrolled)
        print(f"{verb} {len(joined.enrolled)} on {joined.path_title} ({joined.source_label}): "
              f"{people}")  # fmt: skip
    if dry_run:
        return 0
    sent = deliver_pending(services, client)
    print(f"{sum(len(j.enrolled) for j in found)} enrolled, {sent} message(s) sent")
    return 0


def _status(services: Services) -> int:
    first, planned = services.reminders.upcoming()
    report = services.outbox.status()
    print(f"schedule: {SCHEDULE}")
    print(f"reminders: {planned} open assignment(s) with one planned, the next on {first or '-'}")
    counts = ", ".join(f"{report.counts.get(k, 0)} {k}" for k in ("pending", "sent", "failed",
                                                                 "skipped"))  # fmt: skip
    print(f"outbox: {counts}; next attempt {report.next_attempt or '-'}")
    for team_id, until in report.paused:
        print(f"paused: workspace {team_id} until {until} (Slack said 429)")
    for kind, recipient, error, when in report.failed:
        print(f"failed: {when:%Y-%m-%d %H:%M} {kind} to {recipient}: {error}")
    return 0


def moment(text: str) -> datetime:
    """An --as-of / --since argument: ISO-8601, UTC when it names no offset."""
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 moment: {text!r}") from None
    return found if found.tzinfo else found.replace(tzinfo=UTC)

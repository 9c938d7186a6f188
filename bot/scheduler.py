"""The in-process ticker. Durable state lives in our tables, never in APScheduler.

APScheduler 3.x with a memory job store only decides *when* to look; each job
reads the database and is safe to run in every replica (later issues add the
reminder and digest sweeps here).
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.app import make_client
from bot.db import database_unavailable
from bot.delivery import deliver_pending
from bot.services import Services, build_services
from bot.settings import Settings

log = logging.getLogger("trainbot.scheduler")


def tolerant(job: Callable[..., object]) -> Callable[..., object]:
    """`job`, logging the database being down in one line (the next tick tries again)
    instead of APScheduler's traceback for what is no bug."""

    @functools.wraps(job)
    def run(*args: object) -> object:
        try:
            return job(*args)
        except Exception as error:
            if not database_unavailable(error):
                raise
            log.warning("%s: database unavailable, next tick tries again (%s)",
                        getattr(job, "__name__", "job"), type(error).__name__)  # fmt: skip
            return None

    return run


def build_scheduler(services: Services) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1}
    )
    client = make_client(services.settings)
    # Whatever the outbox still owes (a restart midway through a send, a retry after
    # a rate limit) goes out within seconds; claims keep replicas from sending twice.
    scheduler.add_job(
        tolerant(deliver_pending),
        "interval",
        seconds=10,
        args=(services, client),
        id="deliver-outbox",
        next_run_time=services.clock.now(),
    )
    # Who is owed a reminder or a digest now (their local hour has come): owed rows, sent
    # at once. Every minute, so a 09:00 reminder leaves at 09:00 wherever people are.
    scheduler.add_job(
        tolerant(plan_and_send),
        "interval",
        minutes=1,
        args=(services, client),
        id="plan-reminders-and-digests",
        next_run_time=services.clock.now(),
    )
    # Certificates about to expire (their training assigned again), paths whose start date
    # came, and groups or channels kept enrolled compared with their paths' enrollments
    # (each about once a day: events can be missed).
    scheduler.add_job(
        tolerant(enrollment_sweep),
        "interval",
        hours=1,
        args=(services, client),
        id="enrollments",
        next_run_time=services.clock.now() + timedelta(seconds=30),
    )
    # Each person's recommendations computed ahead (missing, changed, or older than 6 h),
    # so Home reads a stored list; often, as someone just assigned something has Home
    # compute theirs until then (their own completions store it at once).
    scheduler.add_job(
        tolerant(services.recommendations.refresh),
        "interval",
        minutes=10,
        id="recommendations",
        next_run_time=services.clock.now() + timedelta(minutes=2),
    )
    # The report tallies' day: what fell due since is counted as overdue in them. Reports
    # are right whatever the day (they add what fell due since); hourly keeps that small.
    scheduler.add_job(
        tolerant(services.tallies.roll),
        "interval",
        hours=1,
        id="roll-tallies",
        next_run_time=services.clock.now() + timedelta(seconds=45),
    )
    scheduler.add_job(
        tolerant(services.events.forget_old),
        "interval",
        hours=6,
        id="forget-old-event-ids",
        next_run_time=services.clock.now() + timedelta(minutes=1),
    )
    return scheduler


def plan_and_send(services: Services, client: WebClient) -> int:
    reminders, digests = services.reminders.plan(), services.digests.plan()
    if reminders or digests:
        log.info("owed: %d reminders, %d digests", len(reminders), len(digests))
        deliver_pending(services, client)
    return len(reminders) + len(digests)


def enrollment_sweep(services: Services, client: WebClient) -> int:
    renewed = services.renewals.plan()
    if renewed:
        log.info("certificates: %d renewal(s) assigned", len(renewed))
    opened = services.paths.open_due_starts()
    joined = services.keep_enrolled.reconcile(client=client)
    if opened or joined or renewed:
        log.info("enrollments: %d step(s) opened, %d enrolled", opened,
                 sum(len(j.enrolled) for j in joined))  # fmt: skip
        deliver_pending(services, client)
    return opened + sum(len(j.enrolled) for j in joined)


def run(settings: Settings) -> None:
    """The scheduler on its own: tick until SIGTERM (what `serve` starts beside gunicorn)."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches `serve`, which stops us
    parent = os.getppid()
    scheduler = build_scheduler(build_services(settings))
    scheduler.start()
    log.info("scheduler started")
    # Stop with `serve`, even when it was killed outright and could not tell us.
    while not stopping.wait(1.0) and os.getppid() == parent:
        pass
    scheduler.shutdown(wait=True)


if __name__ == "__main__":
    _settings = Settings.load()
    logging.basicConfig(
        level=_settings.log_level_number, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # APScheduler narrates every tick at INFO; our jobs log what they actually do.
    logging.getLogger("apscheduler").setLevel(max(_settings.log_level_number, logging.WARNING))
    run(_settings)

"""The in-process ticker. Durable state lives in our tables, never in APScheduler.

APScheduler 3.x with a memory job store only decides *when* to look; each job
reads the database and is safe to run in every replica (later issues add the
reminder and digest sweeps here).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.app import make_client
from bot.delivery import deliver_pending
from bot.services import Services

log = logging.getLogger("trainbot.scheduler")


def build_scheduler(services: Services) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1}
    )
    client = make_client(services.settings)
    # Whatever the outbox still owes (a restart midway through a send, a retry after
    # a rate limit) goes out within seconds; claims keep replicas from sending twice.
    scheduler.add_job(
        deliver_pending,
        "interval",
        seconds=10,
        args=(services, client),
        id="deliver-outbox",
        next_run_time=services.clock.now(),
    )
    scheduler.add_job(
        services.events.forget_old,
        "interval",
        hours=6,
        id="forget-old-event-ids",
        next_run_time=services.clock.now() + timedelta(minutes=1),
    )
    return scheduler

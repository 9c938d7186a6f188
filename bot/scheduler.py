"""The in-process ticker. Durable state lives in our tables, never in APScheduler.

APScheduler 3.x with a memory job store only decides *when* to look; each job
reads the database and is safe to run in every replica (later issues add the
reminder and digest sweeps here).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.services import Services

log = logging.getLogger("trainbot.scheduler")


def build_scheduler(services: Services) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1}
    )
    scheduler.add_job(
        services.events.forget_old,
        "interval",
        hours=6,
        id="forget-old-event-ids",
        next_run_time=services.clock.now() + timedelta(minutes=1),
    )
    return scheduler

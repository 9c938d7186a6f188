"""Running the bot: gunicorn (HTTP) or Socket Mode, with the scheduler beside it."""

from __future__ import annotations

import gc
import logging
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_sdk.errors import SlackApiError

from bot.app import build_app
from bot.errors import BotError
from bot.scheduler import build_scheduler
from bot.services import Services, build_services
from bot.settings import Settings
from bot.web import WSGIApp, make_wsgi_app

log = logging.getLogger("trainbot.server")


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    workers: int
    threads: int
    scheduler: bool


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured in code; each worker builds its own app after the fork."""

    def __init__(self, settings: Settings, options: ServeOptions) -> None:
        self._settings = settings
        self._options = options
        self._scheduler: subprocess.Popen[bytes] | None = None
        super().__init__()

    def load_config(self) -> None:
        opts = self._options
        config = {
            "bind": f"{opts.host}:{opts.port}",
            "workers": opts.workers,
            "threads": opts.threads,
            "worker_class": "gthread",
            "timeout": 30,
            "graceful_timeout": 20,
            "keepalive": 5,
            "loglevel": self._settings.log_level.lower(),
            "proc_name": "trainbot",
            "when_ready": self._when_ready,
            "on_exit": self._on_exit,
        }
        for key, value in config.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApp:
        services = build_services(self._settings)
        app = make_wsgi_app(build_app(services), services)
        keep_out_of_collections()
        return app

    def _when_ready(self, _server: Any) -> None:
        # Once per `serve`, not per worker, and in a process of its own: a thread in the
        # master would be forked into every worker mid-log, deadlocking it. It reads the
        # same environment and .env, so it has the same settings.
        if self._options.scheduler:
            self._scheduler = subprocess.Popen([sys.executable, "-m", "bot.scheduler"])

    def _on_exit(self, _server: Any) -> None:
        if self._scheduler is not None:
            self._scheduler.terminate()  # SIGTERM: it finishes the running job and stops
            try:
                self._scheduler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._scheduler.kill()
            log.info("scheduler stopped")


def keep_out_of_collections() -> None:
    """Leave what was built to serve (modules, the app, its services) out of the garbage
    collector's full passes: it lives as long as the process. A full pass walked all of
    it, about 200,000 objects, and paused every thread for 10 to 100 ms once every few
    hundred requests: the slowest acks. It now walks only what requests allocated."""
    gc.collect()
    gc.freeze()


def serve_http(settings: Settings, options: ServeOptions) -> None:
    _Gunicorn(settings, options).run()


def serve_socket_mode(settings: Settings, *, scheduler: bool) -> None:
    """Connect out to Slack with the app token; run until SIGTERM or Ctrl-C."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    services: Services = build_services(settings)
    handler = SocketModeHandler(build_app(services), settings.app_token)
    keep_out_of_collections()
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as error:
        raise BotError(
            f"Socket Mode could not connect: Slack answered {error.response.get('error')!r}. "
            "Check SLACK_APP_TOKEN (xapp-..., with connections:write) and that Socket Mode "
            "is turned on in the app's settings."
        ) from None
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    ticker = build_scheduler(services) if scheduler else None
    if ticker is not None:
        ticker.start()
    log.info("connected to Slack in Socket Mode")
    try:
        stopping.wait()
        log.info("shutting down")
    finally:
        handler.close()  # type: ignore[no-untyped-call]
        if ticker is not None:
            ticker.shutdown(wait=True)

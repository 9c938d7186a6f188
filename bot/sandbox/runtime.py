"""Starting and stopping the three loopback servers of `trainbot sandbox`.

The real app (Bolt, WSGI) on its own free loopback port, the Web API stand-in on
another, and the sandbox page with its JSON API on the chosen host and port. The app
is configured with a per-run token and signing secret and reaches only the stand-in.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIServer

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bot import db
from bot.app import build_app, make_client
from bot.delivery import deliver_pending
from bot.fakeslack import FakeSlack, SlackClient
from bot.sandbox import roster
from bot.sandbox.clock import SandboxClock, stored_clock
from bot.sandbox.net import SandboxError, bind_wsgi, is_loopback, serve_in_thread
from bot.services import Services, build_services
from bot.settings import Settings
from bot.settling import SettlingExecutor
from bot.web import make_wsgi_app

log = logging.getLogger("trainbot.sandbox")

DEFAULT_DATABASE = "trainbot-sandbox.sqlite3"
DELIVER_EVERY_S = 10.0  # as `trainbot serve`'s scheduler
PLAN_EVERY_S = 60.0
ENROLL_EVERY_S = 3600.0
FORGET_EVERY_S = 6 * 3600.0


@dataclass(frozen=True)
class SandboxOptions:
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8080
    fresh: bool = False
    allow_non_loopback: bool = False
    scheduler: bool = True  # the every-10-s delivery and every-minute reminder/digest sweeps
    log_level: str = "WARNING"  # the app's LOG_LEVEL


def sqlite_file(database_url: str) -> Path:
    """The file behind a sqlite:/// URL; anything else is refused (the sandbox is SQLite-only)."""
    try:
        url = make_url(database_url)
    except Exception as error:  # sqlalchemy raises ArgumentError for malformed URLs
        raise SandboxError(f"--database-url is not a database URL ({error})") from None
    if url.get_backend_name() != "sqlite":
        raise SandboxError(
            "the sandbox runs on SQLite only: give --database-url sqlite:///path/to/file.db"
        )
    if not url.database or url.database == ":memory:":
        raise SandboxError("the sandbox needs a SQLite file: sqlite:///path/to/file.db")
    return Path(url.database).expanduser().resolve()


@dataclass(frozen=True)
class Travelled:
    """What a time travel did: the new now, what its sweeps found owed, messages sent."""

    now: datetime
    reminders: int
    digests: int
    enrollments: int  # path steps opened (a start date reached, a newcomer to a kept group)
    messages: int


class Sandbox:
    """The app, the stand-in and the sandbox page, running together in this process."""

    def __init__(self, options: SandboxOptions, page: Callable[[Sandbox], Any]) -> None:
        if not is_loopback(options.host) and not options.allow_non_loopback:
            raise SandboxError(
                f"refusing to serve the sandbox on {options.host}, which is not a loopback "
                "address: anyone who reaches it can act as every demo person "
                "(add --allow-non-loopback if you mean it)"
            )
        self.options = options
        self.db_file = sqlite_file(options.database_url)
        self.lock = threading.RLock()  # one page request at a time drives SlackClient
        self.sweep_lock = threading.Lock()  # the ticker and time travel never overlap
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._bound: list[WSGIServer] = []
        self._serving: list[WSGIServer] = []
        # Bound first: a busy port fails before anything is created or seeded.
        self._page_server = bind_wsgi(options.host, options.port, page(self))
        self._bound.append(self._page_server)
        self._fake: FakeSlack | None = None
        self._services: Services | None = None
        self._engine: Engine | None = None
        self._slack: SlackClient | None = None
        self.executor = SettlingExecutor()
        self.clock = SandboxClock()
        self.seeded_now = False

    # lifecycle ------------------------------------------------------------------------

    def start(self) -> Sandbox:
        from bot.sandbox.restore import restore_assignment_dms
        from bot.sandbox.seed import refuse_other_workspaces, seed_if_needed

        try:
            if self.options.fresh:
                self._remove_database()
            self.db_file.parent.mkdir(parents=True, exist_ok=True)
            secret, token = secrets.token_hex(16), "xoxb-sandbox-" + secrets.token_hex(12)
            self._fake = roster.new_fake(token, lambda: self.clock.now().timestamp()).start()
            roster.populate(self._fake)
            settings = self._settings(token, secret, self._fake.base_url)
            self._engine = engine = db.make_engine(settings.database_url)
            db.upgrade(engine)
            self.clock = stored_clock(engine)
            self._services = build_services(
                settings, clock=self.clock, engine=engine, background=self.executor
            )
            refuse_other_workspaces(self._services)  # its scheduler would sweep them too
            wsgi = make_wsgi_app(build_app(self._services), self._services)
            app_server = bind_wsgi("127.0.0.1", 0, wsgi)
            self._bound.append(app_server)
            self._serve(app_server, "sandbox-app")
            app_url = f"http://127.0.0.1:{app_server.server_port}/slack/events"
            self._slack = SlackClient(app_url, secret, self._fake)
            self.seeded_now = seed_if_needed(self)
            if not self.seeded_now:
                restore_assignment_dms(self)
            if self.options.scheduler:
                self._threads.append(self._start_ticker())
            self._serve(self._page_server, "sandbox-page")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self._stopping.set()
        for server in reversed(self._serving):  # the page first, so no new request comes in
            server.shutdown()
        for server in self._bound:
            server.server_close()
        self._serving.clear()
        self._bound.clear()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self.executor.shutdown(wait=True, cancel_futures=True)
        if self._fake is not None:
            self._fake.stop()
        if self._engine is not None:
            self._engine.dispose()

    @property
    def url(self) -> str:
        host, port = str(self.options.host).strip("[]"), self._page_server.server_port
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    # what the page's requests use ---------------------------------------------------------

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the sandbox is not started")
        return self._services

    @property
    def slack(self) -> SlackClient:
        if self._slack is None:
            raise RuntimeError("the sandbox is not started")
        return self._slack

    @property
    def workspace(self) -> FakeSlack:
        if self._fake is None:
            raise RuntimeError("the sandbox is not started")
        return self._fake

    def web_client(self) -> WebClient:
        return make_client(self.services.settings)

    def settle(self) -> bool:
        """Wait until the app has finished what followed its last ack."""
        return self.executor.settle()

    def travel(self, moment: datetime) -> Travelled:
        """Move the clock to `moment`, then run the scheduler's sweeps as of it.

        First the enrollment sweep (paths whose start date came, groups and channels kept
        enrolled), then reminders and digests; one delivery sends every DM they owe. Under
        the ticker's lock, so what this sweep owes is counted here and nowhere else.
        """
        with self.sweep_lock:
            now = self.clock.travel_to(moment)
            client = self.web_client()
            enrolled = self._enrollment_sweep(client)
            reminders = self.services.reminders.plan()
            digests = self.services.digests.plan()
            sent = deliver_pending(self.services, client)
        return Travelled(now, len(reminders), len(digests), enrolled, sent)

    # internals ------------------------------------------------------------------------------

    def _enrollment_sweep(self, client: WebClient) -> int:
        """`bot.scheduler.enrollment_sweep` without its own delivery (the caller delivers,
        so the travel's answer counts these DMs too): paths whose start date came open their
        step 1, and each group or channel kept enrolled is compared with its path's
        enrollments. Returns how many steps opened."""
        opened = self.services.paths.open_due_starts()
        joined = self.services.keep_enrolled.reconcile(client=client)
        return opened + sum(len(j.enrolled) for j in joined)

    def _settings(self, token: str, secret: str, api_url: str) -> Settings:
        return Settings.load(
            {
                "SLACK_BOT_TOKEN": token,
                "SLACK_SIGNING_SECRET": secret,
                "SLACK_API_URL": api_url,  # the loopback stand-in, never slack.com
                "DATABASE_URL": f"sqlite:///{self.db_file}",
                "TRAINBOT_DEFAULT_TZ": "UTC",
                "TRAINBOT_PUBLIC_URL": self.url,  # its page serves /certificates/<CODE>
                "TRAINBOT_SEND_PER_MINUTE": "6000",
                "LOG_LEVEL": self.options.log_level,
            },
            env_file=Path(os.devnull),
        )

    def _remove_database(self) -> None:
        suffixes = ("", "-wal", "-shm", "-journal")
        for suffix in suffixes:
            self.db_file.with_name(self.db_file.name + suffix).unlink(missing_ok=True)

    def _serve(self, server: WSGIServer, name: str) -> None:
        self._threads.append(serve_in_thread(server, name))
        self._serving.append(server)

    def _start_ticker(self) -> threading.Thread:
        thread = threading.Thread(target=self._tick, name="sandbox-scheduler", daemon=True)
        thread.start()
        return thread

    def _tick(self) -> None:
        """`trainbot serve`'s schedule, on the sandbox clock: deliver, plan, enroll, forget."""
        services, client = self.services, self.web_client()
        due = {
            "deliver": 0.0,
            "plan": 0.0,
            "enroll": time.monotonic() + 30,
            "forget": time.monotonic() + 60,
        }
        while not self._stopping.wait(0.5):
            now = time.monotonic()
            try:
                with self.sweep_lock:
                    if now >= due["plan"]:
                        due["plan"] = now + PLAN_EVERY_S
                        services.reminders.plan()
                        services.digests.plan()
                        due["deliver"] = 0.0
                    if now >= due["enroll"]:
                        due["enroll"] = now + ENROLL_EVERY_S
                        if self._enrollment_sweep(client):
                            due["deliver"] = 0.0
                    if now >= due["deliver"]:
                        due["deliver"] = now + DELIVER_EVERY_S
                        deliver_pending(services, client)
                    if now >= due["forget"]:
                        due["forget"] = now + FORGET_EVERY_S
                        services.events.forget_old()
            except Exception:  # logged with its traceback; the next tick tries again
                log.exception("sandbox scheduler tick failed")

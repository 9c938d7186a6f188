"""`trainbot sandbox`: parse, start, print the URL, run until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from bot.sandbox.net import SandboxError, is_loopback
from bot.sandbox.runtime import DEFAULT_DATABASE, SandboxOptions
from bot.settings import Settings, SettingsError

log = logging.getLogger("trainbot.sandbox")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sandbox = commands.add_parser(
        "sandbox",
        help="try Trainbot without Slack: a demo workspace in your browser",
        description="Run the real app against a local Slack stand-in, with a demo workspace "
        "and a browser page that plays Slack. Everything listens on loopback.",
    )
    sandbox.add_argument("--port", type=int, default=8080, help="the page's port (default 8080)")
    sandbox.add_argument(
        "--host", default="127.0.0.1", help="the page's address (default 127.0.0.1)"
    )
    sandbox.add_argument(
        "--allow-non-loopback",
        action="store_true",
        help="serve the page on a non-loopback --host (anyone reaching it acts as anyone)",
    )
    sandbox.add_argument(
        "--fresh", action="store_true", help="start from an empty database (and seed it again)"
    )
    sandbox.add_argument(
        "--database-url",
        metavar="URL",
        help=f"a SQLite URL (default sqlite:///./{DEFAULT_DATABASE}; DATABASE_URL is not used)",
    )


def run_sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox.page import make_page_app
    from bot.sandbox.runtime import Sandbox

    try:  # only for LOG_LEVEL: the sandbox needs no Slack settings and ignores DATABASE_URL
        level = Settings.load().log_level_number
    except SettingsError as error:
        return _fail(str(error))
    # The page shows what happens, so the console says only what goes wrong (and every
    # request with LOG_LEVEL=DEBUG).
    level = level if level == logging.DEBUG else max(level, logging.WARNING)
    level_name = logging.getLevelName(level)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("trainbot.sandbox").setLevel(logging.INFO)
    if not 0 <= args.port < 65536:
        return _fail(f"--port must be between 1 and 65535, or 0 for any (got {args.port})")
    url = args.database_url or f"sqlite:///{Path.cwd() / DEFAULT_DATABASE}"
    options = SandboxOptions(
        database_url=url,
        host=args.host,
        port=args.port,
        fresh=args.fresh,
        allow_non_loopback=args.allow_non_loopback,
        log_level=level_name,
    )
    stopping = threading.Event()
    try:
        sandbox = Sandbox(options, make_page_app)
        print(f"trainbot sandbox: starting (database {sandbox.db_file})", flush=True)
        sandbox.start()
    except SandboxError as error:
        return _fail(str(error))
    except KeyboardInterrupt:  # Ctrl-C while starting: start() has stopped what it began
        print("trainbot sandbox: stopped", flush=True)
        return 0
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopping.set())
        seeded = "seeded the demo workspace" if sandbox.seeded_now else "demo workspace loaded"
        if not is_loopback(args.host):
            print("trainbot sandbox: WARNING: listening beyond loopback", file=sys.stderr)
        print(f"trainbot sandbox: {seeded}; open {sandbox.url}  (Ctrl-C to stop)", flush=True)
        while not stopping.wait(0.5):
            pass
        print("trainbot sandbox: stopping", flush=True)
    finally:
        sandbox.stop()
    return 0


def _fail(message: str) -> int:
    print(f"trainbot sandbox: {message}", file=sys.stderr)
    return 2

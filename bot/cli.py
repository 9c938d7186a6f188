"""`trainbot`: serve, migrate, import the catalog, run the scheduler's jobs, reports,
certificates, workspaces, the audit log and recommendations."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot import db
from bot.cli_audit import add_parser as audit_parser
from bot.cli_audit import run_audit
from bot.cli_certificate import add_parser as certificate_parser
from bot.cli_certificate import run_certificate
from bot.cli_jobs import add_parser as jobs_parser
from bot.cli_jobs import run_jobs
from bot.cli_recommend import add_parser as recommend_parser
from bot.cli_recommend import run_recommend
from bot.cli_report import add_parser as report_parser
from bot.cli_report import run_report
from bot.cli_secrets import add_parser as secrets_parser
from bot.cli_secrets import run_secrets
from bot.cli_workspace import add_parser as workspace_parser
from bot.cli_workspace import run_workspace
from bot.errors import BotError
from bot.log_secrets import redact_logs
from bot.sandbox.cli import add_parser as sandbox_parser
from bot.sandbox.cli import run_sandbox
from bot.settings import MissingSetting, Settings, SettingsError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trainbot", description="Slack-native training library")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the bot (HTTP on /slack/events by default)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT, else 3000)")
    serve.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    serve.add_argument(
        "--socket-mode", action="store_true", help="connect with SLACK_APP_TOKEN instead of HTTP"
    )
    serve.add_argument(
        "--no-scheduler", action="store_true", help="do not run reminders and digests here"
    )

    database = commands.add_parser("db", help="database schema")
    db_commands = database.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply pending migrations")
    db_commands.add_parser("current", help="show the schema revision")

    catalog = commands.add_parser("catalog", help="the training library")
    catalog_commands = catalog.add_subparsers(
        dest="catalog_command", required=True, metavar="ACTION"
    )
    importer = catalog_commands.add_parser(
        "import", help="import resources from a CSV or JSON file"
    )
    source = importer.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="CSV (with a header row) or JSON array")
    source.add_argument("--starter", action="store_true", help="import the shipped starter catalog")
    importer.add_argument(
        "--workspace",
        metavar="TEAM_ID",
        help="import as this workspace's own content (default: the shared library)",
    )
    jobs_parser(commands)
    report_parser(commands)
    certificate_parser(commands)
    secrets_parser(commands)
    workspace_parser(commands)
    audit_parser(commands)
    recommend_parser(commands)
    sandbox_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sandbox":  # its own settings: never Slack's, never DATABASE_URL
        return run_sandbox(args)
    try:
        settings = Settings.load()
    except SettingsError as error:
        print(f"trainbot: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level_number,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    redact_logs(settings)
    # Alembic narrates every connection at INFO; only say something when it matters.
    logging.getLogger("alembic").setLevel(max(settings.log_level_number, logging.WARNING))
    try:
        if args.command == "serve":
            return _serve(settings, args)
        if args.command == "db":
            return _db(settings, args.db_command)
        if args.command == "jobs":
            return run_jobs(settings, args)
        if args.command == "report":
            return run_report(settings, args)
        if args.command == "certificate":
            return run_certificate(settings, args)
        if args.command == "secrets":
            return run_secrets(settings, args)
        if args.command == "workspace":
            return run_workspace(settings, args)
        if args.command == "audit":
            return run_audit(settings, args)
        if args.command == "recommend":
            return run_recommend(settings, args)
        return _catalog_import(settings, args)
    except SettingsError as error:
        hint = " (no Slack app yet? `trainbot sandbox` runs it in a browser)"
        missing = isinstance(error, MissingSetting)
        print(f"trainbot: {error}{hint if missing else ''}", file=sys.stderr)
        return 2
    except BotError as error:
        print(f"trainbot: {error.user_message}", file=sys.stderr)
        return 1
    except DBAPIError as error:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        print(
            f"trainbot: the database at {where} does not answer ({reason}): "
            "check DATABASE_URL and that the server is running",
            file=sys.stderr,
        )
        return 2


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.server import ServeOptions, serve_http, serve_socket_mode

    if args.socket_mode:
        settings.require_socket_mode()
    else:
        settings.require_http()
    if not settings.many_workspaces:  # installed workspaces' tokens are checked as they are used
        check_slack(settings)
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    engine.dispose()
    if args.socket_mode:
        serve_socket_mode(settings, scheduler=not args.no_scheduler)
    else:
        options = ServeOptions(
            host=args.host,
            port=args.port or settings.port,
            workers=max(1, args.workers),
            threads=max(1, args.threads),
            scheduler=not args.no_scheduler,
        )
        serve_http(settings, options)
    return 0


def check_slack(settings: Settings) -> None:
    """Fail at once, in one line, when Slack refuses the token or cannot be reached."""
    quiet = logging.getLogger("trainbot.preflight")
    quiet.propagate = False  # the one line below says it all; no retry chatter
    quiet.addHandler(logging.NullHandler())
    client = WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        logger=quiet,
        retry_handlers=[],
    )
    try:
        client.auth_test()
    except SlackApiError as error:
        raise SettingsError(
            f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}): "
            "copy the Bot User OAuth Token again from OAuth & Permissions"
        ) from None
    except OSError as error:
        raise SettingsError(
            f"cannot reach Slack at SLACK_API_URL={settings.api_url} ({error}): "
            "check the address and the network"
        ) from None


def _db(settings: Settings, action: str) -> int:
    engine = db.make_engine(settings.database_url)
    if action == "upgrade":
        db.upgrade(engine)
    revision = db.current_revision(engine)
    head = db.head_revision()
    state = "up to date" if revision == head else f"behind (head is {head})"
    print(f"schema revision: {revision or 'none'} ({state})")
    return 0


def _catalog_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import build_services
    from bot.services.catalog_files import parse_catalog, read_catalog_file, starter_catalog

    name, text = starter_catalog() if args.starter else read_catalog_file(args.file)
    services = build_services(settings)
    db.upgrade(services.engine)
    workspace_id = (
        services.members.ensure_workspace(team_id=args.workspace) if args.workspace else None
    )
    result = services.catalog.import_rows(
        rows=parse_catalog(name, text), workspace_id=workspace_id, source=name
    )
    for line, reason in result.rejected:
        print(f"{name}:{line}: rejected: {reason}")
    print(f"{result.created} created, {result.updated} updated, {len(result.rejected)} rejected")
    return 1 if result.rejected else 0

"""`trainbot report export`: a workspace's assignments (or quiz attempts) as CSV on stdout."""

from __future__ import annotations

import argparse
import sys

from bot.settings import Settings, SettingsError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser("report", help="progress reports")
    actions = report.add_subparsers(dest="report_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="assignments as CSV on stdout")
    export.add_argument("--workspace", required=True, metavar="TEAM_ID", help="the Slack team id")
    export.add_argument("--person", metavar="USER_ID", help="only this person's assignments")
    export.add_argument("--resource", type=int, metavar="ID", help="only this resource's")
    export.add_argument(
        "--what", choices=("assignments", "attempts"), default="assignments",
        help="assignments (the default), or every quiz attempt made under them",
    )  # fmt: skip


def run_report(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot import db
    from bot.services import build_services
    from bot.services.progress import Scope
    from models import Workspace

    services = build_services(settings)
    db.upgrade(services.engine)
    with services.sessions.begin() as s:
        workspace_id = s.scalar(select(Workspace.id).where(Workspace.team_id == args.workspace))
    if workspace_id is None:
        raise SettingsError(f"no workspace {args.workspace} here: Trainbot has not met it yet")
    scope = Scope(
        args.person or "workspace",
        people=(args.person,) if args.person else None,
        resource_id=args.resource,
    )
    services.progress.export(
        caller=None, workspace_id=workspace_id, scope=scope, into=sys.stdout, what=args.what
    )
    return 0

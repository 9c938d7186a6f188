"""`trainbot audit export --workspace TEAM_ID [--since ISO]`: the audit log as CSV on stdout."""

from __future__ import annotations

import argparse
import sys

from bot.cli_jobs import moment
from bot.settings import Settings, SettingsError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="the audit log of administrative actions")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="a workspace's entries as CSV on stdout")
    export.add_argument("--workspace", required=True, metavar="TEAM_ID", help="the Slack team id")
    export.add_argument(
        "--since", type=moment, metavar="ISO", help="only entries from then on (no offset: UTC)"
    )


def run_audit(settings: Settings, args: argparse.Namespace) -> int:
    from bot import db
    from bot.services import build_services

    services = build_services(settings)
    db.upgrade(services.engine)
    # By team id, so a deleted workspace's last entry (its deletion) is found too.
    csv_text = services.audit.export_team(team_id=args.workspace, since=args.since)
    if csv_text is None:
        raise SettingsError(f"no audit entries for {args.workspace} here")
    sys.stdout.write(csv_text)
    return 0

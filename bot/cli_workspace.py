"""`trainbot workspace list | export TEAM_ID | delete TEAM_ID --confirm
| recommendations TEAM_ID on|off`."""

from __future__ import annotations

import argparse
import json
import sys

from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    workspace = commands.add_parser("workspace", help="the workspaces this deployment serves")
    actions = workspace.add_subparsers(dest="workspace_command", required=True, metavar="ACTION")
    actions.add_parser("list", help="each workspace: team id, name, people, assignments")
    export = actions.add_parser("export", help="everything it owns, as JSON on stdout")
    export.add_argument("team_id", metavar="TEAM_ID")
    delete = actions.add_parser("delete", help="delete everything it owns, tokens first")
    delete.add_argument("team_id", metavar="TEAM_ID")
    delete.add_argument("--confirm", action="store_true", help="yes, delete it all")
    switch = actions.add_parser("recommendations", help='turn "Recommended for you" on or off')
    switch.add_argument("team_id", metavar="TEAM_ID")
    switch.add_argument("state", choices=("on", "off"))


def run_workspace(settings: Settings, args: argparse.Namespace) -> int:
    from bot import db
    from bot.services import build_services

    services = build_services(settings)
    db.upgrade(services.engine)
    data = services.workspace_data
    if args.workspace_command == "list":
        for w in data.summaries():
            state = "installed" if w.installed else "uninstalled"
            print(f"{w.team_id}\t{w.name}\t{w.members} people\t{w.assignments} assignments\t"
                  f"{state}\tsince {w.created_at:%Y-%m-%d}")  # fmt: skip
        return 0
    if args.workspace_command == "export":
        json.dump(data.export(team_id=args.team_id), sys.stdout, indent=1, sort_keys=True)
        print()
        return 0
    if args.workspace_command == "recommendations":
        services.recommendations.set_enabled(team_id=args.team_id, on=args.state == "on")
        print(f"Recommendations are {args.state} for {args.team_id}.")
        return 0
    if not args.confirm:
        print(
            f"trainbot: this deletes everything of {args.team_id} for good: run it again "
            "with --confirm (`trainbot workspace export` keeps a copy first)",
            file=sys.stderr,
        )
        return 2
    deleted = data.delete(team_id=args.team_id)
    services.clients.forget_all()
    if services.installs.store is not None:  # its token rows went by SQL, not through the store
        services.installs.store.forget(enterprise_id=None, team_id=args.team_id)
    print(f"Deleted {args.team_id}: {sum(deleted.values())} rows in {len(deleted)} tables, "
          "its tokens first.")  # fmt: skip
    return 0

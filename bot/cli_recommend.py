"""`trainbot recommend --workspace TEAM_ID --person USER_ID [--limit N] [--json]`: the same
list, with the same reasons, that the person sees under "Recommended for you" on Home."""

from __future__ import annotations

import argparse
import json
import sys

from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    recommend = commands.add_parser("recommend", help="what one person is recommended, and why")
    recommend.add_argument("--workspace", required=True, metavar="TEAM_ID", help="Slack team id")
    recommend.add_argument("--person", required=True, metavar="USER_ID", help="Slack user id")
    recommend.add_argument("--limit", type=int, default=10, metavar="N", help="how many (10)")
    recommend.add_argument("--json", action="store_true", help="a JSON array on stdout")


def run_recommend(settings: Settings, args: argparse.Namespace) -> int:
    from bot import db
    from bot.services import build_services

    services = build_services(settings)
    db.upgrade(services.engine)
    found = services.recommendations.for_user(
        team_id=args.workspace, user_id=args.person, limit=args.limit
    )
    if args.json:
        rows = [{"resource_id": r.resource_id, "title": r.title, "type": r.type, "url": r.url,
                 "reason": r.reason.text, "score": r.score} for r in found.items]  # fmt: skip
        json.dump(rows, sys.stdout, indent=1)
        print()
    elif not found.enabled:
        print(f"Recommendations are off for {args.workspace} "
              f"(`trainbot workspace recommendations {args.workspace} on`).")  # fmt: skip
    elif not found.items:
        print(f"Nothing to recommend to {args.person} yet.")
    for n, r in enumerate(() if args.json else found.items, start=1):
        print(f"{n}. {r.title} ({r.type}): {r.reason.text}")
    return 0

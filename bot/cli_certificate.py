"""`trainbot certificate verify CODE` and `trainbot certificate revoke CODE --reason ...`."""

from __future__ import annotations

import argparse
from datetime import date

from bot.services.certificates import Verified
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    certificate = commands.add_parser("certificate", help="check or revoke a certificate")
    actions = certificate.add_subparsers(dest="certificate_command", required=True,
                                         metavar="ACTION")  # fmt: skip
    verify = actions.add_parser("verify", help="who, what, when; exit 0 if known, 1 if not")
    verify.add_argument("code", help="the code printed on it (dashes and case do not matter)")
    revoke = actions.add_parser("revoke", help="revoke it, with the reason its page will show")
    revoke.add_argument("code")
    revoke.add_argument("--reason", required=True, help="shown on the verification page")
    revoke.add_argument("--by", default="an administrator", help="who revokes it (recorded)")


def describe(found: Verified, today: date) -> str:
    status = found.status(today)
    lines = [
        f"Certificate {found.code}: {status.upper()}",
        f"  awarded to   {found.person_name}",
        f"  for the {found.kind} {found.training_title}",
        f"  completed on {found.completed_on.isoformat()}",
    ]
    if found.workspace_name:
        lines.append(f"  issued by    {found.workspace_name}")
    if found.expires_on:
        lines.append(f"  {'expired on' if status == 'expired' else 'expires on'}  "
                     f"{found.expires_on.isoformat()}")  # fmt: skip
    if found.revoked_on:
        lines.append(f"  revoked on   {found.revoked_on.isoformat()}: {found.revoked_reason}")
    return "\n".join(lines)


def run_certificate(settings: Settings, args: argparse.Namespace) -> int:
    from bot import db
    from bot.services import build_services

    services = build_services(settings)
    db.upgrade(services.engine)
    today = services.clock.now().date()
    if args.certificate_command == "revoke":
        done = services.certificates.revoke(code=args.code, reason=args.reason, by=args.by)
        print(describe(done.certificate, today))
        if not done.newly:
            print("It was revoked already: nothing changed.")
        return 0
    verified = services.certificates.verify(code=args.code)
    if verified is None:
        print(f"No certificate has the code {args.code}.")
        return 1
    print(describe(verified, today))
    return 0

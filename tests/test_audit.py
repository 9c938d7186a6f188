"""The audit log, as admins read it: `/training audit` newest first with before and after,
paged by Older / Newer while new entries arrive, Export CSV and `trainbot audit export`;
members and managers are refused."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bot.clock import FixedClock
from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block
from bot.services.audit_log import CSV_HEADER, PAGE_SIZE
from models import AuditEntry, Certificate
from tests.conftest import ADMIN, AMY, BOB, MANAGER, TEAM_ID, RunningApp
from tests.support.courses import import_sample
from tests.support.library import next_call, top_view
from tests.support.seed import load_starter
from tests.test_assign_flow import assign_git
from tests.test_certificates import finish_course
from tests.test_content import GOOD, add, open_edit_form
from tests.test_manage import choose, open_manage

ROOT = Path(__file__).resolve().parents[1]
OWNER = "U0OWNER001"  # a second Slack admin, in Tokyo: the times shown are in her timezone
GENERAL = "C0GENERAL1"


def audit_log(slack: SlackClient, app: RunningApp, user: str = ADMIN) -> dict[str, Any]:
    """Type /training audit; the ephemeral message it answers with."""
    before = len(slack.fake.ephemerals(user))
    assert slack.command("/training", "audit", user=user).status == 200
    app.settle()
    shown = slack.fake.ephemerals(user)[before:]
    assert [m["text"].split(":")[0] for m in shown] == ["Audit log"], shown
    return shown[0]


def click(
    slack: SlackClient, app: RunningApp, message: dict[str, Any], action: Action
) -> dict[str, Any]:
    """A button of the audit message; the message as it is afterwards (replaced in place)."""
    slack.click(user=ADMIN, action_id=action, channel=message["channel"], ts=message["ts"])
    app.settle()
    found = slack.fake.find_message(message["channel"], message["ts"])
    assert found is not None
    return found[0]


def entries(message: dict[str, Any]) -> list[tuple[int, str]]:
    """(entry id, its text) of each entry shown, top to bottom."""
    return [(int(b["block_id"].split(":")[1]), b["text"]["text"]) for b in message["blocks"]
            if str(b.get("block_id", "")).startswith("audit:")]  # fmt: skip


def buttons(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions"
            for e in b["elements"]]  # fmt: skip


def set_role(slack: SlackClient, app: RunningApp, user: str, role: str) -> None:
    slack.command("/training", f"role <@{user}|someone> {role}", user=ADMIN)
    app.settle()
    assert slack.fake.response_texts()[-1] == f"<@{user}> is now a Trainbot {role}."


def test_what_admins_changed_shows_newest_first_with_before_and_after(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock
) -> None:
    slack.fake.add_user(OWNER, "olga", real_name="Olga Owner", tz="Asia/Tokyo", is_owner=True)
    clock.advance(timedelta(minutes=1))  # (the manager fixture made Maria a manager at 10:00)
    library = add(slack, ADMIN, GOOD)  # content created, then edited, then archived
    resource_id = next(b["block_id"].split(":")[1] for b in library["blocks"]
                       if b.get("block_id", "").startswith("manage:"))  # fmt: skip
    for change in ({Block.TITLE: "Negotiation, revised"}, {Block.STATUS: "archived"}):
        clock.advance(timedelta(minutes=1))
        form = open_edit_form(slack, ADMIN, resource_id)
        before = len(slack.fake.calls_to("views.update"))
        values = {**GOOD, Block.TITLE: "Negotiation, revised", **change}
        assert not (slack.submit_view(user=ADMIN, view_id=form["id"], values=values).json or {})
        next_call(slack, "views.update", before)
    slack.fake.clear_views(ADMIN)

    load_starter(app_server)
    assign_git(slack, manager, AMY, BOB)  # assigning is not an administrative change
    app_server.settle()
    clock.advance(timedelta(minutes=1))
    open_manage(slack, app_server, ADMIN)  # an admin manages every assignment
    confirm = choose(slack, app_server, ADMIN, "cancel", AMY)
    assert not slack.submit_view(user=ADMIN, view_id=confirm, values={}).json
    app_server.settle()
    slack.fake.clear_views(ADMIN)

    clock.advance(timedelta(minutes=1))
    before = len(slack.fake.calls_to("views.open"))
    slack.command("/training", f"digest <#{GENERAL}|general>", user=ADMIN)
    next_call(slack, "views.open", before)
    slack.submit_view(user=ADMIN, view_id=top_view(slack, ADMIN)["id"], values={
        Block.DIGEST_CHANNEL: GENERAL, Block.DIGEST_SCOPE: "workspace", Block.WEEKDAY: "4",
        Block.HOUR: "16"})  # fmt: skip
    slack.fake.clear_views(ADMIN)
    clock.advance(timedelta(minutes=1))
    slack.command("/training", "digest", user=ADMIN)
    slack.fake.wait_for_response_text("Fridays at 16:00")
    before = len(slack.fake.calls_to("views.open"))
    slack.click(user=ADMIN, action_id=Action.DIGEST_EDIT)
    next_call(slack, "views.open", before)
    slack.submit_view(user=ADMIN, view_id=top_view(slack, ADMIN)["id"], values={Block.HOUR: "8"})

    shown = entries(audit_log(slack, app_server, user=OWNER))
    assert [text.split("*")[1] for _, text in shown] == [
        "Digest changed", "Digest subscribed", "Assignment cancelled", "Content archived",
        "Content edited", "Content created", "Role changed",
    ]  # fmt: skip
    assert [i for i, _ in shown] == sorted((i for i, _ in shown), reverse=True)
    texts = [text for _, text in shown]
    assert "`hour` 16:00 → 08:00" in texts[0]
    # Who, and when in the reader's own timezone (Tokyo: UTC+9), which Slack also formats.
    assert f"<@{ADMIN}>  ·  <!date^" in texts[0] and "|2026-11-26 19:06 JST>" in texts[0]
    assert "`channel` (none) → <#C0GENERAL1>" in texts[1]
    assert "`weekday` (none) → Friday" in texts[1]
    assert "Pro Git" in texts[2] and f"(<@{AMY}>)" in texts[2]
    assert "`status` assigned → cancelled" in texts[2]
    assert "*Content archived*  ·  Negotiation, revised" in texts[3]
    assert "`status` published → archived" in texts[3] and "`title`" not in texts[3]  # only changes
    assert "`title` Acme negotiation basics → Negotiation, revised" in texts[4]
    assert "`title` (none) → Acme negotiation basics" in texts[5]
    assert f"(<@{MANAGER}>)" in texts[6] and "`role` member → manager" in texts[6]
    assert "|2026-11-26 19:00 JST>" in texts[6]
    assert buttons(audit_log(slack, app_server)) == ["Export CSV"]  # one page: no Older


def test_pages_go_older_and_newer_and_stay_put_while_entries_arrive(
    slack: SlackClient, app_server: RunningApp, clock: FixedClock
) -> None:
    for n in range(PAGE_SIZE + 5):  # 20 role changes, some at the same moment
        set_role(slack, app_server, AMY, "manager" if n % 2 == 0 else "member")
        if n % 3 == 0:
            clock.advance(timedelta(seconds=30))
    first = audit_log(slack, app_server)
    assert "Administrative actions in this workspace, newest first: 20 in all." in view_texts(first)
    page1 = [i for i, _ in entries(first)]
    assert len(page1) == PAGE_SIZE and buttons(first) == ["Older", "Export CSV"]

    for role in ("manager", "member", "manager"):  # three more come in while she reads
        set_role(slack, app_server, AMY, role)
    second = click(slack, app_server, first, Action.AUDIT_OLDER)
    page2 = [i for i, _ in entries(second)]
    assert len(page2) == 5 and buttons(second) == ["Newer", "Export CSV"]
    assert page1 + page2 == sorted(page1 + page2, reverse=True)  # no gap, nothing twice
    assert min(page1) > max(page2)

    back = click(slack, app_server, second, Action.AUDIT_NEWER)
    assert [i for i, _ in entries(back)] == page1  # the same page, not shifted by three
    assert buttons(back) == ["Newer", "Older", "Export CSV"]
    top = click(slack, app_server, back, Action.AUDIT_NEWER)
    newest = [i for i, _ in entries(top)]
    assert len(newest) == 3 and min(newest) > max(page1)
    assert buttons(top) == ["Older", "Export CSV"]


def test_members_and_managers_are_refused_politely(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    for user in (AMY, manager):
        slack.command("/training", "audit", user=user)
        app_server.settle()
    refused = "Only Trainbot admins can read the audit log (Slack workspace owners and admins)."
    assert [t for t in slack.fake.response_texts() if "audit log" in t] == [refused, refused]
    helps = []
    for user in (AMY, ADMIN):  # one after the other: the replies come in that order
        slack.command("/training", "help", user=user)
        app_server.settle()
        helps.append(slack.fake.response_payloads()[-1])
    member_help, admin_help = helps
    assert "/training audit" not in view_texts(member_help)
    assert "*`/training audit`*  The audit log" in view_texts(admin_help)


def test_export_csv_in_slack_and_from_the_command_line(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock,
    database_url: str,
) -> None:  # fmt: skip
    clock.advance(timedelta(hours=1))
    set_role(slack, app_server, manager, "member")
    click(slack, app_server, audit_log(slack, app_server), Action.AUDIT_EXPORT)
    slack.fake.wait_for_response_text("The audit log is in your DM with Trainbot, as CSV.")
    (upload,) = slack.fake.calls_to("files.completeUploadExternal")
    assert upload.args["channel_id"] == slack.fake.dm_channel(ADMIN)
    (exported,) = [f for f in slack.fake.files.values() if f["name"].endswith(".csv")]
    assert exported["name"] == "audit-log-2026-11-26.csv"
    rows = list(csv.reader(io.StringIO(exported["content"].decode())))
    assert rows == [
        list(CSV_HEADER),
        ["2026-11-26T10:00:00Z", "@ada", ADMIN, "role.changed", "member", MANAGER, "maria",
         MANAGER, '{"role": "member"}', '{"role": "manager"}'],
        ["2026-11-26T11:00:00Z", "@ada", ADMIN, "role.changed", "member", MANAGER, "maria",
         MANAGER, '{"role": "manager"}', '{"role": "member"}'],
    ]  # fmt: skip

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "audit", "export", *args],
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url}, cwd=ROOT,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    whole = cli("--workspace", TEAM_ID)
    assert whole.returncode == 0, whole.stderr
    assert list(csv.reader(io.StringIO(whole.stdout))) == rows
    since = cli("--workspace", TEAM_ID, "--since", "2026-11-26T10:30")  # no offset: UTC
    assert list(csv.reader(io.StringIO(since.stdout))) == [rows[0], rows[2]]
    unknown = cli("--workspace", "T0NOBODY01")
    assert unknown.returncode == 2 and unknown.stderr == (
        "trainbot: no audit entries for T0NOBODY01 here\n"
    )


def test_the_reminder_policy_due_dates_reassigning_and_revoking_are_recorded(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    before = len(slack.fake.calls_to("views.open"))
    slack.command("/training", "reminders", user=ADMIN)
    next_call(slack, "views.open", before)
    slack.submit_view(user=ADMIN, view_id=top_view(slack, ADMIN)["id"], values={
        Block.OVERDUE_EVERY: "5", Block.HOUR: "8", Block.WEEKDAYS_ONLY: []})  # fmt: skip
    slack.fake.clear_views(ADMIN)

    import_sample(app_server)
    finish_course(slack, app_server, manager)  # Amy earns a certificate; then it is revoked
    with engine.connect() as conn:
        code = conn.scalar(select(Certificate.code))
    assert code is not None
    slack.command("/training", f"revoke {code} Copied the answers", user=ADMIN)
    app_server.settle()

    load_starter(app_server)
    assign_git(slack, manager, AMY)
    app_server.settle()
    open_manage(slack, app_server, manager)  # the manager, on what she assigned
    for op, values in (("due", {Block.DUE: "2026-12-24"}), ("reassign", {Block.REASSIGN_TO: BOB})):
        view_id = choose(slack, app_server, manager, op, AMY)
        assert not slack.submit_view(user=manager, view_id=view_id, values=values).json
        app_server.settle()

    shown = [text for _, text in entries(audit_log(slack, app_server))]
    assert [text.split("*")[1] for text in shown] == [
        "Assignment reassigned", "Due date changed", "Certificate revoked",
        "Reminder policy changed", "Role changed",
    ]  # fmt: skip
    reassigned, due, revoked, policy, _ = shown
    assert f"<@{MANAGER}>  ·  " in reassigned  # who: the manager this time
    assert f"`assignee` <@{AMY}> → <@{BOB}>" in reassigned
    assert "`due_on` 2026-12-10 → 2026-12-24" in due and f"(<@{AMY}>)" in due
    grouped = "-".join(code[i : i + 4] for i in range(0, 16, 4))
    assert "*Certificate revoked*  ·  Onboarding essentials" in revoked and f"(<@{AMY}>)" in revoked
    assert "`revoked` no → yes" in revoked and "`reason` (none) → Copied the answers" in revoked
    assert "`overdue_every` 7 → 5" in policy and "`hour` 9 → 8" in policy
    assert "`weekdays_only` yes → no" in policy and "days_before" not in policy  # unchanged
    with engine.connect() as conn:
        subject = conn.scalar(select(AuditEntry.subject_id).where(
            AuditEntry.action == "certificate.revoked"))  # fmt: skip
    assert subject == grouped

"""/progress: a report on yourself, a person, a user group, a channel or one training;
"Export CSV" sends every row of it to your DM as a file."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.charts import trend_chart
from bot.clock import local_today
from bot.conversations import channel_members
from bot.errors import BotError
from bot.ids import Action, Command
from bot.render import mrkdwn, render
from bot.services import Services
from bot.services.catalog import require_manager
from bot.services.members import Caller
from bot.services.progress import Scope
from bot.uploads import upload_from_disk
from bot.usergroups import group_problem
from handlers.assign_forms import GROUP_MENTION, USER_MENTION
from handlers.digests import CHANNEL_MENTION
from handlers.support import after_ack, caller_of

USAGE = (
    "Usage: `/progress` (yours), `/progress @person`, `/progress @group`, "
    "`/progress #channel` or `/progress words naming a training`."
)
MAX_TEXT = 2000  # what a button can carry back for the export
MODAL_ROWS = 40  # rows per page of the full report (4 sections of 10)
MODAL_LATE = 30  # overdue items in the full report
REPORT_FAILED = "Sorry, the report could not be shown. Close this and try *Full report* again."


def scope_of(text: str, caller: Caller, services: Services, client: WebClient) -> Scope:
    """What the command's words ask about; people in groups and channels are read now."""
    text = text.strip()
    if (
        text in ("", "me")
        or text in (f"<@{caller.user_id}>",)
        or text.startswith(f"<@{caller.user_id}|")
    ):
        return Scope("your training", own=True)
    require_manager(caller, "see other people's progress")  # before asking Slack anything
    if len(text) > MAX_TEXT:
        raise BotError(USAGE)
    if user := USER_MENTION.fullmatch(text):
        return Scope(user.group(1), people=(user.group(1),), person=user.group(1))
    if group := GROUP_MENTION.fullmatch(text):
        label = group.group(2) or group.group(1)
        try:
            people = services.usergroups.members(client, group_id=group.group(1))
        except SlackApiError as error:
            raise BotError(group_problem(label, str(error.response.get("error")))) from None
        return Scope(label, people=tuple(people))
    if channel := CHANNEL_MENTION.fullmatch(text):
        members, problems = channel_members(client, [channel.group(1)])
        if problems:
            raise BotError(problems[0])
        name = channel.group(2) or channel.group(1)
        return Scope(f"#{name}", people=tuple(members))
    if "<" in text:
        raise BotError(USAGE)
    resource = services.catalog.find_one(caller=caller, words=text)
    if resource is None:
        raise BotError(f"No single training matches “{text}”. {USAGE}")
    return Scope(resource.title, resource_id=resource.id, kind=resource.type)


def handle_progress_command(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    caller = caller_of(body, services, client)
    text = str(body.get("text", ""))
    scope = scope_of(text, caller, services, client)
    today = local_today(services.clock.now(), caller.tz)
    report = services.progress.report(caller=caller, scope=scope, today=today)
    respond(**render("progress_report.json.j2", r=report, asked=text.strip()))


def handle_progress_export_action(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """The report's rows, all of them, as a CSV file in the caller's DM (written to disk and
    sent from there: a million rows never sit in memory)."""
    caller = caller_of(body, services, client)
    scope = scope_of(str(body["actions"][0]["value"]), caller, services, client)
    with tempfile.TemporaryDirectory(prefix="trainbot-export-") as folder:
        for what, title in (("assignments", "Progress"), ("attempts", "Quiz attempts")):
            path = Path(folder) / f"{what}.csv"
            with path.open("w", encoding="utf-8", newline="") as into:
                rows = services.progress.export(caller=caller, workspace_id=caller.workspace_id,
                                                scope=scope, into=into, what=what)  # fmt: skip
            if what == "assignments" or rows:  # attempts only when a quiz was taken
                send_file(client, services, caller, path, "csv", f"{title}: {scope.title}")
    respond(text=":page_facing_up: The CSV is in your DM with Trainbot.", replace_original=False)


def handle_progress_chart_action(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """ "Show chart": completion over the last 8 weeks, overall and by domain, to the DM."""
    caller = caller_of(body, services, client)
    scope = scope_of(str(body["actions"][0]["value"]), caller, services, client)
    ends, series = services.progress.trend(caller=caller, scope=scope)
    title = f"Completion over 8 weeks: {scope.title}"[:80]
    send_file(client, services, caller, trend_chart(ends, series, title=title), "png", title)
    respond(text=":chart_with_upwards_trend: The chart is in your DM with Trainbot.",
            replace_original=False)  # fmt: skip


def handle_progress_full_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """ "Full report": a modal at once (the trigger lives 3 s), filled in when ready."""
    asked = str(body["actions"][0]["value"])
    loading = render("progress_modal.json.j2", r=None, b=None, title="",
                     metadata=json.dumps({"asked": asked, "page": 1}))  # fmt: skip
    view_id = client.views_open(trigger_id=body["trigger_id"], view=loading)["view"]["id"]
    show_full_report(client, services, caller_of(body, services, client), view_id, asked, 1)


def handle_progress_page_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    asked = str(json.loads(body["view"].get("private_metadata") or "{}").get("asked", "me"))
    page = int(body["actions"][0]["value"])
    caller = caller_of(body, services, client)
    show_full_report(client, services, caller, body["view"]["id"], asked, page)


def show_full_report(
    client: WebClient, services: Services, caller: Caller, view_id: str, asked: str, page: int
) -> None:
    """The report's page of rows, its overdue items and breakdowns, drawn into the modal."""
    try:
        client.views_update(
            view_id=view_id, view=full_report_view(client, services, caller, asked, page)
        )
    except Exception:  # never leave the modal saying it is working: say it failed, then report
        failed = render("notice_modal.json.j2", title="Progress report", text=REPORT_FAILED)
        with contextlib.suppress(SlackApiError):
            client.views_update(view_id=view_id, view=failed)
        raise


def full_report_view(
    client: WebClient, services: Services, caller: Caller, asked: str, page: int
) -> dict[str, Any]:
    try:
        scope = scope_of(asked, caller, services, client)
    except BotError as error:  # e.g. the group is gone since the report was shown
        return render("notice_modal.json.j2", title="Progress report", text=error.user_message)
    today = local_today(services.clock.now(), caller.tz)
    progress = services.progress
    report = progress.report(caller=caller, scope=scope, today=today, page=page,
                             page_size=MODAL_ROWS, late_shown=MODAL_LATE)  # fmt: skip
    groups = {} if scope.own else services.usergroups.everyone(client)
    return render(
        "progress_modal.json.j2", r=report, title=report_title(scope),
        b=progress.breakdown(caller=caller, scope=scope, groups=groups),
        metadata=json.dumps({"asked": asked, "page": report.page}),
    )  # fmt: skip


def report_title(scope: Scope) -> str:
    return f"<@{scope.person}>" if scope.person else mrkdwn(scope.title[:140])


def send_file(
    client: WebClient, services: Services, caller: Caller, content: str | bytes | Path, kind: str,
    title: str, stem: str = "progress",
) -> None:  # fmt: skip
    """A file for the caller's eyes only: uploaded into their DM with Trainbot (a file on
    disk is sent from disk, in blocks)."""
    dm = client.conversations_open(users=caller.user_id)["channel"]["id"]
    stamp = services.clock.now().strftime("%Y-%m-%d")
    filename, comment = f"{stem}-{stamp}.{kind}", "Here is what you asked for."
    if isinstance(content, Path):
        upload_from_disk(client, path=content, filename=filename, title=title[:250],
                         channel=dm, comment=comment)  # fmt: skip
        return
    client.files_upload_v2(
        channel=dm, content=content, filename=filename, title=title[:250],
        initial_comment=comment,
    )  # fmt: skip


def register(app: App) -> None:
    app.command(Command.PROGRESS)(after_ack(handle_progress_command))
    app.action(Action.PROGRESS_EXPORT)(after_ack(handle_progress_export_action))
    app.action(Action.PROGRESS_CHART)(after_ack(handle_progress_chart_action))
    app.action(Action.PROGRESS_FULL)(after_ack(handle_progress_full_action))
    app.action(Action.PROGRESS_PAGE)(after_ack(handle_progress_page_action))

"""`trainbot sandbox`, driven over real HTTP as its browser page drives it.

The sandbox is SQLite-only by design (one file beside the user, no server to install),
so these tests run on SQLite only, each sandbox on free loopback ports with a
temporary database. The demo workspace is seeded by driving the real app.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.fakeslack import view_texts
from bot.ids import Action, Block
from bot.sandbox.page import make_page_app
from bot.sandbox.runtime import Sandbox, SandboxOptions
from models import (
    EnrollmentRule,
    EnrollmentStep,
    Member,
    PathEnrollment,
    ResourceAssignment,
    TrainingResource,
)

MAYA, LIAM, DIEGO, SOFIA, KWAME = (
    "U0MAYA0001", "U0LIAM0001", "U0DIEGO001", "U0SOFIA001", "U0KWAME001",
)  # fmt: skip
PRIYA, HANNAH, AMARA = "U0PRIYA001", "U0HANNAH01", "U0AMARA001"
ENGINEERING = "S0ENGINEER"
COURSE, PATH = "Writing That Gets Read", "New Engineer Onboarding"
LEARNING = "C0LEARNING"
BERLIN = "Europe/Berlin"  # Maya's timezone, the sandbox's for time travel
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def start(db: Path, **options: Any) -> Sandbox:
    settings = SandboxOptions(database_url=f"sqlite:///{db}", port=0, **options)
    return Sandbox(settings, make_page_app).start()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    running = start(tmp_path / "sandbox.sqlite3")
    yield running
    running.stop()


def call(
    sandbox: Sandbox, path: str, body: Any = None, *, raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:  # fmt: skip
    """GET (no body) or POST JSON to the sandbox; (status, decoded JSON or bytes)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(sandbox.url + path, data=data, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with NO_PROXY.open(request, timeout=30) as response:
            status, kind, content = (
                response.status,
                response.headers["Content-Type"],
                response.read(),
            )
    except urllib.error.HTTPError as error:
        with error:
            status, kind, content = error.code, error.headers["Content-Type"], error.read()
    return status, json.loads(content) if kind.startswith("application/json") else content


def state(sandbox: Sandbox, user: str, conversation: str | None = None) -> dict[str, Any]:
    query = f"?user={user}" + (f"&conversation={conversation}" if conversation else "")
    status, found = call(sandbox, "/api/state" + query)
    assert status == 200, found
    return dict(found)


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [view_texts(m) for m in messages]


def dm_about(sandbox: Sandbox, user: str, title: str) -> dict[str, Any]:
    found = [m for m in state(sandbox, user)["conversation"]["messages"] if title in view_texts(m)]
    assert found, f"no DM to {user} about {title}"
    return found[0]


def start_value(message: dict[str, Any]) -> str:
    """The value of the Start button of an assignment DM (the assignment's id)."""
    return str(
        next(
            e["value"]
            for b in message["blocks"] if b["type"] == "actions"
            for e in b["elements"] if e["action_id"] == Action.ASSIGNMENT_START
        )
    )  # fmt: skip


def test_seeding_makes_the_demo_workspace_with_assignments_in_every_state(
    sandbox: Sandbox,
) -> None:
    seen = state(sandbox, DIEGO)
    people = {p["id"]: p for p in seen["people"]}
    assert len(people) == 8
    assert people[MAYA]["is_admin"] and people[MAYA]["real_name"] == "Maya Lindqvist"
    assert {p["tz"] for p in people.values()} >= {"Europe/Berlin", "America/New_York"}
    assert all(p["title"] for p in people.values())
    assert {g["handle"] for g in seen["usergroups"]} == {"support-team", "engineering"}
    engineering = next(g for g in seen["usergroups"] if g["id"] == ENGINEERING)
    assert AMARA in engineering["members"]  # added during seeding, as Slack announced it
    assert {c["name"] for c in seen["channels"]} == {"general", "learning"}
    assert seen["conversation"]["kind"] == "im"

    assert "Not started" in view_texts(dm_about(sandbox, LIAM, "Pro Git"))
    assert "50%  ·  In progress" in view_texts(dm_about(sandbox, KWAME, "Pro Git"))
    assert "Completed" in view_texts(dm_about(sandbox, SOFIA, "Pro Git"))
    assert "Cancelled" in view_texts(dm_about(sandbox, LIAM, "OWASP Top 10"))
    status, _ = call(sandbox, "/api/home", {"user": DIEGO})
    assert status == 200
    home = view_texts(state(sandbox, DIEGO)["home"])
    assert "Technical Writing One>*  :rotating_light: *overdue*" in home
    # The manager heard back from the app as a manager does: confirmations of /assign.
    mine = texts(state(sandbox, MAYA)["conversation"]["messages"])
    assert any("Assigned" in t and "Pro Git" in t for t in mine), mine


def test_seeding_leaves_a_course_and_a_path_mid_way_finished_and_kept_enrolled(
    sandbox: Sandbox,
) -> None:
    with sandbox.services.sessions.begin() as s:
        course = s.scalars(select(ResourceAssignment).join(
            TrainingResource, TrainingResource.id == ResourceAssignment.resource_id
        ).where(TrainingResource.title == COURSE)).all()  # fmt: skip
        by_person = {s.get_one(Member, a.member_id).slack_user_id: a for a in course}
        assert sorted(by_person) == sorted([HANNAH, PRIYA, DIEGO])
        assert by_person[HANNAH].completed_at is not None and by_person[HANNAH].progress == 100
        assert by_person[PRIYA].completed_at is None and by_person[PRIYA].progress == 50
        assert by_person[DIEGO].progress == 0

        steps: dict[str, tuple[str, list[str], int | None]] = {}
        for enrollment in s.scalars(select(PathEnrollment)):
            states = s.scalars(
                select(EnrollmentStep.state)
                .where(EnrollmentStep.enrollment_id == enrollment.id)
                .order_by(EnrollmentStep.position)
            )
            user = s.get_one(Member, enrollment.member_id).slack_user_id
            steps[user] = (enrollment.status, list(states), enrollment.rule_id)
        (rule,) = s.scalars(select(EnrollmentRule)).all()
        assert (rule.source, rule.source_id, rule.active) == ("usergroup", ENGINEERING, True)
    locked = ["locked", "locked"]
    assert steps == {  # the group's three by /assign, Amara by the rule when she joined
        SOFIA: ("completed", ["done"] * 4, None),
        KWAME: ("active", ["done", "open", *locked], None),
        LIAM: ("active", ["open", "locked", *locked], None),
        AMARA: ("active", ["open", "locked", *locked], rule.id),
    }

    # What the page shows: the DMs and Home, as the people see them.
    priya = view_texts(dm_about(sandbox, PRIYA, COURSE))
    assert "2 of 4 required items done" in priya and "50%" in priya
    assert "Course complete" in view_texts(dm_about(sandbox, HANNAH, COURSE))
    assert f"Step 1 of 4 of *{PATH}*" in view_texts(dm_about(sandbox, AMARA, PATH))
    call(sandbox, "/api/home", {"user": KWAME})
    kwame = view_texts(state(sandbox, KWAME)["home"])
    assert f"*{PATH}*  ·  step 2 of 4" in kwame
    assert "`████░░░░░░` 40%" in kwame  # the course step: 2 of its 5 required items
    call(sandbox, "/api/home", {"user": SOFIA})
    assert f"*{PATH}*  ·  :trophy: finished" in view_texts(state(sandbox, SOFIA)["home"])


def test_assign_opens_a_modal_and_a_past_due_date_is_answered_under_its_field(
    sandbox: Sandbox,
) -> None:
    status, acted = call(sandbox, "/api/command", {"user": MAYA, "text": "/assign @liam eloquent"})
    assert status == 200 and acted["status"] == 200
    (modal,) = state(sandbox, MAYA)["modals"]
    assert modal["title"]["text"] == "Assign training"
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    assert blocks[Block.PEOPLE]["element"]["initial_users"] == [LIAM]  # "@liam" escaped
    assert blocks[Block.RESOURCE]["element"]["initial_option"]["text"]["text"] == (
        "Eloquent JavaScript"
    )
    status, suggested = call(sandbox, "/api/suggest", {
        "user": MAYA, "view_id": modal["id"], "block_id": Block.RESOURCE,
        "action_id": Action.ASSIGN_RESOURCE, "query": "owasp",
    })  # fmt: skip
    assert status == 200
    assert "OWASP Top 10" in [o["text"]["text"] for o in suggested["options"]]

    draft = {Block.DUE: {"value": "2020-01-01"}}
    status, submitted = call(
        sandbox, "/api/submit", {"user": MAYA, "view_id": modal["id"], "draft": draft}
    )
    assert status == 200
    assert submitted["errors"][Block.DUE].startswith("The due date is in the past")
    (still_open,) = state(sandbox, MAYA)["modals"]
    assert still_open["errors"] == {Block.DUE: submitted["errors"][Block.DUE]}

    now = datetime.fromisoformat(state(sandbox, MAYA)["now"]).astimezone(ZoneInfo(BERLIN))
    later = (now + timedelta(days=10)).date().isoformat()
    draft = {Block.DUE: {"value": later}, Block.PRIORITY: {"value": "high"}}
    status, submitted = call(
        sandbox, "/api/submit", {"user": MAYA, "view_id": modal["id"], "draft": draft}
    )
    assert status == 200 and submitted["errors"] is None
    assert state(sandbox, MAYA)["modals"] == []
    dm = view_texts(dm_about(sandbox, LIAM, "Eloquent JavaScript"))
    assert "High priority" in dm and later in dm


def test_start_in_a_dm_updates_that_message(sandbox: Sandbox) -> None:
    before = dm_about(sandbox, LIAM, "Pro Git")
    start_button = next(
        (b["block_id"], e)
        for b in before["blocks"] if b["type"] == "actions"
        for e in b["elements"] if e["action_id"] == Action.ASSIGNMENT_START
    )  # fmt: skip
    status, acted = call(sandbox, "/api/action", {
        "user": LIAM, "container": {"type": "message", "channel": f"D{LIAM[1:]}",
                                    "ts": before["ts"]},
        "block_id": start_button[0], "action_id": Action.ASSIGNMENT_START,
        "value": start_button[1]["value"],
    })  # fmt: skip
    assert status == 200 and acted["status"] == 200
    after = dm_about(sandbox, LIAM, "Pro Git")
    assert after["ts"] == before["ts"]  # updated in place, not a new message
    assert "In progress" in view_texts(after) and "Not started" not in view_texts(after)
    assert Action.ASSIGNMENT_START not in json.dumps(after["blocks"])


def test_maya_reads_what_she_changed_in_the_audit_log_and_others_cannot(
    sandbox: Sandbox,
) -> None:
    for person in (MAYA, DIEGO):
        status, acted = call(sandbox, "/api/command", {"user": person, "text": "/training audit"})
        assert status == 200 and acted["status"] == 200
    (log,) = [m for m in state(sandbox, MAYA)["conversation"]["messages"]
              if m.get("ephemeral") and m["text"].startswith("Audit log")]  # fmt: skip
    entries = [b["text"]["text"] for b in log["blocks"] if b["type"] == "section"]
    # Seeding went through the app, newest first: Maya's cancel (two days ago), her digest
    # (six days ago) and Hannah made a manager (ten days ago).
    assert [e.split("*")[1] for e in entries] == [
        "Assignment cancelled", "Digest subscribed", "Role changed"]  # fmt: skip
    assert "OWASP Top 10" in entries[0] and f"(<@{LIAM}>)" in entries[0]
    assert f"<@{MAYA}>" in entries[1] and f"`channel` (none) → <#{LEARNING}>" in entries[1]
    assert f"(<@{HANNAH}>)" in entries[2] and "`role` member → manager" in entries[2]
    refused = texts(state(sandbox, DIEGO)["conversation"]["messages"])
    assert any("Only Trainbot admins can read the audit log" in t for t in refused)


def test_travel_to_next_monday_morning_brings_the_weekly_digest(sandbox: Sandbox) -> None:
    berlin = ZoneInfo(BERLIN)
    now = datetime.fromisoformat(state(sandbox, MAYA)["now"]).astimezone(berlin)
    monday = (now + timedelta(days=7 - now.weekday())).date()
    # (Started between Monday 09:00 and Tuesday 09:00, this week's digest is already there.)
    before = len(state(sandbox, MAYA, LEARNING)["conversation"]["messages"])

    status, travelled = call(sandbox, "/api/travel", {"to": f"{monday}T09:00"})
    assert status == 200, travelled
    assert travelled["sent"]["digest"] == 1
    assert datetime.fromisoformat(travelled["now"]) == datetime(
        monday.year, monday.month, monday.day, 9, tzinfo=berlin
    )
    (digest,) = state(sandbox, MAYA, LEARNING)["conversation"]["messages"][before:]
    assert digest["author"]["is_bot"] and "completed" in view_texts(digest)
    assert float(digest["ts"]) >= datetime.fromisoformat(travelled["now"]).timestamp()  # dated then
    (chart,) = [b for b in digest["blocks"] if b["type"] == "image"]
    status, png = call(sandbox, f"/files/{chart['slack_file']['id']}")
    assert status == 200 and png.startswith(b"\x89PNG")

    two_weeks = datetime.combine(monday + timedelta(days=14), datetime.min.time(), berlin)
    status, travelled = call(sandbox, "/api/travel", {"to": f"{two_weeks:%Y-%m-%d}T17:00"})
    assert status == 200 and travelled["sent"]["reminder"] >= 1
    reminded = [
        t for p in (LIAM, DIEGO, KWAME)
        for t in texts(state(sandbox, p)["conversation"]["messages"]) if "Reminder" in t
    ]  # fmt: skip
    assert reminded
    status, refused = call(sandbox, "/api/travel", {"to": f"{monday}T09:00"})
    assert status == 400 and "going back in time" in refused["error"]


def test_calls_are_listed_and_an_over_limit_payload_is_flagged(sandbox: Sandbox) -> None:
    status, listed = call(sandbox, "/api/calls")
    assert status == 200
    assert [c["seq"] for c in listed["calls"]] == list(range(1, listed["next"]))
    assert {"views.open", "chat.postMessage", "chat.update"} <= {
        c["method"] for c in listed["calls"]
    }
    assert all(c["problems"] == [] for c in listed["calls"])

    # A payload Slack refuses (a section over 3000 characters), sent with the app's token.
    client = WebClient(
        token=sandbox.services.settings.bot_token, base_url=sandbox.workspace.base_url
    )
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel=LEARNING, text="too long", blocks=too_long)
    status, newer = call(sandbox, f"/api/calls?since={listed['next']}")
    (flagged,) = newer["calls"]
    assert flagged["method"] == "chat.postMessage" and flagged["error"] == "invalid_blocks"
    assert any("3000" in problem for problem in flagged["problems"]), flagged["problems"]


def test_bad_requests_get_json_errors(sandbox: Sandbox) -> None:
    status, found = call(sandbox, "/api/state?user=U0NOBODY00")
    assert (status, found["ok"]) == (400, False) and "unknown user" in found["error"]
    status, found = call(sandbox, "/api/command", raw=b"{not json")
    assert status == 400 and "not JSON" in found["error"]
    status, found = call(sandbox, "/api/command", {"user": MAYA, "text": "/deploy prod"})
    assert status == 400 and found["error"] == "/deploy is not a command of this app"
    status, found = call(sandbox, "/api/submit", {"user": MAYA, "view_id": "V0NOPE", "draft": {}})
    assert status == 404 and "not an open modal" in found["error"]
    status, found = call(sandbox, "/api/calls?since=soon")
    assert status == 400
    status, found = call(
        sandbox, "/api/home", {"user": MAYA}, headers={"Origin": "https://evil.example"}
    )
    assert status == 403 and found["ok"] is False
    status, page = call(sandbox, "/")
    assert status == 200 and b"<html" in page.lower()
    status, found = call(sandbox, "/api/upload", {"user": MAYA, "name": "x.pdf",
                                                  "content_base64": "not base64!"})  # fmt: skip
    assert status == 400 and "not base64" in found["error"]


def test_a_file_chosen_in_a_modal_is_submitted_as_slack_submits_it(sandbox: Sandbox) -> None:
    handbook = b"%PDF-1.4 the handbook"
    status, uploaded = call(sandbox, "/api/upload", {
        "user": MAYA, "name": "handbook.pdf",
        "content_base64": base64.b64encode(handbook).decode(),
    })  # fmt: skip
    assert status == 200 and uploaded["file"]["user"] == MAYA
    file_id = uploaded["file"]["id"]
    assert call(sandbox, f"/files/{file_id}") == (200, handbook)

    call(sandbox, "/api/command", {"user": MAYA, "text": "/training add"})
    (form,) = state(sandbox, MAYA)["modals"]
    draft = {Block.TITLE: {"value": "Acme handbook"}, Block.TYPE: {"value": "pdf"},
             Block.FILE: {"value": [file_id]}}  # fmt: skip
    status, submitted = call(
        sandbox, "/api/submit", {"user": MAYA, "view_id": form["id"], "draft": draft}
    )
    assert status == 200 and submitted["errors"] is None
    with sandbox.services.sessions.begin() as s:
        named = TrainingResource.title == "Acme handbook"
        (resource,) = s.scalars(select(TrainingResource).where(named)).all()
        assert resource.file_id == file_id
        assert resource.url == uploaded["file"]["permalink"]


def test_the_demo_history_feeds_search_and_recommendations(sandbox: Sandbox) -> None:
    """What the README suggests trying in the sandbox: a typo, For you, Home's section and
    Maya's suggestions for @support-team."""
    shown = []
    for text in ("/library kubernets", "/library for:me"):
        status, acted = call(sandbox, "/api/command", {"user": PRIYA, "text": text})
        assert status == 200 and acted["status"] == 200
        shown.append(state(sandbox, PRIYA)["modals"][-1])
        call(sandbox, "/api/close", {"user": PRIYA, "view_id": shown[-1]["id"]})
    typo, for_me = shown
    assert "Did you mean *kubernetes*?" in view_texts(typo)
    assert "Learn Kubernetes Basics" in view_texts(typo)
    reasons = [b for b in for_me["blocks"] if str(b.get("block_id", "")).startswith("meta:")]
    assert reasons and all(b["elements"][0]["text"].startswith("_") for b in reasons)
    call(sandbox, "/api/home", {"user": PRIYA})
    assert "Recommended for you" in view_texts(state(sandbox, PRIYA)["home"])

    call(sandbox, "/api/home", {"user": MAYA})
    home = state(sandbox, MAYA)["home"]
    tab = {"type": "view", "view_id": home["id"]}
    tab_click = {"user": MAYA, "container": tab, "action_id": Action.HOME_TAB_TEAM, "value": "team"}
    call(sandbox, "/api/action", tab_click)
    home = state(sandbox, MAYA)["home"]
    status, acted = call(sandbox, "/api/action", {
        "user": MAYA, "container": {"type": "view", "view_id": home["id"]},
        "action_id": Action.ASSIGN_GROUPS,
        "value": {"value": "S0SUPPORT1", "text": {"type": "plain_text", "text": "@support-team"}},
    })  # fmt: skip
    assert status == 200, acted
    team = view_texts(state(sandbox, MAYA)["home"])
    assert "Suggested for @support-team" in team

"""`trainbot sandbox` starting and stopping: a restart keeps the workspace, --fresh starts
over, and the command line refuses what it cannot do safely (beyond loopback without being
told, a busy port, a database that is not SQLite or holds a real workspace)."""

from __future__ import annotations

import socket
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.fakeslack import view_texts
from bot.ids import INPUT, Action, Block
from bot.sandbox.runtime import Sandbox
from tests.support.waiting import eventually
from tests.test_sandbox import (
    COURSE,
    HANNAH,
    LIAM,
    MAYA,
    NO_PROXY,
    PATH,
    PRIYA,
    call,
    dm_about,
    start,
    start_value,
    state,
    texts,
)


def assign_path_starting(sandbox: Sandbox, user: str, starts: str) -> None:
    """/assign, "Path: …" chosen in the typeahead (the modal is redrawn with a start date)."""
    call(sandbox, "/api/command", {"user": MAYA, "text": "/assign"})
    (modal,) = state(sandbox, MAYA)["modals"]
    where = {"user": MAYA, "view_id": modal["id"], "block_id": Block.RESOURCE,
             "action_id": Action.ASSIGN_RESOURCE}  # fmt: skip
    status, found = call(sandbox, "/api/suggest", {**where, "query": "onboarding"})
    (option,) = [o for o in found["options"] if o["text"]["text"] == f"Path: {PATH}"]
    status, acted = call(sandbox, "/api/action", {**where, "container": {
        "type": "view", "view_id": modal["id"]}, "value": option})  # fmt: skip
    assert (status, acted["sent"]) == (200, True)
    (modal,) = state(sandbox, MAYA)["modals"]
    assert Block.START in {b.get("block_id") for b in modal["blocks"]}
    draft = {Block.PEOPLE: {INPUT: [user]}, Block.START: {INPUT: starts}}
    status, submitted = call(
        sandbox, "/api/submit", {"user": MAYA, "view_id": modal["id"], "draft": draft}
    )
    assert (status, submitted["errors"]) == (200, None), submitted


def test_a_restart_keeps_the_workspace_and_fresh_starts_over(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.sqlite3"
    first = start(db, scheduler=False)
    try:
        call(first, "/api/command", {"user": MAYA, "text": "/assign @liam eloquent"})
        (modal,) = state(first, MAYA)["modals"]
        assert call(first, "/api/submit", {"user": MAYA, "view_id": modal["id"]})[1]["ok"]
        eventually(lambda: dm_about(first, LIAM, "Eloquent JavaScript"))
        # A path starting in two days: nothing yet; the travel's enrollment sweep opens it.
        now = datetime.fromisoformat(state(first, MAYA)["now"])
        assign_path_starting(first, HANNAH, f"{(now + timedelta(days=2)).date()}")
        assert not [t for t in texts(state(first, HANNAH)["conversation"]["messages"])
                    if PATH in t]  # fmt: skip
        travelled = call(first, "/api/travel", {"to": f"{now + timedelta(days=3)}"})
        assert travelled[1]["sent"]["enrollment"] == 1, travelled
        assert "Step 1 of 4" in view_texts(dm_about(first, HANNAH, PATH))
    finally:
        first.stop()

    again = start(db, scheduler=False)
    try:
        assert not again.seeded_now
        now = datetime.fromisoformat(state(again, LIAM)["now"])
        assert now >= datetime.fromisoformat(travelled[1]["now"])  # the clock kept its travel
        call(again, "/api/home", {"user": LIAM})
        home = state(again, LIAM)["home"]
        assert "Eloquent JavaScript" in view_texts(home) and "Pro Git" in view_texts(home)
        # The stand-in lost its messages; the assignment DMs are drawn again, clickable.
        dm = dm_about(again, LIAM, "Pro Git")
        status, acted = call(again, "/api/action", {
            "user": LIAM, "container": {"type": "view", "view_id": home["id"]},
            "action_id": Action.ASSIGNMENT_START, "value": start_value(dm),
        })  # fmt: skip
        assert (status, acted["status"]) == (200, 200)
        assert "In progress" in view_texts(dm_about(again, LIAM, "Pro Git"))
        assert not [
            t for t in texts(state(again, LIAM)["conversation"]["messages"]) if "Sorry" in t
        ]
        # Course and path DMs are drawn again too, their item buttons live.
        assert "Step 1 of 4" in view_texts(dm_about(again, HANNAH, PATH))
        course = dm_about(again, PRIYA, COURSE)
        assert "2 of 4 required items done" in view_texts(course)
        (item,) = [b for b in course["blocks"] if "Diataxis" in str(b.get("text"))]
        status, acted = call(again, "/api/action", {
            "user": PRIYA, "container": {"type": "message", "channel": f"D{PRIYA[1:]}",
                                         "ts": course["ts"]},
            "block_id": item["block_id"], "action_id": Action.COURSE_ITEM_DONE,
            "value": item["accessory"]["value"],
        })  # fmt: skip
        assert (status, acted["status"]) == (200, 200)
        after = dm_about(again, PRIYA, COURSE)
        assert after["ts"] == course["ts"] and "3 of 4 required items done" in view_texts(after)
    finally:
        again.stop()

    fresh = start(db, scheduler=False, fresh=True)
    try:
        assert fresh.seeded_now
        call(fresh, "/api/home", {"user": LIAM})
        home = view_texts(state(fresh, LIAM)["home"])
        assert "Pro Git" in home and "Eloquent JavaScript" not in home
    finally:
        fresh.stop()


def test_the_command_line_refuses_what_it_cannot_do_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert main(["sandbox", "--host", "0.0.0.0", "--database-url", db]) == 2
    assert "not a loopback address" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["sandbox", "--port", str(port), "--database-url", db]) == 2
    assert f"port {port} on 127.0.0.1 is already in use" in capsys.readouterr().err
    assert main(["sandbox", "--database-url", "postgresql://localhost/trainbot"]) == 2
    assert "SQLite only" in capsys.readouterr().err
    assert not (tmp_path / "x.sqlite3").exists()  # refused before anything was created


def test_a_database_with_a_real_workspace_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    monkeypatch.chdir(tmp_path)  # no .env from elsewhere
    monkeypatch.setenv("DATABASE_URL", db)
    assert main(["catalog", "import", "--starter", "--workspace", "T0REALTEAM"]) == 0
    assert main(["sandbox", "--port", "0", "--database-url", db]) == 2
    assert "holds real workspaces (T0REALTEAM)" in capsys.readouterr().err


def test_beyond_loopback_only_when_told_and_the_app_still_reaches_only_the_stand_in(
    tmp_path: Path,
) -> None:
    running = start(tmp_path / "open.sqlite3", host="0.0.0.0", allow_non_loopback=True)
    try:
        # The page answers on every address now (loopback included)...
        port = running.url.rsplit(":", 1)[1]
        with NO_PROXY.open(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert page.status == 200
        # ...but the app's Web API is still the stand-in on loopback, never slack.com.
        api = urllib.parse.urlsplit(running.services.settings.api_url)
        assert api.hostname == "127.0.0.1"
        assert api.port == urllib.parse.urlsplit(running.workspace.base_url).port
    finally:
        running.stop()

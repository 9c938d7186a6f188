"""Quizzes in reports: pass rate, median best score, most-missed questions and each
person's best attempt, the same in /progress, the full report, the Team tab and the CSVs."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot.clock import FixedClock
from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action
from tests.conftest import AMY, BOB, RunningApp
from tests.support.courses import assign, dm
from tests.support.library import top_view
from tests.support.quizzes import import_quizzes, picks, take
from tests.test_progress import report
from tests.test_quizzes import RIGHT, SECURITY, WRONG_LAST_TWO

ROOT = Path(__file__).resolve().parents[1]
QUIZ_LINE = "*Security basics check*  ·  50% passed (1 of 2)  ·  median best 86%  ·  3 attempts"
MISSED = ("most missed: “How long should a screen lock wait?” 67% wrong, "
          "“Which of these may you share in a public channel?” 67% wrong")  # fmt: skip
AMY_LINE = f"<@{AMY}>  ·  Security basics check: best 100% in 2 attempts, :white_check_mark: passed"
BOB_LINE = f"<@{BOB}>  ·  Security basics check: best 71% in 1 attempt, not passed yet"


def sit(slack: SlackClient, user: str, answers: dict[str, list[str]]) -> None:
    """Take the security quiz once, both pages answered from `answers`."""
    first = take(slack, user, dm(slack, user))
    slack.submit_view(user=user, values=picks(first, answers))
    slack.submit_view(user=user, values=picks(top_view(slack, user), answers))


def test_quiz_figures_are_the_same_on_every_surface(
    slack: SlackClient, app_server: RunningApp, manager: str, clock: FixedClock, database_url: str
) -> None:
    import_quizzes(app_server)
    assign(slack, manager, SECURITY, [AMY, BOB])
    sit(slack, AMY, {**RIGHT, **WRONG_LAST_TWO})  # 5 of 7: 71%
    sit(slack, BOB, {**RIGHT, **WRONG_LAST_TWO})
    clock.advance(timedelta(hours=2))
    sit(slack, AMY, RIGHT)  # 100%: Amy's best, and a pass
    app_server.settle()

    text = view_texts(report(slack, manager, "security basics"))
    assert QUIZ_LINE in text and MISSED in text
    assert AMY_LINE in text and BOB_LINE in text
    own = view_texts(report(slack, BOB, ""))  # Bob's own report: his result, not Amy's
    assert "Security basics check: best 71% in 1 attempt, not passed yet" in own
    assert AMY not in own

    slack.app_home_opened(manager)
    app_server.settle()
    home = slack.fake.home(manager)
    assert home is not None
    slack.click(user=manager, action_id=Action.HOME_TAB_TEAM, view_id=home["id"])
    app_server.settle()
    team_text = view_texts(slack.fake.home(manager) or {})
    assert QUIZ_LINE in team_text and MISSED in team_text

    cli = subprocess.run(
        [sys.executable, "-m", "bot", "report", "export", "--workspace", "T0TRAIN001",
         "--what", "attempts"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url}, cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    rows = list(csv.DictReader(io.StringIO(cli.stdout)))
    assert [(r["person"], r["attempt"], r["score"], r["passed"]) for r in rows] == [
        (AMY, "1", "71", "no"), (AMY, "2", "100", "yes"), (BOB, "1", "71", "no")
    ]  # fmt: skip
    assert {r["quiz"] for r in rows} == {SECURITY}

    # Export from the report: the assignments' CSV and, as a quiz was taken, the attempts'.
    report(slack, manager, "security basics")
    slack.click(user=manager, action_id=Action.PROGRESS_EXPORT)
    slack.fake.wait_for_response_text("The CSV is in your DM")
    sent = {f["title"].split(":")[0]: f["content"].decode() for f in slack.fake.files.values()}
    assert sorted(sent) == ["Progress", "Quiz attempts"]
    assert sent["Quiz attempts"] == cli.stdout

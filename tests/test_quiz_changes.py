"""Quizzes that change while people take them, and certificates that expire: an edited
question, a renamed section, a quiz removed, a renewal assigned before expiry."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from bot.clock import FixedClock
from bot.fakeslack import FakeSlack, SlackClient, view_texts
from bot.ids import Action
from bot.services.catalog_files import parse_catalog
from models import Certificate, Quiz, QuizAttempt, ResourceAssignment
from tests.conftest import AMY, RunningApp
from tests.support.courses import assign, dm
from tests.support.jobs import run_sweep
from tests.support.library import after_update, top_view
from tests.support.quizzes import QUIZZES, import_quizzes, picks, take
from tests.test_courses import click_item
from tests.test_progress import report
from tests.test_quiz_editor import click_editor, open_quiz_editor, own_quizzes
from tests.test_quizzes import RIGHT, SECURITY

ROOT = Path(__file__).resolve().parents[1]
QUESTION_1 = (
    '"choices": ["Summer2026!", "correct horse battery staple tulip", "P@ssw0rd"], "correct": [1]'
)
FEWER_CHOICES = '"choices": ["correct horse battery staple tulip", "P@ssw0rd"], "correct": [0]'


def reimport(app: RunningApp, edit: dict[str, str], workspace_id: int | None = None) -> None:
    """The sample quiz file again, with `edit` (old text -> new text) applied."""
    text = QUIZZES.read_text("utf-8")
    for old, new in edit.items():
        assert old in text, old
        text = text.replace(old, new)
    rows = parse_catalog("quizzes.json", text)
    app.services.catalog.import_rows(rows=rows, workspace_id=workspace_id)


def test_a_question_edited_mid_attempt_is_scored_as_it_was_shown(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    import_quizzes(app_server)
    assign(slack, manager, SECURITY, [AMY])
    first = take(slack, AMY, dm(slack, AMY))
    slack.submit_view(user=AMY, values=picks(first, RIGHT))  # page 1 kept; now on page 2
    reimport(app_server, {QUESTION_1: FEWER_CHOICES})
    before = len(slack.fake.calls_to("views.update"))
    slack.click(user=AMY, action_id=Action.QUIZ_BACK, view_id=top_view(slack, AMY)["id"])
    back = after_update(slack, AMY, before)
    assert "Summer2026!" in json.dumps(back)  # page 1 as Amy was shown it: three choices
    slack.submit_view(user=AMY)
    slack.submit_view(user=AMY, values=picks(top_view(slack, AMY), RIGHT))
    assert "You scored *100%*" in view_texts(top_view(slack, AMY))  # her right answer is right


def test_renaming_a_section_by_import_completes_nobody_who_did_not_pass_its_quiz(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_quizzes(app_server)
    assign(slack, manager, "Handling incidents", [AMY])
    for title in ("Reading alerts", "Status updates"):
        click_item(slack, AMY, dm(slack, AMY), title)
    item = take(slack, AMY, dm(slack, AMY), under="One-shot check")
    slack.submit_view(user=AMY, values=picks(item, {"sky green": ["False"]}))
    app_server.settle()
    assert "3 of 4 items and quizzes done" in view_texts(dm(slack, AMY))  # Detect's quiz left
    reimport(app_server, {'{"title": "Detect",': '{"title": "Detection",'})
    with engine.connect() as conn:
        row = conn.execute(select(ResourceAssignment.completed_at, ResourceAssignment.progress)
                           .where(ResourceAssignment.member_id.is_not(None))).all()  # fmt: skip
        detached = conn.scalar(select(func.count()).select_from(Quiz).where(
            Quiz.resource_id.is_(None), Quiz.section_id.is_(None)))  # fmt: skip
    assert [(r.completed_at, r.progress) for r in row] == [(None, 75)]
    assert detached == 1  # the old section's quiz, kept (with any attempts) for the record


def test_removing_a_section_quiz_completes_whoever_had_everything_else_done(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    own_quizzes(app_server, engine)
    assign(slack, manager, "Handling incidents", [AMY])
    for title in ("Reading alerts", "Status updates"):
        click_item(slack, AMY, dm(slack, AMY), title)
    item = take(slack, AMY, dm(slack, AMY), under="One-shot check")
    slack.submit_view(user=AMY, values=picks(item, {"sky green": ["False"]}))
    with engine.connect() as conn:
        course = conn.scalar(select(ResourceAssignment.resource_id))
    open_quiz_editor(slack, app_server, manager, int(course or 0))  # Detect's quiz
    removed = click_editor(slack, manager, Action.QUIZ_REMOVE)
    assert "Removed the quiz on *Handling incidents: Detect*" in view_texts(removed)
    with engine.connect() as conn:
        done = conn.scalar(select(ResourceAssignment.completed_at))
    assert done is not None


def test_a_certificate_that_expires_is_renewed_once_and_reports_say_who_is_due(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine, clock: FixedClock,
    fake_slack: FakeSlack, database_url: str,
) -> None:  # fmt: skip
    import_quizzes(app_server)
    assign(slack, manager, "One-shot check", [AMY])
    view = take(slack, AMY, dm(slack, AMY))
    slack.submit_view(user=AMY, values=picks(view, {"sky green": ["False"]}))
    app_server.settle()
    with engine.connect() as conn:
        expires = conn.scalar(select(Certificate.expires_on))
    assert expires == (clock.now() + timedelta(days=365)).date()  # 12 months, in Berlin

    as_of = clock.now() + timedelta(days=340)  # 25 days before it expires
    for _ in range(2):  # a second sweep renews nothing more
        run = run_sweep("renewals", database_url=database_url, fake=fake_slack, as_of=as_of)
        assert run.returncode == 0, run.stderr
    with engine.connect() as conn:
        a = ResourceAssignment
        open_again = conn.execute(select(a.due_on, a.note).where(a.completed_at.is_(None))).all()
    assert [(r.due_on, r.note.startswith("Renewal")) for r in open_again] == [(expires, True)]
    told = [m["text"] for m in slack.fake.messages(slack.fake.dm_channel(manager))
            if "expires on" in m["text"]]  # fmt: skip
    assert told == [f"<@{AMY}>'s certificate for *One-shot check* expires on "
                    f"{expires:%d %B %Y}: I have assigned it to them again."]  # fmt: skip
    renewal = dm(slack, AMY, 1)
    assert "Renewal: your certificate expires on" in view_texts(renewal)

    clock.set(as_of)
    text = view_texts(report(slack, manager, "one-shot"))
    assert f"due for renewal: <@{AMY}>" in text

    view = take(slack, AMY, renewal)
    assert "Attempt 1 of 1" in view_texts(view)  # a fresh start under the renewal
    slack.submit_view(user=AMY, values=picks(view, {"sky green": ["False"]}))
    app_server.settle()
    with engine.connect() as conn:
        certificates = conn.scalar(select(func.count()).select_from(Certificate))
        attempts = conn.scalar(select(func.count()).select_from(QuizAttempt))
    assert (certificates, attempts) == (2, 2)

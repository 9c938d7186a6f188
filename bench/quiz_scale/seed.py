"""The data: course_scale's workspace, then a quiz of ten questions given to every learner
through the app's own services, the DMs of those who take it sent, the others with an
earlier attempt.

bench/course_scale/seed.py (`seed_courses`) writes assign_scale's workspace with COPY and
adds its course and path; it is called with one clicker of each, so its own DMs are two
learners' (left out here). Then, in this process, with the app's services on the same
database (as the tests build it):
- a quiz of its own ("type": "quiz") of ten questions (single choice, multiple choice,
  true/false; two pages of five), imported by `services.catalog.import_rows` from a JSON
  catalog in the shape of tests/data/quizzes.json (bot/services/catalog_quiz.py);
- the quiz assigned to every learner by the first manager (`services.assignments.assign`),
  so each learner has one quiz assignment: each timed submission is a fresh attempt;
- the DMs of the learners who will take it sent to the stand-in by `deliver_pending` (so
  each has a ts and a Take quiz button); everyone else's are marked sent in the outbox;
- every other learner with one earlier attempt, submitted and failed, and its answers, so
  quiz_attempts and quiz_answers are not empty either; then VACUUM ANALYZE.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from slack_sdk import WebClient

from bench.assign_scale.database import conninfo_of
from bench.course_scale.seed import (
    SEND_PER_MINUTE,
    SENT_UNREAD,
    Clicker,
    CourseData,
    _clickers,
    seed_courses,
)
from bench.servers import BOT_TOKEN, TEAM_ID, server_env
from bench.timing import StampedFakeSlack
from bot import db

QUIZ_EXTERNAL_ID = "bench-quiz"
QUIZ_TITLE = "Handling customer data"
PASS_MARK = 80
# (kind, text, choices, indices of the right ones): ten questions, two pages of five.
QUESTIONS: tuple[tuple[str, str, tuple[str, ...], tuple[int, ...]], ...] = (
    ("single", "Where may a customer's card number be stored?",
     ("Nowhere outside the payment system", "In the ticket", "In a spreadsheet"), (0,)),
    ("multiple", "Which of these are personal data?",
     ("An email address", "A device ID", "The office's opening hours", "A home address"),
     (0, 1, 3)),
    ("true_false", "You may forward a customer's file to your private email to work from home.",
     ("True", "False"), (1,)),
    ("single", "A customer asks what data we hold on them. You",
     ("Pass it to the privacy team", "Tell them it is secret", "Ignore it"), (0,)),
    ("multiple", "Which are safe ways to share a customer record with a colleague?",
     ("A link to the record in the CRM", "A screenshot in a public channel",
      "The record's ID in a direct message", "A printout left on the desk"), (0, 2)),
    ("single", "How long do we keep closed support tickets?",
     ("As long as the retention policy says", "Forever", "A week"), (0,)),
    ("true_false", "Test environments may use real customer data without masking.",
     ("True", "False"), (1,)),
    ("single", "You sent a customer's data to the wrong person. First you",
     ("Report it to the privacy team at once", "Wait to see if they notice",
      "Delete your sent mail"), (0,)),
    ("multiple", "What should a data-deletion request trigger?",
     ("Removing the data from active systems", "Noting the request and its date",
      "Asking why they want it"), (0, 1)),
    ("single", "Who may see a customer's payment history?",
     ("People whose work needs it", "Everyone in the company", "Any contractor"), (0,)),
)  # fmt: skip
RIGHT: dict[str, tuple[str, ...]] = {
    text: tuple(choices[i] for i in correct) for _, text, choices, correct in QUESTIONS
}
EARLIER_ATTEMPT = """
INSERT INTO quiz_attempts (workspace_id, quiz_id, assignment_id, member_id, number, title,
                           secret, drawn, answers, started_at, submitted_at, score, passed)
SELECT a.workspace_id, %(quiz)s, a.id, a.member_id, 1, %(title)s, md5(a.id::text), %(drawn)s::json,
       %(answers)s::json, %(started)s, %(submitted)s, %(score)s, false
FROM resource_assignments a JOIN members m ON m.id = a.member_id
WHERE a.resource_id = %(resource)s AND NOT (m.slack_user_id = ANY(%(clickers)s))
"""
EARLIER_ANSWERS = """
INSERT INTO quiz_answers (attempt_id, question_id, picked, correct)
SELECT t.id, u.question_id, u.picked::json, u.correct
FROM quiz_attempts t,
     unnest(%(questions)s::int[], %(picked)s::text[], %(correct)s::bool[])
       AS u(question_id, picked, correct)
WHERE t.quiz_id = %(quiz)s
"""
COUNTED = ("quiz_questions", "quiz_attempts", "quiz_answers", "resource_assignments", "outbox")


@dataclass
class QuizData:
    """Who takes the quiz, and what the data was."""

    course: CourseData  # course_scale's: its `base` has the people (assign_scale's Seeded)
    resource_id: int  # the quiz's resource ("type": "quiz")
    quiz_id: int
    takers: list[Clicker]  # each takes the quiz once, from their DM
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    catalog: str = ""  # what importing the starter catalog said


def quiz_catalog() -> str:
    """The quiz as a JSON catalog file (bot/services/catalog_quiz.py's shape)."""
    quiz = {
        "external_id": QUIZ_EXTERNAL_ID, "title": QUIZ_TITLE, "type": "quiz",
        "description": "Ten questions on customer data: storing, sharing, deleting it.",
        "quiz": {"pass_mark": PASS_MARK, "attempts": 3, "shuffle": True, "questions": [
            {"text": text, "kind": kind, "choices": list(choices), "correct": list(correct)}
            for kind, text, choices, correct in QUESTIONS]},
    }  # fmt: skip
    return json.dumps([quiz])


def seed_quiz(
    url: str,
    fake: StampedFakeSlack,
    *,
    resources: int,
    members: int,
    assignments: int,
    takers: int,
) -> QuizData:
    """course_scale's workspace (one clicker of each of its kinds), the quiz given to every
    learner, the DMs of `takers` learners sent to `fake`, the others' earlier attempts."""
    from bot.delivery import deliver_pending
    from bot.services import build_services
    from bot.services.assignments import AssignForm
    from bot.services.catalog_files import parse_catalog
    from bot.settings import Settings
    from models.enums import Priority

    course = seed_courses(url, fake, resources=resources, members=members,
                          assignments=assignments, clickers=1)  # fmt: skip
    base = course.base
    # course_scale's two clickers (the first and the last learner) keep to themselves.
    candidates = base.learners[1:-1]
    if takers > len(candidates):
        raise SystemExit(f"{takers} quiz takers need as many learners; there are "
                         f"{len(candidates)} (more --members, or a smaller --n)")  # fmt: skip
    now = datetime.now(UTC)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    env = server_env(fake, url) | {"TRAINBOT_SEND_PER_MINUTE": SEND_PER_MINUTE,
                                   "LOG_LEVEL": "WARNING"}  # fmt: skip
    engine = db.make_engine(url)
    services = build_services(Settings.load(env, env_file=Path(os.devnull)), engine=engine)
    users = [p.user_id for p in candidates[:takers]]
    try:
        imported = services.catalog.import_rows(
            rows=parse_catalog("quiz.json", quiz_catalog()), workspace_id=None
        )
        if imported.created != 1 or imported.rejected:
            raise RuntimeError(f"the quiz did not import: {imported}")
        with psycopg.connect(conninfo_of(url)) as conn:
            found = conn.execute(
                "SELECT r.id, q.id FROM training_resources r JOIN quizzes q ON q.resource_id = r.id"
                " WHERE r.external_id = %s", (QUIZ_EXTERNAL_ID,)
            ).fetchone()  # fmt: skip
        assert found is not None, "the quiz has no quizzes row"
        resource_id, quiz_id = int(found[0]), int(found[1])
        client = WebClient(token=BOT_TOKEN, base_url=fake.base_url)
        manager = services.members.resolve(
            team_id=TEAM_ID, user_id=base.manager.user_id, profiles=client
        )
        timings["import the quiz"] = time.perf_counter() - started
        mark = time.perf_counter()
        form = AssignForm(resource_id, tuple(p.user_id for p in base.learners),
                          now.date() + timedelta(days=30), Priority.NORMAL)  # fmt: skip
        result = services.assignments.assign(by=manager, form=form)
        if len(result.created) != len(base.learners):
            raise RuntimeError(f"the quiz: {len(result.created)} of {len(base.learners)} "
                               f"assigned; skipped {result.skipped[:3]}")  # fmt: skip
        timings["assign the quiz to every learner"] = time.perf_counter() - mark
        mark = time.perf_counter()
        with psycopg.connect(conninfo_of(url)) as conn:
            conn.execute(SENT_UNREAD, {"now": now, "clickers": users})
        fake.reset_calls()
        sent = deliver_pending(services, client)  # each taker's quiz DM
        if sent != takers:
            raise RuntimeError(f"{sent} DMs sent to the stand-in, {takers} owed")
        fake.reset_calls()
        timings["deliver the takers' DMs"] = time.perf_counter() - mark
    finally:
        engine.dispose()
    mark = time.perf_counter()
    with psycopg.connect(conninfo_of(url), autocommit=True) as conn:
        _earlier_attempts(conn, resource_id, quiz_id, users, now)
        conn.execute("VACUUM ANALYZE")
        chosen = _clickers(conn, resource_id, users)
        counts = {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
                  for t in COUNTED}  # fmt: skip
    timings["others' earlier attempts, vacuum analyze"] = time.perf_counter() - mark
    timings["total"] = course.seconds["total"] + time.perf_counter() - started
    return QuizData(
        course=course, resource_id=resource_id, quiz_id=quiz_id, takers=chosen,
        counts=course.counts | counts,
        seconds=course.seconds | {k: round(v, 2) for k, v in timings.items()},
    )  # fmt: skip


def _earlier_attempts(
    conn: psycopg.Connection[Any], resource_id: int, quiz_id: int,
    takers: list[str], now: datetime,
) -> None:  # fmt: skip
    """One submitted, failed attempt (the first choice of every question) for every
    learner who does not take the quiz here, with its answers."""
    bank = conn.execute(
        "SELECT id, text, jsonb_array_length(choices::jsonb) FROM quiz_questions"
        " WHERE quiz_id = %s ORDER BY position", (quiz_id,)
    ).fetchall()  # fmt: skip
    right = {text: correct for _, text, _, correct in QUESTIONS}
    ids = [int(qid) for qid, _, _ in bank]
    correct = [right[str(text)] == (0,) for _, text, _ in bank]
    drawn = [{"q": qid, "order": list(range(int(n)))} for qid, _, n in bank]
    conn.execute(EARLIER_ATTEMPT, {
        "quiz": quiz_id, "resource": resource_id, "clickers": takers, "title": QUIZ_TITLE,
        "drawn": json.dumps(drawn), "answers": json.dumps({str(q): [0] for q in ids}),
        "started": now - timedelta(days=2), "submitted": now - timedelta(days=2, minutes=-9),
        "score": 100 * sum(correct) // len(ids),
    })  # fmt: skip
    conn.execute(EARLIER_ANSWERS, {"quiz": quiz_id, "questions": ids,
                                   "picked": ["[0]"] * len(ids), "correct": correct})  # fmt: skip

"""A quiz's answer key stays on the server; forged, foreign and repeated submissions
change nothing; shuffled and drawn attempts still score right; attempts run out."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, func, select

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Block, Callback
from models import QuizAnswer, QuizAttempt
from tests.conftest import AMY, BOB, RunningApp
from tests.support.courses import assign, dm
from tests.support.library import top_view
from tests.support.quizzes import import_quizzes, picks, questions, take
from tests.test_quizzes import RIGHT, SECURITY

EXPLANATIONS = (
    "Length beats symbols", "Urgency, look-alike senders", "Never: one leak",
    "Customer data and secrets",
)  # fmt: skip
FEEDBACK_RIGHT = {
    "works best": ["specific"],
    "Describe the behaviour": ["its impact"],
    "Praise in public": ["in private"],
    "Feedback is a": ["conversation"],
}


def _sent_to_slack(slack: SlackClient) -> list[Any]:
    return [c.args for c in slack.fake.calls]


def test_nothing_sent_before_submission_tells_the_right_choices(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    import_quizzes(app_server)
    assign(slack, manager, SECURITY, [AMY, BOB])
    amy, bob = take(slack, AMY, dm(slack, AMY)), take(slack, BOB, dm(slack, BOB))
    acks = [slack.submit_view(user=AMY, values=picks(amy, RIGHT)).json]
    slack.submit_view(user=BOB, values=picks(bob, RIGHT))
    sent = json.dumps(_sent_to_slack(slack)) + json.dumps(acks)
    assert not any(text in sent for text in EXPLANATIONS)
    assert '"correct"' not in sent
    for view in (amy, bob, top_view(slack, AMY)):
        assert set(json.loads(view["private_metadata"])) == {"attempt", "page", "pages"}
        for block in questions(view).values():
            for option in block["element"]["options"]:
                assert set(option) == {"text", "value"}  # nothing but the choice and a token
                assert len(option["value"]) == 16
    # The same choice carries a different value in each attempt: values cannot be learned.
    first = {o["text"]["text"]: o["value"] for o in questions(amy)[1]["element"]["options"]}
    other = {o["text"]["text"]: o["value"] for o in questions(bob)[1]["element"]["options"]}
    assert first.keys() == other.keys() and not set(first.values()) & set(other.values())


def test_forged_foreign_and_repeated_submissions_change_nothing(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_quizzes(app_server)
    assign(slack, manager, "One-shot check", [AMY, BOB])
    view = take(slack, AMY, dm(slack, AMY))
    block = f"{Block.QUESTION}:1"
    forged = {block: {"value": {"type": "radio_buttons",
                                "selected_option": {"value": "0123456789abcdef"}}}}  # fmt: skip
    answer = slack.submit_crafted(user=AMY, view=view, values=forged)
    assert "not part of this quiz attempt" in json.dumps(answer.json)
    right = picks(view, {"sky green": ["False"]})[block]
    honest = {block: {"value": {"type": "radio_buttons", "selected_option": {
        "value": right, "text": {"type": "plain_text", "text": "False"}}}}}  # fmt: skip
    bobs = slack.submit_crafted(user=BOB, view=view, values=honest)  # Bob replays Amy's page
    assert "someone else's" in json.dumps(bobs.json)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(QuizAnswer)) == 0

    first = slack.submit_crafted(user=AMY, view=view, values=honest)
    again = slack.submit_crafted(user=AMY, view=view, values=honest)  # Slack resends it
    assert first.json and first.json["view"]["callback_id"] == Callback.QUIZ_RESULT
    assert again.json and "nothing new was recorded" in json.dumps(again.json)
    with engine.connect() as conn:
        attempts = conn.execute(select(QuizAttempt.member_id, QuizAttempt.score)).all()
    assert len(attempts) == 1 and attempts[0].score == 100


def test_one_attempt_only_means_one(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    import_quizzes(app_server)
    assign(slack, manager, "One-shot check", [AMY])
    view = take(slack, AMY, dm(slack, AMY))
    assert "Attempt 1 of 1" in view_texts(view)
    slack.submit_view(user=AMY, values=picks(view, {"sky green": ["True"]}))
    assert "That was your last attempt" in view_texts(top_view(slack, AMY))
    refused = take(slack, AMY, dm(slack, AMY))
    assert "You have used your one attempt" in view_texts(refused)
    assert "Completed" not in view_texts(dm(slack, AMY))  # failing never completes anything


def test_shuffled_questions_drawn_from_a_bank_still_score_right(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_quizzes(app_server)
    assign(slack, manager, "Giving feedback", [AMY, BOB])
    seen: set[str] = set()
    for person in (AMY, BOB):
        view = take(slack, person, dm(slack, person))
        asked = questions(view)
        assert len(asked) == 2 and "2 of 4 questions, drawn at random" in view_texts(view)
        seen |= {b["label"]["text"].split(". ", 1)[1] for b in asked.values()}
        slack.submit_view(user=person, values=picks(view, FEEDBACK_RIGHT))
        assert "You scored *100%* (2 of 2 right)" in view_texts(top_view(slack, person))
    with engine.connect() as conn:
        assert set(conn.scalars(select(QuizAttempt.score))) == {100}
    assert len(seen) >= 2

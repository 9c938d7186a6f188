"""A quiz's answer key stays on the server; forged, foreign and repeated submissions
change nothing; shuffled and drawn attempts still score right; attempts run out."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, func, select

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Block, Callback
from models import QuizAnswer, QuizAttempt
from tests.conftest import ADMIN, AMY, BOB, MANAGER, RunningApp
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
    wrong_first = {**RIGHT, "strongest": ["P@ssw0rd"], "signs of phishing": ["An urgent tone"]}
    acks = [slack.submit_view(user=AMY, values=picks(amy, wrong_first)).json]
    slack.submit_view(user=BOB, values=picks(bob, RIGHT))
    sent = json.dumps(_sent_to_slack(slack)) + json.dumps(acks)
    assert not any(text in sent for text in EXPLANATIONS)  # not even for wrong answers
    assert '"correct"' not in sent
    result = slack.submit_view(user=AMY, values=picks(top_view(slack, AMY), RIGHT)).json
    shown = json.dumps(result)  # the result, once submitted, explains what was missed
    assert "Length beats symbols" in shown and "Urgency, look-alike senders" in shown
    for view in (amy, bob, top_view(slack, BOB)):
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
        untouched = conn.execute(select(QuizAttempt.answers, QuizAttempt.submitted_at)).one()
    assert untouched == ({}, None)  # neither the forged value nor Bob's answer was kept

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
    people = [ADMIN, MANAGER, AMY, BOB]
    assign(slack, manager, "Giving feedback", people)
    shown: set[tuple[tuple[str, tuple[str, ...]], ...]] = set()
    for person in people:
        view = take(slack, person, dm(slack, person))
        asked = questions(view)
        assert len(asked) == 2 and "2 of 4 questions, drawn at random" in view_texts(view)
        shown.add(tuple((b["label"]["text"].split(". ", 1)[1],
                         tuple(o["text"]["text"] for o in b["element"]["options"]))
                        for b in asked.values()))  # fmt: skip
        slack.submit_view(user=person, values=picks(view, FEEDBACK_RIGHT))
        assert "You scored *100%* (2 of 2 right)" in view_texts(top_view(slack, person))
    with engine.connect() as conn:
        assert list(conn.scalars(select(QuizAttempt.score))) == [100] * 4
    # Drawn and shuffled per attempt: four people, four different papers (432 possible).
    assert len(shown) > 1

"""Quizzes end to end: import, Take quiz in the DM, pages, errors, scores, retries, pass."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func, select

from bot.clock import FixedClock
from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block, Callback
from models import AssignmentEvent, QuizAttempt, QuizQuestion, ResourceAssignment
from tests.conftest import AMY, RunningApp
from tests.support.courses import assign, dm, resource_id
from tests.support.library import after_update, next_call, top_view
from tests.support.quizzes import import_quizzes, picks, questions, quiz_button, take
from tests.test_courses import click_item

SECURITY = "Security basics check"
RIGHT = {
    "strongest": ["correct horse battery staple tulip"],
    "signs of phishing": ["An urgent tone", "A sender address that almost matches",
                          "A link to an unknown domain"],
    "reuse your work password": ["False"],
    "lost laptop": ["#it-help, at once"],
    "Multi-factor": ["True"],
    "public channel": ["The office address"],
    "screen lock": ["5 minutes or less"],
}  # fmt: skip
WRONG_LAST_TWO = {"public channel": ["An API key"], "screen lock": ["Never lock"]}


def test_importing_quizzes_reports_bad_ones_and_changes_nothing_the_second_time(
    app_server: RunningApp, engine: Engine
) -> None:
    first = import_quizzes(app_server)
    assert first.created == 7  # two quizzes, an article, a course, its two new items, a path
    ((line, reason),) = first.rejected
    assert line == 44
    assert "The pass mark is a percentage from 1 to 100" in reason
    assert "two choices are the same" in reason and "mark at least one correct" in reason

    def bank() -> list[tuple[int, str]]:
        with engine.connect() as conn:
            q = QuizQuestion
            return list(conn.execute(select(q.id, q.text).order_by(q.id)).all())  # fmt: skip

    questions_before = bank()
    assert len(questions_before) == 7 + 1 + 4 + 1  # security, one-shot, feedback, section
    again = import_quizzes(app_server)
    assert (again.created, len(again.rejected)) == (0, 1)
    assert bank() == questions_before


def test_a_learner_fails_waits_and_passes_across_two_pages(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine, clock: FixedClock
) -> None:
    import_quizzes(app_server)
    assign(slack, manager, SECURITY, [AMY])
    message = dm(slack, AMY)
    assert quiz_button(message)["text"]["text"] == "Take quiz"
    assert Action.ASSIGNMENT_COMPLETE not in str(message["blocks"])  # passing completes it

    view = take(slack, AMY, message)
    assert sorted(questions(view)) == [1, 2, 3, 4, 5]
    assert "pass mark 80%" in view_texts(view) and "Attempt 1 of 3" in view_texts(view)
    assert view["submit"]["text"] == "Next"
    partial = picks(view, {k: v for k, v in RIGHT.items() if k != "Multi-factor"})
    answer = slack.submit_view(user=AMY, values=partial)
    assert answer.json == {"response_action": "errors",
                           "errors": {f"{Block.QUESTION}:5": "Pick an answer."}}  # fmt: skip

    answer = slack.submit_view(user=AMY, values=picks(view, RIGHT))
    assert answer.json and answer.json["response_action"] == "update"
    page_two = top_view(slack, AMY)
    assert sorted(questions(page_two)) == [6, 7] and page_two["submit"]["text"] == "Submit"

    before = len(slack.fake.calls_to("views.update"))
    slack.click(user=AMY, action_id=Action.QUIZ_BACK, view_id=page_two["id"])
    back = after_update(slack, AMY, before)
    strongest = questions(back)[1]["element"]["initial_option"]["text"]["text"]
    assert strongest == RIGHT["strongest"][0]  # Back keeps what was picked
    slack.submit_view(user=AMY)  # Next again, with the answers as they were
    page_two = top_view(slack, AMY)
    slack.submit_view(user=AMY, values=picks(page_two, WRONG_LAST_TWO))
    result = top_view(slack, AMY)
    text = view_texts(result)
    assert result["callback_id"] == Callback.QUIZ_RESULT
    assert "Not passed yet" in text and "You scored *71%* (5 of 7 right)" in text
    assert "Customer data and secrets never go in public channels." in text  # explanation
    assert "You may try again" in text and "2 attempts left" in text
    assert "Status" not in text and "Completed" not in view_texts(dm(slack, AMY))

    again = take(slack, AMY, dm(slack, AMY))  # too soon: the wait is 60 minutes
    assert "You can try again" in view_texts(again)
    clock.advance(timedelta(minutes=61))
    second = take(slack, AMY, dm(slack, AMY))
    assert "Attempt 2 of 3" in view_texts(second)
    assert "initial_option" not in str(questions(second)[1])  # a new attempt starts blank
    slack.submit_view(user=AMY, values=picks(second, RIGHT))
    slack.submit_view(user=AMY, values=picks(top_view(slack, AMY), RIGHT))
    text = view_texts(top_view(slack, AMY))
    assert "Passed" in text and "You scored *100%*" in text
    app_server.settle()
    assert "Completed" in view_texts(dm(slack, AMY))
    with engine.connect() as conn:
        scores = list(conn.scalars(select(QuizAttempt.score).order_by(QuizAttempt.id)))
        completed = conn.scalar(select(func.count()).select_from(AssignmentEvent)
                                .where(AssignmentEvent.kind == "completed"))  # fmt: skip
        row = conn.execute(select(ResourceAssignment.completed_at, ResourceAssignment.progress)
                           .where(ResourceAssignment.resource_id == resource_id(
                               engine, "qz-security"))).one()  # fmt: skip
    assert scores == [71, 100] and completed == 1 and row.progress == 100


def test_a_course_completes_through_its_quizzes_and_its_path_moves_on(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_quizzes(app_server)
    assign(slack, manager, "Path: Incident responder", [AMY])
    message = dm(slack, AMY)
    text = view_texts(message)
    assert "Step 1 of 2" in text and "0 of 4 items and quizzes done" in text
    assert "quiz to pass" in text
    assert quiz_button(message, "One-shot check")["text"]["text"] == "Take quiz"  # not Done
    click_item(slack, AMY, message, "Reading alerts")
    assert "1 of 4 items and quizzes done" in view_texts(dm(slack, AMY))

    section = take(slack, AMY, dm(slack, AMY), under="Detect")
    assert "Handling incidents: Detect" in view_texts(section)
    before = len(slack.fake.calls_to("chat.update"))
    slack.submit_view(user=AMY, values=picks(section, {"alert fires": ["acknowledge it"]}))
    assert "Passed" in view_texts(top_view(slack, AMY))
    next_call(slack, "chat.update", before)
    text = view_texts(dm(slack, AMY))
    assert "2 of 4 items and quizzes done" in text and "quiz passed" in text

    item = take(slack, AMY, dm(slack, AMY), under="One-shot check")
    before = len(slack.fake.calls_to("chat.update"))
    slack.submit_view(user=AMY, values=picks(item, {"sky green": ["False"]}))
    next_call(slack, "chat.update", before)
    assert "3 of 4 items and quizzes done" in view_texts(dm(slack, AMY))
    click_item(slack, AMY, dm(slack, AMY), "Status updates")
    app_server.settle()
    assert "Completed" in view_texts(dm(slack, AMY))
    # The path's next step (an article completed by its quiz); the course's certificate too.
    step_two = dm(slack, AMY, 1)
    assert any("certificate" in m["text"] for m in slack.fake.messages(
        slack.fake.dm_channel(AMY)) if m.get("files"))  # fmt: skip
    assert "Giving feedback" in view_texts(step_two) and "Step 2 of 2" in view_texts(step_two)
    assert quiz_button(step_two)["text"]["text"] == "Take quiz"

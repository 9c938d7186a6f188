"""Writing a quiz in Slack: Manage content → Quiz, questions added, checked, moved, edited,
saved onto a resource or a course's section."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block, Callback
from models import Quiz, QuizQuestion, TrainingResource, Workspace
from tests.conftest import AMY, TEAM_ID, RunningApp
from tests.support.courses import assign, dm, import_sample, resource_id
from tests.support.library import next_call, top_view
from tests.support.quizzes import QUIZZES, quiz_button
from tests.test_course_builder import _home


def own_quizzes(app: RunningApp, engine: Engine) -> None:
    with engine.connect() as conn:
        workspace = conn.scalar(select(Workspace.id).where(Workspace.team_id == TEAM_ID))
    result = import_sample(app, QUIZZES, workspace_id=workspace)
    assert result.created == 7


def open_quiz_editor(slack: SlackClient, app: RunningApp, user: str, rid: int) -> dict[str, Any]:
    """Home → Manage content → Quiz on the resource `rid`."""
    slack.app_home_opened(user)
    app.settle()
    slack.click(user=user, action_id=Action.HOME_TAB_CONTENT, view_id=_home(slack, user))
    app.settle()
    before = len(slack.fake.calls_to("views.open"))
    slack.block_action(user=user, action_id=Action.QUIZ_EDIT, block_id=f"manage:{rid}",
                       view_id=_home(slack, user), value=str(rid))  # fmt: skip
    next_call(slack, "views.open", before)
    return top_view(slack, user)


def click_editor(slack: SlackClient, user: str, action: str, **extra: Any) -> dict[str, Any]:
    view = top_view(slack, user)
    before = len(slack.fake.calls_to("views.update"))
    slack.block_action(user=user, action_id=action, view_id=view["id"], **extra)
    next_call(slack, "views.update", before)
    return top_view(slack, user)


def question_menu(slack: SlackClient, user: str, number: int, op: str) -> dict[str, Any]:
    view = top_view(slack, user)
    blocks = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("q:")]
    block_id = str(blocks[number - 1]["block_id"])
    return click_editor(slack, user, Action.QUIZ_QUESTION, block_id=block_id,
                        selected_option={"value": f"{op}:{block_id[2:]}"})  # fmt: skip


def write_question(slack: SlackClient, user: str, text: str, kind: str, choices: str) -> Any:
    values = {Block.QUESTION_TEXT: text, Block.QUESTION_KIND: kind, Block.QUESTION_CHOICES: choices}
    return slack.submit_view(user=user, values=values)


def test_a_manager_writes_a_quiz_with_errors_answered_in_the_modal(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    own_quizzes(app_server, engine)
    comms = resource_id(engine, "qz-comms")
    editor = open_quiz_editor(slack, app_server, manager, comms)
    assert editor["callback_id"] == Callback.QUIZ_EDITOR and "Quiz: Status updates" in view_texts(
        editor
    )
    empty = slack.submit_view(user=manager, values={Block.PASS_MARK: "50"})
    no_questions = {Block.PASS_MARK: "A quiz needs at least one question."}
    assert empty.json == {"response_action": "errors", "errors": no_questions}

    form = click_editor(slack, manager, Action.QUIZ_ADD_QUESTION)
    assert form["callback_id"] == Callback.QUIZ_QUESTION
    bad = write_question(slack, manager, "What goes first in an update?", "single",
                         "Impact\nimpact")  # fmt: skip
    assert bad.json and bad.json["errors"] == {Block.QUESTION_CHOICES: "Two choices are the same."}
    none_right = write_question(slack, manager, "What goes first in an update?", "single",
                                "Impact\nTimeline")  # fmt: skip
    assert none_right.json and "Mark at least one correct choice." in str(none_right.json)
    write_question(slack, manager, "What goes first in an update?", "single",
                   "*The impact on customers\nThe timeline\nWho is to blame")  # fmt: skip
    assert top_view(slack, manager)["callback_id"] == Callback.QUIZ_EDITOR
    click_editor(slack, manager, Action.QUIZ_ADD_QUESTION)
    write_question(slack, manager, "Post updates on a fixed rhythm.", "true_false", "*true\nfalse")
    editor = question_menu(slack, manager, 2, "up")
    texts = view_texts(editor)
    assert texts.index("Post updates") < texts.index("What goes first")
    form = question_menu(slack, manager, 2, "edit")
    choices = next(b for b in form["blocks"] if b.get("block_id") == Block.QUESTION_CHOICES)
    assert choices["element"]["initial_value"] == (
        "*The impact on customers\nThe timeline\nWho is to blame"
    )
    write_question(slack, manager, "What goes first in a status update?", "single",
                   "*The impact on customers\nThe timeline")  # fmt: skip
    saved = slack.submit_view(user=manager, values={Block.PASS_MARK: "50",
                                                    Block.ATTEMPTS: "2"})  # fmt: skip
    assert saved.json and saved.json["response_action"] == "update"
    assert "Saved the quiz on *Status updates*: 2 questions." in view_texts(saved.json["view"])
    with engine.connect() as conn:
        quiz = conn.execute(select(Quiz).where(Quiz.resource_id == comms)).one()
        bank = conn.execute(select(QuizQuestion.text, QuizQuestion.kind, QuizQuestion.correct)
                            .where(QuizQuestion.quiz_id == quiz.id)
                            .order_by(QuizQuestion.position)).all()  # fmt: skip
    assert (quiz.pass_mark, quiz.attempts) == (50, 2)
    assert bank == [("Post updates on a fixed rhythm.", "true_false", [0]),
                    ("What goes first in a status update?", "single", [0])]  # fmt: skip

    assign(slack, manager, "Status updates", [AMY])
    assert quiz_button(dm(slack, AMY))["text"]["text"] == "Take quiz"


def test_a_course_quiz_goes_on_the_section_chosen(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    own_quizzes(app_server, engine)
    editor = open_quiz_editor(slack, app_server, manager, resource_id(engine, "qz-course"))
    assert "Quiz: Handling incidents: Detect" in view_texts(editor)
    assert "An alert fires at 3 a.m." in view_texts(editor)  # the section's quiz, as stored
    section = next(b for b in editor["blocks"] if b.get("block_id") == Block.QUIZ_SECTION)
    respond = next(o for o in section["element"]["options"] if o["text"]["text"] == "Respond")
    before = len(slack.fake.calls_to("views.update"))
    slack.select(user=manager, view_id=editor["id"], action_id=Action.QUIZ_SECTION,
                 value=respond["value"])  # fmt: skip
    next_call(slack, "views.update", before)
    assert "Quiz: Handling incidents: Respond" in view_texts(top_view(slack, manager))
    click_editor(slack, manager, Action.QUIZ_ADD_QUESTION)
    write_question(slack, manager, "Who sends status updates?", "single",
                   "*The incident commander\nAnyone who likes")  # fmt: skip
    slack.submit_view(user=manager, values={Block.PASS_MARK: "100"})
    with engine.connect() as conn:
        on_respond = conn.scalar(select(Quiz.pass_mark).where(Quiz.section_id == int(
            respond["value"])))  # fmt: skip
    assert on_respond == 100


def test_a_new_quiz_of_its_own_opens_the_editor_once_saved(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    slack.app_home_opened(manager)
    app_server.settle()
    slack.click(user=manager, action_id=Action.HOME_TAB_CONTENT, view_id=_home(slack, manager))
    app_server.settle()
    before = len(slack.fake.calls_to("views.open"))
    slack.click(user=manager, action_id=Action.CONTENT_ADD, view_id=_home(slack, manager))
    next_call(slack, "views.open", before)
    answer = slack.submit_view(user=manager, values={Block.TITLE: "On-call readiness check",
                                                     Block.TYPE: "quiz"})  # fmt: skip
    assert answer.json and answer.json["response_action"] == "update"
    editor = top_view(slack, manager)
    assert editor["callback_id"] == Callback.QUIZ_EDITOR
    assert "Quiz: On-call readiness check" in view_texts(editor)
    click_editor(slack, manager, Action.QUIZ_ADD_QUESTION)
    write_question(slack, manager, "Who is paged first?", "single", "*The primary\nThe CTO")
    slack.submit_view(user=manager, values={Block.PASS_MARK: "100"})
    r = TrainingResource
    with engine.connect() as conn:
        questions = conn.scalars(
            select(QuizQuestion.text).join(Quiz).join(r, r.id == Quiz.resource_id)
            .where(r.title == "On-call readiness check", r.type == "quiz")
        ).all()  # fmt: skip
    assert list(questions) == ["Who is paged first?"]

"""The quiz editor (Manage content → Quiz): settings, questions added, edited, moved and
removed; a question's form takes the editor's place and Save question brings it back, so
the modal never stacks deeper than where it was opened."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.errors import BotError
from bot.ids import Action, Block, Callback
from bot.render import mrkdwn, render
from bot.services import Services
from bot.services import quiz_draft as qd
from bot.services.quiz_editor import QuizDraftView
from handlers.quiz_forms import QUESTION_FIELDS, QuizMeta, question_fields, quiz_settings
from handlers.quizzes import notice_view
from handlers.support import after_ack, caller_of, log_refusal


def editor_view(d: QuizDraftView, meta: QuizMeta) -> dict[str, Any]:
    return render("quiz_editor.json.j2", d=d, metadata=QuizMeta(d.id, meta.from_home).dumps())


def question_view(d: QuizDraftView, meta: QuizMeta, key: str | None) -> dict[str, Any]:
    q = qd.question(d.data, key) if key else None
    return render("quiz_question.json.j2", q=q, choices=qd.choices_text(q) if q else "",
                  metadata=QuizMeta(d.id, meta.from_home, key).dumps())  # fmt: skip


def handle_quiz_edit_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """Quiz (Manage content): the editor for the quiz on this resource, new or stored."""
    caller = caller_of(body, services, client)
    container = body.get("view") or {}
    try:
        d = services.quiz_editor.start(caller=caller, resource_id=int(body["actions"][0]["value"]))
        view = editor_view(d, QuizMeta(d.id, from_home=container.get("type") == "home"))
    except BotError as refused:
        log_refusal(refused, body)
        view = notice_view(refused.user_message)
    if container.get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_quiz_section_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """Another section of the course: the editor shows that section's quiz."""
    view, meta = body["view"], QuizMeta.of(body["view"])
    caller = caller_of(body, services, client, refresh=False)
    section = int(body["actions"][0]["selected_option"]["value"])
    d = services.quiz_editor.retarget(caller=caller, draft_id=meta.draft_id, section_id=section)
    client.views_update(view_id=view["id"], view=editor_view(d, meta))


def handle_quiz_add_question_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Add question: the form takes the editor's place (the settings typed are kept)."""
    view, meta = body["view"], QuizMeta.of(body["view"])
    caller = caller_of(body, services, client, refresh=False)
    d = services.quiz_editor.change(caller=caller, draft_id=meta.draft_id, edit=lambda _: None,
                                    settings=quiz_settings(view)[0])  # fmt: skip
    client.views_update(view_id=view["id"], view=question_view(d, meta, None))


def handle_quiz_question_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """A question's menu: Edit opens its form; up, down and remove change the list."""
    view, meta = body["view"], QuizMeta.of(body["view"])
    op, _, key = str(body["actions"][0]["selected_option"]["value"]).partition(":")
    caller = caller_of(body, services, client, refresh=False)
    edit = (lambda _: None) if op == "edit" else partial(qd.question_op, op=op, key=key)
    d = services.quiz_editor.change(caller=caller, draft_id=meta.draft_id, edit=edit,
                                    settings=quiz_settings(view)[0])  # fmt: skip
    shown = question_view(d, meta, key) if op == "edit" and not d.notice else editor_view(d, meta)
    client.views_update(view_id=view["id"], view=shown)


def handle_quiz_question_cancel_action(
    body: dict[str, Any], client: WebClient, services: Services
) -> None:
    view, meta = body["view"], QuizMeta.of(body["view"])
    caller = caller_of(body, services, client, refresh=False)
    d = services.quiz_editor.view(caller=caller, draft_id=meta.draft_id)
    client.views_update(view_id=view["id"], view=editor_view(d, meta))


def handle_quiz_remove_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """Remove quiz (confirmed in Slack): the editor gives way to what was done."""
    view, meta = body["view"], QuizMeta.of(body["view"])
    caller = caller_of(body, services, client, refresh=False)
    removed = services.quiz_editor.remove(caller=caller, draft_id=meta.draft_id)
    text = f":wastebasket: Removed the quiz on *{mrkdwn(removed.title)}*. Attempts made are kept."
    client.views_update(view_id=view["id"], view=notice_view(text))


def handle_quiz_question_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, client: WebClient
) -> None:
    """Save question: checked in the form (errors under each field), then the editor."""
    meta = QuizMeta.of(view)
    question, errors = qd.question_from_form(*question_fields(view))
    if question is None:
        ack(response_action="errors",
            errors={QUESTION_FIELDS[field]: text for field, text in errors.items()})  # fmt: skip
        return
    caller = caller_of(body, services, client, refresh=False)
    put = partial(qd.put_question, key=meta.question, question=question)
    try:
        d = services.quiz_editor.change(caller=caller, draft_id=meta.draft_id, edit=put)
    except BotError as refused:
        log_refusal(refused, body)
        ack(response_action="update", view=notice_view(refused.user_message))
        return
    ack(response_action="update", view=editor_view(d, meta))


def handle_quiz_editor_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, client: WebClient
) -> None:
    """Save quiz: the whole quiz is checked; problems with the questions go under the pass
    mark (the first input), the rest under their own fields."""
    settings, errors = quiz_settings(view)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    caller = caller_of(body, services, client, refresh=False)
    try:
        saved = services.quiz_editor.save(caller=caller, draft_id=QuizMeta.of(view).draft_id,
                                          settings=settings)  # fmt: skip
    except BotError as refused:
        log_refusal(refused, body)
        ack(response_action="update", view=notice_view(refused.user_message))
        return
    if saved.problems:
        ack(response_action="errors", errors={Block.PASS_MARK: " ".join(saved.problems)[:1900]})
        return
    text = f":white_check_mark: Saved the quiz on *{mrkdwn(saved.title)}*: {saved.questions} "
    ack(response_action="update", view=notice_view(text + "questions."))


def register(app: App) -> None:
    app.action(Action.QUIZ_EDIT)(after_ack(handle_quiz_edit_action))
    app.action(Action.QUIZ_SECTION)(after_ack(handle_quiz_section_action))
    app.action(Action.QUIZ_ADD_QUESTION)(after_ack(handle_quiz_add_question_action))
    app.action(Action.QUIZ_QUESTION)(after_ack(handle_quiz_question_action))
    app.action(Action.QUIZ_QUESTION_CANCEL)(after_ack(handle_quiz_question_cancel_action))
    app.action(Action.QUIZ_REMOVE)(after_ack(handle_quiz_remove_action))
    app.view_submission(Callback.QUIZ_QUESTION)(handle_quiz_question_submission)
    app.view_submission(Callback.QUIZ_EDITOR)(handle_quiz_editor_submission)

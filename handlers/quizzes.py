"""Taking a quiz: Take quiz opens the attempt, Next and Back turn its pages, Submit scores it.

A page's submit button is Next: a submission answers in the modal (`response_action`), so
an unanswered question is an error under it and the next page or the result replaces the
view. Only the attempt's id and page travel in private_metadata.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.delivery import deliver_pending
from bot.errors import BotError
from bot.ids import Action, Block, Callback
from bot.render import render
from bot.services import Services
from bot.services.members import Caller
from bot.services.quiz_views import QuizOutcome, QuizPage, Unanswered
from handlers.assignments import show_everywhere
from handlers.support import after_ack, caller_of, later, log_refusal

MISSED_SHOWN = 40  # with the score and notes: inside a modal's 100 blocks


def page_view(page: QuizPage, notice: str = "") -> dict[str, Any]:
    meta = {"attempt": page.attempt_id, "page": page.page, "pages": page.pages}
    return render("quiz_modal.json.j2", p=page, notice=notice, metadata=json.dumps(meta))


def result_view(outcome: QuizOutcome) -> dict[str, Any]:
    return render("quiz_result.json.j2", o=outcome, shown=outcome.missed[:MISSED_SHOWN])


def notice_view(text: str) -> dict[str, Any]:
    return render("notice_modal.json.j2", title="Quiz", text=text)


def answers_of(view: dict[str, Any]) -> dict[int, list[str]]:
    """What each question of the page has picked, by question number (unanswered: empty;
    the page's questions are read from its blocks, whatever the state carries)."""
    state = view.get("state", {}).get("values", {})
    answers: dict[int, list[str]] = {}
    for block in view.get("blocks", []):
        name, _, number = str(block.get("block_id", "")).partition(":")
        if name != Block.QUESTION or not number.isdigit():
            continue
        value: dict[str, Any] = next(iter((state.get(block["block_id"]) or {}).values()), {})
        picked = value.get("selected_options") or [value.get("selected_option") or {}]
        answers[int(number)] = [str(o["value"]) for o in picked if o.get("value")]
    return answers


def handle_quiz_take_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """Open the attempt under way (or a new one) at its first page; a refusal says why."""
    assignment_id, quiz_id = (int(part) for part in str(body["actions"][0]["value"]).split(":"))
    caller = caller_of(body, services, client)
    try:
        view = page_view(services.quizzes.start(caller=caller, assignment_id=assignment_id,
                                                quiz_id=quiz_id))  # fmt: skip
    except BotError as refused:
        log_refusal(refused, body)
        view = notice_view(refused.user_message)
    if (body.get("view") or {}).get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_quiz_back_action(body: dict[str, Any], client: WebClient, services: Services) -> None:
    """Back: what this page has picked is kept, the page before is shown with its answers."""
    view = body["view"]
    meta = json.loads(view["private_metadata"])
    caller = caller_of(body, services, client, refresh=False)
    page = services.quizzes.turn(caller=caller, attempt_id=int(meta["attempt"]),
                                 answers=answers_of(view), to=int(meta["page"]) - 1)  # fmt: skip
    client.views_update(view_id=view["id"], hash=view.get("hash"), view=page_view(page))


def handle_quiz_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext,
    services: Services, client: WebClient,
) -> None:  # fmt: skip
    """Next (a page answered in full) or, on the last page, Submit: the result in place."""
    meta, answers = json.loads(view["private_metadata"]), answers_of(view)
    blank = {f"{Block.QUESTION}:{n}": "Pick an answer." for n, v in answers.items() if not v}
    if blank:
        ack(response_action="errors", errors=blank)
        return
    caller = caller_of(body, services, client, refresh=False)
    shown, moved = quiz_step(services, caller, meta, answers)
    ack(response_action="update", view=shown)
    if moved is not None:
        later(_after_pass, body=body, client=client, context=context, respond=None, moved=moved)


def quiz_step(
    services: Services, caller: Caller, meta: dict[str, Any], answers: dict[int, list[str]]
) -> tuple[dict[str, Any], int | None]:
    """The view that answers a page (the next page, the result, or why not), and the
    assignment a pass moved on (None if nothing moved)."""
    attempt, page = int(meta["attempt"]), int(meta["page"])
    try:
        if page < int(meta["pages"]):
            turned = services.quizzes.turn(caller=caller, attempt_id=attempt, answers=answers,
                                           to=page + 1)  # fmt: skip
            return page_view(turned), None
        outcome, moved = services.quizzes.submit(caller=caller, attempt_id=attempt, answers=answers)
    except Unanswered as missing:  # left open on another page (unticked, then Back)
        turned = services.quizzes.turn(caller=caller, attempt_id=attempt, answers=answers,
                                       to=missing.page)  # fmt: skip
        left = ", ".join(str(n) for n in missing.numbers)
        return page_view(turned, f"Answer question {left} too."), None
    except BotError as refused:
        return notice_view(refused.user_message), None
    return result_view(outcome), moved


def _after_pass(body: dict[str, Any], client: WebClient, services: Services, moved: int) -> None:
    """The DM and Home show the training moved on; a path's next step goes out."""
    caller = caller_of(body, services, client, refresh=False)
    card = services.assignments.card(workspace_id=caller.workspace_id, assignment_id=moved)
    show_everywhere(client, services, caller, card, ":tada: Quiz passed. Well done!")
    if card.status == "completed":
        deliver_pending(services, client)


def register(app: App) -> None:
    app.action(Action.QUIZ_TAKE)(after_ack(handle_quiz_take_action))
    app.action(Action.QUIZ_BACK)(after_ack(handle_quiz_back_action))
    app.view_submission(Callback.QUIZ)(handle_quiz_submission)

"""The quiz's three requests, sent to each server in turn and timed (with Trainbot's effects).

`QuizBench` is assign_scale's `AssignBench` (the same sending, replaying Trainbot's bytes
to the bare apps, failures and think time) with this benchmark's requests, each by a
learner on their first attempt:
- `take`: Take quiz (block_actions `quiz.take`, value "<assignment id>:<quiz id>") on the
  learner's DM. Effect: the first page's views.open answered.
- `next`: Next on page 1 of 2 (view_submission `quiz`, five questions answered). No
  effect after the ack: the ack itself carries page 2 (response_action "update").
- `submit`: Submit on page 2 of 2, every answer right. The ack carries the result
  ("Passed", response_action "update"). Effects: the DM's chat.update ("Completed")
  answered, and both it and Home's views.publish answered.

A learner goes through the kinds in order: the ones who took the quiz (their page 1 open)
answer page 1 in `next`, and those submit page 2 in `submit`. Where none is waiting (a
kind run on its own), what comes before is done first, untimed (`prepare`). Answers are
picked by their text: option values are opaque per attempt, so they are read from the
view the app sent to the stand-in (views.open, or the update it answered with).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from bench.assign_scale.interactions import EFFECT_TIMEOUT_S, AssignBench
from bench.course_scale.interactions import CourseFakeSlack
from bench.course_scale.seed import Clicker
from bench.quiz_scale.seed import RIGHT, QuizData
from bench.timing import Series, Stamp, TimedClient, record_ack
from bot.fakeslack import AppResponse, view_texts
from bot.ids import Action, Block, Callback

KINDS = ("take", "next", "submit")
# Per kind: (effect name, the Web API methods whose last answer ends it), the full one last.
EFFECTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "take": (("take", ("views.open",)),),
    "next": (),  # the ack is all of it
    "submit": (
        ("submit_dm", ("chat.update",)),
        ("submit", ("chat.update", "views.publish")),
    ),
}
PAGES = 2
Opened = tuple[Clicker, str]  # a learner, and the view id of their quiz modal


def answers(view: dict[str, Any]) -> dict[str, Any]:
    """submit_view's values for the page: each question's right choices, by their text
    (a radio takes one option value, checkboxes a list)."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        block_id = str(block.get("block_id", ""))
        if block["type"] != "input" or not block_id.startswith(f"{Block.QUESTION}:"):
            continue
        text = block["label"]["text"].split(". ", 1)[1]  # "<n>. <question>"
        element = block["element"]
        right = RIGHT[text]
        picked = [o["value"] for o in element["options"] if o["text"]["text"] in right]
        assert len(picked) == len(right), f"{right} not all offered for {text!r}"
        values[block_id] = picked if element["type"] == "checkboxes" else picked[0]
    assert values, f"no questions in view {view.get('id')}"
    return values


def answered_view(response: AppResponse) -> dict[str, Any]:
    """The view a view_submission's ack put in place of the page (response_action update)."""
    answer = response.json if isinstance(response.json, dict) else {}
    assert answer.get("response_action") == "update", f"the ack was {response.body[:200]!r}"
    return dict(answer["view"])


class QuizBench(AssignBench):
    """One request of a kind to one target (AssignBench.send); Trainbot's effects timed."""

    def __init__(self, fake: CourseFakeSlack, data: QuizData, *, pause_s: float) -> None:
        super().__init__(fake, data.course.base, people=1, pause_s=pause_s)
        self.fake: CourseFakeSlack = fake
        self.quiz = data
        self.fresh: deque[Clicker] = deque(data.takers)  # have not clicked Take quiz
        self.opened: deque[Opened] = deque()  # page 1 open
        self.turned: deque[Opened] = deque()  # page 2 open
        self.stand_in: dict[str, Series] = {}  # the stand-in's own time in each full effect
        self.answer_bytes: dict[str, list[int]] = {}  # Trainbot's acks (the views they carry)

    def prepare(self, kind: str, client: TimedClient) -> None:
        """What comes before the timed request when no learner is waiting, untimed: Take
        quiz for `next`; Take quiz and Next for `submit`."""
        if kind == "next" and not self.opened:
            self.opened.append(self._take(client, self.fresh.popleft()))
            self.fake.reset_calls()
        elif kind == "submit" and not self.turned:
            self.prepare("next", client)
            learner, view_id = self.opened.popleft()
            self._turn(client, learner, view_id)
            self.turned.append((learner, view_id))
            self.fake.reset_calls()

    def _trainbot(self, kind: str, client: TimedClient, into: Series) -> None:
        if kind == "take":
            learner = self.fresh.popleft()
            opened = self._take(client, learner, into)
            self._timed(kind, client, [self.fake.wait_for_stamp("/api/views.open")])
            self.opened.append(opened)
            return
        self.prepare(kind, client)
        if kind == "next":
            learner, view_id = self.opened.popleft()
            self._turn(client, learner, view_id, into)
            self.turned.append((learner, view_id))
            return
        learner, view_id = self.turned.popleft()
        response = client.submit_view(user=learner.user_id, view_id=view_id,
                                      values=answers(self.fake.view(view_id)))  # fmt: skip
        record_ack(into, client, response)
        self.answer_bytes.setdefault(kind, []).append(len(response.body))
        result = answered_view(response)
        assert result.get("callback_id") == Callback.QUIZ_RESULT, result.get("callback_id")
        assert "Passed" in view_texts(result), "the result is not a pass"
        stamps = self.fake.wait_for_stamps(("chat.update", "views.publish"))
        dm = (learner.channel, learner.ts)
        updated = self.fake.wait_for_call(
            "chat.update", lambda c: (c.args.get("channel"), c.args.get("ts")) == dm,
            timeout=EFFECT_TIMEOUT_S,
        ).args  # fmt: skip
        assert "Completed" in view_texts(updated), "the DM does not say Completed"
        self._timed(kind, client, stamps)

    def _take(self, client: TimedClient, learner: Clicker, into: Series | None = None) -> Opened:
        """Take quiz on the learner's DM; their first page, opened by views.open."""
        value = f"{learner.assignment_id}:{self.quiz.quiz_id}"
        if into is None:
            self.fake.reset_calls()  # (timed: AssignBench.send has just done it)
        response = client.click(user=learner.user_id, action_id=Action.QUIZ_TAKE, value=value,
                                channel=learner.channel, ts=learner.ts)  # fmt: skip
        if into is not None:
            record_ack(into, client, response)
        call = self.fake.wait_for_call("views.open", timeout=EFFECT_TIMEOUT_S)
        view = call.response.get("view") or {}
        assert view.get("callback_id") == Callback.QUIZ, f"views.open opened {view.get('title')}"
        assert view["submit"]["text"] == "Next", "page 1 of 2 should say Next"
        return learner, str(view["id"])

    def _turn(
        self, client: TimedClient, learner: Clicker, view_id: str, into: Series | None = None
    ) -> None:
        """Next on page 1, every answer right; the ack's page 2 replaces it."""
        response = client.submit_view(user=learner.user_id, view_id=view_id,
                                      values=answers(self.fake.view(view_id)))  # fmt: skip
        if into is not None:
            record_ack(into, client, response)
            self.answer_bytes.setdefault("next", []).append(len(response.body))
        page = answered_view(response)
        assert page["submit"]["text"] == "Submit", f"Next answered {page.get('title')}"

    def _timed(self, kind: str, client: TimedClient, stamps: list[Stamp]) -> None:
        """Each effect from the send to the last answer among its methods (their first
        call since reset_calls), and the stand-in's own time in the full one (every call it
        answered by then). course_scale's CourseBench._timed, with this benchmark's effects."""
        first = {s.path.removeprefix("/api/"): s for s in stamps}
        last = 0.0
        for name, methods in EFFECTS[kind]:
            last = max(first[m].answered for m in methods)
            self.effects.setdefault(name, Series()).samples.append((last - client.sent_perf) * 1000)
        self.stand_in.setdefault(kind, Series()).samples.append(self.fake.busy_until(last))

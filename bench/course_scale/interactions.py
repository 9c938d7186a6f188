"""The two clicks, sent to each server in turn and timed (with Trainbot's effects).

`CourseBench` is assign_scale's `AssignBench` (the same sending, replaying Trainbot's bytes
to the bare apps, failures and think time) with this benchmark's requests, each by a
learner who has not clicked before (a fresh state every time):
- `done`: Done on an item of the 20 x 15 course, in the "Open course" modal (opened just
  before from the course's DM, not timed). Effects: the modal's views.update answered,
  and everything (views.update, the DM's chat.update and Home's views.publish) answered.
- `step`: Mark complete on the DM of step 1 of the path. Effects: the step's DM updated
  (chat.update), and the next step's DM posted to the learner (chat.postMessage).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from typing import Any

from bench.assign_scale.interactions import AssignBench
from bench.course_scale.seed import CLICKED_ITEM, Clicker, CourseData
from bench.progress_scale.interactions import ProgressFakeSlack
from bench.timing import Series, Stamp, TimedClient, record_ack
from bot.fakeslack import view_texts
from bot.ids import Action

KINDS = ("done", "step")
# Per kind: (effect name, the Web API methods whose last answer ends it), the full one last.
EFFECTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "done": (
        ("done_modal", ("views.update",)),
        ("done", ("views.update", "chat.update", "views.publish")),
    ),
    "step": (
        ("step_dm_updated", ("chat.update",)),
        ("step", ("chat.postMessage",)),
    ),
}


class CourseFakeSlack(ProgressFakeSlack):
    """The stand-in, able to wait for several methods' first stamps since reset_calls."""

    def wait_for_stamps(self, methods: Sequence[str]) -> list[Stamp]:
        return [self.wait_for_stamp(f"/api/{m}") for m in methods]

    def made(self) -> tuple[dict[str, int], float]:
        """The Web API calls answered since reset_calls, by method, and the ms spent on them."""
        with self._lock:
            methods = Counter(s.path.removeprefix("/api/") for s in self.stamps)
            return dict(sorted(methods.items())), sum(
                s.answered - s.started for s in self.stamps
            ) * 1000

    def busy_until(self, moment: float) -> float:
        """ms the stand-in spent answering the calls it had answered by `moment`."""
        with self._lock:
            return sum((s.answered - s.started) * 1000 for s in self.stamps if s.answered <= moment)


def item_button(surface: dict[str, Any], title: str) -> dict[str, Any]:
    """The Done / Undo button of the course item titled `title` in a DM or modal."""
    for block in surface.get("blocks") or []:
        if str(block.get("block_id", "")).startswith("item:") and title in block["text"]["text"]:
            accessory = block.get("accessory")
            assert accessory is not None, f"{title} has no button"
            return dict(accessory)
    raise AssertionError(f"no item {title!r}")


class CourseBench(AssignBench):
    """One click of a kind to one target (AssignBench.send); Trainbot's effects timed."""

    def __init__(self, fake: CourseFakeSlack, data: CourseData, *, pause_s: float) -> None:
        super().__init__(fake, data.base, people=1, pause_s=pause_s)
        self.fake: CourseFakeSlack = fake
        self.course: deque[Clicker] = deque(data.course)  # who clicks next, per kind
        self.path: deque[Clicker] = deque(data.path)
        self.stand_in: dict[str, Series] = {}  # the stand-in's own time in each full effect
        self.modal_bytes: list[int] = []  # the Done click's request (the modal comes with it)
        self._prepared: tuple[Clicker, str] | None = None  # the next Done: learner, modal

    def prepare(self, kind: str, client: TimedClient) -> None:
        """What comes before the timed click, untimed: for `done`, the next learner opens
        their course modal from its DM."""
        if kind == "done" and self._prepared is None:
            learner = self.course.popleft()
            self._prepared = (learner, self._open_course(client, learner))

    def _trainbot(self, kind: str, client: TimedClient, into: Series) -> None:
        if kind == "done":
            self.prepare(kind, client)
            assert self._prepared is not None
            (learner, view_id), self._prepared = self._prepared, None
            button = item_button(self.fake.view(view_id), CLICKED_ITEM)
            assert button["action_id"] == Action.COURSE_ITEM_DONE, button
            response = client.click(user=learner.user_id, action_id=Action.COURSE_ITEM_DONE,
                                    value=button["value"], view_id=view_id)  # fmt: skip
            record_ack(into, client, response)
            self.modal_bytes.append(len(client.body))
            stamps = self.fake.wait_for_stamps(("views.update", "chat.update", "views.publish"))
            after = item_button(self.fake.view(view_id), CLICKED_ITEM)
            assert after["action_id"] == Action.COURSE_ITEM_UNDO, "the modal still says Done"
        else:
            learner = self.path.popleft()
            response = client.click(user=learner.user_id, action_id=Action.ASSIGNMENT_COMPLETE,
                                    channel=learner.channel, ts=learner.ts)  # fmt: skip
            record_ack(into, client, response)
            stamps = self.fake.wait_for_stamps(("chat.update", "chat.postMessage"))
            posted = self.fake.wait_for_call("chat.postMessage")
            assert posted.args.get("channel") == learner.user_id, posted.args.get("channel")
            assert "Step 2 of 3" in view_texts(posted.args), "the DM is not step 2's"
        self._timed(kind, client, stamps)

    def _open_course(self, client: TimedClient, learner: Clicker) -> str:
        """The learner's "Open course" modal, opened from their course DM (not timed)."""
        self.fake.clear_views(learner.user_id)  # a modal left open by an earlier run
        client.click(user=learner.user_id, action_id=Action.COURSE_OPEN,
                     channel=learner.channel, ts=learner.ts)  # fmt: skip
        self.fake.wait_for_stamp("/api/views.open")
        views = self.fake.open_views(learner.user_id)
        assert views and views[-1]["title"]["text"] == "Course", "no course modal opened"
        self.fake.reset_calls()
        return str(views[-1]["id"])

    def _timed(self, kind: str, client: TimedClient, stamps: list[Stamp]) -> None:
        """Each effect from the send to the last answer among its methods (their first
        call since reset_calls), and the stand-in's own time in the full one (every call it
        answered by then)."""
        first = {s.path.removeprefix("/api/"): s for s in stamps}
        last = 0.0
        for name, methods in EFFECTS[kind]:
            last = max(first[m].answered for m in methods)
            self.effects.setdefault(name, Series()).samples.append((last - client.sent_perf) * 1000)
        self.stand_in.setdefault(kind, Series()).samples.append(self.fake.busy_until(last))

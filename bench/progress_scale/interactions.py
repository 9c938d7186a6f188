"""The progress interactions, sent to each server in turn and timed (with Trainbot's effects).

`ProgressBench` is assign_scale's `AssignBench` (the same sending, replaying Trainbot's
bytes to the bare apps, failures and think time) with the requests of this benchmark:
/progress for a user group, a person and a training; the Team progress tab and its domain
filter, for the big manager and the admin; Export CSV of the group's report. An effect
ends when the stand-in has answered and recorded what shows it: the report's POST to the
command's response_url, the Home's views.publish, the CSV's files.completeUploadExternal.
"""

from __future__ import annotations

import json
from typing import Any

from bench.assign_scale.interactions import EFFECT_TIMEOUT_S, AssignBench, ScaleFakeSlack
from bench.progress_scale.seed import GROUP_HANDLE, GROUP_ID, ProgressData
from bench.timing import Series, Stamp, TimedClient, record_ack
from bot.fakeslack import mention, subteam_ref
from bot.fakeslack.surface import find_element
from bot.ids import Action

KINDS = ("group", "person", "training", "team", "team_domain", "team_admin", "team_lead",
         "export")  # fmt: skip
DOMAINS_ROTATED = 6  # the domain filter goes round the team's biggest domains


class ProgressFakeSlack(ScaleFakeSlack):
    """The stand-in, able to wait for the stamp of a path (an API method or a response_url)."""

    def wait_for_stamp(self, path: str, timeout: float = EFFECT_TIMEOUT_S) -> Stamp:
        """The first stamp on `path` since reset_calls (API calls and response_url posts
        notify `_changed` under the lock the stamp is taken under)."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: next((s for s in self.stamps if s.path == path), None), timeout
            )
        if found is None:
            raise AssertionError(f"nothing on {path} within {timeout} s")
        return found


class ProgressBench(AssignBench):
    """One request of a kind to one target (AssignBench.send); Trainbot's effects timed."""

    def __init__(self, fake: ProgressFakeSlack, data: ProgressData, *, pause_s: float) -> None:
        super().__init__(fake, data.base, people=1, pause_s=pause_s)
        self.fake: ProgressFakeSlack = fake
        self.progress = data
        self.stand_in: dict[str, Series] = {}  # the stand-in's own share of each effect
        self.csv_bytes: list[int] = []
        self.csv_rows: int | None = None  # lines of the first CSV, header included
        self._report: tuple[str, str] | None = None  # the group report's (channel, ts)
        self._domains = 0

    @property
    def texts(self) -> dict[str, str]:
        """The command's words for each /progress kind."""
        data = self.progress
        return {
            "group": subteam_ref(GROUP_ID, GROUP_HANDLE),
            "person": mention(data.person.user_id, data.person.name),
            "training": data.words,
        }

    def _trainbot(self, kind: str, client: TimedClient, into: Series) -> None:
        manager = self.progress.manager.user_id
        if kind in ("group", "person", "training"):
            response = client.command("/progress", self.texts[kind], user=manager)
            record_ack(into, client, response)
            self._report_posted(kind, client)
        elif kind == "export":
            self._export(client, into)
        else:
            asker = {"team_admin": self.progress.admin, "team_lead": self.progress.lead}.get(kind)
            user = asker.user_id if asker is not None else manager
            view = self._team_home(client, user, filtered=kind == "team_domain")
            if kind == "team_domain":
                chosen = client.select(user=user, view_id=view["id"],
                                       action_id=Action.TEAM_FILTER_DOMAIN,
                                       value=self._next_domain(view))  # fmt: skip
                assert chosen is not None, "the domain filter sent nothing"
                response = chosen
            else:
                response = client.click(user=user, action_id=Action.HOME_TAB_TEAM,
                                        view_id=view["id"])  # fmt: skip
            record_ack(into, client, response)
            stamp = self.fake.wait_for_stamp("/api/views.publish")
            published = self.fake.wait_for_call("views.publish").args.get("view")
            assert "team.summary" in str(published), "views.publish without the Team tab"
            self._stamped(kind, client, stamp)

    def _report_posted(self, kind: str, client: TimedClient) -> None:
        """The report, POSTed to the command's response_url; its effect timed."""
        key = str(client.last_response_key)
        stamp = self.fake.wait_for_stamp(f"/response/{key}")
        posted = self.fake.responses(key)[0]
        assert str(posted.get("text", "")).startswith("Progress: "), posted.get("text")
        self._stamped(kind, client, stamp)

    def _export(self, client: TimedClient, into: Series) -> None:
        """Export CSV on the group's report (made once, not timed)."""
        manager = self.progress.manager.user_id
        if self._report is None:
            client.command("/progress", self.texts["group"], user=manager)
            self.fake.wait_for_stamp(f"/response/{client.last_response_key}")
            last = self.fake.ephemerals(manager)[-1]
            self._report = (str(last["channel"]), str(last["ts"]))
            self.fake.reset_calls()
        channel, ts = self._report
        response = client.click(user=manager, action_id=Action.PROGRESS_EXPORT, channel=channel,
                                ts=ts)  # fmt: skip
        record_ack(into, client, response)
        stamp = self.fake.wait_for_stamp("/api/files.completeUploadExternal")
        (uploaded,) = self.fake.wait_for_call("files.completeUploadExternal").response["files"]
        self.csv_bytes.append(int(uploaded["size"]))
        if self.csv_rows is None:
            content = self.fake.files[str(uploaded["id"])]["content"]
            self.csv_rows = content.count(b"\n")
        self._stamped("export", client, stamp)

    def _team_home(self, client: TimedClient, user: str, *, filtered: bool) -> dict[str, Any]:
        """The person's Home showing Team progress (without filters unless `filtered`); the
        clicks that get it there are not timed."""
        for _ in range(3):
            view = self.fake.home(user)
            state = json.loads((view or {}).get("private_metadata") or "{}")
            narrowed = any(state.get(k) for k in ("domain", "type", "group"))
            if view is not None and state.get("tab") == "team" and (filtered or not narrowed):
                return view
            if view is None:
                client.app_home_opened(user)
            else:
                action = Action.TEAM_FILTER_CLEAR if narrowed else Action.HOME_TAB_TEAM
                client.click(user=user, action_id=action, view_id=view["id"])
            self.fake.wait_for_stamp("/api/views.publish")
            self.fake.reset_calls()
        raise AssertionError(f"no Team progress tab for {user}")

    def _next_domain(self, view: dict[str, Any]) -> str:
        """The next of the team's biggest domains, in turn."""
        found = find_element(view, Action.TEAM_FILTER_DOMAIN)
        assert found is not None, "no domain filter on the Team tab"
        values = [o["value"] for o in found.element["options"] if o["value"] != "any"]
        self._domains += 1
        return str(values[:DOMAINS_ROTATED][self._domains % min(DOMAINS_ROTATED, len(values))])

    def _stamped(self, kind: str, client: TimedClient, stamp: Stamp) -> None:
        """From sending the request to the stand-in's stamp: the effect, and its own share."""
        self.effects.setdefault(kind, Series()).samples.append(
            (stamp.answered - client.sent_perf) * 1000
        )
        self.stand_in.setdefault(kind, Series()).samples.append(
            (stamp.answered - stamp.started) * 1000
        )

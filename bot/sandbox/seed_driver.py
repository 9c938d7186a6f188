"""What seeding does in the demo workspace, each step as a person does it in Slack.

Maya types /assign and fills the modal in (choosing a training sends block_actions and the
app redraws the modal, as in Slack), people click the buttons of their DMs (Start, 50 %,
Mark complete, a course item's Done), Maya makes Hannah a manager with /training role and
cancels from Manage, and a newcomer joins a user group (Slack's subteam_members_changed
event). Each step waits for the app to finish
what follows its ack; anything the app refuses is a SeedError.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.clock import local_today
from bot.delivery import deliver_pending
from bot.fakeslack import view_texts
from bot.fakeslack.surface import find_element
from bot.ids import Action, Block
from bot.sandbox.roster import LEARNING, MAYA, Group, Person

if TYPE_CHECKING:
    from bot.sandbox.runtime import Sandbox


class SeedError(RuntimeError):
    """The app did not do what seeding asked of it (a bug to report, not a user error)."""


class Driver:
    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._slack = sandbox.slack
        self._fake = sandbox.workspace
        self.resources: dict[str, str] = {}  # title -> resource id (as the typeahead gave it)

    # Maya --------------------------------------------------------------------------------

    def assign(
        self, title: str, query: str, *, people: Sequence[str] = (), groups: Sequence[str] = (),
        due_in: int | None = None, priority: str = "normal", note: str = "", keep: bool = False,
    ) -> None:  # fmt: skip
        """Maya types /assign in her DM with the bot, chooses the training, fills the rest in.

        `title` is the typeahead's label ("Path: New Engineer Onboarding" for a path, whose
        modal has a start date, today as offered, instead of a due date).
        """
        view = self._command("/assign")
        resource = self._option(view, Action.ASSIGN_RESOURCE, query, title)
        self.resources[title] = resource[0]
        self._slack.select(
            user=MAYA.id, view_id=view["id"], action_id=Action.ASSIGN_RESOURCE, value=resource
        )
        self._settle()
        view = self.top()  # redrawn for the training chosen
        blocks = {str(b.get("block_id")) for b in view["blocks"]}
        values: dict[str, Any] = {Block.RESOURCE: resource, Block.PEOPLE: list(people),
                                  Block.PRIORITY: priority, Block.NOTE: note}  # fmt: skip
        if groups:
            values[Block.GROUPS] = [
                self._option(view, Action.ASSIGN_GROUPS, handle, "@" + handle) for handle in groups
            ]
        if due_in is not None:
            today = local_today(self._sandbox.clock.now(), MAYA.tz)
            values[Block.DUE] = (today + timedelta(days=due_in)).isoformat()
        if keep:
            values[Block.KEEP] = ["keep"]
        missing = sorted(set(values) - blocks)
        if missing:
            raise SeedError(f"/assign {title}: the modal has no {', '.join(missing)} field")
        answer = self._slack.submit_view(user=MAYA.id, view_id=view["id"], values=values)
        if answer.status != 200 or (answer.json or {}).get("errors"):
            raise SeedError(f"/assign {title} was refused: {answer.status} {answer.body}")
        self._settle()

    def cancel(self, user: str, title: str) -> None:
        """Maya cancels one person's assignment: Home, Manage, the person's menu, Cancel."""
        self._slack.app_home_opened(MAYA.id)
        self._settle()
        home = self._fake.home(MAYA.id)
        if home is None:
            raise SeedError("Maya has no Home")
        rid = self.resources[title]
        self._slack.click(user=MAYA.id, action_id=Action.MANAGE_OPEN, value=rid, view_id=home["id"])
        self._settle()
        manage = self.top()
        row = next(
            (b for b in manage["blocks"] if f"<@{user}>" in str((b.get("text") or {}).get("text"))),
            None,
        )
        if row is None:
            raise SeedError(f"Manage for {title!r} has no row for {user}")
        assignment = str(row["block_id"]).split(":")[1]
        self._slack.block_action(
            user=MAYA.id, action_id=Action.MANAGE_ROW, view_id=manage["id"],
            block_id=row["block_id"], selected_option={"value": f"cancel:{assignment}:{user}"},
        )  # fmt: skip
        self._settle()
        self._slack.submit_view(user=MAYA.id, view_id=self.top()["id"], values={})
        self._settle()
        self._close_all()

    def subscribe_digest(self) -> None:
        """/training digest #learning, saved as offered: Mondays at 09:00 in Maya's timezone."""
        mention = f"<#{LEARNING.id}|{LEARNING.name}>"
        view = self._command("/training", f"digest {mention}", channel=LEARNING.id)
        answer = self._slack.submit_view(user=MAYA.id, view_id=view["id"], values={})
        if (answer.json or {}).get("response_action") != "update":
            raise SeedError(f"the digest was not saved: {answer.status} {answer.body}")
        self._close_all()

    # learners ------------------------------------------------------------------------------

    def step(self, user: str, title: str, action_id: str) -> None:
        """A click on a button of the person's assignment DM about `title`."""
        channel = self._fake.dm_channel(user)
        for message in self._fake.messages(channel):
            if title in view_texts(message) and find_element(message, action_id) is not None:
                self._slack.click(user=user, action_id=action_id, channel=channel, ts=message["ts"])
                self._settle()
                return
        raise SeedError(f"no DM to {user} about {title!r} with a {action_id} button")

    def tick(self, user: str, course: str, items: Sequence[str]) -> None:
        """Done on these items of the course's DM, one click each (the DM is redrawn each time)."""
        channel = self._fake.dm_channel(user)
        for item in items:
            found = next(
                (
                    (message["ts"], block["accessory"]["value"])
                    for message in self._fake.messages(channel) if course in view_texts(message)
                    for block in message.get("blocks") or []
                    if str(block.get("block_id", "")).startswith("item:")
                    and item in str(block["text"]["text"])
                    and (block.get("accessory") or {}).get("action_id") == Action.COURSE_ITEM_DONE
                ),
                None,
            )  # fmt: skip
            if found is None:
                raise SeedError(f"no DM to {user} about {course!r} with Done on {item!r}")
            ts, value = found
            self._slack.click(user=user, action_id=Action.COURSE_ITEM_DONE, value=value,
                              channel=channel, ts=ts)  # fmt: skip
            self._settle()

    def join_group(self, group: Group, user: str, members: Sequence[str]) -> None:
        """Someone is added to a user group in Slack: the stand-in's directory changes and
        Slack's subteam_members_changed event reaches the app."""
        event = self._fake.set_usergroup_members(group.id, [*members, user])
        answer = self._slack.event(event)
        if answer.status != 200:
            raise SeedError(f"{group.handle} event was refused: {answer.status} {answer.body}")
        self._settle()

    def set_group(self, group: Group, members: Sequence[str]) -> None:
        """A user group as it was before seeding's history (Slack tells the app, as always)."""
        self._slack.event(self._fake.set_usergroup_members(group.id, members))
        self._settle()

    def make_manager(self, user: Person) -> None:
        """/training role @person manager, typed in Maya's DM with the bot."""
        text = f"role <@{user.id}|{user.name}> manager"
        answer = self._slack.command("/training", text, user=MAYA.id,
                                     channel=self._fake.dm_channel(MAYA.id))  # fmt: skip
        self._settle()
        said = [m["text"] for m in self._fake.ephemerals(MAYA.id)]
        if answer.status != 200 or not said or "is now a Trainbot manager" not in said[-1]:
            raise SeedError(f"/training {text} was refused: {said[-1:]}")

    def open_home(self, user: str) -> None:
        self._slack.app_home_opened(user)
        self._settle()

    # plumbing -------------------------------------------------------------------------------

    def top(self) -> Any:
        stack = self._fake.open_views(MAYA.id)
        if not stack:
            raise SeedError("Maya has no modal open")
        return stack[-1]

    def at(self, *, days_ago: float) -> None:
        """Move the demo's clock, and do what the hourly enrollment sweep had done by then:
        a path opens on each person's own start day, which in a timezone behind Maya's
        comes a day after she assigned it (seeding late in the UTC evening, Accra's)."""
        self._sandbox.clock.shift_for_seeding(-timedelta(days=days_ago))
        if self._sandbox.services.paths.open_due_starts():
            deliver_pending(self._sandbox.services, self._sandbox.web_client())
            self._settle()

    def _command(self, command: str, text: str = "", *, channel: str | None = None) -> Any:
        where = channel or self._fake.dm_channel(MAYA.id)
        answer = self._slack.command(command, text, user=MAYA.id, channel=where)
        self._settle()
        if answer.status != 200 or not self._fake.open_views(MAYA.id):
            raise SeedError(f"{command} {text} opened no modal: {answer.status} {answer.body}")
        return self.top()

    def _option(self, view: Any, action_id: str, query: str, label: str) -> tuple[str, str]:
        answer = self._slack.suggest(
            user=MAYA.id, view_id=view["id"], action_id=action_id, value=query
        )
        for option in (answer.json or {}).get("options") or []:
            text = str(option["text"]["text"])
            if text.startswith(label):
                return str(option["value"]), text
        raise SeedError(f"no {label!r} among the options for {query!r}: {answer.body}")

    def _close_all(self) -> None:
        while self._fake.open_views(MAYA.id):
            self._slack.close_view(user=MAYA.id)

    def _settle(self) -> None:
        if not self._sandbox.settle():
            raise SeedError("the app was still busy after 15 s")

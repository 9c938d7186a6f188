"""The demo workspace's history, made by driving the real app as Slack would.

Maya (a Slack admin, so a Trainbot admin) assigns training with /assign over the last
ten days, people click Start, 50 % and Mark complete in their DMs, Maya cancels one
assignment from Manage and subscribes #learning to the weekly digest. The sandbox clock
is set back while this happens, so due dates passed make overdue assignments; then it
returns to the present. Nothing is written behind the app's back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from bot.clock import local_today
from bot.fakeslack import view_texts
from bot.fakeslack.surface import find_element
from bot.ids import Action, Block
from bot.sandbox import roster
from bot.sandbox.net import SandboxError
from bot.sandbox.roster import DIEGO, HANNAH, KWAME, LEARNING, LIAM, MAYA, PRIYA, SOFIA
from bot.services.catalog_files import parse_catalog, starter_catalog
from models import ResourceAssignment, Workspace

if TYPE_CHECKING:
    from bot.sandbox.runtime import Sandbox
    from bot.services import Services

log = logging.getLogger("trainbot.sandbox")

PRO_GIT = "Pro Git"
WRITING = "Technical Writing One"
SPEAKING = "How to Speak So That People Want to Listen"
OWASP = "OWASP Top 10"


class SeedError(RuntimeError):
    """The app did not do what seeding asked of it (a bug to report, not a user error)."""


def refuse_other_workspaces(services: Services) -> None:
    """The sandbox's database holds the demo workspace only: never a real one's data."""
    with services.sessions.begin() as s:
        others = s.scalars(select(Workspace.team_id).where(Workspace.team_id != roster.TEAM_ID))
        found = sorted(others)
    if found:
        raise SandboxError(
            f"that database holds real workspaces ({', '.join(found[:3])}): the sandbox would "
            "sweep and message them; give it a database of its own (--database-url)"
        )


def seed_if_needed(sandbox: Sandbox) -> bool:
    """Import the starter library; seed the demo history unless the database has it."""
    services = sandbox.services
    services.catalog.import_rows(rows=parse_catalog(*starter_catalog()), workspace_id=None)
    with services.sessions.begin() as s:
        count = s.scalar(
            select(func.count(ResourceAssignment.id))
            .join(Workspace, Workspace.id == ResourceAssignment.workspace_id)
            .where(Workspace.team_id == roster.TEAM_ID)
        )
    if count:
        return False
    Seeder(sandbox).run()
    return True


class Seeder:
    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._slack = sandbox.slack
        self._fake = sandbox.workspace
        self._resources: dict[str, str] = {}  # title -> resource id

    def run(self) -> None:
        log.info("seeding the demo workspace")
        self._at(days_ago=10)
        self._slack.app_home_opened(MAYA.id)
        self._settle()
        self._assign(PRO_GIT, "pro git", groups=["engineering"], due_in=14, note="Our Git habits")
        self._assign(WRITING, "technical writing", groups=["support-team"], due_in=3,
                     priority="high", note="Before the help-centre rewrite")  # fmt: skip
        self._assign(SPEAKING, "how to speak", people=[KWAME.id, PRIYA.id], due_in=21,
                     priority="low")  # fmt: skip
        self._assign(OWASP, "owasp top", people=[DIEGO.id, LIAM.id], due_in=12)
        self._at(days_ago=8)
        self._step(KWAME.id, PRO_GIT, Action.ASSIGNMENT_START)
        self._step(PRIYA.id, WRITING, Action.ASSIGNMENT_START)
        self._step(HANNAH.id, WRITING, Action.ASSIGNMENT_START)
        self._at(days_ago=6)
        self._step(KWAME.id, PRO_GIT, f"{Action.ASSIGNMENT_PROGRESS}.50")
        self._step(SOFIA.id, PRO_GIT, Action.ASSIGNMENT_START)
        self._subscribe_digest()
        self._at(days_ago=3)
        self._step(SOFIA.id, PRO_GIT, Action.ASSIGNMENT_COMPLETE)
        self._step(HANNAH.id, WRITING, Action.ASSIGNMENT_COMPLETE)
        self._at(days_ago=2)
        self._cancel(LIAM.id, OWASP)
        self._at(days_ago=1)
        self._step(PRIYA.id, SPEAKING, Action.ASSIGNMENT_START)
        self._step(PRIYA.id, SPEAKING, Action.ASSIGNMENT_COMPLETE)
        self._sandbox.clock.shift_for_seeding(timedelta(0))
        log.info("demo workspace seeded")

    # steps ----------------------------------------------------------------------------------

    def _assign(
        self, title: str, query: str, *, people: Sequence[str] = (), groups: Sequence[str] = (),
        due_in: int, priority: str = "normal", note: str = "",
    ) -> None:  # fmt: skip
        """Maya types /assign in her DM with the bot and fills the modal in."""
        view = self._command("/assign")
        resource = self._option(view, Action.ASSIGN_RESOURCE, query, title)
        self._resources[title] = resource[0]
        chosen = [
            self._option(view, Action.ASSIGN_GROUPS, handle, "@" + handle) for handle in groups
        ]
        today = local_today(self._sandbox.clock.now(), MAYA.tz)
        values: dict[str, Any] = {
            Block.RESOURCE: resource,
            Block.PEOPLE: list(people),
            Block.DUE: (today + timedelta(days=due_in)).isoformat(),
            Block.PRIORITY: priority,
            Block.NOTE: note,
        }
        if groups:
            values[Block.GROUPS] = chosen
        answer = self._slack.submit_view(user=MAYA.id, view_id=view["id"], values=values)
        if answer.status != 200 or (answer.json or {}).get("errors"):
            raise SeedError(f"/assign {title} was refused: {answer.status} {answer.body}")
        self._settle()

    def _step(self, user: str, title: str, action_id: str) -> None:
        """A click on a button of the person's assignment DM."""
        channel = self._fake.dm_channel(user)
        for message in self._fake.messages(channel):
            if title in view_texts(message) and find_element(message, action_id) is not None:
                self._slack.click(user=user, action_id=action_id, channel=channel, ts=message["ts"])
                self._settle()
                return
        raise SeedError(f"no DM to {user} about {title!r} with a {action_id} button")

    def _cancel(self, user: str, title: str) -> None:
        """Maya cancels one person's assignment: Home, Manage, the person's menu, Cancel."""
        self._slack.app_home_opened(MAYA.id)
        self._settle()
        home = self._fake.home(MAYA.id)
        if home is None:
            raise SeedError("Maya has no Home")
        rid = self._resources[title]
        self._slack.click(user=MAYA.id, action_id=Action.MANAGE_OPEN, value=rid, view_id=home["id"])
        self._settle()
        manage = self._top()
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
        self._slack.submit_view(user=MAYA.id, view_id=self._top()["id"], values={})
        self._settle()
        while self._fake.open_views(MAYA.id):
            self._slack.close_view(user=MAYA.id)

    def _subscribe_digest(self) -> None:
        """/training digest #learning, saved as offered: Mondays at 09:00 in Maya's timezone."""
        mention = f"<#{LEARNING.id}|{LEARNING.name}>"
        view = self._command("/training", f"digest {mention}", channel=LEARNING.id)
        answer = self._slack.submit_view(user=MAYA.id, view_id=view["id"], values={})
        if (answer.json or {}).get("response_action") != "update":
            raise SeedError(f"the digest was not saved: {answer.status} {answer.body}")
        while self._fake.open_views(MAYA.id):
            self._slack.close_view(user=MAYA.id)

    # plumbing -------------------------------------------------------------------------------

    def _command(self, command: str, text: str = "", *, channel: str | None = None) -> Any:
        where = channel or self._fake.dm_channel(MAYA.id)
        answer = self._slack.command(command, text, user=MAYA.id, channel=where)
        self._settle()
        if answer.status != 200 or not self._fake.open_views(MAYA.id):
            raise SeedError(f"{command} {text} opened no modal: {answer.status} {answer.body}")
        return self._top()

    def _option(self, view: Any, action_id: str, query: str, label: str) -> tuple[str, str]:
        answer = self._slack.suggest(
            user=MAYA.id, view_id=view["id"], action_id=action_id, value=query
        )
        for option in (answer.json or {}).get("options") or []:
            text = str(option["text"]["text"])
            if text.startswith(label):
                return str(option["value"]), text
        raise SeedError(f"no {label!r} among the options for {query!r}: {answer.body}")

    def _top(self) -> Any:
        stack = self._fake.open_views(MAYA.id)
        if not stack:
            raise SeedError("Maya has no modal open")
        return stack[-1]

    def _at(self, *, days_ago: float) -> None:
        self._sandbox.clock.shift_for_seeding(-timedelta(days=days_ago))

    def _settle(self) -> None:
        if not self._sandbox.settle():
            raise SeedError("the app was still busy after 15 s")

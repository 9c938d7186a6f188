"""The demo workspace's history, made by driving the real app as Slack would.

Maya (a Slack admin, so a Trainbot admin) assigns training with /assign over the last
ten days, people click Start, 50 % and Mark complete in their DMs, Maya makes Hannah a
manager, cancels one assignment from Manage and subscribes #learning to the weekly digest
(these three are in the audit log, `/training audit`). A course from the
starter library goes to three people of @support-team (Hannah ticks every required item,
so it completes by itself; Priya is half-way; Diego has not begun), and the path "New
Engineer Onboarding" to @engineering, keeping it enrolled: Sofia walks it to its end,
Kwame is on step 2 (the Engineering Foundations course, two items done), Liam is still on
step 1, and Amara, added to @engineering two days ago, was enrolled by Slack's event.
The sandbox clock is set back while this happens, so due dates passed make overdue
assignments; then it returns to the present. Nothing is written behind the app's back
(bot/sandbox/seed_driver.py does each step as a person does it in Slack).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.ids import Action
from bot.sandbox import roster
from bot.sandbox.net import SandboxError
from bot.sandbox.roster import (
    AMARA,
    DIEGO,
    ENGINEERING,
    HANNAH,
    KWAME,
    LIAM,
    MAYA,
    PRIYA,
    SOFIA,
)
from bot.sandbox.seed_driver import Driver, SeedError
from bot.services.catalog_files import parse_catalog, starter_catalog
from models import ResourceAssignment, Workspace

if TYPE_CHECKING:
    from bot.sandbox.runtime import Sandbox
    from bot.services import Services

__all__ = ["SeedError", "refuse_other_workspaces", "seed_if_needed"]

log = logging.getLogger("trainbot.sandbox")

PRO_GIT = "Pro Git"
WRITING = "Technical Writing One"
SPEAKING = "How to Speak So That People Want to Listen"
OWASP = "OWASP Top 10"
QUIZ = "Phishing and Passwords: Check Yourself"  # a quiz of its own: Take quiz, not Mark complete
# A course of the starter library: four sections, four required items and one optional.
COURSE = "Writing That Gets Read"
COURSE_ITEMS = ("Content Design: Writing for GOV.UK", "Microsoft Writing Style Guide",
                "Diataxis", "GitLab Handbook: Asynchronous Communication")  # fmt: skip
# A path of the starter library, its four steps, and the required items of its two courses.
PATH = "Path: New Engineer Onboarding"
ASYNC = "GitLab Handbook: Asynchronous Communication"
FOUNDATIONS = "Engineering Foundations"
FOUNDATIONS_ITEMS = ("Pro Git", "Simple Made Easy", "The Twelve-Factor App",
                     "Manifesto for Agile Software Development", "The Scrum Guide")  # fmt: skip
SECURE = "Secure Coding Basics"
SECURE_ITEMS = ("OWASP Top 10", "OWASP Cheat Sheet Series", "Protecting Personal Information")
DOCS = "Diataxis"


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
        self._do = Driver(sandbox)

    def run(self) -> None:
        log.info("seeding the demo workspace")
        do = self._do
        do.at(days_ago=10)
        for group_id, later in roster.JOINED_LATER.items():
            group = next(g for g in roster.GROUPS if g.id == group_id)
            do.set_group(group, [m for m in group.members if m not in later])
        do.open_home(MAYA.id)
        do.make_manager(HANNAH)  # the support team's lead curates and assigns too
        do.assign(PRO_GIT, "pro git", groups=["engineering"], due_in=14, note="Our Git habits")
        do.assign(WRITING, "technical writing", groups=["support-team"], due_in=3,
                  priority="high", note="Before the help-centre rewrite")  # fmt: skip
        do.assign(SPEAKING, "how to speak", people=[KWAME.id, PRIYA.id], due_in=21,
                  priority="low")  # fmt: skip
        do.assign(OWASP, "owasp top", people=[DIEGO.id, LIAM.id], due_in=12)
        do.assign(COURSE, "writing that gets", people=[HANNAH.id, PRIYA.id, DIEGO.id],
                  due_in=14, note="Our house style, before the help-centre rewrite")  # fmt: skip
        do.at(days_ago=9)
        do.assign(PATH, "engineer onboarding", groups=["engineering"], keep=True,
                  note="Your first weeks with us")  # fmt: skip
        do.at(days_ago=8)
        do.step(KWAME.id, PRO_GIT, Action.ASSIGNMENT_START)
        do.step(PRIYA.id, WRITING, Action.ASSIGNMENT_START)
        do.step(HANNAH.id, WRITING, Action.ASSIGNMENT_START)
        do.step(SOFIA.id, ASYNC, Action.ASSIGNMENT_COMPLETE)  # path step 1 of 4
        do.tick(HANNAH.id, COURSE, COURSE_ITEMS[:2])
        do.at(days_ago=7)
        do.step(KWAME.id, ASYNC, Action.ASSIGNMENT_COMPLETE)
        do.tick(SOFIA.id, FOUNDATIONS, FOUNDATIONS_ITEMS[1:3])
        do.at(days_ago=6)
        do.step(KWAME.id, PRO_GIT, f"{Action.ASSIGNMENT_PROGRESS}.50")
        do.step(SOFIA.id, PRO_GIT, Action.ASSIGNMENT_START)
        do.subscribe_digest()
        do.tick(HANNAH.id, COURSE, COURSE_ITEMS[2:])  # the last required one: it completes
        do.tick(PRIYA.id, COURSE, COURSE_ITEMS[:1])
        do.tick(SOFIA.id, FOUNDATIONS, FOUNDATIONS_ITEMS[3:])
        do.at(days_ago=5)
        do.tick(KWAME.id, FOUNDATIONS, FOUNDATIONS_ITEMS[1:3])  # path step 2, mid-way
        do.at(days_ago=4)
        do.tick(PRIYA.id, COURSE, COURSE_ITEMS[1:2])  # 2 of 4: mid-way
        do.at(days_ago=3)
        do.step(SOFIA.id, PRO_GIT, Action.ASSIGNMENT_COMPLETE)
        do.step(HANNAH.id, WRITING, Action.ASSIGNMENT_COMPLETE)
        do.tick(SOFIA.id, FOUNDATIONS, FOUNDATIONS_ITEMS[:1])  # the course step completes
        do.at(days_ago=2)
        do.assign(QUIZ, "phishing and pass", people=[PRIYA.id, DIEGO.id], due_in=7,
                  note="Ten minutes: take it before the security review")  # fmt: skip
        do.cancel(LIAM.id, OWASP)
        do.tick(SOFIA.id, SECURE, SECURE_ITEMS)
        do.join_group(ENGINEERING, AMARA.id, [m for m in ENGINEERING.members if m != AMARA.id])
        do.at(days_ago=1)
        do.step(PRIYA.id, SPEAKING, Action.ASSIGNMENT_START)
        do.step(PRIYA.id, SPEAKING, Action.ASSIGNMENT_COMPLETE)
        do.step(SOFIA.id, DOCS, Action.ASSIGNMENT_COMPLETE)  # the last step: path finished
        self._sandbox.clock.shift_for_seeding(timedelta(0))
        log.info("demo workspace seeded")

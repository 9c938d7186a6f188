"""A learner walks a learning path to its end in the sandbox page.

Maya enrols Hannah with /assign (choosing "Path: …" redraws the modal: a start date and a
"Later" checkbox with its description replace the due date); Hannah completes step 1 with
Mark complete, ticks every required item of the course step with its Done button (the DM
is redrawn in place, progress with it), finds step 3 counted from before, completes the
last step and sees the path finished on Home. Screenshots go to test-artifacts/sandbox/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bot.ids import Action, Block
from bot.sandbox.runtime import Sandbox
from tests.support.browser import (
    MAYA,
    Screenshots,
    choose,
    field,
    message_about,
    modal,
    open_as,
    sandbox_today,
    settle,
    type_command,
)

pytestmark = pytest.mark.browser

PATH = "New Manager Essentials"
HANNAH = "U0HANNAH01"  # Support Team Lead; finished "Writing That Gets Read" in the demo


def test_a_learner_walks_a_path_from_assign_to_finished(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    """Hannah on New Manager Essentials: a talk, a course of 7 required items, a course she
    finished before the path (counted, never asked again), and a guide."""
    open_as(page, sandbox, MAYA)
    type_command(page, "/assign")
    training = field(page, Block.RESOURCE, Action.ASSIGN_RESOURCE)
    expect(field(page, Block.DUE)).to_be_visible()
    choose(page, training, "manager essentials", text=f"Path: {PATH}")
    settle(page)
    # Choosing a path redraws the modal: a start date (today) and "Later" replace Due date.
    expect(modal(page)).to_contain_text("A learning path for New manager: 4 steps")
    expect(field(page, Block.DUE)).to_have_count(0)
    expect(field(page, Block.START)).to_have_value(sandbox_today(page, sandbox).isoformat())
    keep = field(page, Block.KEEP)
    expect(keep.locator("label", has_text="Also enroll people who join later")).to_contain_text(
        "newcomers"  # the option's description, under its text
    )
    expect(keep.locator('input[data-value="keep"]')).not_to_be_checked()
    expect(training.locator("input")).to_have_value(f"Path: {PATH}")
    choose(page, field(page, Block.PEOPLE), "hannah", value=HANNAH)
    field(page, Block.PEOPLE).locator("input[role=combobox]").press("Escape")  # the menu only
    expect(page.locator("[data-testid=select-menu]")).to_have_count(0)
    keep.scroll_into_view_if_needed()
    shot("assign-path")
    page.locator("[data-testid=modal-submit]").click()
    settle(page)
    expect(modal(page)).to_have_count(0)
    expect(page.locator("[data-testid=message]", has_text="Enrolled 1 person")).to_contain_text(
        PATH
    )

    page.locator("[data-testid=user-switch]").select_option(HANNAH)
    settle(page)
    first = message_about(page, "How Great Leaders Inspire Action")
    expect(first).to_contain_text(f"Step 1 of 4 of {PATH}")
    expect(first).to_contain_text("🗺️")  # :world_map:, drawn as Slack draws it
    shot("step-1-dm")
    first.locator(f'button[data-action-id="{Action.ASSIGNMENT_COMPLETE}"]').click()
    settle(page)
    expect(first).to_contain_text("Completed")

    # Step 2, a course: a Done button on each item; the DM is redrawn in place per click.
    course = message_about(page, "Leading Your First Team")
    expect(course).to_contain_text(f"Step 2 of 4 of {PATH}")
    expect(course).to_contain_text("0 of 7 required items done")
    ts = course.get_attribute("data-ts")
    items = course.locator('[data-block-type=section][data-block-id^="item:"]')
    expect(items).to_have_count(10)
    expect(items.locator(f'button[data-action-id="{Action.COURSE_ITEM_DONE}"]')).to_have_count(10)
    shot("course-step-dm")
    required = [
        str(items.nth(n).get_attribute("data-block-id"))
        for n in range(items.count())
        if "optional" not in items.nth(n).inner_text()
    ]
    assert len(required) == 7
    for done, block_id in enumerate(required[:-1], start=1):
        item = course.locator(f'[data-block-type=section][data-block-id="{block_id}"]')
        item.locator(f'button[data-action-id="{Action.COURSE_ITEM_DONE}"]').click()
        settle(page)
        expect(course).to_contain_text(f"{done} of 7 required items done")
        expect(item.locator(f'button[data-action-id="{Action.COURSE_ITEM_UNDO}"]')).to_be_visible()
        expect(item).to_contain_text("☑️")
        assert course.get_attribute("data-ts") == ts  # the same message, updated
        if done == 3:
            shot("course-step-three-done")
    course.locator(f'button[data-block-id="{required[-1]}"]').click()  # the last required one
    settle(page)
    expect(course).to_contain_text("Course complete")
    expect(course).to_contain_text("7 of 7 required items done")
    expect(course.locator("button")).to_have_count(0)
    shot("course-step-complete")

    # Step 3 is a course Hannah finished before the path: counted, so step 4 opens.
    last = message_about(page, "All-Remote")
    expect(last).to_contain_text(f"Step 4 of 4 of {PATH}")
    last.locator(f'button[data-action-id="{Action.ASSIGNMENT_COMPLETE}"]').click()
    settle(page)
    expect(last).to_contain_text("Completed")
    expect(page.locator("[data-testid=message]", has_text="Step 3 of 4")).to_have_count(0)
    shot("last-step-done")

    page.locator("[data-testid=nav-home]").click()
    settle(page)
    home = page.locator("[data-testid=home]")
    journey = home.locator("[data-block-type=section][data-block-id^='path:']", has_text=PATH)
    expect(journey).to_contain_text("🏆 finished")
    steps = home.locator("[data-block-type=context][data-block-id^='path-steps:']")
    expect(steps).to_contain_text("✅ Writing That Gets Read")
    expect(steps).not_to_contain_text("🔒")
    expect(home).not_to_contain_text(":world_map:")
    shot("path-finished-on-home")

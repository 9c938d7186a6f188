"""Building a course and a learning path in the sandbox page, as a manager does it.

Manage content → New course: two sections (Enter in the dispatching field, then the Add
section button), items chosen in the dispatching typeahead of a pushed section view, an
item made optional from its overflow menu, a new link, Back (view_closed) and Save; then
New path: steps from the typeahead (the new course among them), reordered from a menu that
opens upwards at the foot of the modal, days per step in number inputs, Save.
Screenshots go to test-artifacts/sandbox/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from bot.ids import Action, Block
from bot.sandbox.runtime import Sandbox
from models import CourseSection, CourseSectionItem, PathStep, TrainingResource
from tests.support.browser import (
    MAYA,
    Screenshots,
    choose,
    menu_item,
    modal,
    open_as,
    prefixed,
    settle,
)

pytestmark = pytest.mark.browser

COURSE = "Support onboarding basics"
LINK = "Our escalation checklist"


def section_row(page: Page, number: int) -> Locator:
    """The builder's row for section `number` (its title, items and ⋯ menu)."""
    rows = modal(page).locator('[data-block-type=section][data-block-id^="section:"]')
    return rows.nth(number - 1)


def test_a_manager_builds_a_course_and_a_path_in_manage_content(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    open_as(page, sandbox, MAYA, view="home")
    home = page.locator("[data-testid=home]")
    home.locator(f'button[data-action-id="{Action.HOME_TAB_CONTENT}"]').click()
    settle(page)
    home.locator(f'button[data-action-id="{Action.COURSE_NEW}"]').click()
    settle(page)
    expect(modal(page)).to_have_attribute("data-callback-id", "course_builder")
    expect(modal(page).get_by_role("heading", name="New course")).to_be_visible()
    modal(page).locator(f'[data-block-id="{Block.TITLE}"] input').fill(COURSE)

    # Two sections: the first with Enter in its field, the second with "Add section".
    new_section = prefixed(page, Block.NEW_SECTION, Action.BUILDER_ADD_SECTION)
    new_section.fill("Welcome")
    new_section.press("Enter")
    settle(page)
    expect(section_row(page, 1)).to_contain_text("1. Welcome")
    expect(section_row(page, 1)).to_contain_text("0 items")
    expect(new_section).to_have_value("")  # a fresh field for the next one
    new_section.fill("Tools")
    modal(page).locator(f'button[data-action-id="{Action.BUILDER_ADD_SECTION}"]').click()
    settle(page)
    expect(section_row(page, 2)).to_contain_text("2. Tools")
    expect(modal(page).locator(f'[data-block-id="{Block.TITLE}"] input')).to_have_value(COURSE)
    shot("course-two-sections")

    # Section 1: Edit items pushes the section's view over the builder.
    menu_item(page, section_row(page, 1), "Edit items")
    expect(modal(page)).to_have_attribute("data-callback-id", "course_section")
    expect(modal(page)).to_have_attribute("data-depth", "2")
    expect(page.locator("[data-testid=modal-close]")).to_have_text("Back")
    expect(modal(page)).to_contain_text("No items yet")
    pick = prefixed(page, Block.PICK, Action.BUILDER_PICK_ITEM)
    choose(page, pick, "eloquent", text="Eloquent JavaScript")
    settle(page)
    items = modal(page).locator('[data-block-type=section][data-block-id^="item:"]')
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("1. Eloquent JavaScript")
    choose(page, pick, "pro git", text="Pro Git")
    settle(page)
    expect(items).to_have_count(2)
    expect(items.nth(1)).to_contain_text("2. Pro Git")
    expect(modal(page)).to_contain_text("2 items, in the order learners see them.")
    menu_item(page, items.nth(1), "Make optional")
    expect(items.nth(1)).to_contain_text("optional")
    expect(items.first).not_to_contain_text("optional")
    shot("course-section-one-items")
    page.locator("[data-testid=modal-submit]").click()  # Done
    settle(page)
    expect(modal(page)).to_have_attribute("data-callback-id", "course_builder")
    expect(modal(page)).to_have_attribute("data-depth", "1")
    expect(section_row(page, 1)).to_contain_text("2 items (1 optional)")
    expect(section_row(page, 1)).to_contain_text("Pro Git (2nd Edition) · optional")

    # Section 2: a new link, typed in and added; then Back (view_closed) to the builder.
    menu_item(page, section_row(page, 2), "Edit items")
    expect(modal(page)).to_have_attribute("data-callback-id", "course_section")
    modal(page).locator(f'[data-block-id^="{Block.LINK_TITLE}:"] input').fill(LINK)
    modal(page).locator(f'[data-block-id^="{Block.LINK_URL}:"] input').fill(
        "https://wiki.example.com/escalation"
    )
    modal(page).locator(f'button[data-action-id="{Action.BUILDER_ADD_LINK}"]').click()
    settle(page)
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text(f"1. {LINK}")
    shot("course-section-two-link")
    page.locator("[data-testid=modal-close]").click()  # Back: notify_on_close
    settle(page)
    expect(modal(page)).to_have_attribute("data-callback-id", "course_builder")
    expect(section_row(page, 2)).to_contain_text("1 item")
    expect(section_row(page, 2)).to_contain_text(LINK)
    shot("course-builder-filled")

    page.locator("[data-testid=modal-submit]").click()  # Save course
    settle(page)
    expect(modal(page)).to_have_count(0)
    expect(home).to_contain_text(f"The course {COURSE} is saved")
    expect(home.locator("a", has_text=LINK)).to_have_count(1)  # the new link joined the library
    shot("course-saved")

    # A path: two library steps and the new course, days per step.
    home.locator(f'button[data-action-id="{Action.PATH_NEW}"]').click()
    settle(page)
    expect(modal(page)).to_have_attribute("data-callback-id", "path_builder")
    modal(page).locator(f'[data-block-id="{Block.TITLE}"] input').fill("Support in a month")
    modal(page).locator(f'[data-block-id="{Block.ROLE}"] input').fill("New support agent")
    steps = modal(page).locator('[data-block-type=section][data-block-id^="step:"]')
    step_pick = prefixed(page, Block.PICK, Action.BUILDER_PICK_STEP)
    for typed, title in (("technical writing", "Technical Writing One"),
                         ("onboarding basics", COURSE), ("owasp", "OWASP Top 10")):  # fmt: skip
        choose(page, step_pick, typed, text=title)
        settle(page)
        expect(steps.last).to_contain_text(title)
    expect(steps).to_have_count(3)
    expect(steps.nth(1)).to_contain_text(f"2. {COURSE}")
    expect(steps.nth(1)).to_contain_text("Course")
    # OWASP before the course; the step at the foot of the modal, so its menu opens upwards.
    steps.nth(1).evaluate("node => node.scrollIntoView({block: 'end'})")
    menu_item(page, steps.nth(1), "Move down")
    expect(steps.nth(1)).to_contain_text("2. OWASP Top 10")
    expect(steps.nth(2)).to_contain_text(f"3. {COURSE}")
    days = modal(page).locator(f'[data-block-id^="{Block.STEP_DAYS}:"] input')
    expect(days).to_have_count(3)
    expect(
        modal(page).locator(f'[data-block-id^="{Block.STEP_DAYS}:"] label').nth(2)
    ).to_contain_text("Days to finish step 3")
    modal(page).locator(f'[data-block-id="{Block.PATH_DUE}"] input').fill("30")
    days.nth(0).fill("400")  # over the element's max_value: the page says so, as Slack does
    page.locator("[data-testid=modal-submit]").click()
    expect(
        modal(page).locator("[data-testid=input-error]", has_text="no more than 365")
    ).to_have_count(1)
    for n, value in enumerate(("5", "7", "14")):
        days.nth(n).fill(value)
    shot("path-builder-filled")
    page.locator("[data-testid=modal-submit]").click()  # Save path
    settle(page)
    expect(modal(page)).to_have_count(0)
    expect(home).to_contain_text("The learning path Support in a month is saved")
    shot("path-saved")

    # The database agrees with the page.
    with sandbox.services.sessions.begin() as s:
        path = s.scalar(
            select(TrainingResource.id).where(TrainingResource.title == "Support in a month")
        )
        rows = s.execute(
            select(TrainingResource.title, PathStep.due_days)
            .join(PathStep, PathStep.resource_id == TrainingResource.id)
            .where(PathStep.path_id == path)
            .order_by(PathStep.position)
        ).all()
        course = s.scalar(select(TrainingResource.id).where(TrainingResource.title == COURSE))
        items = s.execute(
            select(CourseSection.title, TrainingResource.title, CourseSectionItem.optional)
            .join(CourseSectionItem, CourseSectionItem.section_id == CourseSection.id)
            .join(TrainingResource, TrainingResource.id == CourseSectionItem.resource_id)
            .where(CourseSection.course_id == course)
            .order_by(CourseSection.position, CourseSectionItem.position)
        ).all()
    assert [tuple(r) for r in items] == [
        ("Welcome", "Eloquent JavaScript", False),
        ("Welcome", "Pro Git (2nd Edition)", True),
        ("Tools", LINK, False),
    ]
    assert [tuple(r) for r in rows] == [
        ("Technical Writing One", 5),
        ("OWASP Top 10", 7),
        (COURSE, 14),
    ]

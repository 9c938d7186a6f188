"""The `trainbot sandbox` page in a real (headless) browser, used as a person would use it.

Each test gets its own seeded sandbox and a fresh page (tests/browser/conftest.py).
Assertions are on what the page shows; the API and database only confirm it afterwards.
Screenshots of every step go to test-artifacts/sandbox/ (or
$TRAINBOT_TEST_ARTIFACTS/sandbox/). Without Chromium the tests skip, except in CI
(CI=true), where they fail: see tests/support/browser.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from bot.ids import Action, Block
from bot.sandbox.runtime import Sandbox
from models import ResourceAssignment
from tests.support.browser import (
    BERLIN,
    MAYA,
    Screenshots,
    choose,
    error_under,
    field,
    modal,
    open_as,
    sandbox_today,
    settle,
    short_date,
    travel,
    type_command,
)

pytestmark = pytest.mark.browser

LIAM, DIEGO = "U0LIAM0001", "U0DIEGO001"
SUPPORT_TEAM = "S0SUPPORT1"  # @support-team: Priya, Diego, Hannah
LEARNING = "C0LEARNING"  # gets the weekly digest, Mondays 09:00 Europe/Berlin

# ---- tests --------------------------------------------------------------------------------


def test_a_group_assignment_is_started_and_completed_by_a_member(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    open_as(page, sandbox, MAYA)
    due = sandbox_today(page, sandbox) + timedelta(days=10)

    type_command(page, "/assign")
    expect(modal(page)).to_have_attribute("data-callback-id", "assign")
    expect(modal(page).get_by_role("heading", name="Assign training")).to_be_visible()
    choose(page, field(page, Block.RESOURCE, Action.ASSIGN_RESOURCE), "eloq", text="Eloquent")
    expect(field(page, Block.RESOURCE, Action.ASSIGN_RESOURCE).locator("input")).to_have_value(
        "Eloquent JavaScript"
    )
    choose(page, field(page, Block.GROUPS, Action.ASSIGN_GROUPS), "supp", value=SUPPORT_TEAM)
    chips = field(page, Block.GROUPS, Action.ASSIGN_GROUPS).locator(".bk-chip")
    expect(chips).to_have_count(1)
    expect(chips).to_contain_text("@support-team")
    field(page, Block.DUE).fill(due.isoformat())
    choose(page, field(page, Block.PRIORITY), "", value="high")
    expect(field(page, Block.PRIORITY).locator("input")).to_have_value("High")
    shot("assign-modal-filled")

    page.locator("[data-testid=modal-submit]").click()
    settle(page)
    expect(modal(page)).to_have_count(0)
    confirmation = page.locator("[data-testid=message]", has_text="Assigned Eloquent JavaScript")
    expect(confirmation).to_contain_text("to 3 people")
    expect(confirmation).to_contain_text("Diego Alvarez")
    shot("assign-confirmed")

    # Diego is in @support-team: his DM with the bot has the assignment.
    page.locator("[data-testid=user-switch]").select_option(DIEGO)
    settle(page)
    dm = page.locator("[data-testid=message]", has_text="Eloquent JavaScript")
    expect(dm).to_contain_text("Maya Lindqvist assigned you")
    expect(dm).to_contain_text(f"Due {short_date(due)}")
    expect(dm).to_contain_text("High priority")
    expect(dm).to_contain_text("Not started")
    start = dm.locator(f'button[data-action-id="{Action.ASSIGNMENT_START}"]')
    assignment = start.get_attribute("data-value")
    shot("member-dm")

    start.click()
    settle(page)
    expect(dm).to_contain_text("In progress")
    expect(dm).to_contain_text("Started. Enjoy!")
    expect(start).to_have_count(0)
    complete = dm.locator(f'button[data-action-id="{Action.ASSIGNMENT_COMPLETE}"]')
    expect(complete).to_have_text("Mark complete")
    shot("member-started")

    complete.click()  # no confirmation step: the app marks it at once
    settle(page)
    expect(dm).to_contain_text("Completed: Eloquent JavaScript")
    expect(dm).to_contain_text("100%")
    expect(dm).to_contain_text("Marked complete. Well done!")
    expect(dm.locator("button")).to_have_count(0)  # nothing left to click
    shot("member-completed")

    page.locator("[data-testid=nav-home]").click()
    settle(page)
    home = page.locator("[data-testid=home]")
    expect(home).to_contain_text("Recently completed")
    expect(home).to_contain_text("completed 1")
    expect(home.locator(f'[data-block-id="home-meta:{assignment}"]')).to_contain_text("Completed")
    expect(home.locator(f'[data-block-id="home-actions:{assignment}"]')).to_have_count(0)
    shot("member-home")

    # Afterwards, the database agrees with the page.
    with sandbox.services.sessions.begin() as s:
        stored = s.get(ResourceAssignment, int(assignment or 0))
        assert stored is not None and stored.progress == 100 and stored.completed_at is not None


def test_assign_shows_the_page_and_app_errors_under_their_fields(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    open_as(page, sandbox, MAYA)
    type_command(page, "/assign")
    submit = page.locator("[data-testid=modal-submit]")

    # The page's own check, as Slack's: the training is required.
    submit.click()
    expect(error_under(page, Block.RESOURCE)).to_have_text("Please fill out this field.")
    expect(modal(page)).to_be_visible()
    shot("required-training")

    # The app's checks (response_action: errors): nobody chosen, a due date in the past.
    choose(page, field(page, Block.RESOURCE, Action.ASSIGN_RESOURCE), "eloq", text="Eloquent")
    field(page, Block.DUE).fill("2020-01-01")
    submit.click()
    settle(page)
    expect(error_under(page, Block.DUE)).to_contain_text("The due date is in the past")
    expect(error_under(page, Block.PEOPLE)).to_have_text(
        "Choose at least one person, a user group or a channel."
    )
    expect(error_under(page, Block.RESOURCE)).to_have_count(0)
    expect(modal(page)).to_have_attribute("data-callback-id", "assign")
    shot("app-errors")

    # Put right, the same modal goes through.
    choose(page, field(page, Block.PEOPLE), "liam", value=LIAM)
    field(page, Block.DUE).fill((sandbox_today(page, sandbox) + timedelta(days=7)).isoformat())
    submit.click()
    settle(page)
    expect(modal(page)).to_have_count(0)
    confirmation = page.locator("[data-testid=message]", has_text="Assigned Eloquent JavaScript")
    expect(confirmation).to_contain_text("to 1 person")
    shot("fixed-and-assigned")


def test_time_travel_brings_the_weekly_digest_and_reminders(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    open_as(page, sandbox, MAYA)
    today = sandbox_today(page, sandbox)
    monday = today + timedelta(days=7 - today.weekday())  # the next one, never today
    digest_at = datetime(monday.year, monday.month, monday.day, 9, tzinfo=BERLIN)

    result = travel(page, f"{monday}T09:00")
    expect(result).to_contain_text("1 digest")
    expect(page.locator("[data-testid=clock]")).to_contain_text(f"Mon, {monday:%b} {monday.day}")
    expect(page.locator("[data-testid=clock]")).to_contain_text("9:00 AM")
    shot("travelled-to-monday")

    page.locator(f'[data-testid=nav-channel][data-channel-id="{LEARNING}"]').click()
    settle(page)
    expect(page.locator("[data-testid=pane-title]")).to_have_text("# learning")
    digest = page.locator("[data-testid=message]", has_text="Weekly training digest").last
    expect(digest).to_contain_text("assignments completed")
    expect(digest.locator("time")).to_have_text("9:00 AM")  # sent at the travelled-to moment
    assert float(digest.get_attribute("data-ts") or 0) >= digest_at.timestamp()
    chart = digest.locator("[data-block-type=image] img")
    chart.scroll_into_view_if_needed()  # it loads lazily, as in Slack
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    shot("digest-in-learning")

    # Two weeks on, Liam's Pro Git is overdue: his reminder arrives in his DM.
    result = travel(page, f"{monday + timedelta(days=14)}T17:00")
    expect(result).to_contain_text("reminder")
    page.locator("[data-testid=user-switch]").select_option(LIAM)
    page.locator("[data-testid=nav-messages]").click()
    settle(page)
    # Liam lives in New York: the clock and the travel's answer speak his wall time.
    expect(page.locator("[data-testid=clock]")).to_contain_text("11:00 AM")
    expect(result).to_contain_text("Now Mon,")
    expect(result).to_contain_text("11:00 AM")
    reminder = page.locator("[data-testid=message]", has_text="Reminder:").last
    expect(reminder).to_contain_text("overdue")
    expect(reminder).to_contain_text("Pro Git")
    shot("reminder-for-liam")


def test_the_api_calls_panel_lists_the_calls_the_bot_made(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    open_as(page, sandbox, MAYA)
    made = page.request.get(f"{sandbox.url}/api/calls").json()["next"] - 1  # seeding's calls
    page.locator("[data-testid=calls-toggle]").click()
    panel = page.locator("[data-testid=calls]")
    expect(panel).to_be_visible()
    calls = panel.locator("[data-testid=call]")
    expect(calls).to_have_count(made)
    expect(panel.locator('[data-testid=call][data-method="chat.postMessage"]')).not_to_have_count(0)
    expect(page.locator("[data-testid=calls-toggle]")).to_contain_text(f"({made})")
    expect(page.locator("[data-testid=calls-problems]")).to_be_hidden()
    opened = panel.locator('[data-testid=call][data-method="views.open"]')
    before = opened.count()
    shot("calls-after-seeding")

    type_command(page, "/assign")
    expect(modal(page)).to_be_visible()
    expect(opened).to_have_count(before + 1)  # the modal just shown
    newer = page.request.get(f"{sandbox.url}/api/calls?since={made + 1}").json()["calls"]
    (seq,) = [c["seq"] for c in newer if c["method"] == "views.open"]
    expect(calls.first).to_have_attribute("data-seq", str(newer[-1]["seq"]))  # newest first
    expect(panel.locator(f'[data-testid=call][data-seq="{seq}"]')).to_contain_text("views.open")
    shot("calls-after-assign")

"""The rest of the Block Kit the bot uses, clicked in the sandbox page as a manager would:
overflow menus and a pushed view (a stack of two modals), users and conversations selects,
radio buttons, checkboxes and number inputs, with the app's errors under their fields."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from bot.ids import INPUT, Action, Block
from bot.sandbox.runtime import Sandbox
from tests.support.browser import (
    MAYA,
    Screenshots,
    choose,
    error_under,
    field,
    modal,
    open_as,
    settle,
    type_command,
)

pytestmark = pytest.mark.browser

PRIYA, KWAME, LIAM = "U0PRIYA001", "U0KWAME001", "U0LIAM0001"
ENGINEERING = "S0ENGINEER"  # @engineering: Kwame, Sofia, Liam, Amara
GENERAL = "C0GENERAL1"


def test_manage_reassigns_through_an_overflow_menu_and_a_pushed_view(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    open_as(page, sandbox, MAYA, view="home")
    home = page.locator("[data-testid=home]")
    assigned = home.locator("[data-block-type=section]", has_text="Pro Git")
    assigned.locator(f'button[data-action-id="{Action.MANAGE_OPEN}"]').first.click()
    settle(page)
    expect(modal(page)).to_have_attribute("data-callback-id", "manage")
    expect(modal(page)).to_have_attribute("data-depth", "1")
    liam = modal(page).locator('[data-block-id^="manage-row:"]', has_text="Liam O'Connor")
    expect(liam).to_contain_text("Not started")
    shot("manage-modal")

    liam.locator(f'[data-action-id="{Action.MANAGE_ROW}"] button').click()
    menu = page.locator("[data-testid=overflow-menu]")
    expect(menu.locator("[role=menuitem]")).to_have_text(
        ["Change due date", "Reassign", "Nudge now", "Cancel assignment"]
    )
    menu.locator("[role=menuitem]", has_text="Reassign").click()
    settle(page)
    expect(modal(page)).to_have_attribute("data-callback-id", "manage_change")
    expect(modal(page)).to_have_attribute("data-depth", "2")  # pushed over Manage
    expect(page.locator("[data-testid=modal-back]")).to_be_visible()
    shot("reassign-pushed")

    # Kwame has Pro Git open already: the app says so under the person field.
    choose(page, field(page, Block.REASSIGN_TO), "kwame", value=KWAME)
    page.locator("[data-testid=modal-submit]").click()
    settle(page)
    expect(error_under(page, Block.REASSIGN_TO)).to_have_text(
        "Kwame Mensah already has this assignment open: choose someone else."
    )
    expect(modal(page)).to_have_attribute("data-depth", "2")
    shot("reassign-refused")

    choose(page, field(page, Block.REASSIGN_TO), "priya", value=PRIYA)
    page.locator("[data-testid=modal-submit]").click()
    settle(page)
    # The pushed view closes; Manage below it is redrawn with Priya in Liam's place.
    expect(modal(page)).to_have_attribute("data-callback-id", "manage")
    expect(modal(page)).to_have_attribute("data-depth", "1")
    rows = modal(page).locator('[data-block-id^="manage-row:"]')
    expect(rows.filter(has_text="Priya Raman")).to_have_count(1)
    expect(rows.filter(has_text="Liam O'Connor")).to_have_count(0)
    shot("reassigned")

    page.locator("[data-testid=modal-x]").click()
    settle(page)
    expect(modal(page)).to_have_count(0)
    page.locator("[data-testid=user-switch]").select_option(PRIYA)
    page.locator("[data-testid=nav-messages]").click()
    settle(page)
    dm = page.locator("[data-testid=message]", has_text="Pro Git").last
    expect(dm).to_contain_text("Not started")
    shot("priya-has-it")


def test_a_digest_is_set_with_a_channel_a_radio_choice_and_a_group(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    open_as(page, sandbox, MAYA)
    type_command(page, "/training digest #general")
    expect(modal(page)).to_have_attribute("data-callback-id", "digest")
    channel = field(page, Block.DIGEST_CHANNEL)
    expect(channel).to_have_attribute("data-selected", GENERAL)  # from the command's #general
    expect(channel.locator("input[role=combobox]")).to_have_value("# general")
    scope = field(page, Block.DIGEST_SCOPE)
    expect(scope.locator('input[data-value="workspace"]')).to_be_checked()

    # "A user group" without one is the app's error, under the group field.
    scope.locator('input[data-value="usergroup"]').check()
    choose(page, field(page, Block.WEEKDAY), "", text="Friday")
    page.locator("[data-testid=modal-submit]").click()
    settle(page)
    expect(error_under(page, Block.DIGEST_GROUP)).to_have_text(
        "Choose the user group the digest is about."
    )
    shot("digest-needs-a-group")

    choose(page, field(page, Block.DIGEST_GROUP, Action.ASSIGN_GROUPS), "eng", value=ENGINEERING)
    page.locator("[data-testid=modal-submit]").click()
    settle(page)
    expect(modal(page)).to_have_attribute("data-callback-id", "notice")
    expect(modal(page)).to_contain_text(
        "#general gets the weekly digest about @engineering on Fridays at 09:00 (Europe/Berlin)."
    )
    shot("digest-set")


def test_the_reminder_policy_takes_numbers_and_checkboxes_and_keeps_them(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    open_as(page, sandbox, MAYA)
    type_command(page, "/training reminders")
    expect(modal(page)).to_have_attribute("data-callback-id", "reminder_policy")
    days_before = field(page, Block.DAYS_BEFORE)
    weekdays = field(page, Block.WEEKDAYS_ONLY).locator('input[data-value="on"]')
    expect(days_before).to_have_value("2")
    expect(weekdays).to_be_checked()

    days_before.fill("3")
    weekdays.uncheck()
    page.locator("[data-testid=modal-submit]").click()
    settle(page)
    expect(modal(page)).to_contain_text("Reminder policy saved.")
    shot("policy-saved")

    page.locator("[data-testid=modal-x]").click()
    settle(page)
    type_command(page, "/training reminders")
    expect(field(page, Block.DAYS_BEFORE)).to_have_value("3")
    expect(field(page, Block.WEEKDAYS_ONLY).locator('input[data-value="on"]')).not_to_be_checked()
    expect(field(page, Block.ON_DUE_DATE, INPUT).locator("input")).to_be_checked()
    shot("policy-reopened")


def test_content_with_an_uploaded_file_is_added_from_the_manage_content_tab(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    handbook = b"%PDF-1.4\n% Acme support handbook\n%%EOF\n"
    open_as(page, sandbox, MAYA, view="home")
    home = page.locator("[data-testid=home]")
    home.locator(f'button[data-action-id="{Action.HOME_TAB_CONTENT}"]').click()
    settle(page)
    home.locator(f'button[data-action-id="{Action.CONTENT_ADD}"]').first.click()
    settle(page)
    expect(modal(page)).to_have_attribute("data-callback-id", "content")
    field(page, Block.TITLE).fill("Acme support handbook")
    choose(page, field(page, Block.TYPE), "", value="pdf")
    picker = field(page, Block.FILE).locator("input[type=file]")
    picker.set_input_files(
        files=[{"name": "handbook.pdf", "mimeType": "application/pdf", "buffer": handbook}]
    )
    expect(field(page, Block.FILE).locator("[data-testid=uploaded-files] li")).to_have_text(
        "📎 handbook.pdf"
    )
    shot("content-with-a-file")

    page.locator("[data-testid=modal-submit]").click()
    settle(page)
    expect(modal(page)).to_have_count(0)
    # Back on the Manage content tab, the new item links to the file Maya uploaded.
    item = home.locator("a", has_text="Acme support handbook")
    expect(item).to_have_attribute("href", re.compile(r"^/files/F\w+$"))
    shot("content-listed")
    assert page.request.get(sandbox.url + (item.get_attribute("href") or "")).body() == handbook

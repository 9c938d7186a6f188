"""A learner takes a quiz in the sandbox page: across two views, fails, waits, passes.

Diego was assigned the starter quiz "Phishing and Passwords: Check Yourself" (eight
questions, shuffled, pass mark 75%, three attempts an hour apart). He answers the first
page right and the second wrong (5 of 8), reads his result with the explanations, is told
to wait when he tries again at once, travels an hour on, and passes: the DM says
Completed. Screenshots go to test-artifacts/sandbox/.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from bot.ids import Action
from bot.sandbox.runtime import Sandbox
from tests.support.browser import (
    BERLIN,
    MAYA,
    Screenshots,
    file_share_about,
    message_about,
    modal,
    open_as,
    settle,
    travel,
)

pytestmark = pytest.mark.browser

DIEGO = "U0DIEGO001"
QUIZ = "Phishing and Passwords: Check Yourself"
RIGHT = {
    "strong password": ["Three random words"],
    "signs of a phishing email": ["It creates urgency or threatens a penalty",
                                  "The sender's address looks almost right",
                                  "It asks you to log in through a link"],
    "same password for work": ["False"],
    "clicked a link": ["Report it to IT or security straight away"],
    "Two-step verification": ["True"],
    "keep your passwords": ["A password manager"],
    "install promptly": ["Operating system updates", "App and browser updates"],
    "2SV code": ["Refuse and report the call"],
}  # fmt: skip
WRONG = {
    "strong password": ["Your pet's name and a year"],
    "signs of a phishing email": ["It comes from a colleague you just spoke to in person"],
    "same password for work": ["True"],
    "clicked a link": ["Wait to see if anything happens"],
    "Two-step verification": ["False"],
    "keep your passwords": ["A note on your monitor"],
    "install promptly": ["Software from a pop-up saying your PC is infected"],
    "2SV code": ["Read it out: they are from IT"],
}


def answer_page(page: Page, answers: dict[str, list[str]]) -> None:
    """Tick, in every question of the open page, the choices `answers` gives for it."""
    questions = modal(page).locator('[data-block-type="input"][data-block-id^="question:"]')
    expect(questions.first).to_be_visible()
    for n in range(questions.count()):
        block = questions.nth(n)
        label = block.locator(".bk-label").inner_text()
        key = next(k for k in answers if k in label)
        for choice in answers[key]:
            block.locator("label", has_text=choice).first.click()


def take_quiz(page: Page, dm: Locator) -> None:
    dm.locator(f'button[data-action-id="{Action.QUIZ_TAKE}"]').click()
    settle(page)
    expect(modal(page)).to_be_visible()


def submit(page: Page) -> None:
    page.locator("[data-testid=modal-submit]").click()
    settle(page)


def test_a_learner_fails_waits_and_passes_a_quiz(
    page: Page, sandbox: Sandbox, shot: Screenshots
) -> None:
    open_as(page, sandbox, DIEGO)
    dm = message_about(page, QUIZ)
    expect(dm.locator(f'button[data-action-id="{Action.QUIZ_TAKE}"]')).to_have_text("Take quiz")
    take_quiz(page, dm)
    expect(modal(page)).to_contain_text("Attempt 1 of 3")
    expect(modal(page)).to_contain_text("page 1 of 2")
    submit(page)  # nothing picked: an error under each question, still page 1
    expect(modal(page).locator("[data-testid=input-error]")).to_have_count(5)
    shot("quiz-unanswered")
    answer_page(page, RIGHT)
    submit(page)  # Next
    expect(modal(page)).to_contain_text("page 2 of 2")
    answer_page(page, WRONG)
    shot("quiz-page-2")
    submit(page)
    expect(modal(page)).to_contain_text("Not passed yet")
    expect(modal(page)).to_contain_text("You scored 62% (5 of 8 right)")
    expect(modal(page)).to_contain_text("2 attempts left")
    shot("quiz-failed")
    page.locator("[data-testid=modal-close]").click()

    take_quiz(page, dm)  # at once: the wait is an hour
    expect(modal(page)).to_contain_text("You can try again")
    page.locator("[data-testid=modal-close]").click()

    now = page.request.get(f"{sandbox.url}/api/state?user={MAYA}").json()["now"]
    later = datetime.fromisoformat(now).astimezone(BERLIN) + timedelta(minutes=61)
    expect(travel(page, later.strftime("%Y-%m-%dT%H:%M"))).to_be_visible()
    open_as(page, sandbox, DIEGO)
    dm = message_about(page, QUIZ)
    take_quiz(page, dm)
    expect(modal(page)).to_contain_text("Attempt 2 of 3")
    answer_page(page, RIGHT)
    submit(page)
    answer_page(page, RIGHT)
    submit(page)
    expect(modal(page)).to_contain_text("Passed")
    expect(modal(page)).to_contain_text("You scored 100%")
    shot("quiz-passed")
    page.locator("[data-testid=modal-close]").click()
    expect(message_about(page, QUIZ)).to_contain_text("Completed")
    shot("quiz-completed-dm")

    # The pass earned a certificate: its DM shows the code, the PDF and a preview image.
    share = file_share_about(page, QUIZ)
    expect(share).to_contain_text("Congratulations")
    code = share.locator("code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code), code
    expect(share.locator("[data-testid=file]")).to_contain_text(f"Certificate: {QUIZ}")
    preview = share.locator("[data-testid=file-preview] img")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.complete && img.naturalWidth > 1000")  # a real A4 image
    with page.expect_popup() as opened:
        share.locator("[data-testid=file-preview]").click()
    image = opened.value
    image.wait_for_load_state()
    assert image.evaluate("document.contentType") == "image/png"
    shot("certificate-preview", of=image)
    image.close()

    # The link in the DM opens the public page anyone can check it on.
    with page.expect_popup() as opened:
        share.locator(f'a[href$="/certificates/{code.replace("-", "")}"]').click()
    verify = opened.value
    verify.wait_for_load_state()
    expect(verify.locator("body")).to_contain_text("Diego")
    expect(verify.locator("body")).to_contain_text(QUIZ)
    expect(verify.locator("body")).to_contain_text("Valid")
    shot("certificate-verified", of=verify)

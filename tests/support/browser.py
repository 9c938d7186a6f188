"""Headless Chromium for the sandbox page tests: the system's browser, never a download.

Playwright drives whatever Chromium the machine has (Debian's `chromium` package, or the
binary named by TRAINBOT_CHROMIUM), so `playwright install` is never needed. Entry points:
``find_chromium(env)``, ``launch_chromium(executable)``, ``Screenshots``, and helpers that
use the page as a person would, through the selectors of bot/sandbox/static/README.md.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from bot.ids import INPUT
from bot.sandbox.runtime import Sandbox

HINT = (
    "Install Chromium (Debian/Ubuntu: `apt-get install chromium fonts-noto-color-emoji "
    "fonts-lato`) or set TRAINBOT_CHROMIUM to a Chromium/Chrome binary; scripts/test installs "
    "it in CI."
)
# A quiet, self-contained browser: no GPU, no sandbox (CI containers run as root), and no
# background traffic (updates, sync, safe browsing) leaving the machine.
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-proxy-server",  # the sandbox is on loopback; a proxy from the environment must not see it
)
REPO_ROOT = Path(__file__).resolve().parents[2]
MAYA = "U0MAYA0001"  # the demo manager (an admin)
BERLIN = ZoneInfo("Europe/Berlin")  # Maya's timezone: the time travel field is in it


class BrowserUnavailable(Exception):
    """No Chromium to drive; the message says why and what to do."""


def in_ci(env: Mapping[str, str]) -> bool:
    """As tests/conftest.py decides for PostgreSQL: in CI a missing tool fails, elsewhere skips."""
    return env.get("CI", "").lower() in ("1", "true", "yes")


def find_chromium(env: Mapping[str, str]) -> str:
    """TRAINBOT_CHROMIUM (a path or a command name), else /usr/bin/chromium, else `chromium`."""
    configured = env.get("TRAINBOT_CHROMIUM", "").strip()
    if configured:
        found = shutil.which(configured, path=env.get("PATH", os.defpath))
        if found is None:
            raise BrowserUnavailable(f"TRAINBOT_CHROMIUM={configured!r} is not an executable.")
        return found
    candidates = ("/usr/bin/chromium", shutil.which("chromium", path=env.get("PATH", os.defpath)))
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise BrowserUnavailable(f"no Chromium at /usr/bin/chromium or on PATH. {HINT}")


@contextmanager
def launch_chromium(executable: str) -> Iterator[Browser]:
    """One headless browser; a failure to start is an error, not a reason to skip."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def artifacts_dir(env: Mapping[str, str]) -> Path:
    """Where screenshots go: $TRAINBOT_TEST_ARTIFACTS/sandbox, else test-artifacts/sandbox."""
    root = env.get("TRAINBOT_TEST_ARTIFACTS", "").strip()
    return (Path(root) if root else REPO_ROOT / "test-artifacts") / "sandbox"


class Screenshots:
    """`shot("step")` saves <dir>/<test>-<NN>-<step>.png; the number keeps the steps in order."""

    def __init__(self, page: Page, directory: Path, test_name: str) -> None:
        self._page = page
        self._directory = directory
        self._prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        self._count = 0
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob(f"{self._prefix}-*.png"):  # a rerun leaves no stale steps
            old.unlink()

    def __call__(self, step: str, of: Page | None = None) -> Path:
        """Shoot the sandbox page, or `of` (a tab it opened)."""
        self._count += 1
        path = self._directory / f"{self._prefix}-{self._count:02d}-{step}.png"
        (of or self._page).screenshot(path=str(path))
        return path


def settle(page: Page) -> None:
    """Wait until no acting request of the page is in flight, and no error toast showed.

    Callers then wait for the visible outcome with expect(): the state poll may still be
    on its way. Slow-ack warnings (class "warn") are not failures here.
    """
    expect(page.locator('body[data-pending="0"]')).to_be_attached()
    expect(page.locator("[data-testid=toast].error")).to_have_count(0)


def type_command(page: Page, text: str) -> None:
    """Type a slash command in the message box and send it with Enter."""
    composer = page.locator("[data-testid=composer]")
    composer.fill(text)
    composer.press("Enter")
    settle(page)


def modal(page: Page) -> Locator:
    return page.locator("[data-testid=modal]")


def choose(page: Page, holder: Locator, typed: str, *, value: str = "", text: str = "") -> None:
    """Type into a select's combobox, then click the option with that value or label."""
    combobox = holder.locator("input[role=combobox]")
    combobox.click()
    combobox.fill(typed)
    wanted = f'[data-value="{value}"]' if value else ""
    options = page.locator(f"[data-testid=select-menu] [role=option]{wanted}")
    options.filter(has_text=text).first.click()


def field(page: Page, block: str, action: str = INPUT) -> Locator:
    """An input of the top modal (inputs' own action_id is INPUT unless the app names it)."""
    return modal(page).locator(f'[data-block-id="{block}"][data-action-id="{action}"]')


def error_under(page: Page, block: str) -> Locator:
    return modal(page).locator(f'[data-testid=input-error][data-block-id="{block}"]')


def travel(page: Page, local: str) -> Locator:
    """Time travel from the sidebar form to `local` (the viewer's wall time); its result line."""
    form = page.locator("[data-testid=time-travel]")
    form.locator("input[type=datetime-local]").fill(local)
    form.get_by_role("button", name="Go").click()
    settle(page)
    return page.locator("[data-testid=time-travel-result]")


def open_as(page: Page, sandbox: Sandbox, user: str, view: str = "messages") -> None:
    page.goto(f"{sandbox.url}/#user={user}&view={view}")
    expect(page.locator("[data-testid=user-switch]")).to_have_value(user)
    settle(page)


def sandbox_today(page: Page, sandbox: Sandbox) -> date:
    """The sandbox clock's date for Maya (setup only: the page shows it too)."""
    answer: dict[str, Any] = page.request.get(f"{sandbox.url}/api/state?user={MAYA}").json()
    return datetime.fromisoformat(answer["now"]).astimezone(BERLIN).date()


def short_date(day: date) -> str:
    """How the page writes <!date^…^{date_short_pretty}> for a day that is not near today."""
    return f"{day:%b} {day.day}, {day.year}"


def prefixed(page: Page, block_prefix: str, action: str) -> Locator:
    """An element of the top modal whose block_id is `block_prefix:<n>` (the builders give an
    input a fresh block_id to clear it)."""
    return modal(page).locator(f'[data-block-id^="{block_prefix}:"][data-action-id="{action}"]')


def menu_item(page: Page, holder: Locator, label: str) -> None:
    """Open the overflow menu (⋯) in `holder`, check it fits the window, choose `label`."""
    holder.locator("[data-type=overflow] button").click()
    expect(page.locator("[data-testid=overflow-menu]")).to_be_in_viewport(ratio=1)
    page.locator("[data-testid=overflow-menu] [role=menuitem]", has_text=label).click()
    settle(page)


def message_about(page: Page, text: str) -> Locator:
    """The card of the open conversation that mentions `text` (the newest, if several).

    A file share that names it (a certificate) is not a card, so it is left out."""
    messages = page.locator("[data-testid=message]", has_text=text)
    return messages.filter(has_not=page.locator("[data-testid=message-files]")).last


def file_share_about(page: Page, text: str) -> Locator:
    """The newest message of the open conversation that shares files and mentions `text`."""
    messages = page.locator("[data-testid=message]", has_text=text)
    return messages.filter(has=page.locator("[data-testid=message-files]")).last

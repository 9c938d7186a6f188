"""Fixtures of the browser tests: one headless Chromium for the session, and for each
test its own seeded sandbox (SQLite, free loopback ports) and a fresh page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.sandbox.page import make_page_app
from bot.sandbox.runtime import Sandbox, SandboxOptions
from tests.support.browser import (
    BrowserUnavailable,
    Screenshots,
    artifacts_dir,
    find_chromium,
    in_ci,
    launch_chromium,
)

# The page polls every 500 ms and the app answers after its background work: generous
# waits for a loaded CI machine, which cost nothing when things are quick.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    try:
        executable = find_chromium(os.environ)
    except BrowserUnavailable as error:
        if in_ci(os.environ):
            pytest.fail(f"Chromium is required in CI for the browser tests: {error}")
        pytest.skip(f"no browser for the sandbox page tests: {error}")
    with launch_chromium(executable) as launched:
        yield launched


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    # No background ticker: its first sweep would send whatever reminders the wall clock
    # happens to make due, at a moment of its choosing. Time travel runs the same sweeps.
    options = SandboxOptions(
        database_url=f"sqlite:///{tmp_path / 'sandbox.sqlite3'}", port=0, scheduler=False
    )
    running = Sandbox(options, make_page_app).start()
    yield running
    running.stop()
    # Whatever the clicks made the app send stayed within Slack's limits.
    assert running.workspace.limit_violations == []


@pytest.fixture
def page(browser: Browser, sandbox: Sandbox, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-US", timezone_id="UTC"
    )
    opened = context.new_page()
    crashes: list[str] = []  # uncaught exceptions, and blocks the page could not draw
    opened.on("pageerror", lambda error: crashes.append(str(error)))
    opened.on("console", lambda m: m.type == "error" and crashes.append(m.text))
    failed_before = request.session.testsfailed
    yield opened
    # The call phase is reported before fixtures are torn down: keep what a failure showed.
    if request.session.testsfailed > failed_before:
        directory = artifacts_dir(os.environ)
        directory.mkdir(parents=True, exist_ok=True)
        opened.screenshot(path=str(directory / f"{request.node.name}-failed.png"))
    context.close()
    assert crashes == [], f"errors in the page: {crashes}"


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Screenshots:
    return Screenshots(page, artifacts_dir(os.environ), request.node.name)

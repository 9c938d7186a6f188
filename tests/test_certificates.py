"""Certificates end to end: issued once on completing a course (and a path), delivered to
the DM through Slack's upload flow, listed on Home, verified by CLI and HTTP, revoked."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from sqlalchemy import Engine, func, select

from bot.fakeslack import SlackClient, view_texts
from models import Certificate
from tests.conftest import AMY, RunningApp
from tests.support.courses import assign, dm, import_sample
from tests.test_courses import click_item

ROOT = Path(__file__).resolve().parents[1]
COURSE = "Onboarding essentials"
REQUIRED = ("Welcome to support", "Tickets in 10 minutes", "Macros and saved replies")


def finish_course(slack: SlackClient, app: RunningApp, manager: str, index: int = 0) -> None:
    """Assign the sample course to Amy and tick its required items in the DM."""
    assign(slack, manager, COURSE, [AMY])
    for title in REQUIRED:
        click_item(slack, AMY, dm(slack, AMY, index), title)
    app.settle()


def shared_certificates(slack: SlackClient) -> list[dict[str, Any]]:
    """The messages in Amy's DM that share files (the certificate and its preview)."""
    return [m for m in slack.fake.messages(slack.fake.dm_channel(AMY)) if m.get("files")]


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    try:
        return str(document[0].get_textpage().get_text_range())
    finally:
        document.close()


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "certificate", *args],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url}, cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_completing_a_course_sends_one_certificate_that_anyone_can_verify(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine, database_url: str
) -> None:
    import_sample(app_server)
    finish_course(slack, app_server, manager)
    (shared,) = shared_certificates(slack)
    assert "You completed the course *Onboarding essentials*" in shared["text"]
    with engine.connect() as conn:
        (cert,) = conn.execute(select(Certificate)).all()
    code = "-".join(cert.code[i : i + 4] for i in range(0, 16, 4))
    assert f"Verification code: `{code}`" in shared["text"]
    pdf, png = (slack.fake.files[f["id"]]["content"] for f in shared["files"])
    text = pdf_text(pdf)
    for expected in ("Amy Learner", COURSE, "Acme", code, "Completed on"):
        assert expected in text, expected
    assert png.startswith(b"\x89PNG")
    assert (cert.person_name, cert.workspace_name) == ("Amy Learner", "Acme")

    slack.app_home_opened(AMY)
    app_server.settle()
    home = view_texts(slack.fake.home(AMY) or {})
    assert "My certificates" in home and code in home and "valid" in home

    # Assigned again and completed again: still the one certificate.
    finish_course(slack, app_server, manager, index=1)  # the second course DM
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Certificate)) == 1
    assert len(shared_certificates(slack)) == 1

    known = cli(database_url, "verify", code.lower())
    assert known.returncode == 0, known.stderr
    assert "VALID" in known.stdout and "Amy Learner" in known.stdout and COURSE in known.stdout
    unknown = cli(database_url, "verify", "0000-0000-0000-0000")
    assert unknown.returncode == 1 and "No certificate" in unknown.stdout

    with urllib.request.urlopen(f"{app_server.url}/certificates/{cert.code}") as page:
        html = page.read().decode()
    assert 'data-status="valid"' in html and "Amy Learner" in html and COURSE in html
    assert "Acme" in html and "Onboarding essentials" in html
    with pytest.raises(urllib.error.HTTPError) as unknown_page:
        urllib.request.urlopen(f"{app_server.url}/certificates/ZZZZZZZZZZZZZZZZ")
    assert unknown_page.value.code == 404

    revoked = cli(database_url, "revoke", code, "--reason", "Issued to the wrong person")
    assert revoked.returncode == 0 and "REVOKED" in revoked.stdout
    with urllib.request.urlopen(f"{app_server.url}/certificates/{code}") as page:
        html = page.read().decode()
    assert 'data-status="revoked"' in html and "Issued to the wrong person" in html


def test_the_verification_page_is_rate_limited_per_address(app_server: RunningApp) -> None:
    statuses = []
    for _ in range(25):
        try:
            with urllib.request.urlopen(f"{app_server.url}/certificates/AAAA") as page:
                statuses.append(page.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    assert statuses[:20] == [404] * 20 and statuses[-1] == 429

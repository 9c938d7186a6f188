"""Certificates end to end: issued once on completing a course (and a path), delivered to
the DM through Slack's upload flow, listed on Home, verified by CLI and HTTP, revoked."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from sqlalchemy import Engine, func, select

from bot.clock import FixedClock
from bot.fakeslack import FakeSlack, SlackClient, view_texts
from models import Certificate, PathEnrollment
from tests.conftest import ADMIN, AMY, BOB, RunningApp
from tests.support.courses import SAMPLE, assign, dm, import_sample
from tests.support.jobs import run_sweep
from tests.test_courses import click_item
from tests.test_paths import COURSE_ITEMS, check_items, mark_complete
from tests.test_progress import report
from tests.test_training import reply_to

ROOT = Path(__file__).resolve().parents[1]
COURSE = "Onboarding essentials"
PATH_CERTIFICATE = Certificate.training_title == "New support agent"
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
    unknown_page.value.close()
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
            with error:
                statuses.append(error.code)
    assert statuses[:20] == [404] * 20 and statuses[-1] == 429


def test_in_slack_anyone_checks_a_certificate_and_only_an_admin_revokes_it(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    import_sample(app_server)
    finish_course(slack, app_server, manager)
    with engine.connect() as conn:
        code = conn.scalar(select(Certificate.code))
    assert code is not None
    spaced = " ".join(code[i : i + 4] for i in range(0, 16, 4)).lower()  # as read aloud

    checked = reply_to(slack, f"certificate {spaced}", BOB)
    assert "Valid" in checked and "Amy Learner" in checked and COURSE in checked
    assert "No certificate has the code `NOPE`" in reply_to(slack, "certificate NOPE", BOB)
    assert "Usage: `/training certificate CODE`" in reply_to(slack, "certificate", BOB)

    refused = reply_to(slack, f"revoke {code} Copied answers", manager)
    assert "Only Trainbot admins can revoke a certificate." in refused
    assert "Usage: `/training revoke CODE reason`" in reply_to(slack, f"revoke {code}", ADMIN)
    assert "Revoked" not in reply_to(slack, f"certificate {code}", AMY)

    revoked = reply_to(slack, f"revoke {code} Copied the answers", ADMIN)
    assert "Revoked" in revoked and "Copied the answers" in revoked and "holder" in revoked
    again = reply_to(slack, f"revoke {code} Said twice", ADMIN)  # the first reason stays
    assert "It was revoked already: nothing changed." in again and "Copied the answers" in again
    app_server.settle()
    told = [m["text"] for m in slack.fake.messages(slack.fake.dm_channel(AMY))
            if "was revoked" in m.get("text", "")]  # fmt: skip
    grouped = "-".join(code[i : i + 4] for i in range(0, 16, 4))
    assert told == [
        f":no_entry: Your certificate for *{COURSE}* (`{grouped}`) was revoked by an "
        "administrator: Copied the answers"
    ]
    with urllib.request.urlopen(f"{app_server.url}/certificates/{code}") as page:
        html = page.read().decode()
    assert 'data-status="revoked"' in html and "Copied the answers" in html
    assert "Said twice" not in html
    slack.app_home_opened(AMY)
    app_server.settle()
    assert "revoked" in view_texts(slack.fake.home(AMY) or {})


def test_a_path_certificate_about_to_expire_enrolls_the_person_again_from_step_one(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine, clock: FixedClock,
    fake_slack: FakeSlack, database_url: str, tmp_path: Path,
) -> None:  # fmt: skip
    catalog = json.loads(SAMPLE.read_text())
    for row in catalog:
        if row.get("type") == "path":
            row["certificate_months"] = 12  # compliance: renewed every year
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    import_sample(app_server, tmp_path / "catalog.json")
    walk_the_path(slack, app_server, manager, first_dm=0)
    with engine.connect() as conn:
        (first,) = conn.execute(
            select(Certificate.code, Certificate.expires_on).where(PATH_CERTIFICATE)
        ).all()
    assert first.expires_on == (clock.now() + timedelta(days=365)).date()
    assert ":trophy: *New support agent*  ·  1 current" in view_texts(
        report(slack, manager, "New support agent")
    )

    as_of = clock.now() + timedelta(days=350)  # 15 days before it expires
    for _ in range(2):  # the second sweep finds nothing more to renew
        run = run_sweep("renewals", database_url=database_url, fake=fake_slack, as_of=as_of)
        assert run.returncode == 0, run.stderr
    told = [m["text"] for m in slack.fake.messages(slack.fake.dm_channel(manager))
            if "expires on" in m["text"]]  # fmt: skip
    assert told == [f"<@{AMY}>'s certificate for *New support agent* expires on "
                    f"{first.expires_on:%d %B %Y}: I have enrolled them on it again."]  # fmt: skip
    again = view_texts(dm(slack, AMY, 3))
    assert "Step 1 of 3 of *New support agent*" in again  # done a year ago: asked again
    assert "Renewal: your certificate expires on" in again

    clock.set(as_of)
    standing = view_texts(report(slack, manager, "New support agent"))
    assert f":trophy: *New support agent*  ·  0 current  ·  due for renewal: <@{AMY}>" in standing
    walk_the_path(slack, app_server, manager, first_dm=3)
    with engine.connect() as conn:
        codes = conn.scalars(
            select(Certificate.code).where(PATH_CERTIFICATE).order_by(Certificate.id)
        ).all()
        enrollments = conn.execute(
            select(PathEnrollment.completed_at.is_not(None), PathEnrollment.counts_since).order_by(
                PathEnrollment.id
            )
        ).all()
    assert len(codes) == 2 and codes[0] == first.code  # a new certificate; the old one stays
    assert [done for done, _ in enrollments] == [True, True]
    assert enrollments[0].counts_since is None and enrollments[1].counts_since == as_of


def walk_the_path(slack: SlackClient, app: RunningApp, manager: str, first_dm: int) -> None:
    """Amy does every step of the sample path: its DMs are numbers first_dm.. first_dm+2."""
    if first_dm == 0:
        assign(slack, manager, "Path: New support agent", [AMY])
        app.settle()
    mark_complete(slack, AMY, dm(slack, AMY, first_dm))
    app.settle()
    check_items(slack, AMY, first_dm + 1, COURSE_ITEMS)
    app.settle()
    mark_complete(slack, AMY, dm(slack, AMY, first_dm + 2))
    app.settle()

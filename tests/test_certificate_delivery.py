"""A certificate reaches its learner once: after a failed upload step, and after `trainbot
serve` is killed while Slack shares it; and its PDF carries names in any script."""

from __future__ import annotations

import io
import os
import signal
from datetime import date, timedelta
from pathlib import Path

import pypdfium2
from slack_sdk import WebClient
from sqlalchemy import Engine, select

from bot.certificate_pdf import CertificateFacts, render_pdf, render_png
from bot.clock import FixedClock, SystemClock
from bot.delivery import deliver_pending
from bot.fakeslack import FakeSlack, SlackClient
from bot.services import build_services
from bot.services.assignments import AssignForm
from bot.services.outbox import LEASE
from models import Certificate, OutboxMessage
from models.enums import Priority, Role
from tests.conftest import ADMIN, AMY, BOT_TOKEN, MANAGER, SIGNING_SECRET, TEAM_ID, make_settings
from tests.support.courses import SAMPLE, resource_id
from tests.support.ocr import distance, folded, read_line, require_tesseract
from tests.test_certificates import REQUIRED
from tests.test_courses import click_item
from tests.test_serve import serve

NAMES = {  # a name, and the Tesseract language that reads it
    "Zoë Ångström-Łukasiewicz": "pol+swe+fra", "Дмитрий Шостакович": "rus",
    "Αλέξανδρος Παπαδόπουλος": "ell", "山田 太郎": "jpn", "김민준": "kor", "李小龙": "chi_sim",
}  # fmt: skip


def test_names_in_any_script_are_drawn_and_read_back_from_the_image() -> None:
    require_tesseract()
    for name, language in NAMES.items():
        facts = CertificateFacts("7KQ2-M9XD-4TBA-HW3Z", name, "Secure Coding Basics", "course",
                                 "Acme", date(2026, 12, 6), None, None)  # fmt: skip
        pdf = render_pdf(facts)
        document = pypdfium2.PdfDocument(pdf)
        try:
            page = document[0]
            assert name in page.get_textpage().get_text_range(), name
            width, height = page.get_size()
            assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
            # The band of the name alone (64 to 85 mm from the top), drawn as an image and
            # read by OCR: a glyph missing from the fonts would be read as a box or nothing.
            band = page.render(scale=4, crop=(60, height - 240, 60, 182)).to_pil().convert("L")
            image = io.BytesIO()
            band.save(image, format="PNG")
            read = read_line(image.getvalue(), language)
        finally:
            document.close()
        # OCR may mistake one accent for another; every letter must be there.
        assert distance(folded(read), folded(name)) <= len(folded(name)) // 10, (name, read)
        assert render_png(pdf).startswith(b"\x89PNG")


def _course_done_for_amy(fake_slack: FakeSlack, engine: Engine, database_url: str) -> WebClient:
    from bot.services.catalog_files import parse_catalog, read_catalog_file

    services = build_services(make_settings(database_url, fake_slack), engine=engine)
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    services.catalog.import_rows(rows=parse_catalog(*read_catalog_file(SAMPLE)), workspace_id=None)
    admin = services.members.resolve(team_id=TEAM_ID, user_id=ADMIN, profiles=client)
    manager = services.members.set_role(
        caller=admin, user_id=MANAGER, role=Role.MANAGER, profiles=client
    )
    course = resource_id(engine, "cp-onboarding")
    services.assignments.assign(by=manager, form=AssignForm(course, (AMY,), None, Priority.NORMAL))
    deliver_pending(services, client)  # the course's DM
    return client


def _shares(fake_slack: FakeSlack) -> int:
    return sum(1 for m in fake_slack.messages(fake_slack.dm_channel(AMY)) if m.get("files"))


def test_a_failed_share_is_retried_once_and_lands_once(
    fake_slack: FakeSlack, engine: Engine, database_url: str
) -> None:
    client = _course_done_for_amy(fake_slack, engine, database_url)
    services = build_services(make_settings(database_url, fake_slack), engine=engine)
    amy = services.members.resolve(team_id=TEAM_ID, user_id=AMY, profiles=client)
    (row_id,) = [a.id for a in services.dashboard.for_person(caller=amy, today=date.today()).open]
    items = [i for i in services.courses.view(caller=amy, assignment_id=row_id).course.outline.items
             if not i.optional]  # type: ignore[union-attr]  # fmt: skip
    for item in items:
        services.courses.mark(caller=amy, assignment_id=row_id, resource_id=item.resource_id,
                              done=True)  # fmt: skip
    fake_slack.fail("files.completeUploadExternal", status=503)
    deliver_pending(services, client)
    assert _shares(fake_slack) == 0
    later = FixedClock(SystemClock().now() + timedelta(hours=1))
    deliver_pending(build_services(make_settings(database_url, fake_slack), engine=engine,
                                   clock=later), client)  # fmt: skip
    assert _shares(fake_slack) == 1
    with engine.connect() as conn:
        (cert,) = conn.execute(select(Certificate)).all()
        o = OutboxMessage
        status = conn.scalar(select(o.status).where(o.kind == "certificate"))
    assert cert.delivered_at is not None and status == "sent"


def test_a_server_killed_while_slack_shares_the_certificate_sends_it_once(
    fake_slack: FakeSlack, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    client = _course_done_for_amy(fake_slack, engine, database_url)
    (course_dm,) = fake_slack.messages(fake_slack.dm_channel(AMY))
    hang = fake_slack.hang_after("files.completeUploadExternal", answered=0)
    with serve(fake_slack, database_url, tmp_path) as (base, process):
        slack = SlackClient(f"{base}/slack/events", SIGNING_SECRET, fake_slack)
        for title in REQUIRED:
            click_item(slack, AMY, fake_slack.messages(fake_slack.dm_channel(AMY))[0], title)
        assert hang.reached.wait(timeout=60), "the certificate was never shared"
        os.killpg(process.pid, signal.SIGKILL)  # Slack shared it; Trainbot never heard
        process.communicate(timeout=30)
    hang.release.set()
    assert _shares(fake_slack) == 1 and course_dm["ts"]

    later = FixedClock(SystemClock().now() + LEASE + timedelta(seconds=1))
    restarted = build_services(make_settings(database_url, fake_slack), engine=engine, clock=later)
    deliver_pending(restarted, client)
    assert _shares(fake_slack) == 1
    with engine.connect() as conn:
        (cert,) = conn.execute(select(Certificate)).all()
    assert cert.delivered_at is not None

"""Delivering a certificate: the PDF and its PNG preview shared in the learner's DM with a
short congratulation, exactly once.

Slack's upload flow has three steps: ask for an upload address per file, send the bytes,
complete (which shares the files in the DM, with the message). The file ids are recorded
before completing; a retry after a crash asks Slack whether those files were shared and
completes them only if not, so nobody gets the certificate twice.
"""

from __future__ import annotations

import logging
import urllib.request

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import mrkdwn
from bot.services import Services
from bot.services.certificates import ToDeliver
from bot.services.outbox import Claimed

log = logging.getLogger("trainbot.delivery")


def deliver_certificate(services: Services, client: WebClient, row: Claimed) -> int:
    certificate_id = int(str(services.outbox.payload(row)["certificate"]))
    store = services.certificate_delivery
    cert = store.to_deliver(certificate_id=certificate_id)
    if cert.revoked:
        services.outbox.skipped(row, why="revoked before it was sent")
        return 0
    if not cert.facts.workspace_name:
        name = str((client.team_info().get("team") or {}).get("name") or "")
        cert = store.to_deliver(certificate_id=certificate_id, workspace_name=name)
    dm = str(client.conversations_open(users=row.recipient)["channel"]["id"])
    if cert.pdf_file_id and _shared_in(client, cert.pdf_file_id, dm):
        log.info("certificate %s had reached %s already", cert.id, row.recipient)
    else:
        pdf_id, png_id = cert.pdf_file_id, cert.png_file_id
        if not (pdf_id and png_id and _pending(client, pdf_id)):
            pdf_id, png_id = _upload(client, cert)
            store.uploaded(certificate_id=cert.id, pdf_file_id=pdf_id, png_file_id=png_id)
        if not services.outbox.begin_send(row):
            return 0
        try:
            _share(services, client, cert, dm, pdf_id, png_id)
        except SlackApiError as error:
            if error.response.get("error") != "file_not_found":
                raise
            # The upload expired before it was completed: send the files again.
            pdf_id, png_id = _upload(client, cert)
            store.uploaded(certificate_id=cert.id, pdf_file_id=pdf_id, png_file_id=png_id)
            _share(services, client, cert, dm, pdf_id, png_id)
    store.delivered(certificate_id=cert.id)
    services.outbox.sent(row, channel=dm, ts="")
    return 1


def _share(
    services: Services, client: WebClient, cert: ToDeliver, dm: str, pdf_id: str, png_id: str
) -> None:
    services.pacer.wait()
    client.files_completeUploadExternal(
        files=[{"id": pdf_id, "title": f"Certificate: {cert.facts.training_title}"[:250]},
               {"id": png_id, "title": "Preview"}],
        channel_id=dm, initial_comment=congratulation(cert),
    )  # fmt: skip


def congratulation(cert: ToDeliver) -> str:
    facts = cert.facts
    lines = [
        f":trophy: Congratulations! You completed the {facts.kind} "
        f"*{mrkdwn(facts.training_title)}*: here is your certificate.",
        f"Verification code: `{facts.code}`",
    ]
    if facts.verify_url:
        lines.append(f"Anyone can check it at {facts.verify_url}")
    if facts.expires_on:
        lines.append(f"Valid until {facts.expires_on:%d %B %Y}: you will be reminded to renew it.")
    return "\n".join(lines)


def _upload(client: WebClient, cert: ToDeliver) -> tuple[str, str]:
    """Both files sent to Slack, not shared yet; their ids."""
    # Imported here: the drawing's libraries and fonts load with the first certificate.
    from bot.certificate_pdf import render_pdf, render_png

    pdf = render_pdf(cert.facts)
    png = render_png(pdf)
    stem = f"certificate-{cert.facts.code}"
    return _send(client, f"{stem}.pdf", pdf), _send(client, f"{stem}.png", png)


def _send(client: WebClient, filename: str, content: bytes) -> str:
    answer = client.files_getUploadURLExternal(filename=filename, length=len(content))
    request = urllib.request.Request(str(answer["upload_url"]), data=content, method="POST")
    with urllib.request.urlopen(request, timeout=client.timeout) as reply:
        reply.read()
    return str(answer["file_id"])


def _shared_in(client: WebClient, file_id: str, channel: str) -> bool:
    """Whether the completed file is shared in `channel` (an unfinished upload is not)."""
    try:
        found = client.files_info(file=file_id).get("file") or {}
    except SlackApiError as error:
        if error.response.get("error") == "file_not_found":
            return False
        raise
    shares = found.get("shares") or {}
    ims = {c for kind in shares.values() for c in kind} if isinstance(shares, dict) else set()
    return (
        channel in ims
        or channel in (found.get("channels") or [])
        or channel in (found.get("ims") or [])
    )


def _pending(client: WebClient, file_id: str) -> bool:
    """An upload that was sent but never completed: files.info does not know it yet."""
    try:
        client.files_info(file=file_id)
    except SlackApiError as error:
        return bool(error.response.get("error") == "file_not_found")
    return False

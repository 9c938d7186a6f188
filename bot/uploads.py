"""Uploading a file too big to hold in memory: Slack's external upload, read from disk.

slack_sdk's files_upload_v2 reads the whole file into memory before sending it; a CSV of a
million assignments is about 80 MB. Here the same three steps (files.getUploadURLExternal,
the bytes POSTed to the URL it gives, files.completeUploadExternal) send the file in
blocks from disk, so memory stays flat whatever its size.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

from slack_sdk import WebClient

UPLOAD_TIMEOUT_S = 300


class UploadFailed(RuntimeError):
    """Slack's upload URL did not take the file."""


def upload_from_disk(
    client: WebClient, *, path: Path, filename: str, title: str, channel: str, comment: str
) -> str:
    """Share the file at `path` in `channel`; its Slack file id."""
    size = path.stat().st_size
    ticket = client.files_getUploadURLExternal(filename=filename, length=size)
    file_id = str(ticket["file_id"])
    with path.open("rb") as body:
        request = urllib.request.Request(
            str(ticket["upload_url"]), data=body, method="POST",
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
        )  # fmt: skip
        with _opener(client).open(request, timeout=UPLOAD_TIMEOUT_S) as answer:
            if answer.status != 200:
                raise UploadFailed(f"the upload URL answered {answer.status}")
    client.files_completeUploadExternal(
        files=[{"id": file_id, "title": title}], channel_id=channel, initial_comment=comment
    )
    return file_id


def _opener(client: WebClient) -> urllib.request.OpenerDirector:
    """Through the client's proxy and TLS settings, as slack_sdk's own upload goes."""
    handlers: list[urllib.request.BaseHandler] = []
    if client.proxy:
        handlers.append(urllib.request.ProxyHandler({"http": client.proxy, "https": client.proxy}))
    if client.ssl is not None:
        handlers.append(urllib.request.HTTPSHandler(context=client.ssl))
    return urllib.request.build_opener(*handlers)

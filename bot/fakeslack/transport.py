"""HTTP plumbing: the threaded server and decoding of Web API requests."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.fakeslack.recording import Reply
from bot.fakeslack.state import ApiError

# Fields that arrive as JSON strings in form posts; the error Slack gives when they don't parse.
JSON_FIELDS = {
    "blocks": "invalid_blocks_format",
    "attachments": "invalid_attachments",
    "view": "invalid_arguments",
    "metadata": "invalid_metadata_format",
    "files": "invalid_arguments",
}


@dataclass(frozen=True)
class Incoming:
    verb: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes


def decode_api_args(incoming: Incoming) -> tuple[dict[str, Any], str | None]:
    """Merge query, form or JSON body; parse JSON-valued fields; split off the token."""
    args: dict[str, Any] = dict(incoming.query)
    content_type = incoming.headers.get("content-type", "").split(";")[0].strip().lower()
    if incoming.body and content_type == "application/json":
        try:
            loaded = json.loads(incoming.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError("invalid_json") from exc
        if not isinstance(loaded, dict):
            raise ApiError("invalid_json")
        args.update(loaded)
    elif incoming.body and content_type in ("application/x-www-form-urlencoded", ""):
        args.update(parse_qsl(incoming.body.decode("utf-8"), keep_blank_values=True))
    elif incoming.body:
        raise ApiError("invalid_form_data", [f"unsupported content type {content_type!r}"])
    token = _bearer(incoming.headers) or args.pop("token", None)
    args.pop("token", None)
    for name, error in JSON_FIELDS.items():
        if isinstance(args.get(name), str):
            try:
                args[name] = json.loads(args[name])
            except json.JSONDecodeError as exc:
                raise ApiError(error, [f"{name} is not valid JSON"]) from exc
    return args, token if isinstance(token, str) and token else None


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization", "")
    if not value.startswith("Bearer "):
        return None
    return value[len("Bearer ") :].strip() or None


class FakeSlackServer(ThreadingHTTPServer):
    """Hands every request to `route` and writes back its Reply."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], route: Callable[[Incoming], Reply]) -> None:
        super().__init__(address, _Handler)
        self.route = route


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read ApiCall records instead of access logs."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        incoming = Incoming(
            verb=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        server = self.server
        assert isinstance(server, FakeSlackServer)
        reply = server.route(incoming)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            # The caller gave up or died; as with Slack, what was done stays done.
            self.close_connection = True

"""The sandbox page's WSGI app: static files, the JSON API, files the app uploaded.

Bad input is answered {"ok": false, "error": ...} with a 4xx, never a traceback. Requests
from another web origin are refused (a page elsewhere must not drive the sandbox), and
so is a Host that is not the loopback address the sandbox listens on (DNS rebinding).
"""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from bot.certificate_page import PATH_PREFIX as CERTIFICATE_PATH
from bot.sandbox.api import SandboxApi
from bot.sandbox.net import is_loopback
from bot.sandbox.state import ApiProblem
from bot.web import StartResponse, WSGIApp

if TYPE_CHECKING:
    from bot.sandbox.runtime import Sandbox

log = logging.getLogger("trainbot.sandbox")

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY = 4_000_000  # room for a file_input upload (2 MB, as base64)
PLACEHOLDER = b"""<!doctype html><html lang="en"><meta charset="utf-8">
<title>Trainbot sandbox</title><h1>Trainbot sandbox</h1>
<p>The page is missing (bot/sandbox/static/index.html). The JSON API is up: try
<a href="/api/state">/api/state</a> and <a href="/api/calls">/api/calls</a>.</p></html>"""

Reply = tuple[int, str, bytes]  # status, content type, body


def make_page_app(sandbox: Sandbox) -> WSGIApp:
    api = SandboxApi(sandbox)
    posts: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
        "/api/command": api.command,
        "/api/home": api.home,
        "/api/shortcut": api.shortcut,
        "/api/action": api.action,
        "/api/suggest": api.suggest,
        "/api/submit": api.submit,
        "/api/close": api.close,
        "/api/travel": api.travel,
        "/api/upload": api.upload,
    }
    gets: dict[str, Callable[[Mapping[str, str]], dict[str, Any]]] = {
        "/api/state": api.state,
        "/api/calls": api.calls,
    }

    def route(environ: dict[str, Any]) -> Reply:
        _check_origin(environ, loopback_only=not sandbox.options.allow_non_loopback)
        path = environ.get("PATH_INFO") or "/"
        verb = environ.get("REQUEST_METHOD", "GET")
        if path in posts or path in gets:
            if path in posts and verb == "POST":
                return _json(200, posts[path](_body(environ)))
            if path in gets and verb in ("GET", "HEAD"):
                query = dict(parse_qsl(environ.get("QUERY_STRING") or ""))
                return _json(200, gets[path](query))
            raise ApiProblem(405, f"{verb} is not allowed on {path}")
        if path.startswith("/api/"):
            raise ApiProblem(404, f"no API endpoint {path}")
        if verb not in ("GET", "HEAD"):
            raise ApiProblem(405, f"{verb} is not allowed on {path}")
        if path.startswith("/files/"):
            content, mimetype, _name = api.file(path[len("/files/") :].split("/")[0])
            return 200, mimetype, content
        if path.startswith(CERTIFICATE_PATH):  # the sandbox is the demo's public address too
            return api.certificate(path[len(CERTIFICATE_PATH) :])
        return _static(path)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            status, content_type, body = route(environ)
        except ApiProblem as problem:
            status, content_type, body = _error(problem.status, problem.message)
        except AssertionError as error:  # SlackClient's word for "no such element/option"
            status, content_type, body = _error(400, str(error).splitlines()[0])
        except Exception:
            log.exception("sandbox request %s failed", environ.get("PATH_INFO"))
            status, content_type, body = _error(500, "the sandbox failed; see its log")
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    return application


_REASONS = {
    200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 413: "Payload Too Large", 500: "Internal Server Error",
}  # fmt: skip


def _json(status: int, data: Mapping[str, Any]) -> Reply:
    return status, "application/json; charset=utf-8", json.dumps(data).encode("utf-8")


def _error(status: int, message: str) -> Reply:
    return _json(status, {"ok": False, "error": message})


def _body(environ: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        raise ApiProblem(413, f"the body is over {MAX_BODY} bytes")
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiProblem(400, f"the body is not JSON ({error})") from None
    if not isinstance(data, dict):
        raise ApiProblem(400, "the body must be a JSON object")
    return data


def _check_origin(environ: Mapping[str, Any], *, loopback_only: bool) -> None:
    host = str(environ.get("HTTP_HOST") or "")
    if loopback_only and host and not is_loopback(_hostname(host)):
        raise ApiProblem(403, f"Host {host!r} is not this sandbox's loopback address")
    origin = environ.get("HTTP_ORIGIN")
    if origin and urlsplit(str(origin)).netloc != host:
        raise ApiProblem(403, f"requests from {origin} are refused (not this sandbox's page)")


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _static(path: str) -> Reply:
    """bot/sandbox/static/ at / and at /static/ (index.html for /)."""
    relative = path[len("/static/") :] if path.startswith("/static/") else path.lstrip("/")
    target = (STATIC_DIR / (relative or "index.html")).resolve()
    if not target.is_relative_to(STATIC_DIR) or not target.is_file():
        if relative in ("", "index.html"):
            return 200, "text/html; charset=utf-8", PLACEHOLDER
        raise ApiProblem(404, f"no file {path}")
    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    return 200, kind, target.read_bytes()

"""The WSGI application `serve` runs: Slack traffic, a health check, and the public page
that verifies a certificate."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.certificate_page import PATH_PREFIX as CERTIFICATE_PATH
from bot.certificate_page import RateLimit, answer
from bot.db import ping
from bot.oauth import INSTALL_PATH, REDIRECT_PATH
from bot.response_gate import answer_gated
from bot.services import Services

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def make_wsgi_app(app: App, services: Services) -> WSGIApp:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    limit = RateLimit()

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            healthy = ping(services.engine)
            body = b"ok\n" if healthy else b"database unavailable\n"
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(
                status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if path == EVENTS_PATH and method == "POST":
            return answer_gated(slack, environ, start_response)
        if app.oauth_flow is not None and path in (INSTALL_PATH, REDIRECT_PATH) and method == "GET":
            return slack(environ, start_response)  # installing in a workspace (many workspaces)
        if path.startswith(CERTIFICATE_PATH) and method in ("GET", "HEAD"):
            return _certificate(services, limit, environ, start_response)
        body = b"not found\n"
        start_response(
            "404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
        )
        return [body]

    return application


def _certificate(
    services: Services, limit: RateLimit, environ: dict[str, Any], start_response: StartResponse
) -> Iterable[bytes]:
    """The verification page; 404 for an unknown code, 429 when one address asks too often.
    (Behind a proxy, every client shares its address: give the proxy its own limit.)"""
    if not limit.allow(str(environ.get("REMOTE_ADDR", ""))):
        body = b"Too many requests: try again in a minute.\n"
        start_response("429 Too Many Requests", [
            ("Content-Type", "text/plain"), ("Retry-After", "60"),
            ("Content-Length", str(len(body)))])  # fmt: skip
        return [body]
    code = str(environ.get("PATH_INFO", ""))[len(CERTIFICATE_PATH) :]
    found, html = answer(services, code)
    body = html.encode()
    status = "200 OK" if found == 200 else "404 Not Found"
    start_response(status, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"), ("X-Robots-Tag", "noindex"),
        ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
    ])  # fmt: skip
    return [body] if environ.get("REQUEST_METHOD") != "HEAD" else [b""]

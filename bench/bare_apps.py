"""Bare apps the ack benchmark compares Trainbot with, served like `trainbot serve`.

    python -m bench.bare_apps --kind bolt-default --port 3101

Kinds:
- `bolt-default`: a Bolt app with Bolt's defaults (process_before_response=False)
  whose only listeners ack what the benchmarks send: the `/library` and `/assign`
  commands, the `library.filter.type` and `assignment.complete` actions, the
  `assign.resource` typeahead (with no options) and the `assign` view submission;
- `bolt-before-response`: the same with process_before_response=True;
- `plain-wsgi`: a WSGI callable that reads the request and answers 200 (the floor).

The Bolt apps are built like Trainbot's (`bot/app.py`): a WebClient on SLACK_API_URL
(so Bolt's auth.test at start reaches the stand-in) and SLACK_SIGNING_SECRET.
gunicorn is configured by Trainbot's own gunicorn class (`bot/server.py`), so the
worker class, workers, threads, timeouts and keep-alive are those of `trainbot serve`
by construction; only the WSGI app it loads differs. Every kind also answers
`GET /healthz` with 200 so the benchmark knows when it is up.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Sequence

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.ids import Action, Callback, Command
from bot.server import ServeOptions, _Gunicorn
from bot.settings import Settings
from bot.web import EVENTS_PATH, HEALTH_PATH, StartResponse, WSGIApp

KINDS = ("bolt-default", "bolt-before-response", "plain-wsgi")

_OK = b"ok\n"
_NOT_FOUND = b"not found\n"


def ack_only(ack: Ack) -> None:
    ack()


def ack_no_options(ack: Ack) -> None:
    """A typeahead's ack must carry options (Slack shows "no results" for none)."""
    ack(options=[])


def bare_bolt_app(settings: Settings, *, process_before_response: bool) -> App:
    """A listener for each kind of request the benchmarks send, each only acking."""
    client = WebClient(token=settings.bot_token, base_url=settings.api_url)
    app = App(
        client=client,
        signing_secret=settings.signing_secret,
        process_before_response=process_before_response,
    )
    app.command(Command.LIBRARY)(ack_only)
    app.action(Action.LIBRARY_FILTER_TYPE)(ack_only)
    # bench/assign_scale.py
    app.command(Command.ASSIGN)(ack_only)
    app.options(Action.ASSIGN_RESOURCE)(ack_no_options)
    app.view_submission(Callback.ASSIGN)(ack_only)
    app.action(Action.ASSIGNMENT_COMPLETE)(ack_only)
    app.event("app_home_opened")(ack_only)
    return app


def plain_ok(environ: dict[str, object], start_response: StartResponse) -> Iterable[bytes]:
    """The floor: read the request body (as any framework would), answer 200 empty."""
    length = int(str(environ.get("CONTENT_LENGTH") or 0))
    stream = environ["wsgi.input"]
    if length and hasattr(stream, "read"):
        stream.read(length)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "0")])
    return [b""]


def build_wsgi_app(kind: str, settings: Settings) -> WSGIApp:
    """`kind` on POST /slack/events, 200 on GET /healthz, 404 elsewhere."""
    if kind == "plain-wsgi":
        slack: WSGIApp = plain_ok
    elif kind in ("bolt-default", "bolt-before-response"):
        bolt = bare_bolt_app(settings, process_before_response=kind == "bolt-before-response")
        slack = SlackRequestHandler(bolt, path=EVENTS_PATH)
    else:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")

    def application(environ: dict[str, object], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == EVENTS_PATH and method == "POST":
            return slack(environ, start_response)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(_OK)))]
            start_response("200 OK", headers)
            return [_OK]
        headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(_NOT_FOUND)))]
        start_response("404 Not Found", headers)
        return [_NOT_FOUND]

    return application


class BareGunicorn(_Gunicorn):
    """Trainbot's gunicorn configuration (load_config), loading a bare app instead."""

    def __init__(self, kind: str, settings: Settings, options: ServeOptions) -> None:
        self._kind = kind
        super().__init__(settings, options)

    def load(self) -> WSGIApp:
        # Like Trainbot's load(): runs in each worker after the fork.
        return build_wsgi_app(self._kind, self._settings)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_apps", description=__doc__)
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    settings = Settings.load(os.environ)
    settings.require_http()
    options = ServeOptions(
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        scheduler=False,
    )
    BareGunicorn(args.kind, settings, options).run()


if __name__ == "__main__":
    main()

"""The ack goes out before the work that follows it starts (bot/response_gate.py).

The server here writes the response slowly (each body chunk 150 ms late): the work after
the ack must still wait for the whole response, and then run in full.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine

from bot.app import build_app
from bot.clock import FixedClock
from bot.fakeslack import FakeSlack, SlackClient
from bot.services import build_services
from bot.settling import SettlingExecutor
from bot.web import WSGIApp, make_wsgi_app
from tests.conftest import AMY, SIGNING_SECRET, make_settings
from tests.support.executor import settle
from tests.support.wsgi import serve_wsgi

WRITE_DELAY_S = 0.15


class SlowWriter:
    """Wraps a WSGI app: every body chunk is written late; remembers when it was done."""

    def __init__(self, app: WSGIApp) -> None:
        self._app = app
        self.written_at: list[float] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        body = self._app(environ, start_response)
        return _Late(body, self.written_at)


class _Late:
    def __init__(self, body: Any, written_at: list[float]) -> None:
        self._body = body
        self._written_at = written_at

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._body:
            time.sleep(WRITE_DELAY_S)
            yield chunk
        self._written_at.append(time.time())

    def close(self) -> None:
        self._body.close()  # what the WSGI server calls once the response is out


def test_work_after_the_ack_starts_once_the_ack_is_written(
    database_url: str, engine: Engine, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    executor = SettlingExecutor(thread_name_prefix="lazy")
    services = build_services(
        make_settings(database_url, fake_slack), clock=clock, engine=engine, background=executor
    )
    slow = SlowWriter(make_wsgi_app(build_app(services), services))
    with serve_wsgi(slow) as url:
        slack = SlackClient(f"{url}/slack/events", SIGNING_SECRET, fake_slack)
        sent = time.time()
        response = slack.app_home_opened(AMY)  # Home is published after the ack
        settle(executor)
    executor.shutdown(wait=True)

    assert response.status == 200
    published = fake_slack.wait_for_call("views.publish", timeout=5)
    assert published.args["user_id"] == AMY
    assert slow.written_at, "the response was never written"
    assert published.at >= slow.written_at[-1] >= sent + WRITE_DELAY_S

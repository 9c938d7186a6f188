"""What reaches /slack/events must be signed and fresh; /healthz tells the truth."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from bot.app import build_app
from bot.fakeslack import FakeSlack, SlackClient, sign
from bot.services import build_services
from bot.web import make_wsgi_app
from tests.conftest import AMY, SIGNING_SECRET, RunningApp, make_settings
from tests.support.wsgi import serve_wsgi


def form(user: str) -> bytes:
    fields = {
        "command": "/training",
        "text": "help",
        "user_id": user,
        "team_id": "T0TRAIN001",
        "trigger_id": "1.2.3",
        "response_url": "http://127.0.0.1:9/x",
    }
    return urlencode(fields).encode()


def test_a_bad_signature_is_rejected(slack: SlackClient, app_server: RunningApp) -> None:
    response = slack.send_raw(
        form(AMY), "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )
    assert response.status == 401
    # Nothing happened on the bot's side (only the auth.test Bolt makes at start).
    assert [c.method for c in slack.fake.calls] == ["auth.test"]


def test_a_stale_timestamp_is_rejected_even_when_signed(
    slack: SlackClient, app_server: RunningApp
) -> None:
    stale = int(time.time()) - 6 * 60
    body = form(AMY)
    response = slack.send_raw(
        body,
        "application/x-www-form-urlencoded",
        timestamp=stale,
        signature=sign(SIGNING_SECRET, str(stale), body),
    )
    assert response.status == 401
    assert [c.method for c in slack.fake.calls] == ["auth.test"]


def test_health_check_answers_when_the_database_does(app_server: RunningApp) -> None:
    with urllib.request.urlopen(f"{app_server.url}/healthz", timeout=5) as response:
        assert response.status == 200
        assert response.read() == b"ok\n"


def test_other_paths_are_not_found(app_server: RunningApp) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{app_server.url}/admin", timeout=5)
    raised.value.close()
    assert raised.value.code == 404


def test_health_check_fails_when_the_database_does_not_answer(fake_slack: FakeSlack) -> None:
    settings = make_settings("sqlite:////nonexistent-dir/trainbot.db", fake_slack)
    services = build_services(settings)
    with serve_wsgi(make_wsgi_app(build_app(services), services)) as url:
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(f"{url}/healthz", timeout=5)
        raised.value.close()
    assert raised.value.code == 503

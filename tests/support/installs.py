"""Trainbot in many-workspace mode for tests: settings with the stand-in's OAuth app, the
served app, and a browser that follows Slack's install redirects and keeps cookies."""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import Engine

from bot.app import build_app
from bot.clock import Clock
from bot.fakeslack import FakeSlack
from bot.services import Services, build_services
from bot.settings import Settings
from bot.settling import SettlingExecutor
from bot.web import make_wsgi_app
from tests.support.executor import settle
from tests.support.wsgi import serve_wsgi

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"  # every test app's (tests.conftest)

KEY = Fernet.generate_key().decode()


def oauth_settings(database_url: str, fake: FakeSlack, public_url: str) -> Settings:
    return Settings.load({
        "SLACK_CLIENT_ID": fake.oauth.client_id, "SLACK_CLIENT_SECRET": fake.oauth.client_secret,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": database_url, "TRAINBOT_ENCRYPTION_KEY": KEY,
        "TRAINBOT_PUBLIC_URL": public_url,
        # Slack's pace is tested on its own (test_delivery); here it would only leave rows
        # for a later round of sending, as tests.conftest.make_settings says.
        "TRAINBOT_SEND_PER_MINUTE": "60000",
    }, env_file=Path(os.devnull))  # fmt: skip


@dataclass(frozen=True)
class Installer:
    url: str  # also its public URL
    services: Services
    executor: SettlingExecutor

    def settle(self) -> None:
        """Wait until everything the app does after its acks has finished."""
        settle(self.executor)


@contextmanager
def serving_installer(
    engine: Engine,
    database_url: str,
    fake: FakeSlack,
    clock: Clock | None = None,
) -> Iterator[Installer]:
    """`trainbot serve`'s WSGI app in many-workspace mode."""
    served: list[Any] = []
    executor = SettlingExecutor(thread_name_prefix="lazy")
    with serve_wsgi(lambda environ, start: served[0](environ, start)) as url:
        settings = oauth_settings(database_url, fake, url)
        services = build_services(settings, engine=engine, clock=clock, background=executor)
        served.append(make_wsgi_app(build_app(services), services))
        yield Installer(url, services, executor)
        settle(executor)  # nothing may still be writing when the tables are emptied
    executor.shutdown(wait=True)


class LoopbackIsSecure(http.cookiejar.DefaultCookiePolicy):
    """Browsers treat http://127.0.0.1 as a secure context and send it Secure cookies (Bolt's
    state cookie is Secure); urllib only does so over https."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        host = urllib.parse.urlsplit(request.get_full_url()).hostname
        return host == "127.0.0.1" or bool(super().return_ok_secure(cookie, request))


def browser() -> urllib.request.OpenerDirector:
    """Follows redirects and keeps cookies, as the person's browser does."""
    jar = http.cookiejar.CookieJar(policy=LoopbackIsSecure())
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def visit(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, str, str]:
    """(status, final URL, page text) of a GET, redirects followed."""
    try:
        with opener.open(url, timeout=10) as page:
            return page.status, page.geturl(), page.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.geturl(), error.read().decode()


def add_to_slack_link(opener: urllib.request.OpenerDirector, app_url: str) -> str:
    status, _, page = visit(opener, f"{app_url}/slack/install")
    assert status == 200
    found = re.search(r'href="([^"]*/oauth/v2/authorize\?[^"]*)"', page)
    assert found, page
    return html.unescape(found.group(1))

"""`trainbot serve` itself: gunicorn, migrations at start, Slack traffic, clean shutdown."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot import db
from bot.fakeslack import FakeSlack, SlackClient
from tests.conftest import AMY, BOT_TOKEN, SIGNING_SECRET
from tests.support.waiting import eventually


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def serve(
    fake: FakeSlack, database_url: str, cwd: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`trainbot serve` on a free port; `env` adds settings (or, empty, removes them), with
    `{url}` standing for its own address."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = {
        "PATH": "/usr/bin:/bin",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        **{name: value.replace("{url}", url) for name, value in (env or {}).items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--workers", "1", "--threads", "2", *args],
        env={name: value for name, value in settings.items() if value},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its workers and scheduler go down with it in the end
    )
    try:
        eventually(
            lambda: healthy(url) or process.poll() is not None, timeout=60, what="serve to start"
        )
        assert process.poll() is None, process.communicate()[0]
        yield url, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def test_serve_migrates_a_new_database_and_answers_health(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with serve(fake_slack, url, tmp_path) as (base, _):
        assert healthy(base)
    assert db.current_revision(db.make_engine(url)) == db.head_revision()


def test_serve_handles_signed_slack_traffic_and_stops_cleanly_on_sigterm(
    fake_slack: FakeSlack, engine: object, database_url: str, tmp_path: Path
) -> None:
    with serve(fake_slack, database_url, tmp_path) as (base, process):
        slack = SlackClient(f"{base}/slack/events", SIGNING_SECRET, fake_slack)
        response = slack.command("/training", "help", user=AMY)
        assert response.status == 200
        assert response.elapsed_ms < 3000
        assert "/library" in fake_slack.wait_for_response_text("/library", timeout=10)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "scheduler stopped" in output
    assert "Traceback" not in output


def serve_once(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`trainbot serve` expected to stop by itself, with these settings."""
    settings = {
        "PATH": "/usr/bin:/bin",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DATABASE_URL": f"sqlite:///{cwd / 'serve-once.db'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve", *args],
        env=settings,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_socket_mode_that_cannot_connect_says_why_in_one_line(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    result = serve_once(
        tmp_path,
        "--socket-mode",
        SLACK_API_URL=fake_slack.base_url,
        SLACK_APP_TOKEN="xapp-1-not-a-real-token",
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip().splitlines()[-1].startswith("trainbot: Socket Mode could not connect")
    )
    assert "Traceback" not in result.stderr
    assert fake_slack.calls_to("apps.connections.open")


def test_a_token_slack_refuses_stops_serve_with_one_line(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    result = serve_once(
        tmp_path, SLACK_API_URL=fake_slack.base_url, SLACK_BOT_TOKEN="xoxb-revoked-or-mistyped"
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "trainbot: Slack refused SLACK_BOT_TOKEN (invalid_auth): "
        "copy the Bot User OAuth Token again from OAuth & Permissions"
    ]

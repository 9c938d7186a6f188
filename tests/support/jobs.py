"""`trainbot jobs run SWEEP` as an operator runs it: a process of its own, on the test's
database and stand-in."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from bot.fakeslack import FakeSlack
from tests.conftest import BOT_TOKEN

ROOT = Path(__file__).resolve().parents[2]


def run_sweep(
    sweep: str, *, database_url: str, fake: FakeSlack, as_of: datetime
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "jobs", "run", sweep, "--as-of", as_of.isoformat()],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url,
             "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.base_url},
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

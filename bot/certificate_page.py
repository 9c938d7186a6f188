"""The public page that verifies a certificate: GET /certificates/<CODE>.

It says who, what, when and whether the certificate is valid, expired or revoked, and
nothing else of the workspace. Unknown codes are 404. Each client address may ask a few
times a minute (guessing 80-bit codes is hopeless anyway; this keeps scrapers polite).
"""

from __future__ import annotations

import threading
import time
from datetime import date

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.services import Services
from bot.services.certificates import Verified

PATH_PREFIX = "/certificates/"
REQUESTS_PER_MINUTE = 20

_pages = Environment(
    loader=PackageLoader("templates", "."),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def answer(services: Services, code: str) -> tuple[int, str]:
    """(HTTP status, page) for GET /certificates/<code>: 200, or 404 for an unknown code."""
    verified = services.certificates.verify(code=code)
    return (200 if verified else 404), page(verified, services.clock.now().date())


def page(verified: Verified | None, today: date) -> str:
    """The HTML page for a certificate (None: the code is unknown)."""
    return _pages.get_template("certificate_page.html.j2").render(
        c=verified, status=verified.status(today) if verified else None
    )


class RateLimit:
    """A token bucket per client address: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int = REQUESTS_PER_MINUTE) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > 10_000:  # forget idle clients rather than grow forever
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
            tokens, seen = self._buckets.get(client, (self._burst, now))
            tokens = min(self._burst, tokens + (now - seen) * self._rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                return False
            self._buckets[client] = (tokens - 1, now)
            return True

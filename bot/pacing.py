"""Pacing posts to Slack: at most N per minute from this process, whoever asks."""

from __future__ import annotations

import threading
import time


class Pacer:
    """Hands out send slots `60 / per_minute` seconds apart (thread-safe, no bursts)."""

    def __init__(self, per_minute: int) -> None:
        self._interval = 60.0 / per_minute
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            time.sleep(slot - now)

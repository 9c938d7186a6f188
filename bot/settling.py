"""An after-ack executor that can be waited on: the sandbox waits on it before it answers
the page, tests before they look at what a request did, benchmarks between requests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class SettlingExecutor(ThreadPoolExecutor):
    """Counts work in flight, so "what the click did" is complete once it settles."""

    def __init__(self, thread_name_prefix: str = "after-ack") -> None:
        super().__init__(max_workers=8, thread_name_prefix=thread_name_prefix)
        self._busy = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._busy += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except RuntimeError:
            with self._idle:
                self._busy -= 1
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def settle(self, timeout: float = 15.0) -> bool:
        """Wait until nothing runs or waits; False when still busy after `timeout` s."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout=timeout)

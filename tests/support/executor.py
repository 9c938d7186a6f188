"""An executor for the app's lazy listeners that tests can wait on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class SettlingExecutor(ThreadPoolExecutor):
    """Counts work in flight so a test can wait until the app has finished reacting."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="lazy")
        self._busy = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._busy += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until no lazy listener is running or queued."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._busy == 0, timeout=timeout):
                raise AssertionError(f"the app was still busy after {timeout} s")

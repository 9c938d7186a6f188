"""Waiting on the app's after-ack work (bot.settling) in tests and benchmarks."""

from __future__ import annotations

from bot.settling import SettlingExecutor


def settle(executor: SettlingExecutor, timeout: float = 10.0) -> None:
    """Wait until the app has finished what followed its acks; fail if it has not."""
    if not executor.settle(timeout):
        raise AssertionError(f"the app was still busy after {timeout} s")

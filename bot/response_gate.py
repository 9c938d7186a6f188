"""After-ack work waits until the ack has been written to Slack.

Work handed to the background executor during a request used to start at once, while
the request's thread still had Bolt's response, the WSGI server's write and its own
Python to run: the two threads then took turns on the GIL (up to 5 ms a turn), and the
ack waited on work nobody was waiting for. Now the work is queued at once (so the
executor counts it and anyone settling it waits for it), but starts only when the WSGI
server closes the response: after the bytes went out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

# Never wait longer than this for a response that is never closed (a server that does not
# call close(), a request that failed): the work must still run.
LONGEST_WAIT_S = 2.0

_current: ContextVar[threading.Event | None] = ContextVar("response_gate", default=None)


def opens_later() -> threading.Event | None:
    """The gate of the request this thread is answering (None outside of one)."""
    return _current.get()


def wait_for(gate: threading.Event | None) -> None:
    if gate is not None:
        gate.wait(LONGEST_WAIT_S)


class GatedResponse:
    """A WSGI response body that opens the request's gate once the server closes it."""

    def __init__(self, body: Iterable[bytes], gate: threading.Event) -> None:
        self._body = body
        self._gate = gate

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._gate.set()


def answer_gated(app: Any, environ: dict[str, Any], start_response: Any) -> GatedResponse:
    """Run the WSGI `app` with a gate for the work it hands to the background."""
    gate = threading.Event()
    token = _current.set(gate)
    try:
        body = app(environ, start_response)
    except BaseException:
        gate.set()
        raise
    finally:
        _current.reset(token)
    return GatedResponse(body, gate)

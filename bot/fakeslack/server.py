"""FakeSlack: a local stand-in for Slack's Web API, reached over real HTTP.

Point the app at it with ``WebClient(base_url=fake.base_url)``. It answers in Slack's
shapes and error names, checks every Block Kit payload against Slack's limits, records
each call, and can be told to fail the way Slack fails (429 with Retry-After, 5xx, errors).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from bot.fakeslack import methods_chat, methods_directory, methods_files, methods_views
from bot.fakeslack.facade import WorkspaceFacade
from bot.fakeslack.methods_files import store_upload
from bot.fakeslack.oauth import OAuthApp
from bot.fakeslack.recording import ApiCall, CallLog, Failure, FailurePlan, Reply
from bot.fakeslack.response_urls import post_response
from bot.fakeslack.state import ApiError, Handler, Identity
from bot.fakeslack.transport import FakeSlackServer, Incoming, decode_api_args

METHODS: dict[str, Handler] = {
    **methods_directory.METHODS,
    **methods_chat.METHODS,
    **methods_views.METHODS,
    **methods_files.METHODS,
}


class Hang:
    """One answer held back after `answered` calls (see FakeSlack.hang_after)."""

    def __init__(self, answered: int) -> None:
        self.remaining = answered
        self.reached = threading.Event()
        self.release = threading.Event()

    def take(self) -> bool:
        """Count one answered call; True for the call whose answer is held."""
        if self.remaining < 0:
            return False
        self.remaining -= 1
        return self.remaining < 0


class FakeSlack(WorkspaceFacade):
    """The Slack Web API, a workspace directory and Slack's view stacks, in one process."""

    def __init__(
        self,
        *,
        team_id: str = "T0TRAIN001",
        team_name: str = "Acme",
        team_domain: str = "acme",
        bot_user_id: str = "U0BOT00001",
        bot_id: str = "B0BOT00001",
        app_id: str = "A0TRAINBOT",
        bot_token: str = "xoxb-test-token",
        bot_name: str = "trainbot",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        message_clock: Callable[[], float] = time.time,
    ) -> None:
        """`clock` times trigger_ids and response_urls; `message_clock` (epoch seconds) is
        what message ts are made from: the sandbox passes its own, which time travel moves."""
        identity = Identity(
            team_id, team_name, team_domain, bot_user_id, bot_id, app_id, bot_token, bot_name
        )
        super().__init__(identity, clock, message_clock)
        self._address = (host, port)
        self._server: FakeSlackServer | None = None
        self._thread: threading.Thread | None = None
        self._log = CallLog(self._changed)
        self._failures = FailurePlan()
        self._hangs: dict[str, Hang] = {}
        # The app as registered with Slack, for installs through OAuth.
        self.oauth = OAuthApp("111.222", "fake-client-secret", installer="U0ADMIN001")

    # lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        server = FakeSlackServer(self._address, self._route)
        host, port = server.server_address[:2]
        with self._lock:
            self._ws.server_url = f"http://{host!s}:{port}/"
        self._server = server
        # A short poll interval keeps stop() (and so every test teardown) quick.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fakeslack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        for hang in self._hangs.values():
            hang.release.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The Web API root for WebClient(base_url=...), e.g. http://127.0.0.1:PORT/api/."""
        if not self._ws.server_url:
            raise RuntimeError("FakeSlack is not started")
        return f"{self._ws.server_url}api/"

    # recording and failure injection -------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        return self._log.all()

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self._log.all() if call.method == method]

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,
    ) -> ApiCall:
        """The first call to `method` (matching `predicate`), waiting up to `timeout` s."""
        return self._log.wait_for(method, predicate, timeout)

    def reset_calls(self) -> None:
        self._log.clear()

    def fail(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls to `method` fail (429, 5xx, or an `error` name)."""
        if status == 200 and error is None:
            raise ValueError("fail() needs an error name, or status 429 / 5xx")
        with self._lock:
            self._failures.add(method, Failure(error, status, retry_after, times))

    def hang_after(self, method: str, *, answered: int) -> Hang:
        """Answer `answered` calls to `method`; carry out the next one but hold its answer.

        What a crash between "Slack accepted" and "we recorded it" looks like from Slack's
        side: the message exists, the caller never hears so. `Hang.reached` is set when the
        call is held; `Hang.release` lets the answer go.
        """
        hang = Hang(answered)
        with self._lock:
            self._hangs[method] = hang
        return hang

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    # HTTP routing ---------------------------------------------------------------------

    def _route(self, incoming: Incoming) -> Reply:
        path = incoming.path
        if path.startswith("/api/"):
            return self._api(path[len("/api/") :], incoming)
        if path.startswith("/upload/") and incoming.verb == "POST":
            return self._upload(path[len("/upload/") :], incoming.body)
        if path.startswith("/response/") and incoming.verb == "POST":
            with self._changed:
                status, text = post_response(self._ws, path[len("/response/") :], incoming.body)
                self._changed.notify_all()
            return Reply.text(text, status)
        if path.startswith("/files/"):
            return self._download(path[len("/files/") :].split("/")[0], incoming)
        if path == "/oauth/v2/authorize" and incoming.verb == "GET":
            with self._lock:
                status, where = self.oauth.authorize(incoming.query)
            if status != 302:
                return Reply.text(where, status)
            return Reply(302, b"", content_type="text/plain", headers=(("Location", where),))
        return Reply.text("not_found", 404)

    def _api(self, method: str, incoming: Incoming) -> Reply:
        with self._lock:
            args: dict[str, Any] = {}
            token: str | None = None
            try:
                args, token = decode_api_args(incoming)
                reply, response = self._answer(
                    method, args, token, incoming.headers.get("authorization", "")
                )
            except ApiError as exc:
                response = exc.response()
                reply = Reply.json(response)
            call = ApiCall(method, args, token, reply.status, response, time.time())
            self._log.add(call)
            hang = self._hangs.get(method)
            held = hang is not None and reply.status == 200 and hang.take()
        if held and hang is not None:
            hang.reached.set()
            hang.release.wait(timeout=60)
        return reply

    def _answer(
        self, method: str, args: dict[str, Any], token: str | None, authorization: str = ""
    ) -> tuple[Reply, dict[str, Any]]:
        failure = self._failures.take(method)
        if failure is not None:
            return failure.reply()
        if method == "oauth.v2.access":  # the app's credentials, not a token
            response = {"ok": True, **self.oauth.access(self.identity, args, authorization)}
            return Reply.json(response), response
        handler = METHODS.get(method)
        if handler is None:
            raise ApiError("unknown_method")
        if token is None:
            raise ApiError("not_authed")
        if token != self.identity.bot_token and not self.oauth.accepts(token):
            raise ApiError("token_expired" if self.oauth.expired(token) else "invalid_auth")
        response = {"ok": True, **handler(self._ws, method, args)}
        return Reply.json(response), response

    def _upload(self, file_id: str, body: bytes) -> Reply:
        with self._lock:
            stored = store_upload(self._ws, file_id, body)
        return Reply.text(f"OK - {len(body)}") if stored else Reply.text("not_found", 404)

    def _download(self, file_id: str, incoming: Incoming) -> Reply:
        bearer = incoming.headers.get("authorization", "").removeprefix("Bearer ")
        if bearer != self.identity.bot_token and not self.oauth.accepts(bearer):
            return Reply.text("not_authed", 403)
        with self._lock:
            content = self._ws.file_bytes.get(file_id)
        if content is None:
            return Reply.text("not_found", 404)
        return Reply(200, content, content_type="application/octet-stream")

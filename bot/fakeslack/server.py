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
from bot.fakeslack.ratelimit import PASS, RateLimits
from bot.fakeslack.recording import ApiCall, CallLog, Failure, FailurePlan, Reply
from bot.fakeslack.response_urls import post_response
from bot.fakeslack.state import ApiError, Handler, Identity, Workspace
from bot.fakeslack.tenancy import AddedWorkspace, Tenants
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
        enterprise_id: str | None = None,
        enterprise_name: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        message_clock: Callable[[], float] = time.time,
    ) -> None:
        """`clock` times trigger_ids and response_urls; `message_clock` (epoch seconds) is
        what message ts are made from: the sandbox passes its own, which time travel moves."""
        identity = Identity(team_id, team_name, team_domain, bot_user_id, bot_id, app_id,
                            bot_token, bot_name, enterprise_id, enterprise_name)  # fmt: skip
        super().__init__(identity, clock, message_clock)
        self._tenants = Tenants(self)
        self._address = (host, port)
        self._server: FakeSlackServer | None = None
        self._thread: threading.Thread | None = None
        self._log = CallLog(self._changed)
        self._failures = FailurePlan()
        self._hangs: dict[str, Hang] = {}
        self._limits: RateLimits | None = None  # Slack's rate tiers: off unless asked for
        # The app as registered with Slack, for installs through OAuth.
        self.oauth = OAuthApp("111.222", "fake-client-secret", installer="U0ADMIN001",
                              targets=self._tenants.target)  # fmt: skip

    def add_workspace(
        self,
        *,
        team_id: str,
        team_name: str,
        bot_token: str,
        bot_user_id: str | None = None,
        enterprise_id: str | None = None,
        enterprise_name: str = "",
    ) -> AddedWorkspace:
        """Another workspace this stand-in serves beside the first: its own directory,
        conversations and views, reached with its own bot token (or, installed org-wide,
        the org's). Seed it and read it back through the facade returned; a SlackClient
        given that facade sends Slack's requests from it."""
        first = self.identity
        identity = Identity(team_id, team_name, team_name.lower().replace(" ", "-"),
                            bot_user_id or first.bot_user_id, first.bot_id, first.app_id,
                            bot_token, first.bot_name, enterprise_id, enterprise_name)  # fmt: skip
        facade = AddedWorkspace(identity, self._ws.clock, self._ws.message_clock,
                                changed=self._changed, log=self._log)  # fmt: skip
        with self._lock:
            self._tenants.add(facade)
            facade._ws.server_url = self._ws.server_url
        return facade

    def workspace(self, team_id: str) -> WorkspaceFacade:
        """The facade of a workspace this stand-in serves."""
        with self._lock:
            found = [f for f in self._tenants.facades if f.identity.team_id == team_id]
        if not found:
            raise KeyError(team_id)
        return found[0]

    # lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        server = FakeSlackServer(self._address, self._route)
        host, port = server.server_address[:2]
        with self._lock:
            for ws in self._tenants:
                ws.server_url = f"http://{host!s}:{port}/"
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
        """The calls about the first workspace, and those refused before any workspace was
        found (a bad token, say); `all_calls` has those about the workspaces added too."""
        return [c for c in self._log.all() if c.team_id in (None, self.identity.team_id)]

    @property
    def all_calls(self) -> list[ApiCall]:
        return self._log.all()

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,
    ) -> ApiCall:
        """The first call to `method` (matching `predicate`), waiting up to `timeout` s."""
        mine = (None, self.identity.team_id)
        return self._log.wait_for(
            method, lambda c: c.team_id in mine and (predicate is None or predicate(c)), timeout
        )

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
        team_id: str | None = None,
    ) -> None:
        """Make the next `times` calls to `method` fail (429, 5xx, or an `error` name);
        with `team_id`, only calls about that workspace."""
        if status == 200 and error is None:
            raise ValueError("fail() needs an error name, or status 429 / 5xx")
        with self._lock:
            self._failures.add(method, Failure(error, status, retry_after, times, team_id))

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

    def rate_limit(
        self, *, random_429: float = 0.0, random_5xx: float = 0.0, landed_5xx: float = 0.5,
        post_per_minute: int = 600, seed: int = 16,
    ) -> RateLimits:  # fmt: skip
        """From now on, hold every method to Slack's rate tier (429 with Retry-After past it)
        and fail that share of calls at random (bot/fakeslack/ratelimit.py); returns the
        limits, whose `counts` say how many calls were refused and why."""
        with self._lock:
            self._limits = RateLimits(time.monotonic, random_429=random_429,
                                      random_5xx=random_5xx, landed_5xx=landed_5xx,
                                      post_per_minute=post_per_minute, seed=seed)  # fmt: skip
            return self._limits

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
            key = path[len("/response/") :]
            with self._changed:
                owner = self._tenants.owner_of("response", key) or self._ws
                status, text = post_response(owner, key, incoming.body)
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
            served: list[Workspace] = []
            try:
                args, token = decode_api_args(incoming)
                reply, response = self._answer(
                    method, args, token, incoming.headers.get("authorization", ""), served
                )
            except ApiError as exc:
                response = exc.response()
                reply = Reply.json(response)
            team = served[0].identity.team_id if served else None
            call = ApiCall(method, args, token, reply.status, response, time.time(), team)
            self._log.add(call)
            hang = self._hangs.get(method)
            held = hang is not None and reply.status == 200 and hang.take()
        if held and hang is not None:
            hang.reached.set()
            hang.release.wait(timeout=60)
        return reply

    def _answer(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        authorization: str,
        served: list[Workspace],
    ) -> tuple[Reply, dict[str, Any]]:
        """Slack's answer; `served` gets the workspace the call acted on."""
        if method == "oauth.v2.access":  # the app's credentials, not a token
            failure = self._failures.take(method)
            if failure is not None:
                return failure.reply()
            response = {"ok": True, **self.oauth.access(args, authorization)}
            target = self._tenants.target(
                (response.get("team") or {}).get("id") or response["enterprise"]["id"]
            )
            if target is not None:
                self._tenants.installed(target)
            return Reply.json(response), response
        handler = METHODS.get(method)
        if handler is None:
            raise ApiError("unknown_method")
        try:  # the workspace first: a failure may be planned for one workspace only
            ws: Workspace | None = self._tenants.serving(token or "", method, args, self.oauth)
            refused: ApiError | None = None
        except ApiError as error:
            ws, refused = None, error
        failure = self._failures.take(method, ws.identity.team_id if ws else None)
        if failure is not None:
            return failure.reply()
        if token is None:
            raise ApiError("not_authed")
        if ws is None:
            assert refused is not None
            raise refused
        served.append(ws)
        limits, channel = self._limits, str(args.get("channel") or "")
        verdict = limits.check(method, ws.identity.team_id, channel) if limits else PASS
        limited = Failure(None, verdict.status, verdict.retry_after, 1)
        if verdict.status != 200 and not verdict.after_landing:
            return limited.reply()
        response = {"ok": True, **handler(ws, method, args)}
        if verdict.after_landing:  # carried out, and the caller told it failed
            return limited.reply()
        return Reply.json(response), response

    def _upload(self, file_id: str, body: bytes) -> Reply:
        with self._lock:
            owner = self._tenants.owner_of("file", file_id)
            stored = owner is not None and store_upload(owner, file_id, body)
        return Reply.text(f"OK - {len(body)}") if stored else Reply.text("not_found", 404)

    def _download(self, file_id: str, incoming: Incoming) -> Reply:
        bearer = incoming.headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            try:
                ws = self._tenants.serving(bearer, "files", {"file": file_id}, self.oauth)
            except ApiError:
                return Reply.text("not_authed", 403)
            content = ws.file_bytes.get(file_id)
        if content is None:
            return Reply.text("not_found", 404)
        return Reply(200, content, content_type="application/octet-stream")

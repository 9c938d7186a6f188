"""Tests of the Slack stand-in (bot.fakeslack) and of bot.slack_limits.

The Web API side is driven through a real slack_sdk.WebClient over HTTP; the
SlackClient side is checked by a tiny receiving app that verifies signatures with
slack_sdk's SignatureVerifier, and once end to end with a real Bolt app.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.fakeslack import FakeSlack, SlackClient, mention, sign, subteam_ref, view_texts
from bot.slack_limits import (
    check_message,
    check_options,
    check_view,
    check_view_submission_ack,
)

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
AMY, BOB, MARIA = "U0AMY0001", "U0BOB0001", "U0MGR0001"
GENERAL, SECRET_ROOM, NO_BOT, OLD = "C0GENERAL1", "G0SECRET01", "C0NOBOT001", "C0OLD00001"


# helpers -------------------------------------------------------------------------------


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str, text: str = "Go", value: str = "1") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        "value": value,
    }


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": plain(text or value), "value": value}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    view = {"type": "modal", "title": plain("Assign"), "blocks": blocks}
    if any(b["type"] == "input" for b in blocks):
        view["submit"] = plain("Save")
    return {**view, **extra}


def text_input(block_id: str, optional: bool = False) -> dict[str, Any]:
    element = {"type": "plain_text_input", "action_id": "pick"}
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(block_id),
        "element": element,
    }


def api_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(excinfo.value.response["error"])


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# fixtures ------------------------------------------------------------------------------


def seed(fake: FakeSlack) -> None:
    fake.add_user(AMY, "amy", real_name="Amy Learner", tz="Europe/Berlin")
    fake.add_user(BOB, "bob", deleted=True, tz="America/Los_Angeles")
    fake.add_user(MARIA, "maria", is_admin=True)
    fake.add_channel(GENERAL, "general", members=[AMY, MARIA])
    fake.add_channel(SECRET_ROOM, "secret", members=[AMY], is_private=True, bot_is_member=False)
    fake.add_channel(NO_BOT, "nobot", members=[AMY], bot_is_member=False)
    fake.add_channel(OLD, "old", members=[AMY], is_archived=True)
    fake.add_usergroup("S0SUPPORT", "@support", name="Support", members=[AMY, MARIA])


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        seed(server)
        yield server


@pytest.fixture
def web(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.base_url)


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    @property
    def payload(self) -> Any:
        if self.headers.get("content-type") == "application/json":
            return json.loads(self.body)
        return json.loads(self.form["payload"])


class Receiver:
    """A stand-in app: verifies signatures like Bolt, records requests, answers from a queue."""

    def __init__(self, secret: str) -> None:
        self.requests: list[Received] = []
        self.answers: deque[tuple[int, str]] = deque()
        verifier = SignatureVerifier(secret)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                ok = verifier.is_valid(
                    body, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
                )
                receiver.requests.append(Received(headers, body, ok))
                status, text = receiver.answers.popleft() if receiver.answers else (200, "")
                status = status if ok else 401
                self.send_response(status)
                self.send_header("Content-Length", str(len(text.encode())))
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"

    def answer(self, body: Any = "", status: int = 200) -> None:
        self.answers.append((status, body if isinstance(body, str) else json.dumps(body)))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    app = Receiver(SECRET)
    yield app
    app.close()


@pytest.fixture
def slack(receiver: Receiver, fake: FakeSlack) -> SlackClient:
    return SlackClient(receiver.url, SECRET, fake)


def open_modal(web: WebClient, fake: FakeSlack, view: dict[str, Any], user: str = AMY) -> str:
    opened = web.views_open(trigger_id=fake.new_trigger_id(user), view=view)
    return str(opened["view"]["id"])


# Web API: directory ---------------------------------------------------------------------


def test_auth_test_identifies_the_bot(web: WebClient) -> None:
    answer = web.auth_test()
    assert answer["user_id"] == "U0BOT00001"
    assert answer["team_id"] == "T0TRAIN001"
    assert answer["bot_id"] == "B0BOT00001"
    assert answer["url"] == "https://acme.slack.com/"


@pytest.mark.parametrize(("token", "error"), [(None, "not_authed"), ("xoxb-wrong", "invalid_auth")])
def test_missing_or_wrong_token_is_refused(fake: FakeSlack, token: str | None, error: str) -> None:
    client = WebClient(token=token, base_url=fake.base_url)
    with pytest.raises(SlackApiError) as excinfo:
        client.auth_test()
    assert api_error(excinfo) == error
    assert fake.calls_to("auth.test")[-1].response == {"ok": False, "error": error}


def test_unknown_method_is_an_error_with_http_200(web: WebClient, fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        web.api_call("chat.sendTelepathically", json={"channel": GENERAL})
    assert api_error(excinfo) == "unknown_method"
    assert excinfo.value.response.status_code == 200


def test_users_info_has_tz_flags_and_deleted(web: WebClient) -> None:
    amy = web.users_info(user=AMY)["user"]
    berlin_offset = datetime.now(ZoneInfo("Europe/Berlin")).utcoffset()
    assert berlin_offset is not None
    assert amy["tz"] == "Europe/Berlin"
    assert amy["tz_offset"] == int(berlin_offset.total_seconds())
    assert amy["profile"]["real_name"] == "Amy Learner"
    assert amy["profile"]["display_name"] == "amy"
    assert amy["is_bot"] is False and amy["is_restricted"] is False
    bob = web.users_info(user=BOB)
    assert bob["ok"] is True and bob["user"]["deleted"] is True
    assert web.users_info(user=MARIA)["user"]["is_admin"] is True
    with pytest.raises(SlackApiError) as excinfo:
        web.users_info(user="U0NOBODY01")
    assert api_error(excinfo) == "user_not_found"


def test_update_user_changes_what_users_info_reports(fake: FakeSlack, web: WebClient) -> None:
    fake.update_user(AMY, deleted=True, tz="Asia/Tokyo")
    amy = web.users_info(user=AMY)["user"]
    assert amy["deleted"] is True
    assert (amy["tz"], amy["tz_offset"]) == ("Asia/Tokyo", 9 * 3600)


def test_users_list_pages_with_cursor(web: WebClient) -> None:
    first = web.users_list(limit=2)
    assert len(first["members"]) == 2
    cursor = first["response_metadata"]["next_cursor"]
    assert cursor
    rest = web.users_list(limit=10, cursor=cursor)
    assert rest["response_metadata"]["next_cursor"] == ""
    ids = [m["id"] for m in first["members"] + rest["members"]]
    assert sorted(ids) == sorted(["U0BOT00001", AMY, BOB, MARIA])


def test_conversations_members_pages_until_the_cursor_is_empty(
    fake: FakeSlack, web: WebClient
) -> None:
    people = [f"U0PERSON{i:02d}" for i in range(5)]
    fake.add_channel("C0BIG00001", "big", members=people)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        answer = web.conversations_members(channel="C0BIG00001", limit=2, cursor=cursor)
        seen += answer["members"]
        pages += 1
        cursor = answer["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == [*people, "U0BOT00001"]
    assert pages == 3


@pytest.mark.parametrize("channel", [SECRET_ROOM, "C0MISSING1"])
def test_conversations_members_of_unseen_channel(web: WebClient, channel: str) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        web.conversations_members(channel=channel)
    assert api_error(excinfo) == "channel_not_found"


def test_conversations_open_gives_a_stable_dm(fake: FakeSlack, web: WebClient) -> None:
    first = web.conversations_open(users=AMY)["channel"]["id"]
    assert first == web.conversations_open(users=[AMY])["channel"]["id"]
    assert first.startswith("D") and first == fake.dm_channel(AMY)
    with pytest.raises(SlackApiError) as excinfo:
        web.conversations_open(users=BOB)
    assert api_error(excinfo) == "user_disabled"


def test_usergroups(web: WebClient) -> None:
    groups = web.usergroups_list(include_users=True)["usergroups"]
    assert [(g["id"], g["handle"], g["users"]) for g in groups] == [
        ("S0SUPPORT", "support", [AMY, MARIA])
    ]
    assert "users" not in web.usergroups_list()["usergroups"][0]
    assert web.usergroups_users_list(usergroup="S0SUPPORT")["users"] == [AMY, MARIA]
    with pytest.raises(SlackApiError) as excinfo:
        web.usergroups_users_list(usergroup="S0NOPE")
    assert api_error(excinfo) == "no_such_subteam"


# Web API: messages ----------------------------------------------------------------------


def test_post_update_history_round_trip_with_metadata(fake: FakeSlack, web: WebClient) -> None:
    metadata = {"event_type": "assignment_sent", "event_payload": {"assignment_id": 42}}
    blocks = [section("*Python*", block_id="summary")]
    first = web.chat_postMessage(channel=AMY, text="New training", blocks=blocks, metadata=metadata)
    second = web.chat_postMessage(channel=first["channel"], text="Reminder")
    dm = fake.dm_channel(AMY)
    assert first["channel"] == dm
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["bot_id"] == "B0BOT00001"

    updated = web.chat_update(channel=dm, ts=first["ts"], text="Done: Python")
    assert updated["ts"] == first["ts"]
    stored = fake.messages(dm)
    assert [m["text"] for m in stored] == ["Done: Python", "Reminder"]
    assert stored[0]["blocks"][0]["block_id"] == "summary"  # chat.update kept the blocks
    assert stored[0]["metadata"] == metadata

    history = web.conversations_history(channel=dm, include_all_metadata=True)["messages"]
    assert [m["ts"] for m in history] == [second["ts"], first["ts"]]  # newest first
    assert history[1]["metadata"] == metadata
    assert "metadata" not in web.conversations_history(channel=dm)["messages"][1]
    only_new = web.conversations_history(channel=dm, oldest=first["ts"])["messages"]
    assert [m["ts"] for m in only_new] == [second["ts"]]
    assert len(web.conversations_history(channel=dm, limit=1)["messages"]) == 1


def test_chat_update_errors(fake: FakeSlack, web: WebClient) -> None:
    people_ts = fake.add_message(GENERAL, "hello", user=AMY)
    bot_ts = web.chat_postMessage(channel=GENERAL, text="hi")["ts"]
    cases = [
        ({"ts": people_ts, "text": "x"}, "cant_update_message"),
        ({"ts": "1.000001", "text": "x"}, "message_not_found"),
        ({"ts": bot_ts, "text": "x" * 4001}, "msg_too_long"),
    ]
    for kwargs, error in cases:
        with pytest.raises(SlackApiError) as excinfo:
            web.chat_update(channel=GENERAL, **kwargs)
        assert api_error(excinfo) == error
    assert web.chat_update(channel=GENERAL, ts=bot_ts, text="x" * 4000)["ok"]


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("C0MISSING1", "channel_not_found"),
        (SECRET_ROOM, "channel_not_found"),
        (NO_BOT, "not_in_channel"),
        (OLD, "is_archived"),
        (BOB, "user_disabled"),
    ],
)
def test_post_message_refusals(web: WebClient, channel: str, error: str) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        web.chat_postMessage(channel=channel, text="hi")
    assert api_error(excinfo) == error


def test_dm_refused_when_the_messages_tab_is_off(fake: FakeSlack, web: WebClient) -> None:
    fake.messages_tab_enabled = False
    with pytest.raises(SlackApiError) as excinfo:
        web.chat_postMessage(channel=AMY, text="hi")
    assert api_error(excinfo) == "messages_tab_disabled"
    assert web.chat_postMessage(channel=GENERAL, text="hi")["ok"]


def test_post_ephemeral(fake: FakeSlack, web: WebClient) -> None:
    answer = web.chat_postEphemeral(channel=GENERAL, user=AMY, text="only you")
    assert answer["message_ts"]
    assert [m["text"] for m in fake.ephemerals(AMY)] == ["only you"]
    assert fake.ephemerals(MARIA) == []
    assert fake.messages(GENERAL) == []
    fake.add_user("U0OUTSIDE1", "outsider")
    with pytest.raises(SlackApiError) as excinfo:
        web.chat_postEphemeral(channel=GENERAL, user="U0OUTSIDE1", text="x")
    assert api_error(excinfo) == "user_not_in_channel"


def test_form_encoded_json_fields_are_decoded(fake: FakeSlack, web: WebClient) -> None:
    blocks = [section("hi")]
    web.api_call(
        "chat.postMessage", params={"channel": GENERAL, "text": "hi", "blocks": json.dumps(blocks)}
    )
    call = fake.calls_to("chat.postMessage")[-1]
    assert call.args["blocks"] == blocks
    assert call.token == TOKEN
    assert "token" not in call.args


def test_get_with_query_parameters_and_token_param(fake: FakeSlack) -> None:
    query = urlencode({"user": AMY, "token": TOKEN})
    with urllib.request.urlopen(f"{fake.base_url}users.info?{query}") as answer:
        body = json.loads(answer.read())
    assert (body["ok"], body["user"]["id"]) == (True, AMY)
    assert fake.calls_to("users.info")[-1].token == TOKEN


def test_delete_and_permalink(fake: FakeSlack, web: WebClient) -> None:
    ts = web.chat_postMessage(channel=GENERAL, text="hi")["ts"]
    link = web.chat_getPermalink(channel=GENERAL, message_ts=ts)["permalink"]
    assert link == f"https://acme.slack.com/archives/{GENERAL}/p{ts.replace('.', '')}"
    web.chat_delete(channel=GENERAL, ts=ts)
    assert fake.messages(GENERAL) == []


# Web API: payload limits ------------------------------------------------------------------


def test_a_block_over_a_limit_is_rejected_and_recorded(fake: FakeSlack, web: WebClient) -> None:
    header = {"type": "header", "text": plain("x" * 151)}
    with pytest.raises(SlackApiError) as excinfo:
        web.chat_postMessage(channel=GENERAL, text="hi", blocks=[header])
    assert api_error(excinfo) == "invalid_blocks"
    messages = excinfo.value.response["response_metadata"]["messages"]
    assert any("header text is 151 chars" in m for m in messages)
    assert any(v.startswith("chat.postMessage: ") and "151" in v for v in fake.limit_violations)
    assert fake.messages(GENERAL) == []


def test_a_view_too_large_is_refused(fake: FakeSlack, web: WebClient) -> None:
    blocks = [section("x" * 2900) for _ in range(90)]
    with pytest.raises(SlackApiError) as excinfo:
        web.views_publish(user_id=AMY, view={"type": "home", "blocks": blocks})
    assert api_error(excinfo) == "view_too_large"
    assert fake.home(AMY) is None


def test_an_invalid_modal_is_refused_as_invalid_arguments(fake: FakeSlack, web: WebClient) -> None:
    view = modal([section("hi")], title=plain("x" * 25))
    with pytest.raises(SlackApiError) as excinfo:
        web.views_open(trigger_id=fake.new_trigger_id(AMY), view=view)
    assert api_error(excinfo) == "invalid_arguments"
    assert any("views.open: modal title" in v for v in fake.limit_violations)


# Web API: views ---------------------------------------------------------------------------


def test_views_open_with_a_fresh_trigger(fake: FakeSlack, web: WebClient) -> None:
    view = modal([text_input("note")], callback_id="assign.submit", external_id="assign-1")
    opened = web.views_open(trigger_id=fake.new_trigger_id(AMY), view=view)["view"]
    assert opened["id"].startswith("V")
    assert opened["root_view_id"] == opened["id"]
    assert opened["previous_view_id"] is None
    assert opened["state"] == {"values": {}}
    assert opened["hash"] and opened["external_id"] == "assign-1"
    assert (opened["app_id"], opened["bot_id"], opened["team_id"]) == (
        "A0TRAINBOT",
        "B0BOT00001",
        "T0TRAIN001",
    )
    assert [v["id"] for v in fake.open_views(AMY)] == [opened["id"]]
    assert fake.open_views(MARIA) == []


def test_trigger_ids_are_single_use_and_unknown_ones_invalid(
    fake: FakeSlack, web: WebClient
) -> None:
    trigger = fake.new_trigger_id(AMY)
    web.views_open(trigger_id=trigger, view=modal([section("a")]))
    for trigger_id, error in [(trigger, "expired_trigger_id"), ("1.2.3", "invalid_trigger_id")]:
        with pytest.raises(SlackApiError) as excinfo:
            web.views_open(trigger_id=trigger_id, view=modal([section("a")]))
        assert api_error(excinfo) == error


def test_a_trigger_expires_after_three_seconds() -> None:
    clock = ManualClock()
    with FakeSlack(clock=clock) as fake:
        web = WebClient(token=TOKEN, base_url=fake.base_url)
        fresh, stale = fake.new_trigger_id(AMY), fake.new_trigger_id(AMY)
        clock.now += 2.9
        assert web.views_open(trigger_id=fresh, view=modal([section("a")]))["ok"]
        clock.now += 0.2
        with pytest.raises(SlackApiError) as excinfo:
            web.views_open(trigger_id=stale, view=modal([section("a")]))
        assert api_error(excinfo) == "expired_trigger_id"


def test_views_update_checks_the_hash(fake: FakeSlack, web: WebClient) -> None:
    view_id = open_modal(web, fake, modal([section("one")], external_id="ext-1"))
    old_hash = fake.view(view_id)["hash"]
    updated = web.views_update(view_id=view_id, hash=old_hash, view=modal([section("two")]))
    assert updated["view"]["id"] == view_id
    assert updated["view"]["hash"] != old_hash
    with pytest.raises(SlackApiError) as excinfo:
        web.views_update(view_id=view_id, hash=old_hash, view=modal([section("three")]))
    assert api_error(excinfo) == "hash_conflict"
    web.views_update(external_id="ext-1", view=modal([section("by external id")]))
    assert "by external id" in view_texts(fake.view(view_id))
    with pytest.raises(SlackApiError) as excinfo:
        web.views_update(view_id="V0NOPE", view=modal([section("x")]))
    assert api_error(excinfo) == "not_found"


def test_views_push_stacks_at_most_three(fake: FakeSlack, web: WebClient) -> None:
    root = open_modal(web, fake, modal([section("root")]))
    second = web.views_push(trigger_id=fake.new_trigger_id(AMY), view=modal([section("2")]))
    third = web.views_push(trigger_id=fake.new_trigger_id(AMY), view=modal([section("3")]))
    assert second["view"]["previous_view_id"] == root
    assert third["view"]["root_view_id"] == root
    with pytest.raises(SlackApiError) as excinfo:
        web.views_push(trigger_id=fake.new_trigger_id(AMY), view=modal([section("4")]))
    assert api_error(excinfo) == "push_limit_reached"
    assert len(fake.open_views(AMY)) == 3


def test_views_publish_keeps_one_home_per_user(fake: FakeSlack, web: WebClient) -> None:
    first = web.views_publish(user_id=AMY, view={"type": "home", "blocks": [section("a")]})
    again = web.views_publish(user_id=AMY, view={"type": "home", "blocks": [section("b")]})
    home = fake.home(AMY)
    assert home is not None and home["blocks"][0]["text"]["text"] == "b"
    assert again["view"]["id"] == first["view"]["id"]
    stale, home_c = first["view"]["hash"], {"type": "home", "blocks": [section("c")]}
    with pytest.raises(SlackApiError) as excinfo:
        web.views_publish(user_id=AMY, hash=stale, view=home_c)
    assert api_error(excinfo) == "hash_conflict"
    with pytest.raises(SlackApiError) as excinfo:
        web.views_publish(user_id=AMY, view=modal([section("a")]))
    assert api_error(excinfo) == "invalid_arguments"
    assert fake.home(MARIA) is None


# Web API: failures, waiting, response_url, files ----------------------------------------


def test_429_carries_retry_after_then_recovers(fake: FakeSlack, web: WebClient) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as excinfo:
        web.chat_postMessage(channel=GENERAL, text="hi")
    response = excinfo.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"
    assert web.chat_postMessage(channel=GENERAL, text="hi")["ok"]
    assert [c.http_status for c in fake.calls_to("chat.postMessage")] == [429, 200]


def test_a_5xx_and_a_named_error(fake: FakeSlack, web: WebClient) -> None:
    fake.fail("users.info", status=503)
    fake.fail("users.info", error="fatal_error", times=2)
    with pytest.raises(SlackApiError) as excinfo:
        web.users_info(user=AMY)
    assert excinfo.value.response.status_code == 503
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            web.users_info(user=AMY)
        assert excinfo.value.response.status_code == 200
        assert api_error(excinfo) == "fatal_error"
    assert web.users_info(user=AMY)["ok"]
    fake.fail("users.info", error="fatal_error")
    fake.clear_failures()
    assert web.users_info(user=AMY)["ok"]


def test_wait_for_call_waits_and_times_out_helpfully(fake: FakeSlack, web: WebClient) -> None:
    timer = threading.Timer(0.2, lambda: web.chat_postMessage(channel=GENERAL, text="later"))
    timer.start()
    call = fake.wait_for_call("chat.postMessage", lambda c: c.args["text"] == "later")
    assert call.response["ok"] is True
    timer.join()
    with pytest.raises(AssertionError, match=r"views\.open.*chat\.postMessage"):
        fake.wait_for_call("views.open", timeout=0.1)
    fake.reset_calls()
    assert fake.calls == []


def test_response_url_posts_are_recorded_and_applied(fake: FakeSlack, web: WebClient) -> None:
    ts = web.chat_postMessage(channel=GENERAL, text="original")["ts"]
    url = fake.response_url("k1", user=AMY, channel=GENERAL, message_ts=ts)
    hook = WebhookClient(url)
    assert hook.send(text="only amy sees this").status_code == 200
    assert hook.send(text="replaced", replace_original=True).status_code == 200
    assert hook.send(text="for all", response_type="in_channel").status_code == 200
    assert [m["text"] for m in fake.messages(GENERAL)] == ["replaced", "for all"]
    assert [m["text"] for m in fake.ephemerals(AMY)] == ["only amy sees this"]
    assert hook.send(text="x", delete_original=True).status_code == 200
    assert [m["text"] for m in fake.messages(GENERAL)] == ["for all"]
    assert hook.send(blocks=[section("no fallback text")]).status_code == 400
    assert any("response_url k1" in v for v in fake.limit_violations)
    used = hook.send(text="sixth")
    assert (used.status_code, used.body) == (404, "used_url")
    assert len(fake.responses("k1")) == 5
    assert fake.response_texts()[:3] == ["only amy sees this", "replaced", "for all"]


def test_wait_for_response_text(fake: FakeSlack) -> None:
    hook = WebhookClient(fake.response_url("k2", user=AMY, channel=GENERAL))
    timer = threading.Timer(0.2, lambda: hook.send(text="Maria is now a manager"))
    timer.start()
    assert fake.wait_for_response_text("now a manager") == "Maria is now a manager"
    timer.join()
    with pytest.raises(AssertionError, match="Maria is now a manager"):
        fake.wait_for_response_text("never said", timeout=0.1)


def test_files_upload_v2(fake: FakeSlack, web: WebClient) -> None:
    answer = web.files_upload_v2(
        content=b"a,b\n", filename="x.csv", channel=GENERAL, initial_comment="Report"
    )
    file_id = answer["file"]["id"]
    assert fake.files[file_id]["content"] == b"a,b\n"
    assert fake.files[file_id]["name"] == "x.csv"
    shared = fake.messages(GENERAL)[-1]
    assert shared["text"] == "Report" and shared["files"][0]["id"] == file_id
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    assert web.files_info(file=file_id)["file"]["size"] == 4


# SlackClient: signing -------------------------------------------------------------------


def test_sign_reproduces_slacks_documented_example() -> None:
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    assert sign(secret, "1531420618", body) == expected

    class Then(Clock):
        def now(self) -> float:
            return 1531420618.0

    assert SignatureVerifier(secret, clock=Then()).is_valid(body, "1531420618", expected)


def test_requests_verify_with_slack_sdk(slack: SlackClient, receiver: Receiver) -> None:
    slack.command("/assign", "python", user=AMY)
    slack.event({"type": "app_home_opened", "user": AMY, "channel": "D0AMY0001", "tab": "home"})
    assert len(receiver.requests) == 2
    for request in receiver.requests:
        assert request.signature_ok
        verifier = SignatureVerifier(SECRET)
        ts, sig = request.headers["x-slack-request-timestamp"], request.headers["x-slack-signature"]
        assert verifier.is_valid(request.body, ts, sig)


def test_send_raw_passes_bad_signatures_and_stale_timestamps(
    slack: SlackClient, receiver: Receiver
) -> None:
    body = b"command=%2Fassign"
    forged = slack.send_raw(body, "application/x-www-form-urlencoded", signature="v0=00")
    stale = slack.send_raw(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 301
    )
    assert (forged.status, stale.status) == (401, 401)
    assert receiver.requests[0].headers["x-slack-signature"] == "v0=00"


# SlackClient: payload shapes ------------------------------------------------------------


def test_slash_command_form(
    slack: SlackClient, receiver: Receiver, fake: FakeSlack, web: WebClient
) -> None:
    assert slack.fake is fake
    text = f"{slack.mention(AMY)} {subteam_ref('S0SUPPORT', 'support')} python"
    assert text.startswith("<@U0AMY0001|amy> <!subteam^S0SUPPORT|@support>")
    answer = slack.command("/assign", text, user=MARIA)
    assert answer.status == 200
    form = receiver.requests[0].form
    expected_keys = {
        "token",
        "team_id",
        "team_domain",
        "enterprise_id",
        "enterprise_name",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert set(form) == expected_keys
    assert (form["user_name"], form["channel_name"], form["text"]) == ("maria", "general", text)
    assert web.views_open(trigger_id=form["trigger_id"], view=modal([section("a")]))["ok"]
    assert WebhookClient(form["response_url"]).send(text="done").status_code == 200
    assert fake.response_texts() == ["done"]
    assert mention(BOB, "bob") == "<@U0BOB0001|bob>"


def test_events_envelope_and_retries(slack: SlackClient, receiver: Receiver) -> None:
    slack.app_home_opened(AMY)
    slack.event({"type": "member_joined_channel", "user": AMY}, event_id="Ev1", retry_num=1)
    first, retry = receiver.requests
    envelope = first.payload
    assert envelope["type"] == "event_callback"
    assert envelope["event"]["channel"] == "D0AMY0001"
    assert envelope["authorizations"][0]["user_id"] == "U0BOT00001"
    assert "x-slack-retry-num" not in first.headers
    assert retry.payload["event_id"] == "Ev1"
    assert retry.headers["x-slack-retry-num"] == "1"
    assert retry.headers["x-slack-retry-reason"] == "http_timeout"


ALL_INPUTS = [
    text_input("note", optional=True),
    {
        "type": "input",
        "block_id": "priority",
        "label": plain("Priority"),
        "element": {
            "type": "static_select",
            "action_id": "pick",
            "initial_option": option("normal", "Normal"),
            "options": [option("low", "Low"), option("normal", "Normal"), option("high", "High")],
        },
    },
    {
        "type": "input",
        "block_id": "resource",
        "label": plain("Training"),
        "element": {"type": "external_select", "action_id": "pick"},
    },
    {
        "type": "input",
        "block_id": "people",
        "label": plain("People"),
        "element": {"type": "multi_users_select", "action_id": "pick"},
    },
    {
        "type": "input",
        "block_id": "due",
        "label": plain("Due"),
        "element": {"type": "datepicker", "action_id": "pick"},
    },
]


def test_submit_view_reports_every_input_in_slacks_shapes(
    slack: SlackClient, receiver: Receiver, fake: FakeSlack, web: WebClient
) -> None:
    view_id = open_modal(web, fake, modal(ALL_INPUTS, callback_id="assign.submit"))
    slack.submit_view(user=AMY, values={"resource": ("res:17", "Python"), "people": [AMY, MARIA]})
    payload = receiver.requests[0].payload
    assert payload["type"] == "view_submission"
    assert payload["user"] == {"id": AMY, "username": "amy", "name": "amy", "team_id": "T0TRAIN001"}
    assert payload["view"]["id"] == view_id and payload["view"]["callback_id"] == "assign.submit"
    assert payload["view"]["state"]["values"] == {
        "note": {"pick": {"type": "plain_text_input", "value": None}},
        "priority": {
            "pick": {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "Normal", "emoji": True},
                    "value": "normal",
                },
            }
        },
        "resource": {
            "pick": {
                "type": "external_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "Python", "emoji": True},
                    "value": "res:17",
                },
            }
        },
        "people": {"pick": {"type": "multi_users_select", "selected_users": [AMY, MARIA]}},
        "due": {"pick": {"type": "datepicker", "selected_date": None}},
    }
    assert fake.open_views(AMY) == []  # an empty ack closes the modal
    open_modal(web, fake, modal(ALL_INPUTS))
    with pytest.raises(AssertionError, match="inputs"):
        slack.submit_view(user=AMY, values={"nope": "x"})


def test_submission_answers_drive_the_modal_stack(
    slack: SlackClient, receiver: Receiver, fake: FakeSlack, web: WebClient
) -> None:
    view_id = open_modal(web, fake, modal([text_input("note")]))
    receiver.answer({"response_action": "errors", "errors": {"note": "Say more"}})
    answer = slack.submit_view(user=AMY, values={"note": "x"})
    assert answer.json == {"response_action": "errors", "errors": {"note": "Say more"}}
    assert [v["id"] for v in fake.open_views(AMY)] == [view_id]

    old_hash = fake.view(view_id)["hash"]
    receiver.answer({"response_action": "update", "view": modal([text_input("again")])})
    slack.submit_view(user=AMY, values={"note": "longer"})
    (updated,) = fake.open_views(AMY)
    assert (updated["id"], updated["blocks"][0]["block_id"]) == (view_id, "again")
    assert updated["hash"] != old_hash

    receiver.answer({"response_action": "push", "view": modal([text_input("more")])})
    slack.submit_view(user=AMY, values={"again": "x"})
    assert len(fake.open_views(AMY)) == 2
    slack.submit_view(user=AMY, values={"more": "x"})  # empty ack: closes just the top
    assert [v["id"] for v in fake.open_views(AMY)] == [view_id]

    receiver.answer({"response_action": "clear"})
    slack.submit_view(user=AMY, values={"again": "x"})
    assert fake.open_views(AMY) == []
    assert fake.limit_violations == []


def test_a_bad_submission_answer_is_recorded(
    slack: SlackClient, receiver: Receiver, fake: FakeSlack, web: WebClient
) -> None:
    open_modal(web, fake, modal([text_input("note")]))
    receiver.answer({"response_action": "errors", "errors": {"not_an_input": "x"}})
    slack.submit_view(user=AMY, values={"note": "x"})
    assert any("not_an_input" in v for v in fake.limit_violations)
    assert len(fake.open_views(AMY)) == 1


def test_block_actions_from_a_message_and_from_a_view(
    slack: SlackClient, receiver: Receiver, fake: FakeSlack, web: WebClient
) -> None:
    actions = {
        "type": "actions",
        "block_id": "assignment:42",
        "elements": [button("done", "Done", "42")],
    }
    web.chat_postMessage(channel=AMY, text="New training", blocks=[actions])
    slack.click(user=AMY, action_id="done")
    payload = receiver.requests[-1].payload
    assert payload["container"]["type"] == "message"
    assert payload["container"]["channel_id"] == fake.dm_channel(AMY)
    assert payload["channel"]["name"] == "directmessage"
    assert payload["message"]["text"] == "New training"
    assert payload["actions"][0] | {"action_ts": ""} == {
        "type": "button",
        "action_id": "done",
        "block_id": "assignment:42",
        "text": plain("Done"),
        "value": "42",
        "action_ts": "",
    }
    replaced = WebhookClient(payload["response_url"]).send(text="ok", replace_original=True)
    assert replaced.status_code == 200
    assert fake.messages(fake.dm_channel(AMY))[0]["text"] == "ok"

    with pytest.raises(AssertionError, match="done"):
        slack.click(user=AMY, action_id="missing")

    filters = {
        "type": "actions",
        "block_id": "filters",
        "elements": [
            {"type": "static_select", "action_id": "filter", "options": [option("overdue")]}
        ],
    }
    view_id = open_modal(web, fake, modal([filters, text_input("note", optional=True)]))
    slack.select(user=AMY, view_id=view_id, action_id="filter", value="overdue")
    payload = receiver.requests[-1].payload
    assert payload["container"] == {"type": "view", "view_id": view_id}
    assert payload["actions"][0]["selected_option"]["value"] == "overdue"
    assert payload["view"]["state"]["values"]["note"]["pick"]["value"] is None
    assert payload["view"]["state"]["values"]["filters"]["filter"]["type"] == "static_select"


def test_close_view_notifies_only_when_asked_by_the_view(
    slack: SlackClient, receiver: Receiver, fake: FakeSlack, web: WebClient
) -> None:
    open_modal(web, fake, modal([section("quiet")]))
    assert slack.close_view(user=AMY) is None
    assert receiver.requests == [] and fake.open_views(AMY) == []
    open_modal(web, fake, modal([section("loud")], notify_on_close=True))
    answer = slack.close_view(user=AMY, notify=True)
    assert answer is not None and answer.status == 200
    assert receiver.requests[0].payload["type"] == "view_closed"


def test_suggest_checks_the_options_answer(
    slack: SlackClient, receiver: Receiver, fake: FakeSlack, web: WebClient
) -> None:
    view_id = open_modal(web, fake, modal(ALL_INPUTS))
    receiver.answer({"options": [option(f"v{i}") for i in range(3)]})
    answer = slack.suggest(user=AMY, view_id=view_id, action_id="pick", value="pyth")
    assert answer.json is not None and len(answer.json["options"]) == 3
    payload = receiver.requests[0].payload
    assert (payload["type"], payload["block_id"], payload["value"]) == (
        "block_suggestion",
        "resource",
        "pyth",
    )
    assert fake.limit_violations == []
    receiver.answer({"options": [option(f"v{i}") for i in range(101)]})
    slack.suggest(user=AMY, view_id=view_id, action_id="pick", value="p")
    assert any("101 options" in v for v in fake.limit_violations)


def test_shortcut_payload(slack: SlackClient, receiver: Receiver, web: WebClient) -> None:
    slack.shortcut("assign_training", user=MARIA)
    payload = receiver.requests[0].payload
    assert (payload["type"], payload["callback_id"]) == ("shortcut", "assign_training")
    assert payload["team"] == {"id": "T0TRAIN001", "domain": "acme"}
    assert web.views_open(trigger_id=payload["trigger_id"], view=modal([section("a")]))["ok"]


# End to end with a real Bolt app ------------------------------------------------------------


class BoltServer:
    """Serves a Bolt App over HTTP with app.dispatch, like any adapter would."""

    def __init__(self, app: App) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                headers: dict[str, str | Sequence[str]] = dict(self.headers.items())
                reply = app.dispatch(BoltRequest(body=body, headers=headers))
                data = reply.body.encode()
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_real_bolt_app_round_trip(fake: FakeSlack) -> None:
    app = App(client=WebClient(token=TOKEN, base_url=fake.base_url), signing_secret=SECRET)

    @app.command("/assign")
    def open_form(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = modal([text_input("note")], callback_id="note.submit")
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view("note.submit")
    def save(ack: Any, view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        note = view["state"]["values"]["note"]["pick"]["value"]
        if len(note) < 3:
            ack(response_action="errors", errors={"note": "Say more"})
            return
        ack()
        client.chat_postMessage(channel=body["user"]["id"], text=f"noted: {note}")

    bolt = BoltServer(app)
    try:
        slack = SlackClient(bolt.url, SECRET, fake)
        assert slack.command("/assign", user=AMY).status == 200
        fake.wait_for_call("views.open")
        refused = slack.submit_view(user=AMY, values={"note": "x"})
        assert refused.json == {"response_action": "errors", "errors": {"note": "Say more"}}
        assert slack.submit_view(user=AMY, values={"note": "python"}).status == 200
        fake.wait_for_call("chat.postMessage")
        assert fake.messages(fake.dm_channel(AMY))[-1]["text"] == "noted: python"
        assert fake.open_views(AMY) == []
        forged = slack.send_raw(
            b"command=%2Fassign", "application/x-www-form-urlencoded", signature="v0=bad"
        )
        assert forged.status == 401
        assert fake.calls[0].method == "auth.test"  # App() checks its token at start
    finally:
        bolt.close()


# bot.slack_limits -------------------------------------------------------------------------


def message_with(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"text": "fallback", "blocks": list(blocks)}


def actions_block(*elements: dict[str, Any], block_id: str = "a") -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def select(count: int, text: str = "x", value: str = "v") -> dict[str, Any]:
    options = [option(f"{value}{i}" if count > 1 else value, text) for i in range(count)]
    return {
        "type": "static_select",
        "action_id": "s",
        "placeholder": plain("p"),
        "options": options,
    }


def overflow(count: int) -> dict[str, Any]:
    return {
        "type": "overflow",
        "action_id": "o",
        "options": [option(f"o{i}") for i in range(count)],
    }


def fields(count: int, length: int = 5) -> dict[str, Any]:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * length}] * count}


def context(count: int) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * count}


@pytest.mark.parametrize(
    ("ok", "bad", "needle"),
    [
        ([section("x")] * 50, [section("x")] * 51, "51 blocks"),
        ([{"type": "divider"}], [{"type": "carousel_of_dreams"}], "unknown block type"),
        (
            [{"type": "header", "text": plain("x" * 150)}],
            [{"type": "header", "text": plain("x" * 151)}],
            "header text",
        ),
        ([section("x" * 3000)], [section("x" * 3001)], "section text"),
        ([fields(10)], [fields(11)], "11 section fields"),
        ([fields(1, 2000)], [fields(1, 2001)], "field 0 text"),
        (
            [actions_block(button("b", "x" * 75))],
            [actions_block(button("b", "x" * 76))],
            "button text",
        ),
        (
            [actions_block(button("b", value="x" * 2000))],
            [actions_block(button("b", value="x" * 2001))],
            "button value",
        ),
        (
            [actions_block(button("b") | {"url": "https://x/" + "y" * 2990})],
            [actions_block(button("b") | {"url": "https://x/" + "y" * 2991})],
            "button url",
        ),
        ([actions_block(select(100))], [actions_block(select(101))], "101 options"),
        (
            [actions_block(select(1, text="x" * 75))],
            [actions_block(select(1, text="x" * 76))],
            "option 0 text",
        ),
        (
            [actions_block(select(1, value="v" * 150))],
            [actions_block(select(1, value="v" * 151))],
            "option 0 value",
        ),
        (
            [actions_block(*[button(f"b{i}") for i in range(25)])],
            [actions_block(*[button(f"b{i}") for i in range(26)])],
            "26 elements in actions",
        ),
        ([context(10)], [context(11)], "11 elements in context"),
        ([actions_block(overflow(5))], [actions_block(overflow(6))], "overflow has 6"),
        ([actions_block(button("a" * 255))], [actions_block(button("a" * 256))], "action_id"),
        ([section("x", block_id="b" * 255)], [section("x", block_id="b" * 256)], "block_id"),
        (
            [section("x", block_id="one"), section("y", block_id="two")],
            [section("x", block_id="one"), section("y", block_id="one")],
            "duplicate block_id",
        ),
        (
            [actions_block(button("a"), block_id="1"), actions_block(button("a"), block_id="2")],
            [actions_block(button("a"), button("a"))],
            "duplicate action_id",
        ),
    ],
)
def test_message_limits(ok: list[Any], bad: list[Any], needle: str) -> None:
    assert check_message(message_with(*ok)) == []
    problems = check_message(message_with(*bad))
    assert any(needle in p for p in problems), problems


def test_message_text_rules() -> None:
    assert check_message({"blocks": [section("x")]}) != []
    assert check_message({"text": " ", "blocks": [section("x")]}) != []
    assert check_message({"text": "x" * 4001}) == []
    assert check_message({"text": "x" * 4001}, method="chat.update") != []
    assert check_message({"text": "x" * 4000}, method="chat.update") == []


def test_errors_name_the_block() -> None:
    (problem,) = check_message(message_with(section("x", block_id="intro"), {"type": "nope"}))
    assert problem.startswith("block 1")


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"blocks": [section("x")] * 101}, "101 blocks"),
        ({"type": "sheet"}, "view type"),
        ({"title": plain("x" * 25)}, "title"),
        ({"submit": plain("x" * 25)}, "submit"),
        ({"close": plain("x" * 25)}, "close"),
        ({"private_metadata": "x" * 3001}, "private_metadata"),
        ({"callback_id": "x" * 256}, "callback_id"),
        ({"blocks": [section("x" * 2900)] * 90}, "view_too_large"),
        ({"blocks": [text_input("n")]}, "submit button"),
        ({"blocks": [{"type": "made_up"}]}, "unknown block type"),
    ],
)
def test_view_limits(change: dict[str, Any], needle: str) -> None:
    base = {
        "type": "modal",
        "title": plain("x" * 24),
        "close": plain("x" * 24),
        "private_metadata": "x" * 3000,
        "callback_id": "c" * 255,
        "blocks": [section("x")] * 100,
    }
    assert check_view(base) == []
    problems = check_view({**base, **change})
    assert any(needle in p for p in problems), problems


def test_home_views() -> None:
    assert check_view({"type": "home", "blocks": [section("x")]}) == []
    assert check_view({"type": "home", "blocks": [section("x")], "submit": plain("x")}) != []


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        ({"options": [option(f"v{i}") for i in range(101)]}, "101 options"),
        ({"options": [option("v", "x" * 76)]}, "text"),
        ({"options": [option("v" * 151)]}, "value"),
        ({}, "exactly one"),
        ({"options": [], "option_groups": []}, "exactly one"),
        ({"option_groups": [{"label": plain("g"), "options": [option("v" * 151)]}]}, "value"),
    ],
)
def test_option_answers(answer: dict[str, Any], needle: str) -> None:
    assert check_options({"options": [option(f"v{i}") for i in range(100)]}) == []
    assert check_options({"option_groups": [{"label": plain("g"), "options": [option("a")]}]}) == []
    assert any(needle in p for p in check_options(answer))


def test_view_submission_acks() -> None:
    view = modal([text_input("note")])
    assert check_view_submission_ack({}) == []
    assert check_view_submission_ack({"response_action": "clear"}) == []
    errors = {"response_action": "errors", "errors": {"note": "Too short"}}
    assert check_view_submission_ack(errors, view=view) == []
    wrong_key = {"response_action": "errors", "errors": {"other": "x"}}
    assert check_view_submission_ack(wrong_key, view=view) != []
    assert check_view_submission_ack({"response_action": "errors", "errors": {}}) != []
    assert check_view_submission_ack({"response_action": "explode"}) != []
    assert check_view_submission_ack({"response_action": "push", "view": view}) == []
    too_long = {"response_action": "update", "view": modal([section("x")], title=plain("x" * 25))}
    assert check_view_submission_ack(too_long) != []
    assert check_view_submission_ack({"text": "hello"}) != []

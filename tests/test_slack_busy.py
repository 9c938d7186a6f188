"""Slack refusing a call the /assign modal makes before its ack (a 429 with a long
Retry-After, a 5xx): the modal says to submit again at once, instead of the ack waiting
out the Retry-After past Slack's 3 s; the next submission goes through."""

from __future__ import annotations

import pytest

from bot.fakeslack import SlackClient
from bot.ids import Block
from bot.usergroups import BUSY
from handlers.unavailable import SLACK_BUSY
from tests.conftest import AMY, BOB, RunningApp
from tests.support.seed import load_starter
from tests.test_assign_flow import git_option, open_assign

GROUP = "S0TEAM0001"


@pytest.mark.parametrize(
    ("method", "failure"),
    [
        ("usergroups.users.list", {"status": 429, "retry_after": 30}),
        ("conversations.members", {"status": 503}),
    ],
)
def test_a_busy_slack_is_told_in_the_modal_not_waited_out(
    slack: SlackClient, app_server: RunningApp, manager: str, method: str, failure: dict[str, int]
) -> None:
    load_starter(app_server)
    slack.fake.add_usergroup(GROUP, "team", members=[AMY, BOB])
    view = open_assign(slack, manager)
    target = (
        {Block.GROUPS: [(GROUP, "@team")]}
        if method.startswith("usergroups")
        else {Block.CHANNELS: ["C0GENERAL1"]}
    )
    values = {Block.RESOURCE: git_option(slack, manager, view), **target}
    slack.fake.fail(method, **failure)  # type: ignore[arg-type]

    refused = slack.submit_view(user=manager, view_id=view["id"], values=values)
    assert refused.json is not None and refused.json["response_action"] == "errors"
    assert list(refused.json["errors"].values()) == [BUSY]
    assert len(slack.fake.calls_to(method)) == 1  # asked once, not retried after a sleep

    again = slack.submit_view(user=manager, view_id=view["id"], values=values)
    assert again.status == 200 and again.json is None


def test_slack_failing_after_the_ack_is_told_plainly_not_as_our_bug(
    slack: SlackClient, app_server: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.fail("views.open", status=502)  # a 502 is not retried by slack_sdk
    assert slack.command("/library", "", user=AMY).status == 200
    slack.fake.wait_for_response_text(SLACK_BUSY)
    app_server.settle()
    logged = [r for r in caplog.records if r.name.startswith("trainbot")]
    assert not [r for r in logged if r.exc_info or "unexpected error" in r.getMessage()]

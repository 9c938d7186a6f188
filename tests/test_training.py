"""/training: help tuned to the caller, roles, and usage for what it does not know."""

from __future__ import annotations

import logging

import pytest

from bot.fakeslack import SlackClient
from tests.conftest import ADMIN, AMY, BOB, MANAGER, RunningApp
from tests.support.waiting import eventually


def reply_to(slack: SlackClient, text: str, user: str) -> str:
    """The ephemeral reply (through the command's response_url) to `/training text`."""
    slack.command("/training", text, user=user)
    key = slack.last_response_key
    assert key is not None
    reply = eventually(lambda: slack.fake.responses(key), what=f"a reply to /training {text}")[-1]
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    return str(reply.get("text", "")) + " " + str(reply.get("blocks", ""))


def test_help_for_a_member_lists_what_members_can_do(
    slack: SlackClient, app_server: RunningApp
) -> None:
    text = reply_to(slack, "", AMY)
    assert "/library" in text
    assert "/training add" not in text
    assert "/training role" not in text


def test_help_for_a_manager_adds_curation(slack: SlackClient, manager: str) -> None:
    text = reply_to(slack, "help", manager)
    assert "/training add" in text
    assert "/training role" not in text


def test_help_for_an_admin_adds_roles(slack: SlackClient, app_server: RunningApp) -> None:
    text = reply_to(slack, "help", ADMIN)
    assert "/training role" in text


def test_an_unknown_subcommand_gets_the_help(slack: SlackClient, app_server: RunningApp) -> None:
    text = reply_to(slack, "frobnicate", AMY)
    assert "I don't know `/training frobnicate`" in text
    assert "/library" in text


@pytest.mark.parametrize(
    "args",
    ["role", f"role <@{BOB}|bob>", f"role <@{BOB}|bob> boss", "role bob manager"],
)
def test_role_usage_is_explained(slack: SlackClient, app_server: RunningApp, args: str) -> None:
    assert "Usage: `/training role @person manager`" in reply_to(slack, args, ADMIN)


def test_only_admins_change_roles(slack: SlackClient, app_server: RunningApp) -> None:
    assert "Only Trainbot admins can change roles." in reply_to(
        slack, f"role <@{BOB}|bob> manager", AMY
    )


def test_slack_admins_stay_admins(slack: SlackClient, app_server: RunningApp) -> None:
    assert "is a Slack workspace admin" in reply_to(slack, f"role <@{ADMIN}|ada> member", ADMIN)


def test_an_admin_makes_a_manager(slack: SlackClient, app_server: RunningApp) -> None:
    assert f"<@{MANAGER}> is now a Trainbot manager." in reply_to(
        slack, f"role <@{MANAGER}|maria> manager", ADMIN
    )
    assert "/training add" in reply_to(slack, "help", MANAGER)


def test_an_unexpected_failure_gets_an_apology_with_a_reference(
    slack: SlackClient, app_server: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.fail("views.open", error="internal_error")
    with caplog.at_level(logging.ERROR, logger="trainbot.errors"):
        slack.command("/library", "", user=AMY)
        reply = slack.fake.wait_for_response_text("Sorry, something went wrong on our side")
    reference = reply.split("reference `")[1].split("`")[0]
    assert len(reference) == 8
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None  # the traceback is in the log, not in Slack
    assert "Traceback" not in reply

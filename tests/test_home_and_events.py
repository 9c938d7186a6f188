"""App Home, Events API retries, and profiles kept current from user_change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from bot.fakeslack import SlackClient, find_action_ids, view_texts
from bot.ids import Action
from models import Member
from tests.conftest import AMY, RunningApp
from tests.support.waiting import eventually


def test_opening_home_publishes_a_personal_dashboard(
    slack: SlackClient, app_server: RunningApp
) -> None:
    slack.app_home_opened(AMY)
    published = slack.fake.wait_for_call("views.publish")
    assert published.args["user_id"] == AMY
    home = slack.fake.home(AMY)
    assert home is not None
    assert "My learning" in view_texts(home)
    assert "Hi amy! Nothing assigned to you yet." in view_texts(home)
    assert Action.HOME_BROWSE in find_action_ids(home)
    assert Action.CONTENT_ADD not in find_action_ids(home)


def test_home_opens_for_someone_whose_timezone_this_host_does_not_know(
    slack: SlackClient, app_server: RunningApp
) -> None:
    # Slack's tz database can be newer than the host's: the default zone stands in.
    slack.fake.add_user("U0NEWTZ001", "nadia", tz="Europe/Atlantis")
    slack.app_home_opened("U0NEWTZ001")
    published = slack.fake.wait_for_call("views.publish")
    assert published.args["user_id"] == "U0NEWTZ001"
    assert "Hi nadia! Nothing assigned to you yet." in view_texts(slack.fake.home("U0NEWTZ001"))


def test_a_managers_home_offers_add_content(slack: SlackClient, manager: str) -> None:
    slack.app_home_opened(manager)
    slack.fake.wait_for_call("views.publish", lambda c: c.args["user_id"] == manager)
    assert Action.CONTENT_ADD in find_action_ids(slack.fake.home(manager) or {})


def test_a_retried_event_is_handled_once(slack: SlackClient, app_server: RunningApp) -> None:
    event = {"type": "app_home_opened", "user": AMY, "tab": "home", "event_ts": "1764150300.0002"}
    assert slack.event(event, event_id="Ev0RETRY001").status == 200
    assert slack.event(event, event_id="Ev0RETRY001", retry_num=1).status == 200
    app_server.settle()
    assert len(slack.fake.calls_to("views.publish")) == 1
    assert slack.event(event, event_id="Ev0RETRY002").status == 200
    app_server.settle()
    assert len(slack.fake.calls_to("views.publish")) == 2


def test_the_messages_tab_does_not_publish_home(slack: SlackClient, app_server: RunningApp) -> None:
    slack.app_home_opened(AMY, tab="messages")
    app_server.settle()
    assert slack.fake.calls_to("views.publish") == []


def test_browse_from_home_opens_the_library(slack: SlackClient, app_server: RunningApp) -> None:
    slack.app_home_opened(AMY)
    slack.fake.wait_for_call("views.publish")
    slack.click(user=AMY, action_id=Action.HOME_BROWSE)
    slack.fake.wait_for_call("views.open")
    assert slack.fake.open_views(AMY)[-1]["title"]["text"] == "Training library"


def test_help_from_home_arrives_as_a_dm(slack: SlackClient, app_server: RunningApp) -> None:
    slack.app_home_opened(AMY)
    slack.fake.wait_for_call("views.publish")
    slack.click(user=AMY, action_id=Action.HOME_HELP)
    message = slack.fake.wait_for_call("chat.postMessage")
    assert message.args["channel"] == AMY
    assert "/library" in view_texts(message.args)


def test_user_change_updates_timezone_and_deactivation(
    slack: SlackClient, app_server: RunningApp, engine: Engine
) -> None:
    slack.app_home_opened(AMY)  # first contact: the profile comes from users.info
    slack.fake.wait_for_call("views.publish")
    profile_calls = len(slack.fake.calls_to("users.info"))
    user = slack.fake.update_user(AMY, tz="America/Los_Angeles", deleted=True)
    assert (
        slack.event({"type": "user_change", "user": user, "event_ts": "1764150600.0001"}).status
        == 200
    )

    def deactivated() -> Any:
        with engine.connect() as conn:
            row = conn.execute(select(Member).where(Member.slack_user_id == AMY)).one()
            return row if row.is_deactivated else None

    row = eventually(deactivated, what="Amy's deactivation to be stored")
    assert row.tz == "America/Los_Angeles"
    # Knowing people does not cost a users.info call per request.
    slack.app_home_opened(AMY)
    slack.fake.wait_for_call(
        "views.publish", lambda c: len(slack.fake.calls_to("views.publish")) == 2
    )
    assert len(slack.fake.calls_to("users.info")) == profile_calls


def test_a_new_managers_home_is_redrawn_with_their_new_powers(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    app_server.settle()
    home = slack.fake.home(manager)
    assert home is not None
    assert Action.CONTENT_ADD in find_action_ids(home)

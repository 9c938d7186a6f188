"""/assign to user groups: chosen by typeahead or mention, resolved when submitted."""

from __future__ import annotations

from typing import Any

from bot.fakeslack import SlackClient, subteam_ref, view_texts
from bot.ids import Action, Block
from tests.conftest import AMY, BOB, RunningApp
from tests.support.library import top_view
from tests.support.seed import load_starter
from tests.test_assign_flow import git_option, open_assign

DEVS = "S0DEVS0001"


def block(view: dict[str, Any], block_id: str) -> dict[str, Any] | None:
    return next((b for b in view["blocks"] if b.get("block_id") == block_id), None)


def group_option(slack: SlackClient, user: str, view: dict[str, Any], words: str) -> list[Any]:
    answer = slack.suggest(
        user=user, view_id=view["id"], action_id=Action.ASSIGN_GROUPS, value=words
    )
    assert answer.json is not None
    return [(o["value"], o["text"]["text"]) for o in answer.json["options"]]


def test_everyone_in_a_user_group_gets_the_assignment(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    slack.fake.add_usergroup(DEVS, "devs", name="Developers", members=[AMY, BOB])
    slack.fake.add_usergroup("S0SALES001", "sales", members=[manager])
    view = open_assign(slack, manager, f"{subteam_ref(DEVS, 'devs')} pro git")
    app_server.settle()
    groups = block(view, Block.GROUPS)
    assert groups is not None
    assert [o["text"]["text"] for o in groups["element"]["initial_options"]] == ["@devs"]
    assert group_option(slack, manager, view, "dev") == [(DEVS, "@devs (Developers)")]
    assert len(group_option(slack, manager, view, "")) == 2
    assert len(slack.fake.calls_to("usergroups.list")) == 1  # Tier 2: listed once, then cached

    slack.submit_view(
        user=manager,
        view_id=view["id"],
        values={
            Block.RESOURCE: git_option(slack, manager, view),
            Block.GROUPS: [(DEVS, "@devs (Developers)")],
            Block.PEOPLE: [AMY],
        },
    )
    app_server.settle()
    recipients = sorted(c.args["channel"] for c in slack.fake.calls_to("chat.postMessage"))
    assert recipients == sorted([AMY, BOB])  # Amy, chosen twice, gets one DM
    confirmation = slack.fake.calls_to("chat.postEphemeral")[-1]
    assert "to 2 people" in view_texts(confirmation.args)
    # The manager hears first, not after every DM it announces has gone out.
    first_dm = slack.fake.calls_to("chat.postMessage")[0]
    assert slack.fake.calls.index(confirmation) < slack.fake.calls.index(first_dm)


def test_groups_that_cannot_be_read_are_named_in_the_modal(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    slack.fake.add_usergroup(DEVS, "devs", members=[AMY])
    slack.fake.add_usergroup("S0EMPTY001", "nobody")
    view = open_assign(slack, manager)
    slack.fake.disable_usergroup(DEVS)  # an admin disables it while the modal is open
    response = slack.submit_view(
        user=manager,
        view_id=view["id"],
        values={
            Block.RESOURCE: git_option(slack, manager, view),
            Block.GROUPS: [(DEVS, "@devs"), ("S0EMPTY001", "@nobody")],
        },
    )
    assert response.json is not None
    assert response.json["errors"] == {
        Block.GROUPS: "@devs no longer exists. @nobody has nobody in it."
    }
    assert slack.fake.calls_to("chat.postMessage") == []


def test_on_a_free_plan_the_modal_says_why_there_are_no_groups(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    slack.fake.paid_plan = False
    open_assign(slack, manager)  # opened at once, then redrawn once Slack has answered
    app_server.settle()
    view = top_view(slack, manager)
    assert block(view, Block.GROUPS) is None
    assert "User groups need a paid Slack plan." in view_texts(view)
    open_assign(slack, manager)  # known now: drawn so from the start
    assert block(top_view(slack, manager), Block.GROUPS) is None


def test_a_plan_downgrade_while_the_modal_is_open_is_explained(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    slack.fake.add_usergroup(DEVS, "devs", members=[AMY])
    view = open_assign(slack, manager)
    app_server.settle()
    slack.fake.paid_plan = False
    response = slack.submit_view(
        user=manager,
        view_id=view["id"],
        values={Block.RESOURCE: git_option(slack, manager, view), Block.GROUPS: [(DEVS, "@devs")]},
    )
    assert response.json is not None
    assert response.json["errors"][Block.GROUPS] == (
        "I can't read who is in @devs: User groups need a paid Slack plan."
    )


def test_a_big_channel_is_profiled_in_pages_and_its_bots_are_named_to_the_manager(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    people = [f"U0PEER{n:04d}" for n in range(30)]
    for n, user_id in enumerate(people):
        slack.fake.add_user(user_id, f"peer{n}", is_bot=n < 2, deleted=n == 2)
    slack.fake.add_channel("C0BIG00001", "big", members=people)
    view = open_assign(slack, manager)
    slack.submit_view(
        user=manager,
        view_id=view["id"],
        values={Block.RESOURCE: git_option(slack, manager, view), Block.CHANNELS: ["C0BIG00001"]},
    )
    app_server.settle()
    assert slack.fake.calls_to("users.list")  # 30 strangers: one page, not 30 users.info
    assert not [c for c in slack.fake.calls_to("users.info") if c.args["user"] in people]
    confirmation = view_texts(slack.fake.calls_to("chat.postEphemeral")[-1].args)
    assert "to 27 people" in confirmation
    assert "Skipped: <@U0PEER0000>, <@U0PEER0001>, <@U0PEER0002> (a bot, deactivated)" in (
        confirmation
    )
    assert len(slack.fake.calls_to("chat.postMessage")) == 27

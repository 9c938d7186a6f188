"""/assign end to end: modal, typeahead, validation, DMs, and the learner's buttons."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, func, select

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block
from bot.services.assignments import AssignForm
from models import ResourceAssignment, TrainingResource
from models.enums import Priority
from tests.conftest import AMY, BOB, TEAM_ID, RunningApp
from tests.support.library import next_call, top_view
from tests.support.seed import bulk_resources, load_starter
from tests.support.waiting import eventually

GIT = "Pro Git"  # a starter-catalog title


def open_assign(slack: SlackClient, user: str, text: str = "") -> dict[str, Any]:
    before = len(slack.fake.calls_to("views.open"))
    slack.command("/assign", text, user=user)
    next_call(slack, "views.open", before)
    return top_view(slack, user)


def git_option(slack: SlackClient, user: str, view: dict[str, Any]) -> tuple[str, str]:
    answer = slack.suggest(
        user=user, view_id=view["id"], action_id=Action.ASSIGN_RESOURCE, value="pro git"
    )
    assert answer.json is not None
    option = next(o for o in answer.json["options"] if o["text"]["text"].startswith(GIT))
    return option["value"], option["text"]["text"]


def dm_of(slack: SlackClient, user: str) -> dict[str, Any]:
    return eventually(
        lambda: next(iter(slack.fake.messages(slack.fake.dm_channel(user))), None),
        what=f"a DM to {user}",
    )


def test_assign_dm_start_progress_complete(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    view = open_assign(slack, manager, f"<@{AMY}|amy> pro git")
    people = next(b for b in view["blocks"] if b["block_id"] == Block.PEOPLE)
    assert people["element"]["initial_users"] == [AMY]
    resource = next(b for b in view["blocks"] if b["block_id"] == Block.RESOURCE)
    assert resource["element"]["initial_option"]["text"]["text"].startswith(GIT)

    response = slack.submit_view(
        user=manager,
        view_id=view["id"],
        values={
            Block.RESOURCE: git_option(slack, manager, view),
            Block.PEOPLE: [AMY, BOB],
            Block.DUE: "2026-12-10",
            Block.PRIORITY: "high",
            Block.NOTE: "For the Q1 migration",
        },
    )
    assert response.status == 200
    assert not (response.json or {}).get("errors")
    dm = dm_of(slack, AMY)
    text = view_texts(dm)
    assert GIT in text
    assert f"<@{manager}> assigned you" in text
    assert "<!date^" in text
    assert "High priority" in text
    assert "For the Q1 migration" in text
    assert dm_of(slack, BOB)
    confirmation = slack.fake.wait_for_call("chat.postEphemeral")
    assert confirmation.args["user"] == manager
    assert "to 2 people" in view_texts(confirmation.args)

    for action, expected in (
        (Action.ASSIGNMENT_START, "In progress"),
        (f"{Action.ASSIGNMENT_PROGRESS}.50", "50%"),
        (Action.ASSIGNMENT_COMPLETE, "Completed"),
    ):
        before = len(slack.fake.calls_to("chat.update"))
        slack.click(user=AMY, action_id=action)
        next_call(slack, "chat.update", before)
        assert expected in view_texts(dm_of(slack, AMY))
    final = dm_of(slack, AMY)
    assert not [b for b in final["blocks"] if b["type"] == "actions"]
    assert len(slack.fake.messages(slack.fake.dm_channel(AMY))) == 1  # updated in place


def test_a_click_in_a_dm_trainbot_has_not_noted_yet_still_updates_that_dm(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    load_starter(app_server)
    view = open_assign(slack, manager, f"<@{AMY}|amy>")
    hang = slack.fake.hang_after("chat.postMessage", answered=0)  # Slack has it; we don't know
    slack.submit_view(
        user=manager,
        view_id=view["id"],
        values={Block.RESOURCE: git_option(slack, manager, view), Block.PEOPLE: [AMY]},
    )
    assert hang.reached.wait(timeout=10), "the DM was never sent"
    try:
        slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE)
        update = slack.fake.wait_for_call("chat.update")
        assert "Completed" in view_texts(update.args)
        assert "Completed" in view_texts(dm_of(slack, AMY))
    finally:
        hang.release.set()
    app_server.settle()
    with engine.connect() as conn:
        noted = conn.execute(select(ResourceAssignment.dm_ts, ResourceAssignment.status)).one()
    (dm,) = slack.fake.messages(slack.fake.dm_channel(AMY))  # updated in place, not sent again
    assert tuple(noted) == (dm["ts"], "completed")
    assert "Completed" in view_texts(dm)


def test_every_validation_error_is_answered_in_the_modal(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    slack.fake.add_channel(
        "C0SECRET01", "secret-project", members=[AMY], is_private=True, bot_is_member=False
    )
    view = open_assign(slack, manager)
    response = slack.submit_view(
        user=manager,
        view_id=view["id"],
        values={Block.DUE: "2026-11-01", Block.CHANNELS: ["C0SECRET01"]},
    )
    assert response.json is not None
    errors = response.json["errors"]
    assert errors[Block.RESOURCE] == "Choose the training to assign."
    assert errors[Block.DUE] == "The due date is in the past (today is 2026-11-26)."
    assert "invite @trainbot there first" in errors[Block.CHANNELS]
    # Slack keeps what was typed between attempts; the person clears the channel.
    response = slack.submit_view(
        user=manager, view_id=view["id"], values={Block.DUE: "2026-12-01", Block.CHANNELS: []}
    )
    assert response.json is not None
    errors = response.json["errors"]
    assert errors[Block.PEOPLE] == "Choose at least one person, a user group or a channel."
    assert slack.fake.calls_to("chat.postMessage") == []


def test_everyone_in_a_channel_is_assigned_once(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    slack.fake.add_channel("C0TEAM0001", "team", members=[AMY, BOB, manager])
    view = open_assign(slack, manager)
    slack.submit_view(
        user=manager,
        view_id=view["id"],
        values={
            Block.RESOURCE: git_option(slack, manager, view),
            Block.PEOPLE: [AMY],
            Block.CHANNELS: ["C0TEAM0001"],
        },
    )
    app_server.settle()
    recipients = sorted(c.args["channel"] for c in slack.fake.calls_to("chat.postMessage"))
    assert recipients == sorted([AMY, BOB, manager])


def test_assigning_again_does_not_send_a_second_dm(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    for _ in range(2):
        view = open_assign(slack, manager, f"<@{AMY}|amy>")
        slack.submit_view(
            user=manager,
            view_id=view["id"],
            values={Block.RESOURCE: git_option(slack, manager, view), Block.PEOPLE: [AMY]},
        )
        app_server.settle()
    assert [c.args["channel"] for c in slack.fake.calls_to("chat.postMessage")] == [AMY]
    second = slack.fake.calls_to("chat.postEphemeral")[-1]
    assert "Already assigned and not finished" in view_texts(second.args)


def test_a_member_cannot_assign(slack: SlackClient, app_server: RunningApp) -> None:
    slack.command("/assign", "", user=AMY)
    slack.fake.wait_for_response_text("Only managers and admins")
    assert slack.fake.calls_to("views.open") == []


def test_assign_from_the_library_preselects_the_resource(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    from tests.support.library import click_in_view, open_library

    load_starter(app_server)
    library = open_library(slack, manager, "pro git")
    resource_id = next(
        b["block_id"].split(":")[1]
        for b in library["blocks"]
        if b.get("block_id", "").startswith("item:")
    )
    before = len(slack.fake.calls_to("views.push"))
    click_in_view(slack, manager, Action.LIBRARY_ASSIGN, resource_id)
    next_call(slack, "views.push", before)
    modal = top_view(slack, manager)
    assert modal["title"]["text"] == "Assign training"
    resource = next(b for b in modal["blocks"] if b["block_id"] == Block.RESOURCE)
    assert resource["element"]["initial_option"]["value"] == resource_id


def assign_git(slack: SlackClient, manager: str, *people: str, due: str = "2026-12-10") -> None:
    view = open_assign(slack, manager)
    slack.submit_view(
        user=manager,
        view_id=view["id"],
        values={
            Block.RESOURCE: git_option(slack, manager, view),
            Block.PEOPLE: list(people),
            Block.DUE: due,
        },
    )


def test_home_lists_my_learning_and_its_buttons_update_the_dm_too(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    assign_git(slack, manager, AMY)
    app_server.settle()
    slack.app_home_opened(AMY)
    app_server.settle()
    home = slack.fake.home(AMY)
    assert home is not None
    assert "You have *1* open assignment" in view_texts(home)
    assert GIT in view_texts(home)
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE, view_id=home["id"])
    app_server.settle()
    home = slack.fake.home(AMY)
    assert home is not None
    assert "completed *1* (100%)" in view_texts(home)
    assert "Recently completed" in view_texts(home)
    assert "Completed" in view_texts(dm_of(slack, AMY))  # the DM followed
    # The manager's Home counts it for their team.
    slack.app_home_opened(manager)
    app_server.settle()
    assert "*0* open, *0* overdue, *1* completed" in view_texts(slack.fake.home(manager) or {})


def test_home_with_hundreds_of_assignments_stays_within_slack_limits(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    bulk_resources(engine, 200)
    services = app_server.services
    boss = services.members.resolve(
        team_id=TEAM_ID, user_id=manager, profiles=WebClient(base_url=slack.fake.base_url)
    )
    with engine.connect() as conn:
        ids = list(conn.scalars(select(TrainingResource.id)))
    for resource_id in ids:
        services.assignments.assign(
            by=boss,
            form=AssignForm(
                resource_id=resource_id, user_ids=(AMY,), due_on=None, priority=Priority.LOW
            ),
        )
    slack.app_home_opened(AMY)
    app_server.settle()
    home = slack.fake.home(AMY)
    assert home is not None
    assert len(home["blocks"]) <= 100
    assert "You have *200* open assignments" in view_texts(home)
    assert "…and 185 more, due later." in view_texts(home)


def test_the_global_shortcut_opens_the_assign_modal(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    assert slack.shortcut("assign_training", user=manager).status == 200
    slack.fake.wait_for_call("views.open")
    assert top_view(slack, manager)["title"]["text"] == "Assign training"


def test_every_declared_shortcut_has_a_listener(slack: SlackClient, app_server: RunningApp) -> None:
    from tests.test_manifest import manifest

    for shortcut in manifest()["features"]["shortcuts"]:
        assert slack.shortcut(shortcut["callback_id"], user=AMY).status == 200


def test_bots_and_deactivated_channel_members_get_no_dm_and_no_assignment(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    load_starter(app_server)
    slack.fake.add_user("U0HELPER01", "helper", is_bot=True)
    slack.fake.add_user("U0GONE0001", "gone", deleted=True)
    slack.fake.add_channel("C0MIXED001", "mixed", members=[AMY, "U0HELPER01", "U0GONE0001"])
    view = open_assign(slack, manager)
    slack.submit_view(
        user=manager,
        view_id=view["id"],
        values={Block.RESOURCE: git_option(slack, manager, view), Block.CHANNELS: ["C0MIXED001"]},
    )
    app_server.settle()
    assert [c.args["channel"] for c in slack.fake.calls_to("chat.postMessage")] == [AMY]
    confirmation = view_texts(slack.fake.calls_to("chat.postEphemeral")[-1].args)
    assert "to 1 person" in confirmation
    assert "Skipped: <@U0GONE0001>, <@U0HELPER01>" in confirmation or (
        "Skipped: <@U0HELPER01>, <@U0GONE0001>" in confirmation
    )
    with engine.connect() as conn:
        still_open = conn.scalar(
            select(func.count())
            .select_from(ResourceAssignment)
            .where(ResourceAssignment.cancelled_at.is_(None))
        )
    assert still_open == 1

"""Managing assignments from Home: due dates, cancelling, reassigning; each assignee told once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from bot.fakeslack import SlackClient, view_texts
from bot.ids import Action, Block
from models import AssignmentEvent, ResourceAssignment
from tests.conftest import AMY, BOB, RunningApp
from tests.support.library import top_view
from tests.support.seed import load_starter
from tests.test_assign_flow import GIT, assign_git, dm_of


def dms(slack: SlackClient, user: str) -> list[dict[str, Any]]:
    return slack.fake.messages(slack.fake.dm_channel(user))


def open_manage(slack: SlackClient, app_server: RunningApp, manager: str) -> dict[str, Any]:
    """From the manager's Home: the Manage button of the one resource they assigned."""
    slack.app_home_opened(manager)
    app_server.settle()
    home = slack.fake.home(manager)
    assert home is not None
    assert GIT in view_texts(home)
    slack.click(user=manager, action_id=Action.MANAGE_OPEN)
    app_server.settle()
    manage = top_view(slack, manager)
    assert manage["title"]["text"] == "Manage assignments"
    return manage


def row_block(view: dict[str, Any], user: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if f"<@{user}>" in str(b.get("text", {}).get("text")))


def choose(slack: SlackClient, app_server: RunningApp, manager: str, op: str, user: str) -> str:
    """A person's overflow item in Manage; returns the pushed modal's id."""
    manage = top_view(slack, manager)
    block = row_block(manage, user)
    assignment = block["block_id"].split(":")[1]
    slack.block_action(
        user=manager, action_id=Action.MANAGE_ROW, view_id=manage["id"],
        block_id=block["block_id"], selected_option={"value": f"{op}:{assignment}:{user}"},
    )  # fmt: skip
    app_server.settle()
    pushed = top_view(slack, manager)
    assert pushed["id"] != manage["id"]
    return str(pushed["id"])


def test_a_new_due_date_for_one_person_is_told_to_them_once(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    load_starter(app_server)
    assign_git(slack, manager, AMY, BOB, due="2026-12-10")
    app_server.settle()
    open_manage(slack, app_server, manager)

    view_id = choose(slack, app_server, manager, "due", AMY)
    response = slack.submit_view(user=manager, view_id=view_id, values={Block.DUE: "2026-11-01"})
    assert response.json == {
        "response_action": "errors",
        "errors": {Block.DUE: "The due date is in the past (today is 2026-11-26)."},
    }
    response = slack.submit_view(user=manager, view_id=view_id, values={Block.DUE: "2026-12-24"})
    assert not response.json
    app_server.settle()

    amy = dms(slack, AMY)
    assert len(amy) == 2  # the assignment, redrawn in place, and one notice
    assert "2026-12-24" in view_texts(amy[0])
    assert f"<@{manager}> changed the due date of" in view_texts(amy[1])
    assert "2026-12-24" in view_texts(amy[1])
    assert len(dms(slack, BOB)) == 1
    assert "2026-12-10" in view_texts(dm_of(slack, BOB))
    assert "2026-12-24" in row_block(top_view(slack, manager), AMY)["text"]["text"]  # redrawn

    # The same date again (a second try, a double submit): nothing to tell.
    view_id = choose(slack, app_server, manager, "due", AMY)
    response = slack.submit_view(user=manager, view_id=view_id, values={Block.DUE: "2026-12-24"})
    assert response.json is not None and response.json["response_action"] == "update"
    assert "Nobody was told" in view_texts(response.json["view"])
    app_server.settle()
    assert len(dms(slack, AMY)) == 2
    with engine.connect() as conn:
        kinds = conn.execute(select(AssignmentEvent.kind)).scalars().all()
    assert kinds.count("due_changed") == 1


def test_cancel_for_everyone_tells_each_person_once_and_closes_their_dm(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    load_starter(app_server)
    assign_git(slack, manager, AMY, BOB)
    app_server.settle()
    open_manage(slack, app_server, manager)
    slack.click(user=manager, action_id=Action.MANAGE_CANCEL_ALL)
    app_server.settle()
    confirm = top_view(slack, manager)
    assert "all 2 people with it open" in view_texts(confirm)
    assert not slack.submit_view(user=manager, view_id=confirm["id"], values={}).json
    app_server.settle()

    for person in (AMY, BOB):
        original, notice = dms(slack, person)
        assert "Cancelled" in view_texts(original)
        assert not [b for b in original["blocks"] if b["type"] == "actions"]
        assert f"<@{manager}> cancelled your assignment" in view_texts(notice)
    assert "Nothing open" in view_texts(top_view(slack, manager))
    with engine.connect() as conn:
        reasons = conn.execute(select(ResourceAssignment.closed_reason)).scalars().all()
    assert reasons == ["cancelled", "cancelled"]


def test_reassign_gives_it_to_someone_else_and_both_hear_once(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    load_starter(app_server)
    assign_git(slack, manager, AMY, due="2026-12-10")
    app_server.settle()
    slack.app_home_opened(AMY)  # her Home lists it, with a Start button
    app_server.settle()
    open_manage(slack, app_server, manager)
    view_id = choose(slack, app_server, manager, "reassign", AMY)
    response = slack.submit_view(user=manager, view_id=view_id, values={Block.REASSIGN_TO: AMY})
    assert response.json is not None
    assert response.json["errors"] == {
        Block.REASSIGN_TO: "That is who has it now: choose someone else."  # plain text
    }
    assert not slack.submit_view(
        user=manager, view_id=view_id, values={Block.REASSIGN_TO: BOB}
    ).json
    app_server.settle()

    original, notice = dms(slack, AMY)
    assert "Reassigned" in view_texts(original)
    assert f"to <@{BOB}>" in view_texts(notice)
    (bobs,) = dms(slack, BOB)
    assert f"<@{manager}> assigned you" in view_texts(bobs)
    assert "2026-12-10" in view_texts(bobs)  # same due date
    # Amy's Home, drawn before, still shows Start: it explains instead of acting.
    home = slack.fake.home(AMY)
    assert home is not None
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_START, view_id=home["id"])
    app_server.settle()
    assert "given to someone else" in view_texts(dms(slack, AMY)[-1])
    home = slack.fake.home(AMY)
    assert home is not None and GIT not in view_texts(home)  # and Home is redrawn without it


def test_reassigning_to_someone_who_has_it_open_is_refused_in_the_modal(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    assign_git(slack, manager, AMY, BOB)
    app_server.settle()
    open_manage(slack, app_server, manager)
    view_id = choose(slack, app_server, manager, "reassign", AMY)
    response = slack.submit_view(user=manager, view_id=view_id, values={Block.REASSIGN_TO: BOB})
    assert response.json is not None
    assert response.json["errors"] == {
        # Modal errors are plain text in Slack: a name, not a <@mention>.
        Block.REASSIGN_TO: "Bob Learner already has this assignment open: choose someone else."
    }
    app_server.settle()
    assert len(dms(slack, AMY)) == 1


def test_completion_dms_are_off_until_the_manager_turns_them_on(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    assign_git(slack, manager, AMY)
    app_server.settle()
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_COMPLETE)
    app_server.settle()
    assert dms(slack, manager) == []

    slack.app_home_opened(manager)
    app_server.settle()
    slack.click(user=manager, action_id=Action.HOME_COMPLETION_DMS, value="on")
    app_server.settle()
    home = slack.fake.home(manager)
    assert home is not None and "Completion DMs: on" in view_texts(home)
    assign_git(slack, manager, BOB)
    app_server.settle()
    slack.click(user=BOB, action_id=Action.ASSIGNMENT_COMPLETE)
    app_server.settle()
    (told,) = dms(slack, manager)
    assert f"<@{BOB}> completed" in view_texts(told)


def test_a_managers_home_has_an_assign_button(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    slack.app_home_opened(manager)
    app_server.settle()
    slack.click(user=manager, action_id=Action.HOME_ASSIGN)
    app_server.settle()
    assert top_view(slack, manager)["title"]["text"] == "Assign training"
    slack.app_home_opened(AMY)
    app_server.settle()
    home = slack.fake.home(AMY)
    assert home is not None and "Assign training" not in view_texts(home)


def test_clicks_by_a_stranger_or_on_a_cancelled_assignment_are_explained(
    slack: SlackClient, app_server: RunningApp, manager: str, engine: Engine
) -> None:
    load_starter(app_server)
    assign_git(slack, manager, AMY)
    app_server.settle()
    (amys,) = dms(slack, AMY)
    # Bob sends a click on Amy's DM (a forwarded payload, a shared screen...): refused.
    slack.click(user=BOB, action_id=Action.ASSIGNMENT_COMPLETE,
                channel=slack.fake.dm_channel(AMY), ts=amys["ts"])  # fmt: skip
    app_server.settle()
    slack.fake.wait_for_response_text("belongs to someone else")  # to Bob, ephemeral
    assert "Not started" in view_texts(dms(slack, AMY)[0])  # unchanged

    slack.app_home_opened(AMY)
    app_server.settle()
    open_manage(slack, app_server, manager)
    slack.click(user=manager, action_id=Action.MANAGE_CANCEL_ALL)
    app_server.settle()
    slack.submit_view(user=manager, view_id=top_view(slack, manager)["id"], values={})
    app_server.settle()
    home = slack.fake.home(AMY)
    assert home is not None  # drawn before the cancel: still offers Start
    slack.click(user=AMY, action_id=Action.ASSIGNMENT_START, view_id=home["id"])
    app_server.settle()
    assert "was cancelled" in view_texts(dms(slack, AMY)[-1])
    with engine.connect() as conn:
        kinds = conn.execute(select(AssignmentEvent.kind)).scalars().all()
    assert sorted(kinds) == ["assigned", "cancelled"]  # neither click changed anything


def test_nudge_now_sends_one_reminder_a_day(
    slack: SlackClient, app_server: RunningApp, manager: str
) -> None:
    load_starter(app_server)
    assign_git(slack, manager, AMY, due="2026-12-10")
    app_server.settle()
    open_manage(slack, app_server, manager)
    for expected in ("gets a reminder now.", "was nudged today already."):
        manage = top_view(slack, manager)
        block = row_block(manage, AMY)
        assignment = block["block_id"].split(":")[1]
        slack.block_action(
            user=manager, action_id=Action.MANAGE_ROW, view_id=manage["id"],
            block_id=block["block_id"], selected_option={"value": f"nudge:{assignment}:{AMY}"},
        )  # fmt: skip
        app_server.settle()
        assert f":bell: <@{AMY}> {expected}" in view_texts(top_view(slack, manager))
    reminders = [m for m in dms(slack, AMY) if m["text"].startswith("Reminder:")]
    assert len(reminders) == 1
    assert "due in 14 days" in view_texts(reminders[0])
